// The official TypeScript SDK's StdioClientTransport launching `datamcp mcp`, with the
// caller's token in DATAMCP_TOKEN (minted by `datamcp token` with the same config).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { binary } from './lib/datamcp.mjs';

function withConfig(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'datamcp-stdio-test-'));
  const config = join(dir, 'datamcp.yaml');
  writeFileSync(config, `work_dir: ${join(dir, 'work')}\nlog:\n  format: json\n`);
  return fn(config).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('datamcp mcp serves MCP over stdio with the token from the environment', () =>
  withConfig(async (config) => {
    const token = execFileSync(binary(), ['token', '--config', config, '--sub', 'local-agent',
      '--scopes', 'plans:read env:dev'], { encoding: 'utf8' }).trim();
    const transport = new StdioClientTransport({
      command: binary(),
      args: ['mcp', '--config', config],
      env: { PATH: process.env.PATH, DATAMCP_TOKEN: token },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      assert.equal(client.getServerVersion().name, 'datamcp');
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'get_server_info'));
      const result = await client.callTool({ name: 'get_server_info', arguments: {} });
      assert.equal(result.structuredContent.caller.subject, 'local-agent');
      assert.deepEqual(result.structuredContent.caller.scopes, ['plans:read', 'env:dev']);
      await assert.rejects(
        client.callTool({ name: 'get_server_info', arguments: { environment: 'prod' } }),
        /needs scope env:prod/,
      );
    } finally {
      await client.close();
    }
  }));

test('datamcp mcp refuses to start without a valid token', () =>
  withConfig(async (config) => {
    assert.throws(
      () => execFileSync(binary(), ['mcp', '--config', config], {
        env: { PATH: process.env.PATH, DATAMCP_TOKEN: 'not-a-token' },
        input: '',
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
      (e) => e.status === 2 && /DATAMCP_TOKEN/.test(e.stderr.toString()),
    );
  }));
