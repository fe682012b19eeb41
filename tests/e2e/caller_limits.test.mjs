// Per-caller limits, read-only mode and tool allow-lists (mcp.* configuration), and dry runs
// of propose_* tools, through the official MCP SDK client against the real `datamcp serve`
// on the embedded repository and the local forge. "Nothing created" is checked in the
// repository itself: its branches, and the open proposals the local forge keeps there.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, connect, branches, binary } from './lib.mjs';

const scopes = ['proposals:write', 'plans:read', 'env:local'];
const writeTools = ['propose_change', 'propose_terraform_module', 'propose_helm_release',
  'propose_argocd_app', 'propose_rollback', 'propose_terraform_destroy', 'propose_helm_uninstall'];
const RATE_LIMITED = -32029;

const opened = [];
after(async () => {
  for (const { client, server } of opened.reverse()) {
    await client?.close();
    await server?.stop();
  }
});

async function open(yaml, sub = 'agent-limits') {
  const server = await startServer({ yaml });
  const client = await connect(server, server.token(sub, scopes));
  opened.push({ client, server });
  return { server, client, origin: join(server.dir, 'work', 'gitops.git') };
}

const moduleArgs = (instance, extra = {}) => ({
  environment: 'local',
  module: 'local-data',
  instance,
  variables: { name: instance, owner: 'data-eng', retention_days: 7 },
  ...extra,
});

async function openProposals(client) {
  const r = await client.callTool({ name: 'list_proposals', arguments: {} });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  return r.structuredContent.proposals;
}

// Branches and the local forge's pull request records (refs/datamcp/forge), with their commits.
function recordRefs(origin, namespaces = ['refs/heads', 'refs/datamcp']) {
  return execFileSync('git', ['-C', origin, 'for-each-ref', '--format=%(refname) %(objectname)', ...namespaces],
    { encoding: 'utf8' });
}

async function toolNames(client) {
  return (await client.listTools()).tools.map((t) => t.name);
}

test('a burst above the bucket gets the retry error and creates nothing; dry runs create nothing', async () => {
  const { server, client, origin } = await open(['mcp:', '  rate_limit_burst: 2', '  rate_limit_per_minute: 1']);
  const before = branches(origin);
  const records = recordRefs(origin);

  // #16: every proposal previewable. The dry run returns the real plan and leaves no trace.
  const dry = await client.callTool({ name: 'propose_terraform_module', arguments: moduleArgs('preview', { dry_run: true }) });
  assert.notEqual(dry.isError, true, JSON.stringify(dry.content));
  assert.equal(dry.structuredContent.dry_run, true);
  assert.equal(dry.structuredContent.pull_request, undefined);
  assert.equal(dry.structuredContent.plan.status, 'success');
  assert.match(dry.structuredContent.plan.projects[0].summary, /Plan: \d+ to add/);
  assert.match(dry.content[0].text, /dry run: no branch or pull request was created/);
  assert.equal(recordRefs(origin), records);
  assert.deepEqual(await openProposals(client), []);

  // One token left; three proposals at once: one runs, two are refused before doing anything.
  const results = await Promise.allSettled(['alpha', 'beta', 'gamma'].map((instance) =>
    client.callTool({ name: 'propose_terraform_module', arguments: moduleArgs(instance) })));
  const done = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r) => r.status === 'rejected');
  assert.equal(done.length, 1, JSON.stringify(results.map((r) => r.reason?.message ?? 'ok')));
  assert.equal(refused.length, 2);
  for (const { reason } of refused) {
    assert.equal(reason.code, RATE_LIMITED, reason.message);
    assert.match(reason.message, /rate limited: agent-limits has used its 2 calls/);
    assert.match(reason.message, /nothing was done\. Retry propose_terraform_module in \d+ s/);
    assert.ok(reason.data.retryAfterSeconds >= 1 && reason.data.retryAfterSeconds <= 60,
      JSON.stringify(reason.data));
    assert.equal(reason.data.burst, 2);
    assert.equal(reason.data.perMinute, 1);
  }
  const winner = done[0].value;
  assert.notEqual(winner.isError, true, JSON.stringify(winner.content));
  const added = branches(origin).filter((b) => !before.includes(b));
  assert.deepEqual(added, [`refs/heads/${winner.structuredContent.branch}`]);
  assert.deepEqual((await openProposals(client)).map((p) => p.number), [winner.structuredContent.pull_request]);

  // plan_preview counts too; read tools do not.
  await assert.rejects(
    client.callTool({ name: 'plan_preview', arguments: { environment: 'local', files: [{ path: 'infra/terraform/envs/local/x.tf', content: '' }] } }),
    (e) => e.code === RATE_LIMITED && /Retry plan_preview in \d+ s/.test(e.message));
  const envs = await client.callTool({ name: 'list_environments', arguments: {} });
  assert.notEqual(envs.isError, true);
  const info = await client.callTool({ name: 'get_server_info', arguments: {} });
  assert.deepEqual(info.structuredContent.limits, { read_only: false, rate_limit: { burst: 2, per_minute: 1, available: 0 } });

  const metrics = await (await fetch(`${server.base}/metrics`)).text();
  assert.match(metrics, /^datamcp_mcp_rate_limited_total\{tool="propose_terraform_module"\} 2$/m);
  assert.match(metrics, /^datamcp_mcp_rate_limited_total\{tool="plan_preview"\} 1$/m);
  assert.ok(server.log.some((l) => l.includes('"event":"rate_limited"')), 'the refusal is logged');
  assert.deepEqual(branches(origin).filter((b) => !before.includes(b)).length, 1);
});

