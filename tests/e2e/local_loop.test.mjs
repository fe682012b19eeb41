// The whole loop on one machine with no account anywhere: `datamcp serve` with the embedded
// default (a local GitOps repository from repo-template/ and the local forge), an agent on
// the official MCP SDK client, and a human reviewing and merging with the CLI. Real git,
// real terraform (terraform_data, offline) and real helm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, connect, waitFor, branches, notesOf } from './lib.mjs';

let server;
let agent;
const scopes = ['proposals:write', 'plans:read', 'audit:read', 'locks:read', 'env:local'];

before(async () => {
  server = await startServer();
  agent = await connect(server, server.token('agent-7', scopes));
});
after(async () => {
  await agent?.close();
  await server?.stop();
});

const origin = () => join(server.dir, 'work', 'gitops.git');

test('propose_terraform_module opens a pull request with the real terraform plan', async () => {
  const result = await agent.callTool({
    name: 'propose_terraform_module',
    arguments: {
      environment: 'local',
      module: 'local-data',
      instance: 'orders',
      variables: { name: 'orders', owner: 'data-eng', retention_days: 30 },
    },
  });
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  const s = result.structuredContent;
  assert.equal(s.pull_request, 1);
  assert.match(s.branch, /^datamcp\/local\//);
  assert.equal(s.plan.status, 'success');
  assert.equal(s.plan.projects.length, 1);
  assert.equal(s.plan.projects[0].project, 'infra/terraform/envs/local');
  assert.match(s.plan.projects[0].summary, /Plan: \d+ to add, 0 to change, 0 to destroy/);
  assert.match(s.plan.projects[0].fingerprint, /^[0-9a-f]{64}$/);

  // The reviewer sees the plan comment and the status through the CLI.
  const prs = server.cli('prs');
  assert.match(prs, /1\s+open\s+success/);
  const pr = server.cli('pr', '1');
  assert.match(pr, /terraform_data/);
  assert.match(pr, /module\.orders/);
  // The commit carries the audit trailers.
  const { execFileSync } = await import('node:child_process');
  const msg = execFileSync('git', ['-C', origin(), 'log', '-1', '--format=%B', s.branch], { encoding: 'utf8' });
  assert.match(msg, /Datamcp-Tool: propose_terraform_module/);
  assert.match(msg, /Datamcp-Requested-By: agent-7/);
  assert.match(msg, /Datamcp-Env: local/);
});

test('list_locks shows the project held by the open pull request', async () => {
  const result = await agent.callTool({ name: 'list_locks', arguments: {} });
  assert.deepEqual(result.structuredContent.locks.map((l) => [l.project, l.pull_request]),
    [['infra/terraform/envs/local', 1]]);
  const metrics = await (await fetch(`${server.base}/metrics`)).text();
  assert.match(metrics, /^datamcp_project_lock\{project="infra\/terraform\/envs\/local",pull_request="1"\} 1$/m);
});

test('merging with the CLI applies exactly the reviewed plan and records it in git', async () => {
  const approved = server.cli('review', '1', '--approve', '--as', 'carol');
  assert.match(approved, /APPROVED/);
  // The approval is bound to the plan recorded on the head it was given on.
  const bound = approved.match(/approves the plan of infra\/terraform\/envs\/local: ([0-9a-f]{12})/);
  assert.ok(bound, approved);
  const review = JSON.parse(server.cli('prs', '--json')).find((p) => p.number === 1).reviews.at(-1);
  assert.equal(review.fingerprints['infra/terraform/envs/local'].slice(0, 12), bound[1]);
  assert.match(server.cli('merge', '1', '--as', 'carol'), /#1 merged by carol/);
  let applies = [];
  await waitFor(async () => {
    const r = await agent.callTool({ name: 'get_proposal', arguments: { pull_request: 1 } });
    applies = r.structuredContent.applies;
    return applies.length > 0;
  }, 120000, 'the apply note');
  assert.equal(applies[0].result, 'applied', JSON.stringify(applies[0]));
  assert.equal(applies[0].requester, 'agent-7');
  assert.equal(applies[0].merged_by, 'carol');
  assert.deepEqual(applies[0].approvers, ['carol']);
  assert.equal(applies[0].fingerprint, applies[0].reviewed_fingerprint);

  // The audit log is read from the repository alone.
  const audit = JSON.parse(server.cli('audit', '--json'));
  const entry = audit.find((e) => e.pull_request === 1);
  assert.ok(entry, JSON.stringify(audit));
  assert.equal(entry.requester, 'agent-7');
  assert.equal(entry.tool, 'propose_terraform_module');
  assert.equal(entry.merged_by, 'carol');
  assert.equal(entry.projects[0].result, 'applied');
  const tool = await agent.callTool({ name: 'get_audit_log', arguments: { environment: 'local' } });
  assert.equal(tool.structuredContent.entries[0].pull_request, 1);

  // "Who changed this": the resources the plan touched lead to the request and its arguments.
  const touched = entry.projects[0].resources;
  assert.ok(touched.some((r) => r.startsWith('module.orders.')), JSON.stringify(entry.projects[0]));
  const byResource = JSON.parse(server.cli('audit', '--resource', 'module.orders', '--json'));
  assert.deepEqual(byResource.map((e) => e.pull_request), [1]);
  assert.equal(byResource[0].requester, 'agent-7');
  assert.equal(byResource[0].tool, 'propose_terraform_module');
  assert.equal(byResource[0].arguments.module, 'local-data');
  assert.deepEqual(byResource[0].arguments.variables, { name: 'orders', owner: 'data-eng', retention_days: 30 });
  assert.match(server.cli('audit', '--resource', touched[0]),
    /proposed by agent-7 with propose_terraform_module in local\n  arguments: .*"instance":"orders"/);
  assert.deepEqual(JSON.parse(server.cli('audit', '--resource', 'module.other', '--json')), []);
  const filtered = await agent.callTool({ name: 'get_audit_log', arguments: { resource: 'module.orders' } });
  assert.deepEqual(filtered.structuredContent.entries.map((e) => e.pull_request), [1]);
  assert.equal(filtered.structuredContent.entries[0].arguments.instance, 'orders');
  // Merged: the lock is released.
  await waitFor(async () => {
    const r = await agent.callTool({ name: 'list_locks', arguments: {} });
    return r.structuredContent.locks.length === 0;
  }, 30000, 'the lock release');
});

test('propose_helm_release opens a pull request with the real helm render diff', async () => {
  const result = await agent.callTool({
    name: 'propose_helm_release',
    arguments: {
      environment: 'local',
      release: 'orders-api',
      chart_path: 'helm/charts/example-data-app',
      values: { replicaCount: 2 },
    },
  });
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  const plan = result.structuredContent.plan;
  assert.equal(plan.status, 'success', JSON.stringify(plan));
  assert.equal(plan.projects[0].project, 'argocd/apps/local/orders-api.yaml');
  assert.match(plan.projects[0].summary, /rendered: \d+ added/);
  const pr = server.cli('pr', String(result.structuredContent.pull_request));
  assert.match(pr, /Deployment\/[a-z-]*\/orders-api/);
});

test('bad input is refused with a message and leaves no branch behind', async () => {
  const before = branches(origin());
  const cases = [
    [{ name: 'propose_change', arguments: { environment: 'local', title: 'escape',
       files: [{ path: '../etc/passwd', content: 'x' }] } }, /\.\./],
    [{ name: 'propose_change', arguments: { environment: 'staging', title: 'unknown env',
       files: [{ path: 'infra/terraform/envs/local/x.tf', content: '' }] } }, /staging|env/],
    [{ name: 'propose_terraform_module', arguments: { environment: 'local', module: 'nope',
       instance: 'x', variables: {} } }, /nope/],
    [{ name: 'propose_helm_release', arguments: { environment: 'local', release: 'broken',
       chart_path: 'helm/charts/does-not-exist', values: {} } }, /does-not-exist|chart/],
    [{ name: 'propose_helm_release', arguments: { environment: 'local', release: 'big',
       chart_path: 'helm/charts/example-data-app', values: { blob: 'x'.repeat(300 * 1024) } } }, /values/],
    [{ name: 'propose_change', arguments: { environment: 'local', title: 'other env',
       files: [{ path: 'infra/terraform/envs/prod/x.tf', content: '' }] } }, /prod/],
  ];
  for (const [call, message] of cases) {
    let result;
    try {
      result = await agent.callTool(call);
    } catch (e) {
      result = { isError: true, content: [{ type: 'text', text: String(e.message) }] };
    }
    assert.equal(result.isError, true, `${call.name} should fail: ${JSON.stringify(result)}`);
    assert.match(result.content[0].text, message, call.name);
  }
  assert.deepEqual(branches(origin()), before);
});

test('an environment scope the token lacks is refused with 403', async () => {
  const prod = await fetch(server.url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${server.token('agent-7', scopes)}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
      protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
  });
  const session = prod.headers.get('mcp-session-id');
  const call = await fetch(server.url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${server.token('agent-7', scopes)}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Session-Id': session,
      'MCP-Protocol-Version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: {
      name: 'propose_change', arguments: { environment: 'prod', title: 'prod change',
        files: [{ path: 'infra/terraform/envs/prod/x.tf', content: '' }] } } }),
  });
  assert.equal(call.status, 403);
  assert.match(call.headers.get('www-authenticate'), /insufficient_scope.*env:prod/);
});

