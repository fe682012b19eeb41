// Image promotion from CI: a GitHub Actions OIDC token (RS256, a key generated here with
// OpenSSL, its JWK Set served by a loopback HTTP server, GitHub's claim names) calls
// POST /ci/promote; datamcp.yaml's promotion.rules on the default branch decide. The pull
// request carries a real `helm template` diff; merging it syncs through the fake Argo CD.
// The MCP tool propose_image_update goes through the official SDK client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startServer, connect, waitFor, notesOf, branches } from './lib.mjs';

const ARGO_TOKEN = 'argocd-ci-token';
const IMAGE = 'ghcr.io/acme/example-data-app';
const WORKFLOW = 'acme/events-api/.github/workflows/release.yml@refs/heads/main';
let keyDir, privateKey, strangerKey, jwksServer, jwksUrl, argocd, argocdUrl, server, agent;
let runId = 100;

function openSslKey(dir, name) {
  const path = join(dir, name);
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048',
    '-out', path], { stdio: 'ignore' });
  return createPrivateKey(readFileSync(path));
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function jwt(claims, { key = privateKey, kid = 'gha-1' } = {}) {
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
}

function githubClaims(overrides = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'https://token.actions.githubusercontent.com', aud: server.base,
    sub: 'repo:acme/events-api:ref:refs/heads/main', repository: 'acme/events-api',
    repository_owner: 'acme', job_workflow_ref: WORKFLOW, workflow: 'release',
    ref: 'refs/heads/main', ref_type: 'branch', event_name: 'push', actor: 'octocat',
    run_id: String(++runId), run_attempt: '1', iat: now - 5, nbf: now - 5, exp: now + 300,
    ...overrides,
  };
}

async function promote(body, claims = githubClaims(), opts = {}) {
  const res = await fetch(`${server.base}/ci/promote`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${jwt(claims, opts)}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const origin = () => join(server.dir, 'work', 'gitops.git');
const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();
const prs = () => JSON.parse(server.cli('prs', '--all', '--json'));
const bump = (tag) => ({ image: IMAGE, tag, release: 'example-data-app', environment: 'local' });

before(async () => {
  keyDir = mkdtempSync(join(tmpdir(), 'datamcp-ci-keys-'));
  privateKey = openSslKey(keyDir, 'gha.pem');
  strangerKey = openSslKey(keyDir, 'stranger.pem');
  const jwk = { ...createPublicKey(privateKey).export({ format: 'jwk' }), kid: 'gha-1', alg: 'RS256', use: 'sig' };
  jwksServer = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((r) => jwksServer.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${jwksServer.address().port}/.well-known/jwks`;
  argocd = spawn('node', [join(process.env.DATAMCP_SOURCE_DIR, 'tests/fakes/argocd/server.mjs'),
    '--token', ARGO_TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) =>
    createInterface({ input: argocd.stdout }).once('line', (l) => resolve(Number(l))));
  argocdUrl = `http://127.0.0.1:${port}`;
  server = await startServer({
    yaml: ['ci:', `  jwks_url: ${jwksUrl}`,
      'argocd:', `  url: ${argocdUrl}`, '  poll_interval_seconds: 1', '  sync_timeout_seconds: 60'],
    env: { DATAMCP_ARGOCD_TOKEN: ARGO_TOKEN },
  });
  // The rules live on the default branch of the GitOps repository (a reviewed change there).
  const work = mkdtempSync(join(tmpdir(), 'datamcp-ci-rules-'));
  git('clone', '-q', origin(), work);
  appendFileSync(join(work, 'datamcp.yaml'), [
    'promotion:', '  rules:',
    '    - repository: acme/events-api', `      workflow: "${WORKFLOW}"`,
    '      ref: refs/heads/main', `      images: [${IMAGE}]`, '      tags: "v*"',
    '      releases: [example-data-app]', '      environments: [local]', ''].join('\n'));
  git('-C', work, '-c', 'user.name=ops', '-c', 'user.email=ops@example.com', 'commit', '-qam', 'promotion rules');
  git('-C', work, 'push', '-q', 'origin', 'HEAD:main');
  rmSync(work, { recursive: true, force: true });
  await fetch(`${argocdUrl}/_fake/applications`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'example-data-app-local', namespace: 'argocd', behaviour: 'healthy', runningPolls: 1 }),
  });
  agent = await connect(server, server.token('agent-img', ['proposals:write', 'plans:read', 'env:local']));
});

