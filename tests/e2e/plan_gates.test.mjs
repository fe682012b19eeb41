// The plan gates against the fake GitHub with real git and terraform.
// Approvals bound to the plan: an approval counts for the plan fingerprint it was given on. A
// push that changes the plan makes it stale (the plan comment and check say so, the merge is
// not applied, the record says why, `datamcp audit` shows it); a push that leaves the plan as
// it was (a comment in a .tf file) keeps it, and the merge is applied.
// Plan policies: a denied delete is said first (plan_preview, comment, failing check), a merge
// that got past is not applied and the record names the rule; a pull request that breaks the
// policies in datamcp.yaml is reported on it and not planned.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect, waitFor, notesOf } from './lib.mjs';
import { startGithubLoop, example, git } from './github.mjs';

const project = 'infra/terraform/envs/local';
const policy = ['    policies:', '      - deny: delete', '        resource_types: [terraform_data]',
  '        message: local data is never deleted'].join('\n');
let loop, origin, server, agent;

before(async () => {
  loop = await startGithubLoop('datamcp-e2e-approvals-', {
    // The local environment needs one approval and never deletes a terraform_data; CI is not
    // part of this test.
    seed: (seed) => {
      const file = join(seed, 'datamcp.yaml');
      const yaml = readFileSync(file, 'utf8');
      const edited = yaml.replace(/(- name: local\n(?: {4}.*\n)*? {4}approvals:) 0/, `$1 1\n${policy}`)
        .replace('require_ci_green: true', 'require_ci_green: false');
      assert.notEqual(edited, yaml);
      writeFileSync(file, edited);
      git('-C', seed, '-c', 'user.name=Ops', '-c', 'user.email=ops@example.com', 'commit', '-qam',
        'local needs one approval');
    },
  });
  ({ origin, server } = loop);
  agent = await connect(server, server.token('agent-7', ['proposals:write', 'plans:read', 'env:local']));
});

after(async () => {
  await agent?.close();
  await loop?.stop();
});

const tf = (name, input, extra = '') =>
  `resource "terraform_data" "${name}" {\n  input = "${input}"\n}\n${extra}`;
const planOf = (commit) => notesOf(['--git-dir', origin], commit).findLast((n) => n.type === 'plan')
  ?.projects.find((p) => p.project === project);
