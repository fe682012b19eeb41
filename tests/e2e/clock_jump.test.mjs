// Fault: the wall clock jumping, as an NTP step does, with work in flight. The real `datamcp
// serve` (embedded default: SQLite, local forge, local git repository) runs under libfaketime
// with only CLOCK_REALTIME moved (FAKETIME_DONT_FAKE_MONOTONIC=1), from an offset file the
// test rewrites: +0, then 3 hours ahead, then 2 hours behind (a step of 5 hours back), then
// +0 again. The CLI commands (token, review, merge) run under the same clock, as they would
// on that machine. The rule under test: monotonic time for waits, wall time for records.
// The bot stays up and ready; the MCP session, the held lock and the waiting proposal survive
// each step; every merge is applied exactly once (git notes and the store agree); records
// carry the time the wall clock said; the audit log follows history, not timestamps. Tokens
// are checked against wall time by design: one issued before a backward step is refused as
// issued in the future (a clear 401), and a fresh one continues the same session. The last
// test does the same with GitHub as the forge: a webhook delivery waiting for a retry while
// GitHub answers 503 goes on being retried after a backward step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startServer, waitFor, notesOf } from './lib.mjs';
import { startGithubLoop } from './github.mjs';
import { replicaHelpers } from './replica_loop.mjs';

const libfaketime = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const project = 'infra/terraform/envs/local';
const scopes = ['proposals:write', 'plans:read', 'audit:read', 'locks:read', 'env:local'];
const HOUR_MS = 3600 * 1000;

// The environment that puts a process's wall clock at the offset `file` holds (read again at
// most every second); its monotonic clock stays real.
const faketime = (file) => ({ LD_PRELOAD: libfaketime, FAKETIME_TIMESTAMP_FILE: file,
  FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_CACHE_DURATION: '1' });

let dir;
let offsetFile;
let server;
let agent;  // { client, transport, bearer }: one MCP session for the whole run
const merges = [];  // the merge commits of every merged pull request