after(async () => {
  await agent?.close();
  await server?.stop();
  argocd?.kill();
  jwksServer?.close();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

let first;

test('an allowed workflow opens a pull request with the rendered Helm diff', async () => {
  const r = await promote(bump('v1.1.0'));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.noop, false);
  assert.equal(r.body.plan.status, 'success', JSON.stringify(r.body.plan));
  first = r.body.pull_request;
  const values = git('-C', origin(), 'show', `${r.body.branch}:helm/values/local/example-data-app.yaml`);
  assert.match(values, /tag: v1\.1\.0/);
  assert.match(values, /logLevel: debug/, 'the other values stay');
  const shown = server.cli('pr', String(first));
  assert.match(shown, new RegExp(`\\n\\+\\s+image: "?${IMAGE}:v1\\.1\\.0`), shown);
  assert.match(shown, new RegExp(`\\n-\\s+image: "?${IMAGE}:1\\.0\\.0`), 'the diff shows what is replaced');
  assert.match(shown, /<!-- datamcp:image-promotion local\/example-data-app -->/);
  assert.match(shown, new RegExp(WORKFLOW.replace(/[.]/g, '\\.')));
  const head = git('-C', origin(), 'log', '-1', '--format=%B', r.body.commit);
  assert.match(head, /Datamcp-Requested-By: ci:acme\/events-api/);
  assert.match(head, /Datamcp-Tool: propose_image_update/);
});

test('refused with the reason, and nothing created: another repository, tag, environment or audience', async () => {
  const before = { branches: branches(origin()).length, prs: prs().length };
  const other = await promote(bump('v1.1.1'), githubClaims({ repository: 'mallory/events-api' }));
  assert.equal(other.status, 403);
  assert.match(other.body.error_description, /add a rule with repository: mallory\/events-api/);
  const tag = await promote(bump('latest'));
  assert.equal(tag.status, 403);
  assert.match(tag.body.error_description, /tags allows 'v\*', not the tag 'latest'/);
  const env = await promote({ ...bump('v1.1.1'), environment: 'dev' });
  assert.equal(env.status, 403);
  assert.match(env.body.error_description, /environments allows \[local\], not 'dev'/);
  const workflow = await promote(bump('v1.1.1'), githubClaims({
    job_workflow_ref: 'acme/events-api/.github/workflows/other.yml@refs/heads/main' }));
  assert.equal(workflow.status, 403);
  const aud = await promote(bump('v1.1.1'), githubClaims({ aud: 'https://elsewhere.example.com' }));
  assert.equal(aud.status, 401);
  assert.equal(aud.body.error_description, 'audience mismatch');
  const expired = await promote(bump('v1.1.1'), githubClaims({ exp: Math.floor(Date.now() / 1000) - 600 }));
  assert.equal(expired.status, 401);
  assert.equal(expired.body.error_description, 'token expired');
  const forged = await promote(bump('v1.1.1'), githubClaims(), { key: strangerKey });
  assert.equal(forged.status, 401);
  const noRelease = await promote({ ...bump('v1.1.1'), release: 'no-such-release' });
  assert.equal(noRelease.status, 403, 'the rules decide before the repository is looked at');
  assert.deepEqual({ branches: branches(origin()).length, prs: prs().length }, before);
});

test('a newer promotion supersedes the open older one, closing it with a link', async () => {
  const r = await promote(bump('v1.2.0'));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.superseded, [first]);
  const old = prs().find((p) => p.number === first);
  assert.equal(old.state, 'closed');
  assert.equal(old.closed_by, 'datamcp');
  assert.match(old.comments.at(-1).body, new RegExp(`Superseded by #${r.body.pull_request}`));
  first = r.body.pull_request;
});