test('plan_preview plans without a branch or pull request', async () => {
  const before = branches(origin());
  const result = await agent.callTool({
    name: 'plan_preview',
    arguments: { environment: 'local', files: [{ path: 'infra/terraform/envs/local/extra.tf',
      content: 'resource "terraform_data" "extra" {\n  input = "x"\n}\n' }] },
  });
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  assert.match(result.structuredContent.projects[0].summary, /Plan: 1 to add/);
  assert.deepEqual(branches(origin()), before);
});

test('a second pull request on a locked project waits, and is re-planned when the lock is released', async () => {
  const change = (name) => ({ name: 'propose_change', arguments: { environment: 'local', title: `Add ${name}`,
    files: [{ path: `infra/terraform/envs/local/${name}.tf`,
      content: `resource "terraform_data" "${name}" {\n  input = "${name}"\n}\n` }] } });
  const first = (await agent.callTool(change('first'))).structuredContent;
  assert.equal(first.plan.status, 'success', JSON.stringify(first.plan));
  const second = (await agent.callTool(change('second'))).structuredContent;
  assert.equal(second.plan.status, 'failure');
  assert.match(second.plan.projects[0].blocked, new RegExp(`locked by #${first.pull_request}`));
  assert.match(server.cli('prs'), new RegExp(`${second.pull_request}\\s+open\\s+failure`));
  server.cli('merge', String(first.pull_request), '--as', 'carol');
  await waitFor(() => new RegExp(`${second.pull_request}\\s+open\\s+success`).test(server.cli('prs')),
    120000, 'the waiting pull request to be planned again');
  // The merge kept its lock until its apply ended: the waiter was planned on the applied
  // state, so it adds only its own resource (not the merged one again).
  // (The forge shows the plan's status before its note is read back: wait for the note.)
  let replanned = null;
  await waitFor(async () => (replanned = (await agent.callTool({ name: 'get_proposal',
    arguments: { pull_request: second.pull_request } })).structuredContent.plan) !== null,
  30000, 'the re-plan record');
  assert.match(JSON.stringify(replanned), /Plan: 1 to add, 0 to change, 0 to destroy/);
  const locks = (await agent.callTool({ name: 'list_locks', arguments: {} })).structuredContent.locks;
  const terraform = locks.filter((l) => l.project === 'infra/terraform/envs/local');
  assert.deepEqual(terraform.map((l) => l.pull_request), [second.pull_request]);
});

