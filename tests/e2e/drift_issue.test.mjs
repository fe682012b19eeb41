// The drift issue end to end (#15) against the fake GitHub (every request and answer checked
// against @octokit/openapi), with real terraform and a real git server: a merged module is
// applied, one of its resources leaves the Terraform state behind terraform's back
// (`terraform state rm`), and the next drift pass opens exactly one issue naming exactly that
// resource. A second pass with the same drift opens none; once the state is restored the
// next pass comments and closes the issue. Each pass is `datamcp drift --now`, a process of
// its own, so the issue is found again on GitHub, never remembered in memory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, waitFor, notesOf, binary } from './lib.mjs';
import { startGithubLoop, example, git } from './github.mjs';

const project = 'infra/terraform/envs/local';
const address = 'module.orders.terraform_data.dataset';
let loop, agent, merge;

before(async () => {
  loop = await startGithubLoop('datamcp-e2e-drift-issue-');
  agent = await connect(loop.server,
    loop.server.token('agent-drift', ['proposals:write', 'plans:read', 'env:local']));
});

after(async () => {
  await agent?.close();
  await loop?.stop();
});

const driftIssues = (st) => st.issues.filter((i) => i.labels.includes('datamcp-drift'));
// The resource lines of an issue body ("- `create` `address`").
const listed = (body) => body.split('\n').filter((l) => l.startsWith('- '));

// One drift pass in a process of its own; its exit status (0 clean, 3 drifted). Run
// asynchronously: a blocked event loop would reuse keep-alive sockets the fake closed.
async function driftPass() {
  try {
    await promisify(execFile)(binary(), ['drift', '--now'], { env: loop.server.env });
    return 0;
  } catch (e) {
    if (e.code !== 3) throw new Error(`datamcp drift --now exited ${e.code}: ${e.stderr}`);
    return 3;
  }
}

// Proposes, approves and merges a module as GitHub would report it; waits for its apply.
async function mergeAndApply() {
  const r = await agent.callTool({ name: 'propose_terraform_module', arguments: {
    environment: 'local', module: 'local-data', instance: 'orders',
    variables: { name: 'orders', owner: 'data-eng', retention_days: 7 } } });
  assert.equal(r.structuredContent?.plan?.status, 'success', JSON.stringify(r.content));
  const { pull_request: number, commit: head, branch } = r.structuredContent;
  await loop.deliver('workflow_run', example('workflow_run', 'completed', (p) => {
    p.workflow_run.head_sha = head;
    p.workflow_run.conclusion = 'success';
  }));
  await waitFor(() => notesOf(['--git-dir', loop.origin], head).some((n) => n.type === 'ci'),
    30000, 'the CI note');
  const work = join(loop.dir, 'merge');
  git('clone', '-q', loop.origin, work);
  git('-C', work, '-c', 'user.name=Carol', '-c', 'user.email=carol@example.com', 'merge', '--no-ff',
    '-q', `origin/${branch}`, '-m', `Merge pull request #${number} from octo/${branch}`);
  git('-C', work, 'push', '-q', 'origin', 'HEAD:main');
  const sha = git('-C', work, 'rev-parse', 'HEAD');
  await loop.control(`reviews/${number}`, [{ id: 1, login: 'carol', state: 'APPROVED', commit_id: head }]);
  await loop.control(`pulls/${number}`, { state: 'closed', merged: true, merge_commit_sha: sha,
    merged_by: 'carol', head_sha: head });
  await loop.deliver('pull_request', example('pull_request', 'closed', (p) => {
    p.number = number;
    p.pull_request.number = number;
    p.pull_request.merged = true;
  }));
  await waitFor(() => notesOf(['--git-dir', loop.origin], sha).some((n) => n.type === 'apply'),
    180000, 'the apply note');
  const applied = notesOf(['--git-dir', loop.origin], sha).find((n) => n.type === 'apply');
  assert.equal(applied.result, 'applied', JSON.stringify(applied));
  return sha;
}

test('applied and unchanged: a drift pass opens no issue', async () => {
  merge = await mergeAndApply();
  assert.equal(await driftPass(), 0);
  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  assert.deepEqual(driftIssues(st), []);
});

test('a resource removed from the state opens one issue naming it; the same drift opens no other', async () => {
  const stateFile = join(loop.server.dir, 'work', 'tfstate', 'infra_terraform_envs_local', 'terraform.tfstate');
  copyFileSync(stateFile, join(loop.dir, 'saved.tfstate'));
  const scratch = mkdtempSync(join(tmpdir(), 'drift-issue-state-rm-'));
  try {
    execFileSync('terraform', ['state', 'rm', `-state=${stateFile}`, '-backup=-', address],
      { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  assert.equal(await driftPass(), 3);
  let st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  const issues = driftIssues(st);
  assert.equal(issues.length, 1, JSON.stringify(st.issues));
  const [issue] = issues;
  assert.equal(issue.state, 'open');
  assert.equal(issue.title, `Drift detected: local (${project})`);
  assert.equal(issue.login, 'datamcp-bot');
  assert.ok(issue.body.startsWith(`<!-- datamcp:drift project=${encodeURIComponent(project)} -->\n`), issue.body);
  assert.deepEqual(listed(issue.body), [`- \`create\` \`${address}\``], issue.body);
  assert.ok(issue.body.includes(`\`${merge}\``), 'the tip commit');
  assert.match(issue.body, /propose_rollback/);

  // The same drift, another pass (another process): the issue is found again, not repeated.
  assert.equal(await driftPass(), 3);
  st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  assert.deepEqual(driftIssues(st).map((i) => [i.number, i.state, i.edits]), [[issue.number, 'open', 0]]);
  assert.equal(st.requests.filter((r) => r.method === 'POST' && r.path === '/repos/octo/gitops/issues').length, 1);
});

test('with the state restored the next pass comments on the issue and closes it', async () => {
  const stateFile = join(loop.server.dir, 'work', 'tfstate', 'infra_terraform_envs_local', 'terraform.tfstate');
  copyFileSync(join(loop.dir, 'saved.tfstate'), stateFile);
  assert.equal(await driftPass(), 0);
  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  const issues = driftIssues(st);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.equal(issues[0].state, 'closed');
  assert.equal(issues[0].state_reason, 'completed');
  const comments = st.comments.filter((c) => c.issue === issues[0].number);
  assert.equal(comments.length, 1, JSON.stringify(comments));
  assert.match(comments[0].body, /found no drift/);
  assert.ok(comments[0].body.includes(merge));
  // A further clean pass has nothing to close.
  assert.equal(await driftPass(), 0);
  const later = await loop.fakeState();
  assert.equal(later.comments.filter((c) => c.issue === issues[0].number).length, 1);
  assert.deepEqual(later.violations, []);
});
