// Drift detection end to end with real terraform: an applied terraform_data is removed from
// the environment's state behind terraform's back (`terraform state rm`); the next drift pass
// reports exactly that resource (the note on the tip, /metrics, get_drift, `datamcp drift`);
// with the state restored the next pass reports it resolved and the gauge goes to 0. The
// local forge keeps the drift report (#15): open with exactly that resource, listed by
// `datamcp prs`, then resolved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, connect, waitFor, notesOf } from './lib.mjs';

let server;
let agent;
const project = 'infra/terraform/envs/local';
const address = 'module.orders.terraform_data.dataset';

before(async () => {
  server = await startServer({ yaml: ['drift:', '  interval_seconds: 1'] });
  agent = await connect(server, server.token('agent-drift', ['proposals:write', 'plans:read', 'env:local']));
});
after(async () => {
  await agent?.close();
  await server?.stop();
});

const origin = () => join(server.dir, 'work', 'gitops.git');
const tip = () => execFileSync('git', ['-C', origin(), 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
// The drift records of the project in the note on `commit`, oldest first. A pass writes one
// only when its result or resources differ from the last one.
const driftRecords = (commit) => notesOf(['-C', origin()], commit)
  .filter((n) => n.type === 'drift' && n.project === project);
const lastDrift = (commit) => driftRecords(commit).pop();
// The local forge's drift report of the project (refs/datamcp/forge), or undefined.
const reportFile = `drift/${Buffer.from(project).toString('hex')}.json`;
function driftReport() {
  try {
    return JSON.parse(execFileSync('git', ['-C', origin(), 'show', `refs/datamcp/forge:${reportFile}`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return undefined;
  }
}

async function gauge() {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`datamcp_drift_resources{project="${project}"}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

async function getDrift() {
  const r = await agent.callTool({ name: 'get_drift', arguments: { environment: 'local' } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  return r.structuredContent.projects.find((p) => p.project === project);
}

test('a resource removed from the state is reported as drift, then as resolved', async () => {
  const r = await agent.callTool({ name: 'propose_terraform_module', arguments: {
    environment: 'local', module: 'local-data', instance: 'orders',
    variables: { name: 'orders', owner: 'data-eng', retention_days: 7 } } });
  assert.equal(r.structuredContent.plan.status, 'success', JSON.stringify(r.structuredContent));
  server.cli('merge', String(r.structuredContent.pull_request), '--as', 'carol');
  const merge = tip();
  await waitFor(() => notesOf(['-C', origin()], merge).some((n) => n.type === 'apply'), 120000, 'the apply note');
  const applied = notesOf(['-C', origin()], merge).find((n) => n.type === 'apply');
  assert.equal(applied.result, 'applied', JSON.stringify(applied));

  // Once applied, a pass finds nothing to change.
  await waitFor(() => lastDrift(merge)?.result === 'clean', 120000, 'a clean drift check');
  await waitFor(async () => (await gauge()) === 0, 30000, 'the gauge at 0 once applied');
  const cleanRecords = driftRecords(merge).length;

  // Behind terraform's back: the dataset leaves the state (a copy is kept to restore).
  const stateFile = join(server.dir, 'work', 'tfstate', 'infra_terraform_envs_local', 'terraform.tfstate');
  const saved = join(server.dir, 'saved.tfstate');
  copyFileSync(stateFile, saved);
  const scratch = mkdtempSync(join(tmpdir(), 'drift-state-rm-'));
  try {
    execFileSync('terraform', ['state', 'rm', `-state=${stateFile}`, '-backup=-', address],
      { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  await waitFor(() => lastDrift(merge)?.result === 'drifted', 120000, 'a drifted check');
  const drifted = lastDrift(merge);
  assert.equal(driftRecords(merge).length, cleanRecords + 1, 'one record for the change, not one per pass');
  assert.deepEqual(drifted.resources, [{ address, action: 'create' }], JSON.stringify(drifted));
  assert.equal(drifted.commit, merge);
  await waitFor(async () => (await gauge()) === 1, 30000, 'the gauge at 1');
  const fromTool = await getDrift();
  assert.equal(fromTool.drifted, true, JSON.stringify(fromTool));
  assert.deepEqual(fromTool.resources, [{ address, action: 'create' }]);
  assert.equal(fromTool.commit, merge);
  // The CLI reads the same record from the note (exit 3: drifted).
  let cliOut = '';
  try {
    server.cli('drift');
    assert.fail('datamcp drift exited 0 with drift recorded');
  } catch (e) {
    assert.equal(e.status, 3, String(e.stderr));
    cliOut = e.stdout;
  }
  assert.match(cliOut, new RegExp(`create ${address.replaceAll('.', '\\.')}`));
  // The local forge's drift report: open, naming exactly that resource at the tip.
  await waitFor(() => driftReport()?.state === 'open' && driftReport().resources.length === 1,
    30000, 'the open drift report');
  const report = driftReport();
  assert.deepEqual(report.resources, [{ address, action: 'create' }], JSON.stringify(report));
  assert.equal(report.commit, merge);
  assert.equal(report.environment, 'local');
  const prs = server.cli('prs');
  assert.ok(prs.includes(`open     ${project} (local): 1 drifted at ${merge.slice(0, 12)}\n  create ${address}\n`), prs);

  // Restored: the next pass says resolved, the gauge goes to 0.
  copyFileSync(saved, stateFile);
  await waitFor(() => lastDrift(merge)?.result !== 'drifted', 120000, 'a check after the restore');
  // The first check without drift after a drifted one says resolved (a later one, clean).
  const after = driftRecords(merge)[cleanRecords + 1];
  assert.equal(after.result, 'resolved', JSON.stringify(driftRecords(merge).slice(-3)));
  assert.deepEqual(after.resources, []);
  await waitFor(async () => (await gauge()) === 0, 30000, 'the gauge at 0');
  assert.equal((await getDrift()).drifted, false);
  assert.match(server.cli('drift'), /: (resolved|clean) at /);
  // The report is resolved: gone from `datamcp prs`, listed as resolved with --all.
  await waitFor(() => driftReport()?.state === 'resolved', 30000, 'the resolved drift report');
  assert.equal(driftReport().resolved_commit, merge);
  assert.ok(!server.cli('prs').includes(`open     ${project}`));
  assert.ok(server.cli('prs', '--all').includes(`resolved ${project} (local): no drift at ${merge.slice(0, 12)}`));
});
