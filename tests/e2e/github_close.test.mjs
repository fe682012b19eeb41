// A pull request closed on GitHub without merging gives its project lock back: the next
// pull request waiting for the project is planned, the repository records the abandoned
// pull request (a `closed` note on its head) and nothing is applied. The bot's periodic
// reconcile pass is an hour apart here, so the signed `pull_request` `closed` delivery is
// what makes it happen. Real git server, real terraform, fake GitHub checked against
// @octokit/openapi, real webhook payloads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect, waitFor, notesOf } from './lib.mjs';
import { startGithubLoop, example, git } from './github.mjs';

let loop, agent, first, second;

before(async () => {
  loop = await startGithubLoop('datamcp-e2e-ghclose-',
    { env: { DATAMCP_REPOSITORY_FETCH_INTERVAL_SECONDS: '3600' } });
  agent = await connect(loop.server, loop.server.token('agent-5',
    ['proposals:write', 'plans:read', 'locks:read', 'env:local']));
});

after(async () => {
  await agent?.close();
  await loop?.stop();
});

// Proposes an instance of the local-data module; both instances live in one Terraform project.
async function propose(instance) {
  const r = await agent.callTool({ name: 'propose_terraform_module', arguments: {
    environment: 'local', module: 'local-data', instance,
    variables: { name: instance, owner: 'web', retention_days: 3 } } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  const p = r.structuredContent;
  // The fake cannot see the git server: tell it the pull request's head, as GitHub knows it.
  await loop.control(`pulls/${p.pull_request}`, { head_sha: p.commit });
  return p;
}

const locks = async () => (await agent.callTool({ name: 'list_locks', arguments: {} }))
  .structuredContent.locks.map((l) => [l.project, l.pull_request]);
const notes = (sha) => notesOf(['--git-dir', loop.origin], sha);
const planStatusesOn = (st, sha) => st.statuses.filter((s) => s.sha === sha && s.context === 'datamcp/plan');
function logged(event) {
  return loop.server.log.map((line) => { try { return JSON.parse(line); } catch { return null; } })
    .filter((e) => e?.event === event);
}

// Every terraform.tfstate under `dir`: only an apply writes one (plans read state, unlocked).
function stateFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('terraform.tfstate'));
}

test('a second proposal on a locked project is blocked by the first', async () => {
  first = await propose('orders');
  assert.equal(first.plan.status, 'success', JSON.stringify(first.plan));
  const project = first.plan.projects[0].project;
  assert.deepEqual(await locks(), [[project, first.pull_request]]);
  second = await propose('refunds');
  assert.notEqual(second.pull_request, first.pull_request);
  assert.equal(second.plan.status, 'failure', JSON.stringify(second.plan));
  assert.equal(second.plan.projects[0].project, project);
  assert.match(second.plan.projects[0].blocked, new RegExp(`locked by #${first.pull_request}\\b`));
  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  const statuses = planStatusesOn(st, second.commit);
  assert.equal(statuses.length, 1, JSON.stringify(st.statuses));
  assert.equal(statuses[0].state, 'failure');
  assert.match(statuses[0].description, new RegExp(`#${first.pull_request}`));
  assert.deepEqual(notes(second.commit).filter((n) => n.type === 'plan'), [], 'a blocked plan is not recorded');
  assert.deepEqual(await locks(), [[project, first.pull_request]]);
});

test('closing the first without merging releases the lock, re-plans the second, records it and applies nothing', async () => {
  const project = first.plan.projects[0].project;
  const main = git('--git-dir', loop.origin, 'rev-parse', 'refs/heads/main');
  await loop.control(`pulls/${first.pull_request}`, { state: 'closed', merged: false });
  // Closed on GitHub, but the bot has not heard of it: the lock stays until the delivery.
  assert.deepEqual(await locks(), [[project, first.pull_request]]);
  await loop.deliver('pull_request', example('pull_request', 'closed', (p) => {
    p.number = first.pull_request;
    p.pull_request.number = first.pull_request;
    p.pull_request.merged = false;
    p.pull_request.head.sha = first.commit;
  }));
  await waitFor(async () => !(await locks()).some(([, n]) => n === first.pull_request), 60000,
    'the lock of the closed pull request to be released');
  await waitFor(async () => planStatusesOn(await loop.fakeState(), second.commit)
    .some((s) => s.state === 'success'), 120000, 'a success plan status on the waiting pull request');

  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  const replanned = planStatusesOn(st, second.commit).at(-1);
  assert.equal(replanned.state, 'success', JSON.stringify(replanned));
  assert.match(replanned.description, /local: Plan: \d+ to add/);
  assert.deepEqual(await locks(), [[project, second.pull_request]], 'the waiter holds the project now');
  // The status is set before the plan note is pushed (ProposalService::Report): wait for it.
  await waitFor(() => notes(second.commit).some((n) => n.type === 'plan'), 30000, 'the plan note');
  const plan = notes(second.commit).filter((n) => n.type === 'plan');
  assert.equal(plan.length, 1, JSON.stringify(notes(second.commit)));
  assert.equal(plan[0].pull_request, second.pull_request);
  const comment = st.comments.find((c) => c.issue === second.pull_request && c.body.includes('datamcp:plan'));
  assert.doesNotMatch(comment.body, /locked by/, comment.body);

  await waitFor(() => notes(first.commit).some((n) => n.type === 'closed'), 30000, 'the closed note');
  const closed = notes(first.commit).filter((n) => n.type === 'closed');
  assert.equal(closed.length, 1, JSON.stringify(notes(first.commit)));
  assert.equal(closed[0].pull_request, first.pull_request);
  assert.equal(closed[0].merged, false);
  assert.equal(closed[0].head, first.commit);
  assert.deepEqual(closed[0].locks_released, [project]);

  // Nothing applied: no merge, no apply note, status or comment, no job, no Terraform state.
  assert.equal(git('--git-dir', loop.origin, 'rev-parse', 'refs/heads/main'), main);
  for (const sha of [first.commit, second.commit, main]) {
    assert.deepEqual(notes(sha).filter((n) => n.type === 'apply'), [], sha);
  }
  assert.deepEqual(st.statuses.filter((s) => s.context === 'datamcp/apply'), []);
  assert.deepEqual(st.comments.filter((c) => c.body.includes('datamcp:apply')), []);
  assert.deepEqual(logged('apply_queued'), []);
  assert.deepEqual(logged('apply_recorded'), []);
  assert.deepEqual(stateFiles(join(loop.server.dir, 'work', 'tfstate')), []);
  assert.equal(logged('webhook.delivery_failed').length, 0);
});