before(async () => {
  if (!existsSync(libfaketime)) throw new Error(`${libfaketime} is missing; run scripts/setup`);
  dir = mkdtempSync(join(tmpdir(), 'datamcp-e2e-clock-'));
  offsetFile = join(dir, 'faketime.rc');
  writeFileSync(offsetFile, '+0\n');
  server = await startServer({ dir: join(dir, 'server'), env: faketime(offsetFile) });
  agent = await open(token());
});
after(async () => {
  await agent?.client.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A token for agent-7 minted now, by the clock the server's machine has now.
const token = () => server.cli('token', '--sub', 'agent-7', '--scopes', scopes.join(' '),
  '--ttl', '12h').trim();

// A client with `bearer`, in the session `sessionId` when given.
async function open(bearer, sessionId) {
  const client = new Client({ name: 'datamcp-e2e-clock', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    sessionId, requestInit: { headers: { Authorization: `Bearer ${bearer}` } },
  });
  await client.connect(transport);
  return { client, transport, bearer };
}

async function call(name, args = {}) {
  const r = await agent.client.callTool({ name, arguments: args });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  return r.structuredContent;
}

// How far the wall clock of `srv` is from ours, in hours: an unauthenticated POST /mcp is
// refused and logged (mcp.authz) with the time the server reads.
async function serverOffsetHours(srv = server) {
  const from = srv.log.length;
  const sent = Date.now();
  const res = await fetch(srv.url, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: '{}' });
  assert.equal(res.status, 401);
  let entry;
  await waitFor(() => (entry = srv.log.slice(from).map((l) => {
    try { return JSON.parse(l); } catch { return null; }
  }).find((e) => e?.event === 'mcp.authz')), 10000, 'the refusal in the log');
  return (Date.parse(entry.time) - sent) / HOUR_MS;
}

// Steps the wall clock of the machine of `srv` (its offset file `file`) to `hours` from the
// real time and waits until the server reads it (a test whose jump silently did not happen
// would assert nothing).
async function stepTo(hours, srv = server, file = offsetFile) {
  writeFileSync(file, `${hours < 0 ? '' : '+'}${hours}h\n`);
  await waitFor(async () => Math.abs((await serverOffsetHours(srv)) - hours) < 0.1, 30000,
    `the server's wall clock at ${hours} h`);
}

async function ready(srv = server) {
  assert.equal(srv.child.exitCode, null, 'the server is running');
  assert.equal((await fetch(`${srv.base}/readyz`)).status, 200);
}

// The webhook deliveries `srv` (SQLite) has not handled yet.
const pendingDeliveries = (srv) => Number(execFileSync('sqlite3', ['-readonly', '-cmd',
  '.timeout 5000', join(srv.dir, 'work', 'state.db'),
  'SELECT COUNT(*) FROM deliveries WHERE done_ms IS NULL'], { encoding: 'utf8' }).trim());

const propose = (name) => call('propose_change', { environment: 'local', title: `Add ${name}`,
  files: [{ path: `${project}/${name}.tf`,
    content: `resource "terraform_data" "${name}" {\n  input = "${name}"\n}\n` }] });

const lockHolder = async () => (await call('list_locks')).locks
  .find((l) => l.project === project)?.pull_request;

// Reviews and merges `n` with the CLI, waits for its apply and returns its one record.
async function mergeAndApply(n) {
  server.cli('review', String(n), '--approve', '--as', 'carol');
  assert.match(server.cli('merge', String(n), '--as', 'carol'), new RegExp(`#${n} merged by carol`));
  let proposal;
  await waitFor(async () => (proposal = await call('get_proposal', { pull_request: n }))
    .applies.length > 0, 120000, `the apply of #${n}`);
  merges.push(proposal.merge_commit);
  const applies = notesOf(['-C', join(server.dir, 'work', 'gitops.git')], proposal.merge_commit)
    .filter((note) => note.type === 'apply');
  assert.equal(applies.length, 1, JSON.stringify(applies));
  assert.equal(applies[0].result, 'applied', JSON.stringify(applies[0]));
  return applies[0];
}

let first;
let second;
let third;

test('before the step: the server reads the real time, a proposal holds the project', async () => {
  assert.ok(Math.abs(await serverOffsetHours()) < 0.1);
  first = await propose('before_step');
  assert.equal(first.plan.status, 'success', JSON.stringify(first.plan));
  assert.equal(await lockHolder(), first.pull_request);
});

test('3 hours forward: the session, the lock and the apply go on; records carry the new time', async () => {
  await stepTo(3);
  await ready();
  // The session and the token (issued 3 hours earlier by this clock, valid for 12) still work.
  assert.equal(await lockHolder(), first.pull_request);
  const applied = await mergeAndApply(first.pull_request);
  assert.ok(applied.finished_at * 1000 > Date.now() + 2.5 * HOUR_MS,
    `the apply record carries the stepped time: ${JSON.stringify(applied)}`);
  await waitFor(async () => (await lockHolder()) === undefined, 60000, 'the lock release');
  second = await propose('during_forward_step');
  assert.equal(second.plan.status, 'success', JSON.stringify(second.plan));
  assert.equal(await lockHolder(), second.pull_request);
  await ready();
});

test('5 hours back: the old token is refused as issued in the future, the session goes on', async () => {
  await stepTo(-2);
  await ready();
  const sessionId = agent.transport.sessionId;
  assert.ok(sessionId);
  const stale = await fetch(server.url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${agent.bearer}`,
      'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
      'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  assert.equal(stale.status, 401);
  assert.match(stale.headers.get('www-authenticate'), /invalid_token.*issued in the future/);
  // A token issued now continues the same session: it was kept on the monotonic clock.
  await agent.client.close();
  agent = await open(token(), sessionId);
  assert.equal(agent.transport.sessionId, sessionId);
  assert.equal(await lockHolder(), second.pull_request, 'the lock held across the step');
});

test('5 hours back: a proposal waits for the lock, the merge applies once and hands it over', async () => {
  third = await propose('during_backward_step');
  assert.equal(third.plan.status, 'failure', JSON.stringify(third.plan));
  assert.match(third.plan.projects[0].blocked, new RegExp(`locked by #${second.pull_request}`));
  const applied = await mergeAndApply(second.pull_request);
  assert.ok(applied.finished_at * 1000 < Date.now() - 1.5 * HOUR_MS,
    `the apply record carries the stepped time: ${JSON.stringify(applied)}`);
  // The waiting proposal is planned again and takes the lock.
  await waitFor(() => new RegExp(`${third.pull_request}\\s+open\\s+success`).test(server.cli('prs')),
    120000, 'the waiting pull request to be planned again');
  assert.equal(await lockHolder(), third.pull_request);
  // The merge kept its lock until its apply ended, so that plan is of the applied state: it
  // adds only its own resource.
  // (The forge shows the plan's status before its note is read back: wait for the note.)
  let replanned = null;
  await waitFor(async () => (replanned = (await call('get_proposal',
    { pull_request: third.pull_request })).plan) !== null, 30000, 'the re-plan record');
  assert.match(JSON.stringify(replanned), /Plan: 1 to add, 0 to change, 0 to destroy/);
  assert.equal(await lockHolder(), third.pull_request);
  await ready();
});

test('the audit log follows history, not commit times', async () => {
  // The newest merge was made 5 hours of wall time before the one under it. Since an hour
  // ago by the real clock: the forward step's merge is in it, the backward step's is not.
  const since = new Date(Date.now() - HOUR_MS).toISOString().replace(/\.\d+Z$/, 'Z');
  const audit = await call('get_audit_log', { environment: 'local', since });
  const numbers = audit.entries.map((e) => e.pull_request);
  assert.ok(numbers.includes(first.pull_request), JSON.stringify(audit.entries));
  assert.ok(!numbers.includes(second.pull_request), JSON.stringify(audit.entries));
  const all = await call('get_audit_log', { environment: 'local' });
  const order = all.entries.map((e) => e.pull_request).filter((n) => n > 0);
  assert.deepEqual(order.slice(0, 2), [second.pull_request, first.pull_request],
    'newest merge first, whatever its time says');
});

test('back to the real time: the waiting proposal merges; nothing lost, nothing applied twice', async () => {
  await stepTo(0);
  await ready();
  await mergeAndApply(third.pull_request);
  await waitFor(async () => (await lockHolder()) === undefined, 60000, 'the last lock release');
  // The store agrees with git: one job per merge, applied (its state is set just after the
  // note is written).
  const db = join(server.dir, 'work', 'state.db');
  const states = (sha) => execFileSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000', db,
    `SELECT state FROM jobs WHERE merge_sha = '${sha}'`], { encoding: 'utf8' }).trim();
  for (const sha of merges) {
    await waitFor(() => states(sha) !== 'running', 30000, `the job of ${sha} to finish`);
    assert.equal(states(sha), 'applied', `the job of ${sha}`);
  }
  assert.equal(merges.length, 3);
  const bad = server.log.filter((l) => /reconcile_failed|apply_interrupted|apply_lease_expired|job_state_failed|apply_claim_lost/.test(l));
  assert.deepEqual(bad, []);
  await ready();
});

