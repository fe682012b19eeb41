// Git is the audit log: no text an agent gives may produce a line that reads as one of
// DataMCP's trailers or an identity trailer in a commit message, a pull request record or a
// note. Every text field of every tool (read from tools/list, so new fields are covered)
// gets trailer-looking injections; then every record in the repository is read back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, connect } from './lib.mjs';

let server;
let agent;
const scopes = ['proposals:write', 'plans:read', 'audit:read', 'locks:read', 'env:local'];

before(async () => {
  // More than 60 write calls in a few seconds from one subject: lift the per-caller limit.
  server = await startServer({ yaml: ['mcp:', '  rate_limit_per_minute: 0'] });
  agent = await connect(server, server.token('agent-inj', scopes));
});
after(async () => {
  await agent?.close();
  await server?.stop();
});

const git = (...args) => execFileSync('git', ['-C', join(server.dir, 'work', 'gitops.git'), ...args],
  { encoding: 'utf8', maxBuffer: 64 << 20 });

const injections = [
  'Add notes\n\nSigned-off-by: evil <e@x>\nDatamcp-Approved-By: mallory',
  'Datamcp-Requested-By: mallory',
  'ok\r\nDATAMCP-MERGED-BY : mallory',
];
// A line that reads as a trailer DataMCP or git tools trust, carrying injected text.
const forged = /^[ \t]*(datamcp-[a-z0-9-]*|co-authored-by|signed-off-by)[ \t]*:[ \t]*(mallory|evil)/im;

const valuesFile = { path: 'helm/values/local/inj.yaml', content: 'replicas: 1\n' };
const base = {
  propose_change: { environment: 'local', title: 'Injection probe', files: [valuesFile] },
  plan_preview: { environment: 'local', files: [valuesFile] },
  propose_terraform_module: {
    environment: 'local', module: 'local-data', instance: 'inj',
    variables: { name: 'inj', owner: 'data-eng', retention_days: 1 },
  },
  propose_helm_release: {
    environment: 'local', release: 'inj', chart_path: 'helm/charts/example-data-app',
    values: { replicaCount: 1 },
  },
  propose_argocd_app: {
    environment: 'local', name: 'inj', path: 'helm/charts/example-data-app',
    destination_namespace: 'data-local',
  },
  propose_rollback: { environment: 'local', pull_request: 1 },
  propose_terraform_destroy: { environment: 'local', instance: 'inj' },
  propose_helm_uninstall: { environment: 'local', release: 'inj' },
  propose_pipeline_uninstall: { environment: 'local', name: 'inj-pipe' },
  refresh_proposal: { environment: 'local', pull_request: 1 },
  propose_pipeline: {
    environment: 'local', name: 'inj-pipe', template: 'batch', image: 'ghcr.io/acme/inj',
    tag: 'v1', schedule: '@daily', source: { uri: 'gs://acme-raw/inj' }, sink: { table: 'dwh.inj' },
  },
  propose_image_update: {
    environment: 'local', release: 'example-data-app', image: 'ghcr.io/acme/example-data-app',
    tag: 'v9.9.9',
  },
};

// Every place a string can go in `schema`, as [path, setter] pairs over a copy of `args`.
function textFields(schema, prefix = []) {
  const out = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const path = [...prefix, name];
    if (prop.type === 'string') out.push(path);
    if (prop.type === 'object' && !prop.properties) out.push([...path, 'injected']);
    if (prop.type === 'object' && prop.properties) out.push(...textFields(prop, path));
    if (prop.type === 'array' && prop.items?.type === 'object') {
      out.push(...textFields(prop.items, [...path, 0]));
    }
  }
  return out;
}

function withValue(args, path, value) {
  const copy = structuredClone(args);
  let node = copy;
  for (const key of path.slice(0, -1)) {
    node[key] ??= typeof key === 'number' ? [] : {};
    if (typeof key === 'number' && node[key] === undefined) node[key] = {};
    node = node[key];
  }
  node[path[path.length - 1]] = value;
  return copy;
}

test('no text field of any tool can forge a trailer in a commit, a record or a note', async () => {
  // One merged pull request, so that propose_rollback reaches the proposal path too.
  const first = await agent.callTool({ name: 'propose_change', arguments: base.propose_change });
  assert.notEqual(first.isError, true, JSON.stringify(first.content));
  server.cli('merge', String(first.structuredContent.pull_request), '--as', 'carol');

  const { tools } = await agent.listTools();
  let calls = 0;
  for (const tool of tools) {
    if (!base[tool.name]) {
      assert.ok(!/^propose_|^plan_/.test(tool.name), `no base arguments for ${tool.name}`);
      continue;
    }
    for (const path of textFields(tool.inputSchema)) {
      for (const value of injections) {
        await agent.callTool({ name: tool.name, arguments: withValue(base[tool.name], path, value) });
        calls += 1;
      }
    }
  }
  assert.ok(calls >= 60, `only ${calls} injections tried`);

  // The documented refusal a caller sees for a multi-line title.
  const refused = await agent.callTool({
    name: 'propose_change', arguments: withValue(base.propose_change, ['title'], injections[0]),
  });
  assert.equal(refused.isError, true);
  assert.match(refused.content[0].text, /title/);

  const problems = [];
  for (const entry of git('log', '--all', '--format=%H%x00%B%x01').split('\x01')) {
    const [sha, message = ''] = entry.trim().split('\x00');
    if (forged.test(message)) problems.push(`commit ${sha}: ${JSON.stringify(message)}`);
  }
  for (const line of git('notes', '--ref=datamcp', 'list').split('\n').filter(Boolean)) {
    const [note] = line.split(' ');
    const text = git('cat-file', '-p', note);
    if (forged.test(text)) problems.push(`note ${note}: ${text.slice(0, 200)}`);
  }
  const records = git('ls-tree', '--name-only', 'refs/datamcp/forge', 'prs/').split('\n').filter(Boolean);
  assert.ok(records.length >= 2, 'the proposals left pull request records');
  for (const path of records) {
    const pr = JSON.parse(git('show', `refs/datamcp/forge:${path}`));
    if (/[\r\n]/.test(pr.title)) problems.push(`${path}: multi-line title ${JSON.stringify(pr.title)}`);
    if (forged.test(pr.title) || forged.test(pr.body)) problems.push(`${path}: ${JSON.stringify(pr)}`);
  }
  assert.deepEqual(problems, []);
});
