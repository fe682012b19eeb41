// The GitHub setup shared by the GitHub end-to-end tests: a real git server (git daemon)
// holds the GitOps repository, the fake GitHub (tests/fakes/github, every request and
// response checked against @octokit/openapi) holds the pull requests, and real webhook
// payloads (@octokit/webhooks-examples, signed with @octokit/webhooks-methods) are delivered
// to `datamcp serve` running with forge.kind github.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { startServer, waitFor, binary } from './lib.mjs';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples');
export const SECRET = 'e2e-webhook-secret';
export const REPO = 'octo/gitops';
export const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

async function startFakeGithub() {
  const child = spawn('node', [join(process.env.DATAMCP_SOURCE_DIR, 'tests/fakes/github/server.mjs')],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', (l) => resolve(Number(l))));
  return { child, url: `http://127.0.0.1:${port}` };
}

async function kill(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

// A real example payload of `event`/`action`, rewritten to this repository.
export function example(event, action, edit) {
  const found = examples.find((e) => e.name === event).examples.find((p) => !action || p.action === action);
  const payload = structuredClone(found);
  payload.repository.full_name = REPO;
  payload.repository.name = 'gitops';
  payload.repository.owner.login = 'octo';
  edit(payload);
  return payload;
}

// Starts the git daemon, the fake GitHub and `datamcp serve` in a fresh temp dir whose name
// starts with `prefix`; `env` adds environment variables for the bot (they win over its
// configuration file); `seed(dir)` may change the freshly initialized GitOps repository (a
// work tree whose changes it commits) before it is served. Returns the handles and helpers the
// tests use; stop() ends them all.
// replicas > 1: that many servers share the work (they need a state.postgres_url in `env`);
// loop.servers holds them, loop.server is the first. `yaml` adds configuration lines;
// `envOf(i)` adds variables for replica i only (over `env`).
export async function startGithubLoop(prefix, { env = {}, envOf = () => ({}), seed, replicas = 1, yaml = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const origin = join(dir, 'repos', 'gitops.git');
  execFileSync(binary(), ['init-repo', join(dir, 'seed')], { env: { ...process.env, DATAMCP_CONFIG: '' } });
  if (seed) seed(join(dir, 'seed'));
  git('clone', '-q', '--bare', join(dir, 'seed'), origin);
  const port = await freePort();
  const daemon = spawn('git', ['daemon', '--reuseaddr', '--export-all', '--enable=receive-pack',
    `--base-path=${join(dir, 'repos')}`, '--listen=127.0.0.1', `--port=${port}`, join(dir, 'repos')],
    { stdio: 'ignore' });
  const remote = `git://127.0.0.1:${port}/gitops.git`;
  const loop = { dir, origin, remote, daemon };
  loop.servers = [];
  loop.stop = async () => {
    await Promise.all(loop.servers.map((s) => s.stop()));
    await kill(loop.fake);
    await kill(daemon);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(() => { execFileSync('git', ['ls-remote', remote], { stdio: 'ignore' }); return true; },
      20000, 'git daemon');
    const fake = await startFakeGithub();
    loop.fake = fake.child;
    loop.fakeUrl = fake.url;
    const starting = [];
    for (let i = 0; i < replicas; ++i) {
      if (replicas > 1) {
        // Several replicas need a shared Terraform backend: one state directory for all.
        mkdirSync(join(dir, `bot${i}`, 'work'), { recursive: true });
        mkdirSync(join(dir, 'tfstate'), { recursive: true });
        symlinkSync(join(dir, 'tfstate'), join(dir, `bot${i}`, 'work', 'tfstate'));
      }
      starting.push(startServer({
        dir: join(dir, replicas === 1 ? 'bot' : `bot${i}`),
        repositoryUrl: remote,
        yaml: ['forge:', '  kind: github', `  github_api_url: ${fake.url}`, `  github_repository: ${REPO}`, ...yaml],
        env: { DATAMCP_FORGE_GITHUB_TOKEN: 'test-token', DATAMCP_WEBHOOKS_SECRET: SECRET, ...env, ...envOf(i) },
      }));
    }
    // Replicas start together (their schema migration is serialized by the database).
    const started = await Promise.allSettled(starting);
    loop.servers = started.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    loop.server = loop.servers[0];
  } catch (e) {
    await loop.stop();
    throw e;
  }
  // The fake's whole state: pulls, comments, statuses, permissions, violations...
  loop.fakeState = async () => (await fetch(`${loop.fakeUrl}/_fake/state`)).json();
  // A control call of the fake (README of tests/fakes/github).
  loop.control = (path, body) => fetch(`${loop.fakeUrl}/_fake/${path}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  // `login` comments `body` on pull request `issue`: the comment is made on the fake (so it
  // has an id the bot can react to) and the issue_comment "created" payload GitHub would send
  // for it is returned with the comment's id: {id, payload}.
  loop.comment = async (login, body, issue) => {
    const made = await (await loop.control('comments', { issue, body, login })).json();
    const payload = example('issue_comment', 'created', (p) => {
      p.issue.number = issue;
      p.issue.pull_request = {
        url: `https://api.github.com/repos/${REPO}/pulls/${issue}`,
        html_url: `https://github.com/${REPO}/pull/${issue}`,
        diff_url: `https://github.com/${REPO}/pull/${issue}.diff`,
        patch_url: `https://github.com/${REPO}/pull/${issue}.patch`,
      };
      p.comment.id = made.id;
      p.comment.created_at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      p.comment.body = body;
      p.comment.user.login = login;
      p.sender.login = login;
    });
    return { id: made.id, payload };
  };
  // The reactions on comment `id` as [login, content] pairs, oldest first.
  loop.reactions = async (id) => (await loop.fakeState()).reactions
    .filter((r) => r.comment_id === id).map((r) => [r.login, r.content]);
  // Delivers `payload` as GitHub would, signed with the webhook secret, to `server` (default
  // the first); expects 202 (or, with `duplicate`, 200 "already recorded" too). Returns the
  // delivery id (`id` to send one again), or with `duplicate` the status.
  loop.deliver = async (event, payload, { server = loop.server, id = randomUUID(), duplicate = false } = {}) => {
    const body = JSON.stringify(payload);
    const res = await fetch(`${server.base}/webhooks/github`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': event,
        'X-GitHub-Delivery': id, 'X-Hub-Signature-256': await sign(SECRET, body) },
      body,
    });
    const text = await res.text();
    if (duplicate && res.status === 200) {
      assert.match(text, /already recorded/);
      return res.status;
    }
    assert.equal(res.status, 202, `${event}: ${text}`);
    return duplicate ? res.status : id;
  };
  return loop;
}