test('closing a pull request without merging releases its locks and records it in git', async () => {
  const project = 'infra/terraform/envs/local';
  const proposed = (await agent.callTool({ name: 'propose_change', arguments: { environment: 'local',
    title: 'Add abandoned', files: [{ path: `${project}/abandoned.tf`,
      content: 'resource "terraform_data" "abandoned" {\n  input = "abandoned"\n}\n' }] } })).structuredContent;
  assert.ok(proposed.pull_request > 0, JSON.stringify(proposed));
  const holderOf = async () => (await agent.callTool({ name: 'list_locks', arguments: {} }))
    .structuredContent.locks.find((l) => l.project === project)?.pull_request;
  // Whoever holds the project now (this pull request, or an earlier one it waits for) is closed.
  const holder = await holderOf();
  assert.ok(holder > 0, 'the project is locked by an open pull request');
  const closedPr = JSON.parse(server.cli('prs', '--json')).find((p) => p.number === holder);
  assert.match(server.cli('close', String(holder), '-m', 'not needed', '--as', 'carol'),
    new RegExp(`#${holder} closed by carol`));
  await waitFor(async () => (await holderOf()) !== holder, 60000, 'the lock to be released');
  await waitFor(() => notesOf(['-C', origin()], closedPr.head_sha).some((n) => n.type === 'closed'),
    60000, 'the closed record');
  const note = notesOf(['-C', origin()], closedPr.head_sha).find((n) => n.type === 'closed');
  assert.equal(note.pull_request, holder);
  assert.equal(note.merged, false);
  assert.ok(note.locks_released.includes(project), JSON.stringify(note));
  assert.match(server.cli('prs', '--all'), new RegExp(`${holder}\\s+closed`));
  assert.throws(() => server.cli('merge', String(holder)), /is closed/);
  if (holder !== proposed.pull_request) {  // the waiter gets the lock and a fresh plan
    await waitFor(async () => (await holderOf()) === proposed.pull_request, 120000,
      'the waiting pull request to take the lock');
  }
});