test('propose_image_update over MCP: a dry run creates nothing, a call supersedes', async () => {
  const before = branches(origin()).length;
  const dry = await agent.callTool({ name: 'propose_image_update', arguments: {
    environment: 'local', release: 'example-data-app', image: IMAGE, tag: 'v1.3.0', dry_run: true } });
  assert.notEqual(dry.isError, true, JSON.stringify(dry.content));
  assert.equal(dry.structuredContent.dry_run, true);
  assert.equal(dry.structuredContent.plan.status, 'success');
  assert.equal(branches(origin()).length, before);
  const r = await agent.callTool({ name: 'propose_image_update', arguments: {
    environment: 'local', release: 'example-data-app', image: IMAGE, tag: 'v1.3.0' } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  assert.deepEqual(r.structuredContent.superseded, [first]);
  assert.equal(r.structuredContent.previous, `${IMAGE}`);
  first = r.structuredContent.pull_request;
  const bad = await agent.callTool({ name: 'propose_image_update', arguments: {
    environment: 'local', release: 'example-data-app', image: 'ghcr.io/acme/unknown', tag: 'v1' } });
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /repository: ghcr\.io\/acme\/unknown/);
});

test('merged, it is synced through Argo CD; promoting it again is a no-op', async () => {
  server.cli('merge', String(first), '--as', 'carol');
  const merge = git('-C', origin(), 'rev-parse', 'main');
  let notes = [];
  await waitFor(() => (notes = notesOf(['-C', origin()], merge).filter((n) => n.type === 'apply')).length > 0,
    60000, 'the sync record');
  assert.equal(notes[0].result, 'synced', JSON.stringify(notes[0]));
  assert.equal(notes[0].argocd.app, 'example-data-app-local');
  const count = prs().length;
  const again = await promote(bump('v1.3.0'));
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.noop, true);
  assert.match(again.body.message, /already deploys ghcr\.io\/acme\/example-data-app:v1\.3\.0/);
  assert.equal(prs().length, count);
});

test('live status: the release application and the environment, read-only', async () => {
  await fetch(`${argocdUrl}/_fake/applications`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'apps-local', namespace: 'argocd', behaviour: 'healthy' }),
  });
  const merge = git('-C', origin(), 'rev-parse', 'main');
  const app = await agent.callTool({ name: 'get_app_status', arguments: {
    environment: 'local', release: 'example-data-app' } });
  assert.notEqual(app.isError, true, JSON.stringify(app.content));
  assert.equal(app.structuredContent.application, 'example-data-app-local');
  assert.equal(app.structuredContent.sync.status, 'Synced');
  assert.equal(app.structuredContent.sync.revision, merge);
  assert.equal(app.structuredContent.health, 'Healthy');
  assert.equal(app.structuredContent.at_default_branch_tip, true);
  const missing = await agent.callTool({ name: 'get_app_status', arguments: {
    environment: 'local', application: 'no-such-app' } });
  assert.equal(missing.isError, true);
  const env = await agent.callTool({ name: 'get_environment_status', arguments: { environment: 'local' } });
  assert.notEqual(env.isError, true, JSON.stringify(env.content));
  const s = env.structuredContent;
  assert.equal(s.environment, 'local');
  const applied = s.last_applies.find((a) => a.commit === merge);
  assert.ok(applied, JSON.stringify(s.last_applies));
  assert.equal(applied.result, 'synced');
  assert.deepEqual(s.open_proposals, []);
  assert.equal(s.argocd.application, 'apps-local');
  assert.equal(s.drift, 'drifted', 'a fresh application is OutOfSync in the fake');
  // Another environment's scope is needed for another environment.
  const dev = await agent.callTool({ name: 'get_environment_status', arguments: { environment: 'dev' } })
    .catch((e) => ({ isError: true, content: [{ text: String(e) }] }));
  assert.equal(dev.isError, true);
  assert.match(JSON.stringify(dev.content), /env:dev/);
});