test('read-only mode lists and accepts no write tool', async () => {
  const { client, origin } = await open(['mcp:', '  read_only: true']);
  const before = branches(origin);
  const { tools } = await client.listTools();
  assert.ok(tools.length > 0);
  for (const t of tools) assert.equal(t.annotations.readOnlyHint, true, `${t.name} is listed in read-only mode`);
  const names = tools.map((t) => t.name);
  for (const w of writeTools) assert.ok(!names.includes(w), `${w} is listed`);
  assert.ok(names.includes('plan_preview') && names.includes('list_environments'));
  const info = await client.callTool({ name: 'get_server_info', arguments: {} });
  assert.equal(info.structuredContent.limits.read_only, true);
  for (const name of writeTools) {
    await assert.rejects(
      client.callTool({ name, arguments: name === 'propose_terraform_module' ? moduleArgs('ro') : {} }),
      (e) => e.code === -32602 && e.message.includes(`tool ${name} is not available`) &&
        e.message.includes('read-only mode (mcp.read_only)'));
  }
  assert.deepEqual(branches(origin), before);
  assert.deepEqual(await openProposals(client), []);
});

test('an allow-list hides every other tool, and an unknown name stops start-up', async () => {
  const { client } = await open(['mcp:', '  tools: [get_server_info, list_environments, list_proposals]']);
  assert.deepEqual((await toolNames(client)).sort(), ['get_server_info', 'list_environments', 'list_proposals']);
  await assert.rejects(
    client.callTool({ name: 'plan_preview', arguments: { environment: 'local', files: [{ path: 'a', content: '' }] } }),
    (e) => e.code === -32602 && /plan_preview is not in this server's tool allow-list \(mcp\.tools\)/.test(e.message));

  const unknown = serveWith(['mcp:', '  tools: [get_server_info, propose_everything]']);
  assert.equal(unknown.status, 2, unknown.stderr);
  assert.match(unknown.stderr, /mcp\.tools: 'propose_everything' is not a tool of this server; the tools are get_server_info, /);
  const conflict = serveWith(['mcp:', '  read_only: true', '  tools: [propose_change]']);
  assert.equal(conflict.status, 2, conflict.stderr);
  assert.match(conflict.stderr, /mcp\.tools: 'propose_change' writes, and mcp\.read_only is true/);
});

// `datamcp serve` with a configuration it must refuse: its exit status and stderr.
function serveWith(yaml) {
  const dir = mkdtempSync(join(tmpdir(), 'datamcp-e2e-'));
  try {
    const config = join(dir, 'datamcp.yaml');
    writeFileSync(config, [`work_dir: ${join(dir, 'work')}`, 'server:', '  port: 0', ...yaml].join('\n') + '\n');
    return spawnSync(binary(), ['serve'], {
      env: { ...process.env, DATAMCP_CONFIG: config }, encoding: 'utf8', timeout: 60000,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every propose_* tool previews with dry_run: true and creates no branch and no pull request', async () => {
  const { server, client, origin } = await open([]);
  const valuesFile = { path: 'helm/values/local/dry.yaml', content: 'replicas: 1\n' };
  const args = {
    propose_change: { environment: 'local', title: 'Dry values', files: [valuesFile] },
    propose_terraform_module: moduleArgs('dry'),
    propose_helm_release: {
      environment: 'local', release: 'dry', chart_path: 'helm/charts/example-data-app', values: { replicaCount: 1 },
    },
    propose_argocd_app: {
      environment: 'local', name: 'dry', path: 'helm/charts/example-data-app', destination_namespace: 'data-local',
    },
  };
  const { tools } = await client.listTools();
  const proposeTools = tools.filter((t) => t.name.startsWith('propose_'));
  assert.ok(proposeTools.length >= 5);
  for (const t of proposeTools) assert.equal(t.inputSchema.properties.dry_run?.type, 'boolean', t.name);

  const records = recordRefs(origin);
  for (const [name, a] of Object.entries(args)) {
    const r = await client.callTool({ name, arguments: { ...a, dry_run: true } });
    assert.notEqual(r.isError, true, `${name}: ${JSON.stringify(r.content)}`);
    assert.equal(r.structuredContent.dry_run, true, name);
    assert.equal(r.structuredContent.pull_request, undefined, name);
    assert.ok(r.structuredContent.plan.projects.length >= 1, `${name}: ${JSON.stringify(r.structuredContent)}`);
    assert.equal(r.structuredContent.plan.status, 'success', `${name}: ${JSON.stringify(r.structuredContent.plan)}`);
  }
  assert.equal(recordRefs(origin), records, 'a dry run moved a branch or a pull request record');
  assert.deepEqual(await openProposals(client), []);

  // propose_rollback previews the revert of a merged proposal the same way.
  const real = await client.callTool({ name: 'propose_change', arguments: args.propose_change });
  assert.notEqual(real.isError, true, JSON.stringify(real.content));
  const number = String(real.structuredContent.pull_request);
  server.cli('review', number, '--approve', '--as', 'carol');
  assert.match(server.cli('merge', number, '--as', 'carol'), /merged by carol/);
  const heads = recordRefs(origin, ['refs/heads']);
  const rollback = await client.callTool({
    name: 'propose_rollback', arguments: { environment: 'local', pull_request: Number(number), dry_run: true },
  });
  assert.notEqual(rollback.isError, true, JSON.stringify(rollback.content));
  assert.equal(rollback.structuredContent.dry_run, true);
  assert.equal(rollback.structuredContent.plan.status, 'success', JSON.stringify(rollback.structuredContent.plan));
  assert.equal(recordRefs(origin, ['refs/heads']), heads);
  assert.deepEqual(await openProposals(client), []);
});
