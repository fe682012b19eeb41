// A merge through the local forge (`datamcp merge`, another process) wakes the applier at
// once: with the periodic pass set to a minute, the apply must start within a second of the
// merge. Prints the measured merge-to-apply-start and merge-to-applied latencies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, connect, waitFor, notesOf } from './lib.mjs';

let server;
let agent;

before(async () => {
  // Env overrides the harness's fetch_interval_seconds: 1, so only the wake-up can be fast.
  server = await startServer({ env: { DATAMCP_REPOSITORY_FETCH_INTERVAL_SECONDS: '60' } });
  agent = await connect(server, server.token('agent-wake', ['proposals:write', 'plans:read', 'env:local']));
});
after(async () => {
  await agent?.close();
  await server?.stop();
});

// The apply job of `merge`, read from the server's SQLite state database with the sqlite3 CLI
// (read-only; WAL lets it read while the server writes): its state, or null before it exists.
function jobOf(stateDb, merge) {
  if (!existsSync(stateDb)) return null;
  const out = execFileSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000', stateDb,
    `SELECT state FROM jobs WHERE merge_sha = '${merge}'`], { encoding: 'utf8' }).trim();
  return out === '' ? null : out;
}

test('a local merge starts the apply within a second, without waiting for the next pass', async () => {
  const r = await agent.callTool({ name: 'propose_change', arguments: { environment: 'local', title: 'Wake test',
    files: [{ path: 'infra/terraform/envs/local/wake.tf', content: 'resource "terraform_data" "wake" {\n  input = "w"\n}\n' }] } });
  assert.equal(r.structuredContent.plan.status, 'success', JSON.stringify(r.structuredContent));
  const origin = join(server.dir, 'work', 'gitops.git');
  const stateDb = join(server.dir, 'work', 'state.db');
  const merged = Date.now();
  server.cli('merge', String(r.structuredContent.pull_request), '--as', 'carol');
  const mergeDone = Date.now();
  const merge = execFileSync('git', ['-C', origin, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
  let started = 0;
  const deadline = Date.now() + 10000;
  while (!started && Date.now() < deadline) {
    if (jobOf(stateDb, merge)) started = Date.now();
    else await new Promise((res) => setTimeout(res, 10));
  }
  assert.ok(started, 'no apply job within 10 s of the merge (the next pass is a minute away)');
  await waitFor(() => notesOf(['-C', origin], merge).some((n) => n.type === 'apply'), 60000, 'the apply note');
  const applied = Date.now();
  const note = notesOf(['-C', origin], merge).find((n) => n.type === 'apply');
  console.log(`merge command ${mergeDone - merged} ms; merge-to-apply-start ${started - mergeDone} ms; ` +
    `merge-to-applied ${applied - mergeDone} ms (re-plan and apply included)`);
  assert.equal(note.result, 'applied', JSON.stringify(note));
  assert.ok(started - mergeDone < 1000, `the apply started ${started - mergeDone} ms after the merge`);
});
