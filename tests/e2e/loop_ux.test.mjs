// What a user meets in the first hour of the loop, over the real HTTP endpoint with the
// official MCP SDK client: answers that reflect the repository, readable results, honest
// refusals, the local merge gate and the applier woken at once by a local merge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect } from './lib.mjs';

let server;
let agent;
const scopes = ['proposals:write', 'plans:read', 'audit:read', 'locks:read', 'env:local'];

before(async () => {
  server = await startServer();
  agent = await connect(server, server.token('agent-ux', scopes));
});
after(async () => {
  await agent?.close();
  await server?.stop();
});

test('get_server_info over HTTP lists the environments of the repository once it is ready', async () => {
  const r = await agent.callTool({ name: 'get_server_info', arguments: {} });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  assert.deepEqual(r.structuredContent.environments, ['local', 'dev', 'prod']);
  const local = await agent.callTool({ name: 'get_server_info', arguments: { environment: 'local' } });
  assert.notEqual(local.isError, true, JSON.stringify(local.content));
  assert.equal(local.structuredContent.environment.name, 'local');
});
