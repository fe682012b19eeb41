// Data pipelines end to end on the local forge: propose_pipeline from the batch template
// (a dry run first, bad parameters refused naming the field), the real helm render in the
// plan, a merge by a human, then list_pipelines and get_pipeline read the registry and its
// history from the default branch; a second merged change grows the history;
// propose_pipeline_uninstall removes it (destructive: merged only once confirmed). Also
// `datamcp pipeline new` in a checkout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, connect, waitFor, branches } from './lib.mjs';

let server;
let agent;
const scopes = ['proposals:write', 'plans:read', 'locks:read', 'env:local'];

before(async () => {
  server = await startServer();
  agent = await connect(server, server.token('agent-9', scopes));
});
after(async () => {
  await agent?.close();
  await server?.stop();
});

const origin = () => join(server.dir, 'work', 'gitops.git');
const pipeline = (extra = {}) => ({
  environment: 'local', name: 'events-etl', template: 'batch',
  image: 'ghcr.io/acme/events-etl', tag: 'v1.0.0', schedule: '0 2 * * *',
  resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
  source: { uri: 'gs://acme-raw/events' }, sink: { table: 'dwh.events' },
  ...extra,
});

async function call(name, args) {
  try {
    return await agent.callTool({ name, arguments: args });
  } catch (e) {
    return { isError: true, content: [{ type: 'text', text: String(e.message) }] };
  }
}

async function mergeAndWaitForUnlock(number) {
  server.cli('review', String(number), '--approve', '--as', 'carol');
  assert.match(server.cli('merge', String(number), '--as', 'carol'), new RegExp(`#${number} merged by carol`));
  await waitFor(async () => {
    const r = await agent.callTool({ name: 'list_locks', arguments: {} });
    return r.structuredContent.locks.length === 0;
  }, 60000, 'the lock release');
}

test('a dry run plans the pipeline with the real helm render and leaves no branch', async () => {
  const before = branches(origin());
  const result = await call('propose_pipeline', pipeline({ dry_run: true }));
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  const s = result.structuredContent;
  assert.equal(s.dry_run, true);
  assert.equal(s.plan.status, 'success', JSON.stringify(s.plan));
  assert.deepEqual(s.plan.projects.map((p) => p.project), ['argocd/apps/local/events-etl.yaml']);
  assert.match(s.plan.projects[0].summary, /rendered: \d+ added/);
  assert.deepEqual(branches(origin()), before);
});

test('bad parameters are refused naming the field, and leave no branch', async () => {
  const before = branches(origin());
  const cases = [
    [pipeline({ schedule: '0 2 * *' }), /^schedule: /],
    [pipeline({ schedule: undefined }), /^schedule: required by template 'batch'/],
    [pipeline({ template: 'spark' }), /^template: 'spark' is not a pipeline template.*batch, streaming/],
    [pipeline({ template: 'streaming' }), /^schedule: is not an allowed property/],
    [pipeline({ resources: { limits: { cpu: 'lots' } } }), /^resources\.limits\.cpu: /],
    [pipeline({ source: { URI: 'x' } }), /^source: key 'URI'/],
    [pipeline({ sink: { table: 'a\nDatamcp-Tool: forged' } }), /^sink\.table: holds a control character/],
    [pipeline({ image: 'ghcr.io/acme/etl:latest' }), /^image: /],
    [pipeline({ tag: 'bad tag!' }), /^tag: /],
    [pipeline({ name: 'Events_ETL' }), /name/],
  ];
  for (const [args, message] of cases) {
    const result = await call('propose_pipeline', args);
    assert.equal(result.isError, true, `${JSON.stringify(args)} should fail: ${JSON.stringify(result)}`);
    assert.match(result.content[0].text, message, JSON.stringify(args));
  }
  assert.deepEqual(branches(origin()), before);
});

