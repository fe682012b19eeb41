// GitHub Check Runs (#15): one check run per project on the pull request's head, holding the
// plan, and one compact plan comment linking to it. Re-planned five times (four `/datamcp
// plan` comments, then a push), the fake GitHub (every request checked against
// @octokit/openapi) holds one plan comment edited in place and one check run per project and
// commit, updated rather than multiplied. Real git server, real terraform.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, waitFor, notesOf } from './lib.mjs';
import { startGithubLoop, example, git } from './github.mjs';

const project = 'infra/terraform/envs/local';
const checkName = `datamcp/plan: ${project}`;
// creates: what the first plan creates (the template's own resources of `local` too).
let loop, agent, number, branch, head, creates;

before(async () => {
  loop = await startGithubLoop('datamcp-e2e-checks-');
  agent = await connect(loop.server,
    loop.server.token('agent-5', ['proposals:write', 'plans:read', 'env:local']));
  const tf = (n) => `resource "terraform_data" "${n}" {\n  input = "${n}"\n}\n`;
  const r = await agent.callTool({ name: 'propose_change', arguments: { environment: 'local',
    title: 'Add two', files: [{ path: `${project}/one.tf`, content: tf('one') },
      { path: `${project}/two.tf`, content: tf('two') }] } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  ({ pull_request: number, branch, commit: head } = r.structuredContent);
  await loop.control(`pulls/${number}`, { head_sha: head });
  await loop.control('permissions', { carol: 'write' });
});

after(async () => {
  await agent?.close();
  await loop?.stop();
});

const planNotes = (commit) => notesOf(['--git-dir', loop.origin], commit).filter((n) => n.type === 'plan');
const planComments = (st) => st.comments.filter((c) => c.issue === number && c.body.includes('datamcp:plan'));
const runsOn = (st, sha) => st.checkRuns.filter((r) => r.head_sha === sha);

async function replanByComment() {
  const before = planNotes(head).length;
  const { payload } = await loop.comment('carol', '/datamcp plan', number);
  await loop.deliver('issue_comment', payload);
  await waitFor(() => planNotes(head).length > before, 120000, 'the re-plan note');
}

async function replanByPush() {
  const work = join(loop.dir, 'push');
  git('clone', '-q', '--branch', branch, loop.origin, work);
  writeFileSync(join(work, project, 'three.tf'), 'resource "terraform_data" "three" {\n  input = "3"\n}\n');
  git('-C', work, '-c', 'user.name=Bob', '-c', 'user.email=bob@example.com', 'add', '-A');
  git('-C', work, '-c', 'user.name=Bob', '-c', 'user.email=bob@example.com', 'commit', '-qm', 'three');
  git('-C', work, 'push', '-q', 'origin', `HEAD:${branch}`);
  const pushed = git('-C', work, 'rev-parse', 'HEAD');
  await loop.control(`pulls/${number}`, { head_sha: pushed });
  await loop.deliver('pull_request', example('pull_request', 'synchronize', (p) => {
    p.number = number;
    p.pull_request.number = number;
  }));
  await waitFor(() => planNotes(pushed).length > 0, 120000, `the plan of ${pushed}`);
  return pushed;
}

test('the plan is a check run per project and the comment a table linking to it', async () => {
  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  const runs = runsOn(st, head);
  assert.equal(runs.length, 1, JSON.stringify(st.checkRuns));
  const [run] = runs;
  assert.equal(run.name, checkName);
  assert.equal(run.conclusion, 'success');
  const title = /^creates (\d+), updates 0, deletes 0, replaces 0$/.exec(run.output.title);
  assert.ok(title, run.output.title);
  creates = Number(title[1]);
  assert.ok(creates >= 2, 'one.tf and two.tf at least');
  assert.match(run.output.summary, new RegExp('\\| creates \\| updates \\| deletes \\| replaces \\|\\n' +
    `\\| --- \\| --- \\| --- \\| --- \\|\\n\\| ${creates} \\| 0 \\| 0 \\| 0 \\|`));
  assert.match(run.output.text, /terraform_data\.one will be created/);
  assert.match(run.output.text, new RegExp(`Plan: ${creates} to add`));
  const [comment] = planComments(st);
  assert.match(comment.body, /\| project \| result \| \+\/~\/- \| destructive \| policy \| check \|/);
  assert.match(comment.body, new RegExp(`\\| \\+${creates} ~0 -0 \\| no \\| ok \\| \\[details\\]\\(https://github\\.example/octo/gitops/runs/${run.id}\\) \\|`));
  assert.doesNotMatch(comment.body, /will be created/, 'the plan text is in the check, not the comment');
  const status = st.statuses.findLast((s) => s.sha === head && s.context === 'datamcp/plan');
  assert.equal(status.state, 'success', 'the aggregate status still gates the merge');
});

test('five re-plans edit one comment and update one check run per project and commit', async () => {
  const first = await loop.fakeState();
  const [comment] = planComments(first);
  const [run] = runsOn(first, head);
  for (let i = 0; i < 4; ++i) await replanByComment();
  let st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  assert.equal(planNotes(head).length, 5, 'planned five times on this head');
  assert.deepEqual(runsOn(st, head).map((r) => [r.id, r.updates]), [[run.id, 4]], 'updated, not multiplied');
  assert.deepEqual(planComments(st).map((c) => c.id), [comment.id]);

  const pushed = await replanByPush();
  head = pushed;
  st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  const comments = planComments(st);
  assert.deepEqual(comments.map((c) => c.id), [comment.id], 'one plan comment, not six');
  assert.ok(comments[0].edits >= 1, 'edited in place for the new head');
  assert.match(comments[0].body, new RegExp(`DataMCP plan for \`${pushed.slice(0, 12)}\``));
  assert.match(comments[0].body, new RegExp(`\\| \\+${creates + 1} ~0 -0 \\|`));
  const onPushed = runsOn(st, pushed);
  assert.equal(onPushed.length, 1, JSON.stringify(onPushed));
  assert.equal(onPushed[0].name, checkName);
  assert.equal(onPushed[0].output.title, `creates ${creates + 1}, updates 0, deletes 0, replaces 0`);
  assert.match(comments[0].body, new RegExp(`runs/${onPushed[0].id}\\)`));
  // Every commit has at most one check run per project: nothing was multiplied.
  const names = st.checkRuns.map((r) => `${r.head_sha} ${r.name}`);
  assert.equal(new Set(names).size, names.length, JSON.stringify(names));
  assert.equal(st.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/check-runs')).length, 2);
});

test('without checks:write the status and the full comment remain', async () => {
  await loop.control('config', { checksForbidden: true });
  const before = await loop.fakeState();
  const runs = before.checkRuns.length;
  await replanByComment();
  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  assert.equal(st.checkRuns.length, runs, 'no check run without the permission');
  assert.ok(st.requests.some((r) => r.path.includes('/check-runs') && r.status === 403));
  const [comment] = planComments(st);
  assert.match(comment.body, /terraform_data\.three will be created/, 'the plan text is back in the comment');
  assert.match(comment.body, new RegExp(`\\| \\+${creates + 1} ~0 -0 \\| no \\| ok \\| below \\|`));
  const status = st.statuses.findLast((s) => s.context === 'datamcp/plan');
  assert.equal(status.state, 'success');
  assert.match(status.description, new RegExp(`local: Plan: ${creates + 1} to add`));
});
