// Nothing merged is lost or applied twice: kill -9 the bot right after a merge, and again
// in the middle of an apply; after each restart the merge is applied exactly once, or
// recorded as interrupted (never retried by itself), and the audit log shows it. A human
// then resolves the interrupted apply (`datamcp resolve`), and the audit shows who and how.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, connect, waitFor, notesOf } from './lib.mjs';

const scopes = ['proposals:write', 'plans:read', 'env:local'];
const dir = mkdtempSync(join(tmpdir(), 'datamcp-e2e-crash-'));
let server;

const origin = () => join(dir, 'work', 'gitops.git');
const applyNotes = (commit) => notesOf(['-C', origin()], commit).filter((n) => n.type === 'apply');
// The states of the apply jobs of `commit`, read from the bot's SQLite state database with the
// sqlite3 CLI (read-only; WAL lets it read while the bot writes).
const jobStates = (commit) => execFileSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000',
  join(dir, 'work', 'state.db'), `SELECT state FROM jobs WHERE merge_sha = '${commit}'`],
{ encoding: 'utf8' }).split('\n').filter(Boolean);
const mainSha = () => execFileSync('git', ['-C', origin(), 'rev-parse', 'main'], { encoding: 'utf8' }).trim();

async function propose(files, title) {
  const agent = await connect(server, server.token('agent-crash', scopes));
  const r = await agent.callTool({ name: 'propose_change', arguments: { environment: 'local', title, files } });
  await agent.close();
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  assert.equal(r.structuredContent.plan.status, 'success', JSON.stringify(r.structuredContent.plan));
  return r.structuredContent.pull_request;
}

before(async () => { server = await startServer({ dir }); });
after(async () => { await server?.stop(); });

test('a merge made while the bot was killed is applied exactly once after restart', async () => {
  const pr = await propose([{ path: 'infra/terraform/envs/local/crash_a.tf',
    content: 'resource "terraform_data" "crash_a" {\n  input = "a"\n}\n' }], 'Add crash_a');
  server.child.kill('SIGKILL');
  await server.stop({ keep: true });
  server.cli('merge', String(pr), '--as', 'carol');
  const merge = mainSha();
  server = await startServer({ dir });
  await waitFor(() => applyNotes(merge).length > 0, 120000, 'the apply after restart');
  await new Promise((r) => setTimeout(r, 3000));  // further passes must not apply again
  const notes = applyNotes(merge);
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.equal(notes[0].result, 'applied', JSON.stringify(notes[0]));
});

test('kill -9 in the middle of an apply: recorded as interrupted, not retried', async () => {
  const pr = await propose([{ path: 'infra/terraform/envs/local/crash_b.tf',
    content: 'resource "terraform_data" "crash_b" {\n  input = "b"\n\n  provisioner "local-exec" {\n' +
      '    command = "sleep 20"\n  }\n}\n' }], 'Add crash_b with a slow provisioner');
  server.cli('merge', String(pr), '--as', 'carol');
  const merge = mainSha();
  await waitFor(() => jobStates(merge).includes('running'), 120000, 'the apply to start');
  server.child.kill('SIGKILL');
  await server.stop({ keep: true });
  server = await startServer({ dir });
  await waitFor(() => applyNotes(merge).length > 0, 60000, 'the interrupted record');
  await new Promise((r) => setTimeout(r, 3000));
  const notes = applyNotes(merge);
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.equal(notes[0].result, 'interrupted');
  // The note is written first, then the comment asking a human: wait for both.
  await waitFor(() => /interrupted/.test(server.cli('pr', String(pr))), 30000, 'the comment');
  assert.match(server.cli('audit'), /interrupted/);

  // The runbook: a human checks the project, then asks for the apply again.
  const project = 'infra/terraform/envs/local';
  assert.throws(() => server.cli('resolve', merge.slice(0, 12), project, '--applied', '--failed'),
    /exactly one of --retry, --applied, --failed/);
  assert.throws(() => server.cli('resolve', merge.slice(0, 12), 'infra/terraform/envs/nope', '--retry'),
    /no apply of infra\/terraform\/envs\/nope is recorded/);
  assert.equal(applyNotes(merge).length, 1, 'a refused resolve writes nothing');
  const out = server.cli('resolve', merge.slice(0, 12), project, '--retry', '--by', 'dave',
    '-m', 'state checked: crash_b not created');
  assert.match(out, /retry requested by dave/);
  await waitFor(() => applyNotes(merge).some((n) => n.result === 'applied'), 120000, 'the retried apply');
  const records = applyNotes(merge);
  assert.deepEqual(records.map((n) => n.result), ['interrupted', 'retry', 'applied']);
  assert.deepEqual({ by: records[1].resolution.by, how: records[1].resolution.how, previous: records[1].resolution.previous },
    { by: 'dave', how: 'retry', previous: 'interrupted' });
  // Settled: resolving it again is refused and says why.
  assert.throws(() => server.cli('resolve', merge, project, '--failed', '--by', 'erin'), /recorded as 'applied'/);
  const entry = JSON.parse(server.cli('audit', '--json')).find((e) => e.commit === merge);
  const record = entry.projects.find((p) => p.project === project);
  assert.equal(record.result, 'applied');
  assert.deepEqual(record.resolution, { by: 'dave', how: 'retry', message: 'state checked: crash_b not created' });
  assert.match(server.cli('audit'), /interrupted, resolved by dave: retry \(state checked: crash_b not created\)/);
});

test('state changed between review and merge: recorded as stale-plan, not applied', async () => {
  const pr = await propose([{ path: 'infra/terraform/envs/local/stale.tf',
    content: 'resource "terraform_data" "stale" {\n  input = "s"\n}\n' }], 'Add stale');
  // Someone changes the real infrastructure after the review: here, the state is lost.
  const { rmSync } = await import('node:fs');
  rmSync(join(dir, 'work', 'tfstate'), { recursive: true, force: true });
  server.cli('merge', String(pr), '--as', 'carol');
  const merge = mainSha();
  await waitFor(() => applyNotes(merge).length > 0, 120000, 'the stale-plan record');
  const notes = applyNotes(merge);
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.equal(notes[0].result, 'stale-plan');
  assert.notEqual(notes[0].fingerprint, notes[0].reviewed_fingerprint);
  await waitFor(() => /stale-plan/.test(server.cli('pr', String(pr))), 30000, 'the comment');
});