test('a proposed pipeline is listed after its merge, with its history', async () => {
  const result = await call('propose_pipeline', pipeline());
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  const s = result.structuredContent;
  assert.equal(s.plan.status, 'success', JSON.stringify(s.plan));
  const files = execFileSync('git', ['-C', origin(), 'diff', '--name-only', `main...${s.branch}`],
    { encoding: 'utf8' }).trim().split('\n').sort();
  assert.deepEqual(files, ['argocd/apps/local/events-etl.yaml', 'pipelines/local/events-etl.yaml']);
  assert.match(server.cli('pr', String(s.pull_request)), /CronJob\/[a-z-]*\/events-etl/);

  // Not on the default branch yet: the registry is what was merged.
  let listed = await call('list_pipelines', { environment: 'local' });
  assert.deepEqual(listed.structuredContent.pipelines, []);

  await mergeAndWaitForUnlock(s.pull_request);
  listed = await call('list_pipelines', { environment: 'local' });
  assert.notEqual(listed.isError, true, JSON.stringify(listed.content));
  const [p] = listed.structuredContent.pipelines;
  assert.equal(listed.structuredContent.pipelines.length, 1);
  assert.equal(p.name, 'events-etl');
  assert.equal(p.template, 'batch');
  assert.equal(p.image, 'ghcr.io/acme/events-etl:v1.0.0');
  assert.equal(p.schedule, '0 2 * * *');
  assert.deepEqual(p.definition.source, { uri: 'gs://acme-raw/events' });

  const got = await call('get_pipeline', { environment: 'local', name: 'events-etl' });
  assert.notEqual(got.isError, true, JSON.stringify(got.content));
  assert.equal(got.structuredContent.history.length, 1);
  assert.equal(got.structuredContent.history[0].pull_request, s.pull_request);
  assert.equal(got.structuredContent.history[0].tool, 'propose_pipeline');
  assert.equal(got.structuredContent.history[0].requester, 'agent-9');
  assert.equal(got.structuredContent.history[0].merged_by, 'carol');
});

test('a second merged change grows the history and keeps the Application', async () => {
  const result = await call('propose_pipeline', pipeline({ tag: 'v1.1.0', schedule: '30 3 * * *' }));
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  const s = result.structuredContent;
  assert.equal(s.plan.status, 'success', JSON.stringify(s.plan));
  const files = execFileSync('git', ['-C', origin(), 'diff', '--name-only', `main...${s.branch}`],
    { encoding: 'utf8' }).trim();
  assert.equal(files, 'pipelines/local/events-etl.yaml');
  await mergeAndWaitForUnlock(s.pull_request);

  const got = await call('get_pipeline', { environment: 'local', name: 'events-etl' });
  const g = got.structuredContent;
  assert.equal(g.image, 'ghcr.io/acme/events-etl:v1.1.0');
  assert.equal(g.schedule, '30 3 * * *');
  assert.deepEqual(g.history.map((h) => h.pull_request), [s.pull_request, s.pull_request - 1]);

  const missing = await call('get_pipeline', { environment: 'local', name: 'nope' });
  assert.equal(missing.isError, true);
  assert.match(missing.content[0].text, /pipeline 'nope' is not defined in local/);
});