// With GitHub as the forge: a comment command whose handling fails while GitHub answers 503
// waits for a retry (the dispatcher's backoff) when the wall clock steps 5 hours back. The
// retries go on after the step (a retry scheduled on the wall clock would wait 5 hours), the
// command is handled once GitHub is back, and the merge is applied once.
test('GitHub: a delivery waiting for a retry is retried across a 5-hour backward step', async () => {
  const file = join(dir, 'faketime-github.rc');
  writeFileSync(file, '+0\n');
  const loop = await startGithubLoop('datamcp-e2e-clock-gh-', { env: faketime(file) });
  try {
    const bot = loop.server;
    const bearer = bot.cli('token', '--sub', 'agent-8', '--scopes', scopes.join(' '), '--ttl', '12h').trim();
    const h = replicaHelpers(loop, bearer);
    const made = await h.propose(bot, 'github_step');
    await loop.control(`pulls/${made.pull_request}`, { head_sha: made.commit });
    await loop.control('permissions', { carol: 'write' });
    await loop.control('fail-next', { status: 503, method: 'GET', path: '/collaborators/carol/permission',
      count: 1000000 });
    const injected = async () => (await loop.fakeState()).requests.filter((r) => r.injected).length;
    const { id: command, payload } = await loop.comment('carol', '/datamcp plan', made.pull_request);
    await loop.deliver('issue_comment', payload);
    await waitFor(async () => (await injected()) > 0, 60000, 'the command to meet GitHub down');

    await stepTo(-2, bot, file);
    await ready(bot);
    // Two failed attempts logged after the step: the second was also scheduled after it.
    const atStep = bot.log.length;
    const failedSinceStep = () => bot.log.slice(atStep)
      .filter((l) => l.includes('"event":"webhook.delivery_failed"')).length;
    await waitFor(() => failedSinceStep() >= 2, 120000, 'two retries after the step');
    assert.equal(pendingDeliveries(bot), 1, 'the command is still pending, not dropped');
    await loop.control('config', { failNext: [] });
    await waitFor(async () => (await loop.reactions(command)).length > 0, 120000, 'the command handled');
    assert.deepEqual(await loop.reactions(command), [['datamcp-bot', '+1']]);

    const merge = await h.land(made);
    await loop.deliver('pull_request', h.mergedEvent(made.pull_request));
    await waitFor(() => h.applies(merge).length > 0, 120000, 'the apply of the merge');
    const applies = h.applies(merge);
    assert.equal(applies.length, 1, JSON.stringify(applies));
    assert.equal(applies[0].result, 'applied', JSON.stringify(applies[0]));
    assert.ok(applies[0].finished_at * 1000 < Date.now() - 1.5 * HOUR_MS,
      `the apply record carries the stepped time: ${JSON.stringify(applies[0])}`);
    await waitFor(() => pendingDeliveries(bot) === 0, 60000, 'every delivery handled');
    assert.deepEqual((await loop.fakeState()).violations, []);
    await ready(bot);
  } finally {
    await loop.stop();
  }
});
