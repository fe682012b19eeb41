// A pull request is planned as the merge it will be: when the default branch moves, open
// proposals are re-planned on it, and a resource the default branch gained is not shown as
// destroyed by a branch made before it (#12).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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

test('a branch made before a merge is planned on the merge result, not its stale base', async () => {
  const propose = async (env, title, files) => {
    const r = await agent.callTool({ name: 'propose_change', arguments: { environment: env, title, files } });
    assert.notEqual(r.isError, true, JSON.stringify(r.content));
    return r.structuredContent;
  };
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