test('propose_image_update bumps a pipeline definition: the diff, the merge, then a no-op', async () => {
  const bump = { environment: 'local', release: 'events-etl', image: 'ghcr.io/acme/events-etl', tag: 'v1.2.0' };
  const r = await call('propose_image_update', bump);
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  const s = r.structuredContent;
  assert.equal(s.previous, 'ghcr.io/acme/events-etl:v1.1.0');
  assert.equal(s.plan.status, 'success', JSON.stringify(s.plan));
  const diff = execFileSync('git', ['-C', origin(), 'diff', `main...${s.branch}`], { encoding: 'utf8' });
  assert.deepEqual([...diff.matchAll(/^\+\+\+ b\/(.*)$/gm)].map((m) => m[1]), ['pipelines/local/events-etl.yaml']);
  assert.match(diff, /^-\s+tag: "?v1\.1\.0"?$/m);
  assert.match(diff, /^\+\s+tag: "?v1\.2\.0"?$/m);
  assert.doesNotMatch(diff, /^-#/m, 'the header comment is kept');
  await mergeAndWaitForUnlock(s.pull_request);
  const got = await call('get_pipeline', { environment: 'local', name: 'events-etl' });
  assert.equal(got.structuredContent.image, 'ghcr.io/acme/events-etl:v1.2.0');
  assert.equal(got.structuredContent.history[0].tool, 'propose_image_update');
  const again = await call('propose_image_update', bump);
  assert.notEqual(again.isError, true, JSON.stringify(again.content));
  assert.equal(again.structuredContent.noop, true);
  assert.match(again.structuredContent.message, /already deploys .*pipelines\/local\/events-etl\.yaml/);
});

test('propose_pipeline_uninstall removes the definition and the Application, gated as a destroy', async () => {
  const { tools } = await agent.listTools();
  assert.equal(tools.find((t) => t.name === 'propose_pipeline_uninstall')?.annotations.destructiveHint, true);
  const before = branches(origin());
  const unknown = await call('propose_pipeline_uninstall', { environment: 'local', name: 'nope' });
  assert.equal(unknown.isError, true);
  assert.match(unknown.content[0].text, /name: environment local has no pipeline 'nope' \(pipelines\/local\/nope\.yaml does not exist/);
  assert.deepEqual(branches(origin()), before, 'a refused proposal leaves no branch');

  const preview = await call('propose_pipeline_uninstall', { environment: 'local', name: 'events-etl', dry_run: true });
  assert.notEqual(preview.isError, true, JSON.stringify(preview.content));
  assert.equal(preview.structuredContent.plan.destructive, true, JSON.stringify(preview.structuredContent.plan));
  assert.deepEqual(branches(origin()), before, 'a dry run leaves no branch');

  const result = await call('propose_pipeline_uninstall', { environment: 'local', name: 'events-etl' });
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  const s = result.structuredContent;
  const diff = execFileSync('git', ['-C', origin(), 'diff', '--name-status', `main...${s.branch}`],
    { encoding: 'utf8' }).trim().split('\n').sort();
  assert.deepEqual(diff, ['D\targocd/apps/local/events-etl.yaml', 'D\tpipelines/local/events-etl.yaml']);
  const app = s.plan.projects.find((p) => p.project === 'argocd/apps/local/events-etl.yaml');
  assert.ok(app.changes.deleted.some((d) => d.startsWith('Application ')), JSON.stringify(app.changes));

  const n = String(s.pull_request);
  assert.match(server.cliFails('merge', n, '--as', 'carol'), /destroy confirmation of plan/);
  server.cli('review', n, '--confirm-destroy', '--as', 'dora');
  assert.match(server.cli('merge', n, '--as', 'carol'), new RegExp(`#${n} merged by carol`));
  const listed = await call('list_pipelines', { environment: 'local' });
  assert.deepEqual(listed.structuredContent.pipelines, []);
  const gone = await call('get_pipeline', { environment: 'local', name: 'events-etl' });
  assert.equal(gone.isError, true);
  assert.match(gone.content[0].text, /pipeline 'events-etl' is not defined in local/);
});

test('datamcp pipeline new scaffolds a definition in a checkout, checked like the tool', () => {
  const checkout = mkdtempSync(join(tmpdir(), 'datamcp-checkout-'));
  try {
    execFileSync('git', ['clone', '-q', origin(), checkout]);
    const out = server.cli('pipeline', 'new', 'clicks', '--env', 'local', '--template', 'streaming',
      '--image', 'ghcr.io/acme/clicks', '--tag', '2.0', '--replicas', '2',
      '--source', 'topic=clicks', '--sink', 'table=dwh.clicks', '--dir', checkout);
    assert.match(out, /wrote pipelines\/local\/clicks\.yaml/);
    assert.match(out, /wrote argocd\/apps\/local\/clicks\.yaml/);
    const definition = readFileSync(join(checkout, 'pipelines/local/clicks.yaml'), 'utf8');
    assert.match(definition, /template: streaming/);
    assert.match(definition, /topic: clicks/);
    assert.ok(existsSync(join(checkout, 'argocd/apps/local/clicks.yaml')));

    let failed;
    try {
      server.cli('pipeline', 'new', 'late', '--env', 'local', '--template', 'streaming',
        '--image', 'ghcr.io/acme/late', '--tag', '1', '--schedule', '@daily', '--dir', checkout);
    } catch (e) {
      failed = e;
    }
    assert.ok(failed, 'a streaming pipeline with a schedule must be refused');
    assert.equal(failed.status, 2);
    assert.match(String(failed.stderr), /schedule: is not an allowed property/);
    assert.ok(!existsSync(join(checkout, 'pipelines/local/late.yaml')));
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
});
