// The loop against GitHub: a real git server (git daemon) holds the GitOps repository, the
// fake GitHub (every request and response checked against @octokit/openapi) holds the pull
// request, real webhook payloads (@octokit/webhooks-examples, signed with
// @octokit/webhooks-methods) report CI and the merge, and real terraform plans and applies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect, waitFor, notesOf } from './lib.mjs';
import { startGithubLoop, example, git } from './github.mjs';

let loop, dir, server, agent, fakeState, control, deliver;

before(async () => {
  loop = await startGithubLoop('datamcp-e2e-gh-');
  ({ dir, server, fakeState, control, deliver } = loop);
  agent = await connect(server, server.token('agent-9', ['proposals:write', 'plans:read', 'env:local']));
});

after(async () => {
  await agent?.close();
  await loop?.stop();
});

test('a proposal becomes a GitHub pull request with the plan comment and status', async () => {
  const r = await agent.callTool({ name: 'propose_terraform_module', arguments: {
    environment: 'local', module: 'local-data', instance: 'clicks',
    variables: { name: 'clicks', owner: 'web', retention_days: 14 } } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  const { pull_request: number, commit, branch } = r.structuredContent;
  assert.equal(git('--git-dir', join(dir, 'repos', 'gitops.git'), 'rev-parse', `refs/heads/${branch}`), commit);
  const st = await fakeState();
  assert.deepEqual(st.violations, []);
  const pr = st.pulls.find((p) => p.number === number);
  assert.equal(pr.head, branch);
  // The comment is the compact table; the plan text is in the project's check run (#15).
  const comment = st.comments.find((c) => c.body.includes('datamcp:plan'));
  assert.match(comment.body, /Plan: \d+ to add/);
  const check = st.checkRuns.find((c) => c.head_sha === commit && c.name === 'datamcp/plan: infra/terraform/envs/local');
  assert.equal(check.conclusion, 'success', JSON.stringify(st.checkRuns));
  assert.match(check.output.text, /terraform_data/);
  assert.match(comment.body, new RegExp(`\\[details\\]\\(${check.html_url.replace(/[.]/g, '\\.')}\\)`));
  const status = st.statuses.find((s) => s.sha === commit && s.context === 'datamcp/plan');
  assert.equal(status.state, 'success');
  assert.match(status.description, /local: Plan: \d+ to add/);
});

test('CI green, approval and merge webhooks lead to exactly one apply, recorded in git', async () => {
  const origin = join(dir, 'repos', 'gitops.git');
  const st = await fakeState();
  const pr = st.pulls[0];
  const head = git('--git-dir', origin, 'rev-parse', `refs/heads/${pr.head}`);
  await deliver('workflow_run', example('workflow_run', 'completed', (p) => {
    p.workflow_run.head_sha = head;
    p.workflow_run.conclusion = 'success';
  }));
  await waitFor(() => notesOf(['--git-dir', origin], head).some((n) => n.type === 'ci'),
    30000, 'the CI note');
  // The human merge, as GitHub would make it.
  const work = join(dir, 'merge');
  git('clone', '-q', origin, work);
  git('-C', work, '-c', 'user.name=Carol', '-c', 'user.email=carol@example.com', 'merge', '--no-ff',
    '-q', `origin/${pr.head}`, '-m', `Merge pull request #${pr.number} from octo/${pr.head}`);
  git('-C', work, 'push', '-q', 'origin', 'HEAD:main');
  const merge = git('-C', work, 'rev-parse', 'HEAD');
  await control('reviews/1', [{ id: 1, login: 'carol', state: 'APPROVED', commit_id: head }]);
  await control('pulls/1', { state: 'closed', merged: true, merge_commit_sha: merge, merged_by: 'carol', head_sha: head });
  await deliver('pull_request', example('pull_request', 'closed', (p) => {
    p.number = 1;
    p.pull_request.number = 1;
    p.pull_request.merged = true;
  }));
  await waitFor(async () => (await fakeState()).comments.some((c) => c.body.includes('datamcp:apply')),
    120000, 'the apply comment');
  const notes = notesOf(['--git-dir', origin], merge);
  const applies = notes.filter((n) => n.type === 'apply');
  assert.equal(applies.length, 1, JSON.stringify(notes));
  assert.equal(applies[0].result, 'applied', JSON.stringify(applies[0]));
  assert.deepEqual(applies[0].approvers, ['carol']);
  assert.equal(applies[0].requester, 'agent-9');
  const after = await fakeState();
  assert.deepEqual(after.violations, []);
  const status = after.statuses.find((s) => s.sha === merge && s.context === 'datamcp/apply');
  assert.equal(status?.state, 'success', JSON.stringify(after.statuses));
  // A redelivery of the merge event applies nothing again.
  await deliver('pull_request', example('pull_request', 'closed', (p) => { p.number = 1; p.pull_request.merged = true; }));
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(notesOf(['--git-dir', origin], merge).filter((n) => n.type === 'apply').length, 1);
});

test('propose_helm_release puts the real helm render diff on the GitHub pull request', async () => {
  const r = await agent.callTool({ name: 'propose_helm_release', arguments: {
    environment: 'local', release: 'search-api', chart_path: 'helm/charts/example-data-app',
    values: { replicaCount: 3 } } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  const { pull_request: number, commit } = r.structuredContent;
  const st = await fakeState();
  assert.deepEqual(st.violations, []);
  const comment = st.comments.find((c) => c.issue === number && c.body.includes('datamcp:plan'))
    ?? st.comments.filter((c) => c.body.includes('datamcp:plan')).at(-1);
  assert.match(comment.body, /argocd\/apps\/local\/search-api\.yaml/);
  const check = st.checkRuns.find((c) => c.head_sha === commit &&
    c.name === 'datamcp/plan: argocd/apps/local/search-api.yaml');
  assert.match(check.output.text, /Deployment\/[a-z-]*\/search-api/);
  const status = st.statuses.find((s) => s.sha === commit && s.context === 'datamcp/plan');
  assert.equal(status.state, 'success', JSON.stringify(status));
  assert.match(status.description, /rendered: \d+ added/);
});

test('/datamcp unlock from a writer releases the locks; from a reader it is ignored', async () => {
  const locked = async () => /datamcp_project_lock\{project="argocd\/apps\/local\/search-api.yaml"/
    .test(await (await fetch(`${server.base}/metrics`)).text());
  assert.equal(await locked(), true);
  const number = (await fakeState()).pulls.find((p) => p.head.includes('search-api')).number;
  await control('permissions', { mallory: 'read', carol: 'write' });
  const unlock = async (login) => {
    const { id, payload } = await loop.comment(login, '/datamcp unlock', number);
    await deliver('issue_comment', payload);
    return id;
  };
  const refused = await unlock('mallory');
  await waitFor(() => server.log.some((l) => l.includes('"event":"comment_command_refused"') &&
    l.includes('"user":"mallory"')), 30000, "mallory's refusal");
  assert.equal(await locked(), true, 'a reader must not unlock');
  assert.deepEqual(await loop.reactions(refused), [['datamcp-bot', '-1']]);
  const accepted = await unlock('carol');
  await waitFor(async () => !(await locked()), 30000, 'the unlock');
  assert.deepEqual(await loop.reactions(accepted), [['datamcp-bot', '+1']]);
  assert.deepEqual((await fakeState()).violations, []);
});

test('/metrics counts the webhook deliveries handled and shows none left pending', async () => {
  const value = (text, name) => {
    const m = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
    return m ? Number(m[1]) : undefined;
  };
  let text = '';
  await waitFor(async () => {
    text = await (await fetch(`${server.base}/metrics`)).text();
    return value(text, 'datamcp_webhook_deliveries_pending') === 0;
  }, 30000, 'no delivery left pending');
  // The earlier tests delivered CI, review, merge and comment events: each handled once.
  assert.ok(value(text, 'datamcp_webhook_deliveries_handled_total') >= 4, text);
  assert.equal(value(text, 'datamcp_webhook_delivery_failures_total'), 0, text);
});