test('a direct push to the default branch is recorded as unreviewed and not applied', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const work = mkdtempSync(join(tmpdir(), 'datamcp-e2e-push-'));
  const git = (...args) => execFileSync('git', ['-C', work, ...args], { encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '-q', origin(), work]);
  writeFileSync(join(work, 'infra/terraform/envs/local/direct.tf'), 'resource "terraform_data" "direct" {}\n');
  git('add', '-A');
  git('-c', 'user.name=Mallory', '-c', 'user.email=m@example.com', 'commit', '-q', '-m', 'sneak in');
  git('push', '-q', 'origin', 'HEAD:main');
  const sha = git('rev-parse', 'HEAD');
  await waitFor(() => notesOf(['-C', origin()], sha).some((n) => n.type === 'unreviewed-push'),
    60000, 'the unreviewed-push record');
  const notes = notesOf(['-C', origin()], sha);
  assert.equal(notes.filter((n) => n.type === 'apply').length, 0);
  const pushed = notes.find((n) => n.type === 'unreviewed-push');
  assert.equal(pushed.author, 'Mallory');
  assert.equal(pushed.policy, 'alert');
  assert.equal(pushed.plans[0].project, 'infra/terraform/envs/local');
  assert.match(pushed.plans[0].fingerprint, /^[0-9a-f]{64}$/, JSON.stringify(pushed));
  const audit = server.cli('audit');
  assert.match(audit, /direct push\s+sneak in/);
  assert.match(audit, /policy alert: recorded, not applied/);
});

