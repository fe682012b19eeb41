// What a user meets in the first hour of the loop, over the real HTTP endpoint with the
// official MCP SDK client: answers that reflect the repository, readable results, honest
// refusals, the local merge gate and the applier woken at once by a local merge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, connect, waitFor } from './lib.mjs';

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
  assert.deepEqual(r.structuredContent.environments, ['local', 'dev', 'prod', 'aws-dev', 'aws-prod']);
  const local = await agent.callTool({ name: 'get_server_info', arguments: { environment: 'local' } });
  assert.notEqual(local.isError, true, JSON.stringify(local.content));
  assert.equal(local.structuredContent.environment.name, 'local');
});

test('a body over the limit is refused with 413 and a JSON-RPC error naming the limit', async () => {
  const token = server.token('agent-ux', scopes);
  const res = await fetch(server.url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`, 'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(2 << 20) } }),
  });
  assert.equal(res.status, 413);
  const body = await res.json();
  assert.equal(body.jsonrpc, '2.0');
  assert.match(body.error.message, /over the limit of 1048576 bytes \(server\.max_body_bytes\)/);

  // The MCP SDK shows the body, so the agent learns what to do.
  const big = { path: 'infra/terraform/envs/local/notes.txt', content: 'a'.repeat(1100000) };
  await assert.rejects(
    agent.callTool({ name: 'plan_preview', arguments: { environment: 'local', files: [big] } }),
    /server\.max_body_bytes/);
});

test('the largest file content the schema allows can be sent', async () => {
  const { tools } = await agent.listTools();
  for (const name of ['propose_change', 'plan_preview']) {
    const max = tools.find((t) => t.name === name).inputSchema.properties.files.items.properties.content.maxLength;
    assert.ok(max < 1048576, `${name}: content.maxLength ${max} leaves no room for the request`);
  }
  const max = tools.find((t) => t.name === 'plan_preview')
    .inputSchema.properties.files.items.properties.content.maxLength;
  const file = { path: 'infra/terraform/envs/local/notes.txt', content: 'a'.repeat(max) };
  const r = await agent.callTool({ name: 'plan_preview', arguments: { environment: 'local', files: [file] } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content).slice(0, 500));
});

test('a values file with no Application on either side does not plan as a removal', async () => {
  const r = await agent.callTool({
    name: 'plan_preview',
    arguments: { environment: 'local', files: [{ path: 'helm/values/local/notes.yaml', content: 'replicas: 1\n' }] },
  });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  const app = r.structuredContent.projects.find((p) => p.project === 'argocd/apps/local/notes.yaml');
  assert.ok(app, JSON.stringify(r.structuredContent.projects));
  assert.equal(app.ok, true);
  assert.doesNotMatch(app.summary, /removed/);
  assert.match(app.summary, /no Application/);
});

test('propose_helm_release on an existing release keeps what the caller did not change', async () => {
  const r = await agent.callTool({
    name: 'propose_helm_release',
    arguments: {
      environment: 'local', release: 'example-data-app', chart_path: 'helm/charts/example-data-app',
      values: { replicaCount: 2, config: { bucket: 'gs://orders' } },
    },
  });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  const show = (path) => execFileSync('git', ['-C', join(server.dir, 'work', 'gitops.git'), 'show',
    `${r.structuredContent.commit}:${path}`], { encoding: 'utf8' });
  const app = show('argocd/apps/local/example-data-app.yaml');
  assert.match(app, /targetRevision: main/);
  assert.match(app, /app\.kubernetes\.io\/part-of: example-data-app/);
  assert.match(app, /CreateNamespace=true/);
  assert.match(app, /selfHeal: true/);
  const values = show('helm/values/local/example-data-app.yaml');
  assert.match(values, /logLevel: debug/);
  assert.match(values, /bucket: gs:\/\/orders/);
  assert.match(values, /replicaCount: 2/);
});

test('read tools answer in their text content too, for clients that show only content', async () => {
  const text = async (name, args = {}) => {
    const r = await agent.callTool({ name, arguments: args });
    assert.notEqual(r.isError, true, JSON.stringify(r.content));
    assert.ok(r.structuredContent, `${name} keeps structuredContent`);
    return r.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
  };
  const envs = await text('list_environments');
  for (const name of ['local', 'dev', 'prod']) assert.match(envs, new RegExp(`^- ${name}: Terraform root infra/terraform/envs/${name}`, 'm'));
  const proposals = await text('list_proposals');
  assert.match(proposals, /^- #\d+ Deploy example-data-app to local \(branch datamcp\/local\//m);
  const number = Number(/#(\d+) Deploy example-data-app/.exec(proposals)[1]);
  const locks = await text('list_locks');
  assert.match(locks, new RegExp(`argocd/apps/local/example-data-app\\.yaml held by pull request #${number}`));
  const proposal = await text('get_proposal', { pull_request: number });
  assert.match(proposal, /\(open\)/);
  assert.match(proposal, /argocd\/apps\/local\/example-data-app\.yaml: \d+ Application field/);
  const info = await text('get_server_info');
  assert.match(info, /Environments: local, dev, prod/);
  assert.match(info, /You are agent-ux with scopes: .*proposals:write/);
});

test('the reviewer CLI shows a pull request as a diff and refuses an unknown audit environment', async () => {
  const proposals = (await agent.callTool({ name: 'list_proposals', arguments: {} })).structuredContent.proposals;
  const pr = proposals.find((p) => /example-data-app/.test(p.title));
  const diff = server.cli('pr', String(pr.number), '--diff');
  assert.match(diff, /^diff --git a\/helm\/values\/local\/example-data-app\.yaml/m);
  assert.match(diff, /^\+replicaCount: 2$/m);
  assert.throws(() => execFileSync(server.env.DATAMCP_BINARY ?? process.env.DATAMCP_BINARY,
    ['audit', '--env', 'nope'], { env: server.env, encoding: 'utf8', stdio: 'pipe' }),
  (e) => e.status === 2 && /audit --env: .*nope.*known/.test(e.stderr));
});

const tf = (name) => ({ path: `infra/terraform/envs/local/${name}.tf`,
  content: `resource "terraform_data" "${name}" {\n  input = "${name}"\n}\n` });
const originGit = (...args) => execFileSync('git', ['-C', join(server.dir, 'work', 'gitops.git'), ...args],
  { encoding: 'utf8' }).trim();

test('the local forge refuses a merge whose plan did not pass, and --force is recorded', async () => {
  const holder = await agent.callTool({ name: 'propose_change',
    arguments: { environment: 'local', title: 'Hold the local root', files: [tf('gate_a')] } });
  assert.equal(holder.structuredContent.plan.status, 'success', JSON.stringify(holder.structuredContent));
  const blocked = await agent.callTool({ name: 'propose_change',
    arguments: { environment: 'local', title: 'Blocked by the holder', files: [tf('gate_b')] } });
  const n = blocked.structuredContent.pull_request;
  assert.notEqual(blocked.structuredContent.plan.status, 'success');
  const refused = server.cliFails('merge', String(n), '--as', 'carol');
  assert.match(refused, new RegExp(`#${n} cannot be merged yet: the plan check is \\w+ on head`));
  assert.match(refused, /--force/);
  assert.doesNotMatch(originGit('log', '-1', '--format=%s', 'main'), new RegExp(`#${n}`));

  assert.match(server.cli('merge', String(n), '--as', 'carol', '--force'), /forced/);
  const merge = originGit('rev-parse', 'main');
  assert.match(originGit('log', '-1', '--format=%B', merge), /^Datamcp-Forced-Merge: the plan check is/m);
  assert.match(server.cli('pr', String(n)), /Merged with --force, bypassing: the plan check/);
  let notes = [];
  await waitFor(() => {
    try {
      notes = JSON.parse(originGit('notes', '--ref=datamcp', 'show', merge)).filter((d) => d.type === 'apply');
    } catch { notes = []; }
    return notes.length > 0;
  }, 120000, 'the apply record of the forced merge');
  assert.match(notes[0].forced_merge, /the plan check is/);
});

test('the local forge refuses a merge without the approvals the environment needs', async () => {
  const dev = await connect(server, server.token('agent-dev', ['proposals:write', 'plans:read', 'env:dev']));
  const r = await dev.callTool({ name: 'propose_change', arguments: { environment: 'dev', title: 'Dev values',
    files: [{ path: 'helm/values/dev/gate.yaml', content: 'replicas: 1\n' }] } });
  await dev.close();
  assert.equal(r.structuredContent.plan.status, 'success', JSON.stringify(r.structuredContent));
  const n = r.structuredContent.pull_request;
  assert.match(server.cliFails('merge', String(n), '--as', 'carol'), /0 of 1 approval\(s\) by someone other than the author/);
  server.cli('review', String(n), '--approve', '--as', 'dave');
  assert.match(server.cli('merge', String(n), '--as', 'carol'), new RegExp(`#${n} merged by carol`));
});