const stateHas = (address) => {
  const file = join(server.dir, 'work', 'tfstate', project.replace(/[^A-Za-z0-9]/g, '_'), 'terraform.tfstate');
  if (!existsSync(file)) return false;
  return JSON.parse(readFileSync(file, 'utf8')).resources
    .some((r) => `${r.type}.${r.name}` === address);
};
const unlocked = async () => !/datamcp_project_lock\{project="infra\/terraform\/envs\/local"/
  .test(await (await fetch(`${server.base}/metrics`)).text());

// Proposes `name`.tf and returns {number, branch, head, fingerprint}.
async function propose(name, input) {
  await waitFor(unlocked, 60000, 'the project lock of the previous pull request to be released');
  const r = await agent.callTool({ name: 'propose_change', arguments: {
    environment: 'local', title: `Add ${name}`, files: [{ path: `${project}/${name}.tf`, content: tf(name, input) }] } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  const { pull_request: number, branch, commit } = r.structuredContent;
  assert.equal(r.structuredContent.plan.status, 'success', JSON.stringify(r.structuredContent.plan));
  return { number, branch, head: commit, fingerprint: planOf(commit).fingerprint };
}

// A human pushes `content` as `name`.tf to the pull request's branch; GitHub reports the
// synchronize and the bot plans the new head. Returns the new head.
async function push(pr, name, content) {
  const work = join(loop.dir, `push-${pr.number}-${Date.now()}`);
  git('clone', '-q', '--branch', pr.branch, origin, work);
  writeFileSync(join(work, project, `${name}.tf`), content);
  git('-C', work, '-c', 'user.name=Bob', '-c', 'user.email=bob@example.com', 'commit', '-qam', 'edit');
  git('-C', work, 'push', '-q', 'origin', `HEAD:${pr.branch}`);
  const head = git('-C', work, 'rev-parse', 'HEAD');
  await loop.control(`pulls/${pr.number}`, { head_sha: head });
  await loop.deliver('pull_request', example('pull_request', 'synchronize', (p) => {
    p.number = pr.number;
    p.pull_request.number = pr.number;
  }));
  await waitFor(() => planOf(head) !== undefined, 120000, `the plan of ${head}`);
  return head;
}

// Merges the pull request as GitHub would and returns the apply record of the merge commit.
async function merge(pr, head) {
  const work = join(loop.dir, `merge-${pr.number}`);
  git('clone', '-q', origin, work);
  git('-C', work, '-c', 'user.name=Carol', '-c', 'user.email=carol@example.com', 'merge', '--no-ff',
    '-q', `origin/${pr.branch}`, '-m', `Merge pull request #${pr.number} from octo/${pr.branch}`);
  git('-C', work, 'push', '-q', 'origin', 'HEAD:main');
  const commit = git('-C', work, 'rev-parse', 'HEAD');
  await loop.control(`pulls/${pr.number}`, { state: 'closed', merged: true, merge_commit_sha: commit,
    merged_by: 'carol', head_sha: head });
  await loop.deliver('pull_request', example('pull_request', 'closed', (p) => {
    p.number = pr.number;
    p.pull_request.number = pr.number;
    p.pull_request.merged = true;
  }));
  let record;
  await waitFor(() => {
    record = notesOf(['--git-dir', origin], commit).find((n) => n.type === 'apply' && n.project === project);
    return record !== undefined;
  }, 120000, `the apply record on ${commit}`);
  return { commit, record };
}

const approve = (pr, commit) => loop.control(`reviews/${pr.number}`, [{ id: 1, login: 'carol',
  state: 'APPROVED', commit_id: commit, submitted_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }]);

test('an approval survives a push that leaves the plan as it was, and the merge is applied', async () => {
  const pr = await propose('kept', 'one');
  await approve(pr, pr.head);
  const head = await push(pr, 'kept', tf('kept', 'one', '# reviewed: no change to the plan\n'));
  assert.equal(planOf(head).fingerprint, pr.fingerprint, 'a comment does not change the plan');
  const status = (await loop.fakeState()).statuses.findLast((s) => s.sha === head && s.context === 'datamcp/plan');
  assert.doesNotMatch(status.description, /re-approve/);
  const { record } = await merge(pr, head);
  assert.equal(record.result, 'applied', JSON.stringify(record));
  assert.deepEqual(record.approvers, ['carol']);
  assert.equal(record.stale_approvals, undefined);
  assert.ok(stateHas('terraform_data.kept'));
});

test('an approval of an earlier plan is stale after a push changes it: said, not applied, recorded', async () => {
  const pr = await propose('moved', 'one');
  await approve(pr, pr.head);
  const head = await push(pr, 'moved', tf('moved', 'two'));
  const replanned = planOf(head).fingerprint;
  assert.notEqual(replanned, pr.fingerprint);

  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  const comment = st.comments.find((c) => c.issue === pr.number && c.body.includes('datamcp:plan'));
  assert.match(comment.body, /\*\*Approvals are stale\*\*/);
  assert.match(comment.body, new RegExp(`\`${project}\`: 0 of 1 approval\\(s\\) of this plan; stale: carol approved plan ` +
    `${pr.fingerprint.slice(0, 12)} \\(commit ${pr.head.slice(0, 12)}\\), not this one`));
  const status = st.statuses.findLast((s) => s.sha === head && s.context === 'datamcp/plan');
  assert.match(status.description, /^re-approve: stale approvals: infra\/terraform\/envs\/local 0 of 1 \(carol approved plan/);

  const { commit, record } = await merge(pr, head);
  assert.equal(record.result, 'refused', JSON.stringify(record));
  assert.match(record.summary, new RegExp(`environment local needs 1 approval\\(s\\) of the reviewed plan ` +
    `\\(${replanned.slice(0, 12)}\\) before apply; it had 0 \\(stale: carol approved plan ${pr.fingerprint.slice(0, 12)}`));
  assert.deepEqual(record.approvers, []);
  assert.deepEqual(record.stale_approvals, [{ user: 'carol', commit: pr.head, fingerprint: pr.fingerprint }]);
  assert.ok(!stateHas('terraform_data.moved'), 'nothing was applied');

  const audit = server.cli('audit');
  assert.match(audit, new RegExp(`stale approvals \\(given on another plan, not counted\\): carol \\(plan ${pr.fingerprint.slice(0, 12)}\\)`));
  const entry = JSON.parse(server.cli('audit', '--json')).find((e) => e.commit === commit);
  assert.deepEqual(entry.projects.find((p) => p.project === project).stale_approvals,
    [`carol (plan ${pr.fingerprint.slice(0, 12)})`]);
});

test('a plan policy denies deleting a terraform_data: said first, not applied, recorded', async () => {
  await waitFor(unlocked, 60000, 'the project lock to be released');
  const files = [{ path: `${project}/kept.tf`, delete: true }];
  const preview = await agent.callTool({ name: 'plan_preview', arguments: { environment: 'local', files } });
  assert.notEqual(preview.isError, true, JSON.stringify(preview.content));
  assert.equal(preview.structuredContent.policy_denied, true);
  const rule = 'environments\\[0\\]\\.policies\\[0\\]: deny delete of terraform_data: delete terraform_data\\.kept ' +
    '\\(local data is never deleted\\)';
  const denied = preview.structuredContent.projects.find((p) => p.project === project).policy.denied;
  assert.equal(denied.length, 1);
  assert.match(denied[0], new RegExp(`^${rule}$`));
  assert.match(preview.structuredContent.status_description, new RegExp(`^POLICY: local ${rule}`));

  const r = await agent.callTool({ name: 'propose_change', arguments: { environment: 'local', title: 'Drop kept', files } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  const { pull_request: number, branch, commit: head } = r.structuredContent;
  assert.equal(r.structuredContent.plan.status, 'failure');
  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  const comment = st.comments.find((c) => c.issue === number && c.body.includes('datamcp:plan'));
  assert.match(comment.body, /\*\*Denied by policy\*\*/);
  assert.ok(comment.body.indexOf('Denied by policy') < comment.body.indexOf('Destructive plan'),
    'the policy is said before anything else');
  const status = st.statuses.findLast((s) => s.sha === head && s.context === 'datamcp/plan');
  assert.equal(status.state, 'failure');
  assert.match(status.description, /^POLICY: local environments\[0\]\.policies\[0\]: deny delete/);
  assert.equal(planOf(head).policy.denied.length, 1, 'the plan note records the verdict');

  // A merge that got past the failing check (GitHub lets admins merge) is not applied.
  const pr = { number, branch, head };
  await approve(pr, head);
  const { record } = await merge(pr, head);
  assert.equal(record.result, 'policy-denied', JSON.stringify(record));
  assert.match(record.summary, new RegExp(`^denied by the environment's plan policies: ${rule}`));
  assert.match(record.policy.denied[0], new RegExp(rule));
  assert.ok(stateHas('terraform_data.kept'), 'nothing was deleted');
  assert.match(server.cli('audit'), /-> policy-denied \(denied by the environment's plan policies/);
});

test('a pull request that breaks the policies in datamcp.yaml is reported on it and not planned', async () => {
  const work = join(loop.dir, 'bad-policy');
  git('clone', '-q', origin, work);
  git('-C', work, 'checkout', '-q', '-b', 'ops/bad-policy');
  const file = join(work, 'datamcp.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('      - deny: delete', '      - deny: remove'));
  git('-C', work, '-c', 'user.name=Ops', '-c', 'user.email=ops@example.com', 'commit', '-qam', 'tighten policies');
  git('-C', work, 'push', '-q', 'origin', 'ops/bad-policy');
  const head = git('-C', work, 'rev-parse', 'HEAD');
  const opened = await (await fetch(`${loop.fakeUrl}/repos/octo/gitops/pulls`, {
    method: 'POST',
    headers: { Authorization: 'Bearer test-token', 'Content-Type': 'application/json',
      Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'e2e' },
    body: JSON.stringify({ title: 'Tighten policies', head: 'ops/bad-policy', base: 'main' }),
  })).json();
  assert.ok(opened.number > 0, JSON.stringify(opened));
  await loop.control(`pulls/${opened.number}`, { head_sha: head, author: 'ops' });
  await loop.deliver('pull_request', example('pull_request', 'opened', (p) => {
    p.number = opened.number;
    p.pull_request.number = opened.number;
  }));
  let status;
  await waitFor(async () => {
    status = (await loop.fakeState()).statuses.findLast((s) => s.sha === head && s.context === 'datamcp/plan');
    return status !== undefined;
  }, 60000, 'the plan status of the bad datamcp.yaml');
  assert.equal(status.state, 'failure');
  assert.match(status.description, /^invalid datamcp\.yaml: datamcp\.yaml: environments\[0\]\.policies\[0\]\.deny: 'remove' is not an action/);
  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  const comment = st.comments.find((c) => c.issue === opened.number && c.body.includes('datamcp:plan'));
  assert.match(comment.body, /This pull request breaks `datamcp\.yaml`\*\*: datamcp\.yaml: environments\[0\]\.policies\[0\]\.deny: 'remove' is not an action; use create, update, delete or replace/);
  assert.equal(planOf(head), undefined, 'nothing was planned');
});