test('malformed notes on the default branch stop neither applies nor the audit log', async () => {
  const { execFileSync } = await import('node:child_process');
  const project = 'infra/terraform/envs/local';
  const git = (args, input) => execFileSync('git', ['-C', origin(), ...args],
    { encoding: 'utf8', input }).trim();
  // Anyone who can push may write notes. Add documents DataMCP never writes, some of its own
  // types, to the note of #1's merge (it touches the project and holds its apply record) and
  // of main's tip, with the git CLI as such a person would.
  const first = (await agent.callTool({ name: 'get_proposal', arguments: { pull_request: 1 } }))
    .structuredContent.merge_commit;
  // Lookalikes of records that must not count as ones, then documents that are not objects or
  // whose type is not a string, newest last (readers look at the newest first).
  const forged = [{ type: 'apply', project }, { type: 'apply', project, result: ['applied'] },
    { type: 'unreviewed-push', projects: 'all' }, { type: 'plan', projects: [7] }, { type: 'new' },
    { type: 5 }, { type: 'apply', project: 7 }, 'text', [1]];
  const tampered = [...new Set([first, git(['rev-parse', 'main'])])];
  const logFrom = server.log.length;
  for (const sha of tampered) {
    const note = [...notesOf(['-C', origin()], sha), ...forged];
    git(['-c', 'user.name=Mallory', '-c', 'user.email=m@example.com', 'notes', '--ref=datamcp',
      'add', '-f', '-F', '-', sha], JSON.stringify(note));
    assert.deepEqual(notesOf(['-C', origin()], sha).slice(-forged.length), forged);
  }

  // Give the project's lock back (earlier tests leave pull requests open), then merge a new
  // proposal with the CLI.
  for (const pr of JSON.parse(server.cli('prs', '--json'))) {
    server.cli('close', String(pr.number), '--as', 'carol');
  }
  await waitFor(async () => (await agent.callTool({ name: 'list_locks', arguments: {} }))
    .structuredContent.locks.every((l) => l.project !== project), 60000, 'the lock release');
  const proposed = (await agent.callTool({ name: 'propose_change', arguments: { environment: 'local',
    title: 'Add after-forgery', files: [{ path: `${project}/after_forgery.tf`,
      content: 'resource "terraform_data" "after_forgery" {\n  input = "x"\n}\n' }] } })).structuredContent;
  assert.equal(proposed.plan.status, 'success', JSON.stringify(proposed.plan));
  const n = proposed.pull_request;
  server.cli('review', String(n), '--approve', '--as', 'carol');
  assert.match(server.cli('merge', String(n), '--as', 'carol'), new RegExp(`#${n} merged by carol`));
  let merged;
  await waitFor(async () => {
    merged = (await agent.callTool({ name: 'get_proposal', arguments: { pull_request: n } }))
      .structuredContent;
    return merged.applies.length > 0;
  }, 120000, 'the apply note of the merge after the malformed notes');
  assert.equal(merged.applies[0].result, 'applied', JSON.stringify(merged.applies[0]));
  const record = notesOf(['-C', origin()], merged.merge_commit).find((n) => n.type === 'apply');
  assert.equal(record.result, 'applied');
  assert.equal(record.project, project);

  // #1 still reads as applied once, from its own record, not from the lookalikes.
  const one = (await agent.callTool({ name: 'get_proposal', arguments: { pull_request: 1 } }))
    .structuredContent;
  assert.deepEqual(one.applies.map((a) => [a.project, a.result]), [[project, 'applied']]);

  // The audit log, as text, as JSON and through MCP, reads past them and shows the merge.
  const text = server.cli('audit');
  assert.match(text, new RegExp(`#${n}\\s`));
  assert.match(text, /infra\/terraform\/envs\/local: planned [0-9a-f]{12} -> applied/);
  const audit = JSON.parse(server.cli('audit', '--json'));
  const entry = audit.find((e) => e.pull_request === n);
  assert.ok(entry, JSON.stringify(audit));
  assert.equal(entry.merged_by, 'carol');
  assert.deepEqual(entry.approvers, ['carol']);
  assert.deepEqual(entry.projects.map((p) => [p.project, p.result]), [[project, 'applied']]);
  assert.equal(entry.projects[0].planned_fingerprint, entry.projects[0].fingerprint);
  const entryOne = audit.find((e) => e.commit === first);
  assert.deepEqual(entryOne.projects.map((p) => [p.project, p.result]), [[project, 'applied']]);
  assert.equal(entryOne.unreviewed_push, null);
  const tool = await agent.callTool({ name: 'get_audit_log', arguments: { environment: 'local' } });
  assert.notEqual(tool.isError, true, JSON.stringify(tool.content));
  assert.equal(tool.structuredContent.entries[0].pull_request, n);
  const failed = server.log.slice(logFrom).filter((l) => l.includes('reconcile_failed'));
  assert.deepEqual(failed, [], 'no reconcile pass failed on the malformed notes');
});

// The module library is not an allowed root for proposals, so a module change arrives by a
// push; it is planned for the root that calls the module (envs/local uses local-data).
test('a push changing a library module plans the environment using it', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, appendFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const work = mkdtempSync(join(tmpdir(), 'datamcp-e2e-module-'));
  const git = (...args) => execFileSync('git', ['-C', work, ...args], { encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '-q', origin(), work]);
  appendFileSync(join(work, 'infra/terraform/modules/local-data/main.tf'), '\n# reviewed later\n');
  git('add', '-A');
  git('-c', 'user.name=Mallory', '-c', 'user.email=m@example.com', 'commit', '-q', '-m', 'tweak module');
  git('push', '-q', 'origin', 'HEAD:main');
  const sha = git('rev-parse', 'HEAD');
  await waitFor(() => notesOf(['-C', origin()], sha).some((n) => n.type === 'unreviewed-push'),
    60000, 'the unreviewed-push record of the module change');
  const pushed = notesOf(['-C', origin()], sha).find((n) => n.type === 'unreviewed-push');
  assert.deepEqual(pushed.plans.map((p) => p.project), ['infra/terraform/envs/local'],
    JSON.stringify(pushed));
  assert.match(pushed.plans[0].fingerprint, /^[0-9a-f]{64}$/, JSON.stringify(pushed));
});
