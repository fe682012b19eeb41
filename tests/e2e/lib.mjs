// Helpers for the end-to-end tests: start the real `datamcp serve` in a temp dir with a
// config the test chooses, mint tokens, run the human CLI (prs, review, merge, audit), and
// connect the official MCP SDK client.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const binary = () => {
  if (!process.env.DATAMCP_BINARY) throw new Error('DATAMCP_BINARY is not set (ctest sets it)');
  return process.env.DATAMCP_BINARY;
};

export function helmBin() {
  const helm = join(process.env.DATAMCP_SOURCE_DIR ?? '.', '.tools', 'bin', 'helm');
  if (!existsSync(helm)) throw new Error(`${helm} is missing; run scripts/install-tools`);
  return helm;
}

// repositoryUrl: the GitOps remote (default: the embedded repository); yaml: extra top-level
// configuration lines; env: extra environment variables.
// waitReady: wait for /readyz to answer 200 (false: return once it listens).
export async function startServer({ repositoryUrl = '', yaml = [], env = {}, dir, waitReady = true } = {}) {
  dir ??= mkdtempSync(join(tmpdir(), 'datamcp-e2e-'));
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'datamcp.yaml');
  writeFileSync(config, [
    `work_dir: ${join(dir, 'work')}`,
    'server:', '  bind: 127.0.0.1', '  port: 0',
    'repository:', '  fetch_interval_seconds: 1', ...(repositoryUrl ? [`  url: ${repositoryUrl}`] : []),
    'plan:', `  helm_bin: ${helmBin()}`,
    'log:', '  level: info', '  format: json',
    ...yaml,
  ].join('\n') + '\n');
  const fullEnv = { ...process.env, DATAMCP_CONFIG: config, USER: 'reviewer', ...env };
  const child = spawn(binary(), ['serve'], { env: fullEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const log = [];
  const lines = createInterface({ input: child.stderr });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not listen:\n${log.join('\n')}`)), 60000);
    lines.on('line', (line) => {
      log.push(line);
      try {
        const e = JSON.parse(line);
        if (e.event === 'listening') { clearTimeout(timer); resolve(e.port); }
      } catch { /* not JSON */ }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited ${code}:\n${log.join('\n')}`)); });
  });
  const base = `http://127.0.0.1:${port}`;
  const server = {
    dir, config, port, base, url: `${base}/mcp`, log, child, env: fullEnv,
    cli: (...args) => execFileSync(binary(), args, { env: fullEnv, encoding: 'utf8' }),
    // A command that must fail: its standard error (throws when it succeeds).
    cliFails: (...args) => {
      try {
        execFileSync(binary(), args, { env: fullEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        return e.stderr?.toString() ?? String(e);
      }
      throw new Error(`datamcp ${args.join(' ')} succeeded`);
    },
    token: (sub, scopes) => server.cli('token', '--sub', sub, '--scopes', scopes.join(' ')).trim(),
    // Starts the same server again (same directory and configuration, a new port), for a
    // restart after stop({ keep: true }).
    restart: () => startServer({ repositoryUrl, yaml, env, dir, waitReady }),
    async stop({ keep = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
  if (waitReady) await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 60000, 'readyz');
  return server;
}

export async function connect(server, token) {
  const client = new Client({ name: 'datamcp-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

export async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { if (await check()) return; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The branches of a bare repository.
export function branches(bareRepo) {
  return execFileSync('git', ['-C', bareRepo, 'for-each-ref', '--format=%(refname)', 'refs/heads'],
    { encoding: 'utf8' }).split('\n').filter(Boolean);
}

// The JSON records DataMCP keeps in the git note (refs/notes/datamcp) of `commit`: the note
// is one JSON array of documents. Empty when there is no note.
export function notesOf(gitDirArgs, commit) {
  let text;
  try {
    text = execFileSync('git', [...gitDirArgs, 'notes', '--ref=datamcp', 'show', commit],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return [];
  }
  return JSON.parse(text);
}
