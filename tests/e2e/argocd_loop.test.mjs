// Apply after merge for Helm releases: the merge is synced through Argo CD (the fake, its
// Application objects checked against the Application CRD schema) and DataMCP waits until
// the application is Synced and Healthy at the merge commit, or records why not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startServer, connect, waitFor, notesOf } from './lib.mjs';

const TOKEN = 'argocd-e2e-token';
let argocd, argocdUrl, server, agent;

before(async () => {
  argocd = spawn('node', [join(process.env.DATAMCP_SOURCE_DIR, 'tests/fakes/argocd/server.mjs'),
    '--token', TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) =>
    createInterface({ input: argocd.stdout }).once('line', (l) => resolve(Number(l))));
  argocdUrl = `http://127.0.0.1:${port}`;
  server = await startServer({
    yaml: ['argocd:', `  url: ${argocdUrl}`, '  poll_interval_seconds: 1', '  sync_timeout_seconds: 60'],
    env: { DATAMCP_ARGOCD_TOKEN: TOKEN },
  });
  agent = await connect(server, server.token('agent-argo', ['proposals:write', 'plans:read', 'env:local']));
});
after(async () => {
  await agent?.close();
  await server?.stop();
  argocd?.kill();
});

async function releaseAndMerge(release, behaviour) {
  await fetch(`${argocdUrl}/_fake/applications`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: `${release}-local`, namespace: 'argocd', behaviour, runningPolls: 1 }),
  });
  const r = await agent.callTool({ name: 'propose_helm_release', arguments: {
    environment: 'local', release, chart_path: 'helm/charts/example-data-app', values: {} } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  const pr = r.structuredContent.pull_request;
  server.cli('merge', String(pr), '--as', 'carol');
  const origin = join(server.dir, 'work', 'gitops.git');
  const merge = execFileSync('git', ['-C', origin, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
  let notes = [];
  await waitFor(() => (notes = notesOf(['-C', origin], merge).filter((n) => n.type === 'apply')).length > 0,
    120000, `the ${behaviour} sync record`);
  return { note: notes[0], merge };
}

test('a merged Helm release is synced to the merge commit and waited for', async () => {
  const { note, merge } = await releaseAndMerge('events-api', 'healthy');
  assert.equal(note.result, 'synced', JSON.stringify(note));
  assert.equal(note.argocd.app, 'events-api-local');
  assert.equal(note.argocd.revision, merge);
  assert.equal(note.argocd.health, 'Healthy');
  const requests = await (await fetch(`${argocdUrl}/_fake/requests`)).json();
  assert.equal(requests.at(-1).body.revision, merge);
  assert.deepEqual(await (await fetch(`${argocdUrl}/_fake/errors`)).json(), []);
});

test('a Degraded application after the sync is recorded as sync-failed', async () => {
  const { note } = await releaseAndMerge('jobs-api', 'degraded');
  assert.equal(note.result, 'sync-failed', JSON.stringify(note));
  assert.equal(note.argocd.health, 'Degraded');
});
