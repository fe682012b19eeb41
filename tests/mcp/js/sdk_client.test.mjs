// The official TypeScript SDK (Client + StreamableHTTPClientTransport with an
// Authorization header) against the real `datamcp serve` with JWT authentication.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mintToken, startServer } from './lib/datamcp.mjs';

const ALL_SCOPES = ['proposals:write', 'plans:read', 'audit:read', 'env:dev', 'env:staging', 'env:prod'];
let server;

before(async () => {
  // No clock skew so a token minted with a 1 s lifetime expires within the test.
  server = await startServer({ auth: 'jwt', authExtra: ['clock_skew_seconds: 0'] });
});
after(async () => server?.stop());

async function connect(token) {
  const client = new Client({ name: 'datamcp-sdk-test', version: '1.0.0' });
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } });
  await client.connect(transport);
  return { client, transport };
}

async function listAllTools(client) {
  const tools = [];
  let cursor;
  let pages = 0;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 100);
  assert.equal(cursor, undefined, 'tools/list kept returning cursors');
  return tools;
}

function rawPost(body, headers = {}) {
  return fetch(server.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

const initialize = {
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

test('negotiates 2025-11-25, lists tools page by page and calls get_server_info', async () => {
  const token = mintToken(server, 'agent-1', ['plans:read', 'env:dev']);
  const { client, transport } = await connect(token);
  try {
    assert.equal(transport.protocolVersion, '2025-11-25');
    assert.equal(client.getServerVersion().name, 'datamcp');
    const tools = await listAllTools(client);
    const info = tools.find((t) => t.name === 'get_server_info');
    assert.ok(info, 'get_server_info is listed');
    for (const t of tools) {
      assert.ok(t.description, `${t.name} has a description`);
      assert.equal(t.inputSchema.type, 'object', `${t.name} has an object inputSchema`);
      assert.equal(typeof t.annotations?.readOnlyHint, 'boolean', `${t.name} states readOnlyHint`);
    }
    assert.equal(info.annotations.readOnlyHint, true);
    assert.equal(info.outputSchema.type, 'object');
    const result = await client.callTool({ name: 'get_server_info', arguments: {} });
    assert.equal(result.isError, false);
    assert.equal(result.structuredContent.caller.subject, 'agent-1');
    assert.deepEqual(result.structuredContent.caller.scopes, ['plans:read', 'env:dev']);
    assert.ok(result.structuredContent.version);
    assert.equal(result.content[0].type, 'text');
    const bad = await client.callTool({ name: 'get_server_info', arguments: { colour: 'red' } });
    assert.equal(bad.isError, true);
    assert.match(bad.content[0].text, /arguments\.colour: is not an allowed property/);
  } finally {
    await client.close();
  }
});

test('tokens with different scopes see the tools their scopes allow', async () => {
  const full = await connect(mintToken(server, 'admin', ALL_SCOPES));
  const bare = await connect(mintToken(server, 'nobody', []));
  try {
    const all = await listAllTools(full.client);
    const limited = await listAllTools(bare.client);
    const expected = all.filter((t) => (t._meta?.['datamcp/scopes'] ?? []).length === 0);
    assert.deepEqual(limited.map((t) => t.name), expected.map((t) => t.name));
    assert.ok(limited.some((t) => t.name === 'get_server_info'));
    for (const hidden of all.filter((t) => !expected.includes(t))) {
      await assert.rejects(
        bare.client.callTool({ name: hidden.name, arguments: {} }),
        (e) => e.code === 403,
        `${hidden.name} is refused without its scope`,
      );
    }
  } finally {
    await full.client.close();
    await bare.client.close();
  }
});

test('a call without the scope it needs is refused with 403 insufficient_scope', async () => {
  const token = mintToken(server, 'agent-2', ['plans:read', 'env:dev']);
  const init = await rawPost(initialize, { Authorization: `Bearer ${token}` });
  assert.equal(init.status, 200);
  const session = init.headers.get('mcp-session-id');
  assert.match(session, /^[0-9a-f]{64}$/);
  const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_server_info', arguments: { environment: 'prod' } } };
  const res = await rawPost(call, { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-11-25' });
  assert.equal(res.status, 403);
  const challenge = res.headers.get('www-authenticate');
  assert.match(challenge, /^Bearer /);
  assert.match(challenge, /error="insufficient_scope"/);
  assert.match(challenge, /scope="env:prod"/);
  assert.match(challenge, /resource_metadata="/);
  const { client } = await connect(token);
  try {
    await assert.rejects(
      client.callTool({ name: 'get_server_info', arguments: { environment: 'prod' } }),
      (e) => e.code === 403 && /needs scope env:prod/.test(e.message),
    );
  } finally {
    await client.close();
  }
});

test('no token and an expired token are refused with 401 and resource metadata', async () => {
  const none = await rawPost(initialize);
  assert.equal(none.status, 401);
  const challenge = none.headers.get('www-authenticate');
  const metadataUrl = `http://127.0.0.1:${server.port}/.well-known/oauth-protected-resource/mcp`;
  assert.equal(challenge, `Bearer resource_metadata="${metadataUrl}"`);
  const metadata = await (await fetch(metadataUrl)).json();
  assert.equal(metadata.resource, server.url);
  assert.deepEqual(metadata.bearer_methods_supported, ['header']);
  await assert.rejects(connect(undefined), /401|Unauthorized/);

  const bogus = await rawPost(initialize, { Authorization: 'Bearer not.a.jwt' });
  assert.equal(bogus.status, 401);
  assert.match(bogus.headers.get('www-authenticate'), /error="invalid_token"/);

  const shortLived = mintToken(server, 'agent-3', ['plans:read'], ['--ttl', '1s']);
  const deadline = Date.now() + 15000;
  let status = 200;
  while (Date.now() < deadline) {
    status = (await rawPost(initialize, { Authorization: `Bearer ${shortLived}` })).status;
    if (status === 401) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(status, 401, 'a token past its exp is refused');
  await assert.rejects(connect(shortLived), /401|Unauthorized/);
});
