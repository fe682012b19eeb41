// The commands a pull request takes on GitHub: `/datamcp plan` in a comment (only from a
// user with write permission, checked through the forge API; the bot answers with a +1
// reaction on the comment, or -1 when it refuses) and a check run's "Re-run" (check_run
// rerequested) both re-plan the pull request. Real signed webhook payloads, the fake GitHub
// checked against @octokit/openapi, a real git server and real terraform.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, waitFor, notesOf } from './lib.mjs';
import { startGithubLoop, example, REPO } from './github.mjs';

let loop, agent, number, head;

before(async () => {
  loop = await startGithubLoop('datamcp-e2e-ghcmd-');
  agent = await connect(loop.server,
    loop.server.token('agent-3', ['proposals:write', 'plans:read', 'env:local']));
  const r = await agent.callTool({ name: 'propose_terraform_module', arguments: {
    environment: 'local', module: 'local-data', instance: 'views',
    variables: { name: 'views', owner: 'web', retention_days: 7 } } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  ({ pull_request: number, commit: head } = r.structuredContent);
  // The fake cannot see the git server: tell it the pull request's head, as GitHub knows it.
  await loop.control(`pulls/${number}`, { head_sha: head });
  await loop.control('permissions', { carol: 'write', mallory: 'read' });
});

after(async () => {
  await agent?.close();
  await loop?.stop();
});

const BOT = 'datamcp-bot';  // the login the fake gives the bot's token
const botComments = (st) => st.comments.filter((c) => c.login === BOT);
const planStatuses = (st) => st.statuses.filter((s) => s.sha === head && s.context === 'datamcp/plan');
const planComments = (st) => st.comments.filter((c) => c.issue === number && c.body.includes('datamcp:plan'));
const planNotes = () => notesOf(['--git-dir', loop.origin], head).filter((n) => n.type === 'plan');
const permissionLookups = (st, login) => st.requests.filter((r) => r.method === 'GET' &&
  r.path === `/repos/${REPO}/collaborators/${login}/permission`);

// The bot's log events named `event` whose fields match `fields`.
function logged(event, fields = {}) {
  return loop.server.log.map((line) => { try { return JSON.parse(line); } catch { return null; } })
    .filter((e) => e?.event === event && Object.entries(fields).every(([k, v]) => e[k] === v));
}

// `login` comments `body` on pull request `issue` (made on the fake, then delivered as
// GitHub would); returns the comment's id.
async function say(login, body, issue = number) {
  const { id, payload } = await loop.comment(login, body, issue);
  await loop.deliver('issue_comment', payload);
  return id;
}

// Deliveries are handled one at a time, oldest first: once a reader's command delivered
// after them has been refused, everything delivered before it has been handled. Each
// barrier names its own (nonexistent) pull request so its refusal is told apart.
let barriers = 0;
async function allHandled() {
  const issue = 9000 + ++barriers;
  await say('mallory', '/datamcp plan', issue);
  await waitFor(() => logged('comment_command_refused', { pull_request: issue }).length === 1,
    30000, `barrier ${issue}`);
}

async function snapshot() {
  const st = await loop.fakeState();
  return { comments: botComments(st).length, statuses: st.statuses.length,
    planStatuses: planStatuses(st).length, planNotes: planNotes().length };
}

test('the proposal starts with one plan comment, a plan status and a plan note', async () => {
  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  assert.equal(planComments(st).length, 1, JSON.stringify(st.comments));
  assert.equal(planStatuses(st).length, 1, JSON.stringify(st.statuses));
  assert.equal(planNotes().length, 1);
});

test('a comment that is not a command does nothing, even from a writer', async () => {
  const before = await snapshot();
  const remarks = [await say('carol', 'looks good'), await say('carol', 'please /datamcp plan')];
  await allHandled();
  assert.deepEqual(await snapshot(), before);
  for (const id of remarks) assert.deepEqual(await loop.reactions(id), [], 'a remark gets no reaction');
  const st = await loop.fakeState();
  assert.equal(permissionLookups(st, 'carol').length, 0, 'a remark needs no permission check');
  assert.equal(logged('comment_command', { user: 'carol' }).length, 0);
  assert.deepEqual(st.violations, []);
});

test('/datamcp plan from a reader, or from a non-collaborator, is refused', async () => {
  const before = await snapshot();
  const reader = await say('mallory', '/datamcp plan');
  const stranger = await say('eve', '/datamcp plan\r\n');
  await waitFor(() => logged('comment_command_refused', { user: 'eve', pull_request: number }).length === 1,
    30000, "eve's refusal");
  const refused = logged('comment_command_refused', { user: 'mallory', pull_request: number });
  assert.equal(refused.length, 1, 'a reader must be refused; commands logged: ' +
    JSON.stringify(logged('comment_command')));
  assert.equal(refused[0].command, '/datamcp plan');
  assert.equal(refused[0].level, 'warn');
  const st = await loop.fakeState();
  // Refused after asking GitHub, not because the lookup failed.
  assert.ok(permissionLookups(st, 'mallory').some((r) => r.status === 200));
  assert.ok(permissionLookups(st, 'eve').some((r) => r.status === 404));
  assert.deepEqual(await snapshot(), before);
  // Refused visibly: a -1 from the bot on each command, and nothing else.
  assert.deepEqual(await loop.reactions(reader), [[BOT, '-1']]);
  assert.deepEqual(await loop.reactions(stranger), [[BOT, '-1']]);
  assert.equal(logged('comment_reaction_failed').length, 0);
  assert.equal(logged('webhook.delivery_failed').length, 0);
  assert.deepEqual(st.violations, []);
});

test('/datamcp plan from a writer re-plans the pull request', async () => {
  // Someone deleted the plan comment: the re-plan must put it back.
  const old = planComments(await loop.fakeState())[0];
  const del = await fetch(`${loop.fakeUrl}/repos/${REPO}/issues/comments/${old.id}`, {
    method: 'DELETE', headers: { Authorization: 'Bearer test-token',
      Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'e2e' } });
  assert.equal(del.status, 204);
  const before = await snapshot();
  const command = await say('carol', '/datamcp plan');
  await waitFor(() => planNotes().length > before.planNotes, 120000, 'the new plan note');
  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  assert.equal(logged('comment_command', { user: 'carol', command: '/datamcp plan' }).length, 1);
  assert.deepEqual(await loop.reactions(command), [[BOT, '+1']], 'the command is acknowledged');
  const statuses = planStatuses(st);
  assert.equal(statuses.length, before.planStatuses + 1, JSON.stringify(st.statuses));
  const status = st.statuses.at(-1);
  assert.equal(status.sha, head);
  assert.equal(status.context, 'datamcp/plan');
  assert.equal(status.state, 'success', JSON.stringify(status));
  assert.match(status.description, /local: Plan: \d+ to add/);
  const comments = planComments(st);
  assert.equal(comments.length, 1, JSON.stringify(comments));
  assert.notEqual(comments[0].id, old.id);
  assert.equal(comments[0].login, 'datamcp-bot');
  assert.match(comments[0].body, new RegExp(`DataMCP plan for \`${head.slice(0, 12)}\``));
  assert.match(comments[0].body, /Plan: \d+ to add/);
  const notes = planNotes();
  assert.equal(notes.length, before.planNotes + 1);
  assert.equal(notes.at(-1).commit, head);
  assert.equal(notes.at(-1).pull_request, number);
  assert.equal(notes.at(-1).projects[0].ok, true, JSON.stringify(notes.at(-1)));
  assert.equal(notes.at(-1).projects[0].fingerprint, notes[0].projects[0].fingerprint);
});

test('a reaction GitHub refuses is logged and the command still runs', async () => {
  // A GitHub App without the issues permission cannot react; the plan must not depend on it.
  await loop.control('fail-next', { status: 403, method: 'POST', path: '/reactions', body: {
    message: 'Resource not accessible by integration',
    documentation_url: 'https://docs.github.com/rest/reactions/reactions' } });
  const before = await snapshot();
  const command = await say('carol', '/datamcp plan');
  await waitFor(() => planNotes().length > before.planNotes, 120000, 'the new plan note');
  const failed = logged('comment_reaction_failed', { pull_request: number, comment: command });
  assert.equal(failed.length, 1, JSON.stringify(logged('comment_reaction_failed')));
  assert.equal(failed[0].level, 'warn');
  assert.equal(failed[0].reaction, '+1');
  assert.match(failed[0].error, /403 .*Resource not accessible by integration/);
  const st = await loop.fakeState();
  assert.ok(st.requests.some((r) => r.injected && r.method === 'POST' &&
    r.path === `/repos/${REPO}/issues/comments/${command}/reactions`), 'the reaction was tried');
  assert.deepEqual(await loop.reactions(command), []);
  assert.equal(planStatuses(st).length, before.planStatuses + 1, JSON.stringify(st.statuses));
  assert.equal(st.statuses.at(-1).state, 'success', JSON.stringify(st.statuses.at(-1)));
  assert.equal(logged('webhook.delivery_failed').length, 0);
  assert.deepEqual(st.violations, []);
});

// A check_run "rerequested" payload (the "Re-run" button) whose check belongs to `prs`.
function rerun(prs) {
  const shape = example('check_run', 'created', () => {}).check_run.pull_requests[0];
  return example('check_run', 'rerequested', (p) => {
    p.check_run.head_sha = head;
    p.check_run.pull_requests = prs.map((n) => ({ ...structuredClone(shape),
      url: `https://api.github.com/repos/${REPO}/pulls/${n}`, number: n,
      head: { ...shape.head, sha: head } }));
  });
}

test('check_run rerequested with no pull request does nothing', async () => {
  const before = await snapshot();
  await loop.deliver('check_run', rerun([]));
  await allHandled();
  assert.deepEqual(await snapshot(), before);
});

test('check_run rerequested re-plans the pull requests it lists', async () => {
  const before = await snapshot();
  const comment = planComments(await loop.fakeState())[0];
  await loop.deliver('check_run', rerun([number]));
  await waitFor(() => planNotes().length > before.planNotes, 120000, 'the new plan note');
  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  assert.equal(planStatuses(st).length, before.planStatuses + 1, JSON.stringify(st.statuses));
  const status = st.statuses.at(-1);
  assert.deepEqual([status.sha, status.context, status.state], [head, 'datamcp/plan', 'success']);
  // The plan comment is kept up to date, not repeated.
  assert.deepEqual(planComments(st).map((c) => c.id), [comment.id]);
  assert.equal(botComments(st).length, before.comments);
  const notes = planNotes();
  assert.equal(notes.length, before.planNotes + 1);
  assert.deepEqual([notes.at(-1).commit, notes.at(-1).pull_request], [head, number]);
  assert.equal(logged('webhook.delivery_failed').length, 0);
});

test('/datamcp confirm-destroy on a plan that destroys nothing is refused and answered', async () => {
  const reader = await say('mallory', '/datamcp confirm-destroy');
  const writer = await say('carol', '/datamcp confirm-destroy');
  const answer = (st) => botComments(st).filter((c) => c.issue === number &&
    c.body.includes('datamcp:confirm-destroy'));
  await waitFor(async () => answer(await loop.fakeState()).length === 1, 60000, 'the answer');
  const st = await loop.fakeState();
  assert.deepEqual(st.violations, []);
  assert.match(answer(st)[0].body, /Not confirmed: the plan of pull request #\d+ at \w+ deletes and replaces nothing/);
  assert.deepEqual(await loop.reactions(reader), [[BOT, '-1']], 'a reader may not confirm');
  assert.deepEqual(await loop.reactions(writer), [[BOT, '-1']], 'nothing to confirm');
  assert.equal(notesOf(['--git-dir', loop.origin], head).filter((n) => n.type === 'destroy-confirmation').length, 0);
});
