// A pull request is planned as the merge it will be: when the default branch moves, open
// proposals are re-planned on it, and a resource the default branch gained is not shown as
// destroyed by a branch made before it (#12).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, connect, waitFor, notesOf } from './lib.mjs';

let server;
let agent;

before(async () => {
  server = await startServer();
  agent = await connect(server, server.token('agent-mp', ['proposals:write', 'plans:read', 'env:local', 'env:dev']));
});
after(async () => {
  await agent?.close();
  await server?.stop();
});

const tf = (name) => ({ path: `infra/terraform/envs/local/${name}.tf`,
  content: `resource "terraform_data" "${name}" {\n  input = "${name}"\n}\n` });
const origin = () => join(server.dir, 'work', 'gitops.git');
const lastPlan = (head) => notesOf(['-C', origin()], head).filter((n) => n.type === 'plan').at(-1);

const propose = async (env, title, files) => {
  const r = await agent.callTool({ name: 'propose_change', arguments: { environment: env, title, files } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  return r.structuredContent;
};
const gitOut = (...args) => execFileSync('git', ['-C', origin(), ...args], { encoding: 'utf8' }).trim();

test('a branch made before a merge is planned on the merge result, not its stale base', async () => {
  const first = await propose('local', 'Add orders', [tf('orders')]);
  const second = await propose('local', 'Add notes', [tf('notes')]);  // waits for the lock
  const other = await propose('dev', 'Dev values', [{ path: 'helm/values/dev/mp.yaml', content: 'a: 1\n' }]);
  server.cli('merge', String(first.pull_request), '--as', 'carol');
  const main = execFileSync('git', ['-C', origin(), 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
  await waitFor(() => notesOf(['-C', origin()], main).some((n) => n.type === 'apply'), 120000, 'the apply of #1');
  await waitFor(() => lastPlan(second.commit)?.base === main, 120000, 'the waiting proposal re-planned on main');
  const project = lastPlan(second.commit).projects.find((p) => p.project === 'infra/terraform/envs/local');
  // Before: orders, applied from main but absent from the stale branch, showed as destroyed.
  assert.match(project.summary, / 0 to destroy/, JSON.stringify(project));
  // An open proposal on another project is re-planned on the new default branch too.
  await waitFor(() => lastPlan(other.commit)?.base === main, 60000, 'the other proposal re-planned on main');
});

test('refresh rebuilds a stale proposal on main (tool), and a conflict names its paths and pushes nothing (tool and CLI)', async () => {
  const values = (name, content) => ({ path: `helm/values/local/${name}.yaml`, content });
  const a = await propose('local', 'Values rf a', [values('rf', 'a: 1\n')]);
  const b = await propose('local', 'Values rf b', [values('rf', 'a: 2\n')]);  // same file as a
  const c = await propose('local', 'Values rf2', [values('rf2', 'c: 1\n')]);
  server.cli('merge', String(a.pull_request), '--as', 'carol');
  const main = gitOut('rev-parse', 'main');

  const refreshed = await agent.callTool({ name: 'refresh_proposal',
    arguments: { pull_request: c.pull_request, environment: 'local' } });
  assert.notEqual(refreshed.isError, true, JSON.stringify(refreshed.content));
  const r = refreshed.structuredContent;
  assert.equal(r.rebuilt, true);
  assert.deepEqual(r.conflicts, []);
  assert.equal(r.base, main);
  assert.equal(gitOut('rev-parse', `${c.branch}^`), main, 'the branch now sits on main');
  assert.equal(gitOut('rev-parse', c.branch), r.head);
  assert.match(gitOut('log', '-1', '--format=%B', c.branch), /Datamcp-Refreshed-By: agent-mp/);
  assert.equal(r.plan.head, r.head);
  assert.match(refreshed.content[0].text, /rebuilt on/);
  // The local forge follows the branch: `datamcp pr` shows the new head.
  assert.match(server.cli('pr', String(c.pull_request)), new RegExp(r.head.slice(0, 12)));

  const before = gitOut('rev-parse', b.branch);
  const conflict = await agent.callTool({ name: 'refresh_proposal',
    arguments: { pull_request: b.pull_request, environment: 'local' } });
  assert.equal(conflict.isError, true);
  assert.deepEqual(conflict.structuredContent.conflicts, ['helm/values/local/rf.yaml']);
  assert.match(conflict.content[0].text, /helm\/values\/local\/rf\.yaml[\s\S]*Propose the change again/);
  const cli = spawnSync(process.env.DATAMCP_BINARY, ['refresh', String(b.pull_request)],
    { env: server.env, encoding: 'utf8' });
  assert.equal(cli.status, 1, cli.stderr);
  assert.match(cli.stderr, /conflicting path\(s\):\n  helm\/values\/local\/rf\.yaml/);
  assert.equal(gitOut('rev-parse', b.branch), before, 'nothing was pushed');
});
