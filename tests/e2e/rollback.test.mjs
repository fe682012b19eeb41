// Rolling back and Argo CD applications end to end (#16): `propose_rollback` of a merged
// Terraform proposal (its plan deletes what the proposal created, held by the destroy gate
// until confirmed; the apply really removes it; the audit names what was rolled back) and of
// a Helm values change (the render diff shows the reverse change, the merge syncs through Argo
// CD), `propose_argocd_app` (the Application diff in the plan, the sync through the fake Argo
// CD after merge), the same through GitHub pull requests on the fake GitHub, and the refusals
// (not merged, unknown, not a DataMCP proposal, another environment, already rolled back, a
// rollback already open) that leave no branch behind. The official MCP SDK client, the real
// binary, real git, terraform and helm.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startServer, connect, waitFor, branches, notesOf } from './lib.mjs';
import { startGithubLoop, example, git, REPO } from './github.mjs';

const project = 'infra/terraform/envs/local';
const ARGOCD_TOKEN = 'argocd-rollback-token';

async function startArgocd() {
  const child = spawn('node', [join(process.env.DATAMCP_SOURCE_DIR, 'tests/fakes/argocd/server.mjs'),
    '--token', ARGOCD_TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) =>
    createInterface({ input: child.stdout }).once('line', (l) => resolve(Number(l))));
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    url,
    yaml: ['argocd:', `  url: ${url}`, '  poll_interval_seconds: 1', '  sync_timeout_seconds: 60'],
    app: (name) => fetch(`${url}/_fake/applications`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, namespace: 'argocd', behaviour: 'healthy', runningPolls: 1 }),
    }),
    requests: async () => (await fetch(`${url}/_fake/requests`)).json(),
    errors: async () => (await fetch(`${url}/_fake/errors`)).json(),
  };
}

// Addresses of the resources in a project's local terraform state ("module.x.terraform_data.y").
function stateOf(botDir) {
  const file = join(botDir, 'work', 'tfstate', project.replace(/[^A-Za-z0-9]/g, '_'), 'terraform.tfstate');
  const state = JSON.parse(readFileSync(file, 'utf8'));
  return state.resources.filter((r) => r.mode === 'managed')
    .map((r) => `${r.module ? `${r.module}.` : ''}${r.type}.${r.name}`);
}

async function call(agent, name, args) {
  try {
    return await agent.callTool({ name, arguments: args });
  } catch (e) {
    return { isError: true, content: [{ type: 'text', text: String(e.message) }] };
  }
}

// Waits until no open pull request holds `path` (a merged one's lock is released after its
// merge), so the next proposal on it is planned rather than queued behind the lock.
async function unlocked(agent, path) {
  await waitFor(async () => !ok(await call(agent, 'list_locks', {})).locks.some((l) => l.project === path),
    60000, `the lock on ${path} to be released`);
}

function ok(result) {
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  return result.structuredContent;
}

describe('on the local forge', () => {
  let server, agent, argocd, gitDir;
  const origin = () => join(server.dir, 'work', 'gitops.git');
  const g = (...args) => execFileSync('git', [...gitDir, ...args], { encoding: 'utf8' }).trim();
  const main = () => g('rev-parse', 'main');
  const applyOf = async (commit, path = project) => {
    let record;
    await waitFor(() => {
      record = notesOf(gitDir, commit).find((d) => d.type === 'apply' && d.project === path);
      return record !== undefined;
    }, 180000, `the apply record of ${path} on ${commit}`);
    return record;
  };
  const merge = (n) => {
    assert.match(server.cli('merge', String(n), '--as', 'carol'), new RegExp(`#${n} merged by carol`));
    return main();
  };

  before(async () => {
    argocd = await startArgocd();
    server = await startServer({ yaml: argocd.yaml, env: { DATAMCP_ARGOCD_TOKEN: ARGOCD_TOKEN } });
    agent = await connect(server, server.token('agent-rb',
      ['proposals:write', 'plans:read', 'audit:read', 'locks:read', 'env:local', 'env:dev']));
    gitDir = ['-C', origin()];
  });
  after(async () => {
    await agent?.close();
    await server?.stop();
    argocd?.child.kill();
  });

  let module;  // the merged propose_terraform_module: {number, merge, created}
  test('a merged Terraform module is rolled back: the plan deletes it, the destroy gate holds it, the apply removes it', async () => {
    const made = ok(await call(agent, 'propose_terraform_module', { environment: 'local',
      module: 'local-data', instance: 'ledger', variables: { name: 'ledger', owner: 'fin', retention_days: 9 } }));
    assert.match(server.cli('review', String(made.pull_request), '--approve', '--as', 'carol'), /APPROVED/);
    const merged = merge(made.pull_request);
    const applied = await applyOf(merged);
    assert.equal(applied.result, 'applied', JSON.stringify(applied));
    // The first apply of this fresh environment also creates what the template holds.
    const created = applied.changes.created.filter((a) => a.startsWith('module.ledger.'));
    assert.ok(created.length > 0, JSON.stringify(applied.changes));
    assert.deepEqual(created.filter((a) => stateOf(server.dir).includes(a)), created, 'created in the state');
    module = { number: made.pull_request, merge: merged, created };
    await unlocked(agent, project);

    // The dry run shows the destroy and creates nothing.
    const heads = branches(origin());
    const preview = ok(await call(agent, 'propose_rollback',
      { environment: 'local', pull_request: module.number, dry_run: true }));
    assert.equal(preview.dry_run, true);
    assert.equal(preview.plan.destructive, true);
    assert.deepEqual(branches(origin()), heads);

    const r = ok(await call(agent, 'propose_rollback',
      { environment: 'local', pull_request: module.number, idempotency_key: 'rb-ledger' }));
    const n = r.pull_request;
    // Exactly the inverse: the rollback's tree is the tree before the merge (main has not moved).
    assert.equal(g('rev-parse', `${r.commit}^`), merged);
    assert.equal(g('rev-parse', `${r.commit}^{tree}`), g('rev-parse', `${merged}^1^{tree}`));
    assert.deepEqual(g('diff', '--name-status', merged, r.commit).split('\n'),
      [`D\t${project}/ledger.tf`]);
    const message = g('log', '-1', '--format=%B', r.commit);
    assert.match(message, /^Roll back #\d+: Add local-data module 'ledger' to local$/m);
    assert.match(message, /^Datamcp-Tool: propose_rollback$/m);
    assert.match(message, new RegExp(`^Datamcp-Rollback-Of: ${merged}$`, 'm'));
    assert.match(message, new RegExp(`^Datamcp-Rollback-Of-Pull-Request: ${module.number}$`, 'm'));
    // The plan deletes exactly what the proposal created.
    assert.equal(r.plan.destructive, true);
    const planned = r.plan.projects.find((p) => p.project === project);
    assert.deepEqual([...planned.changes.deleted].sort(), [...created].sort());
    assert.equal(planned.changes.creates ?? 0, 0);
    assert.match(planned.summary, new RegExp(`Plan: 0 to add, 0 to change, ${created.length} to destroy`));
    assert.match(server.cli('pr', String(n)), /\*\*Destructive plan\*\*/);

    // The same key is the same proposal; any other call is told about the open one.
    const again = ok(await call(agent, 'propose_rollback',
      { environment: 'local', pull_request: module.number, idempotency_key: 'rb-ledger' }));
    assert.deepEqual([again.pull_request, again.reused], [n, true]);
    const before = branches(origin());
    const twice = await call(agent, 'propose_rollback', { environment: 'local', pull_request: module.number });
    assert.equal(twice.isError, true);
    assert.match(twice.content[0].text, new RegExp(`pull request #${n} already rolls back ${merged.slice(0, 12)} and is open`));
    assert.deepEqual(branches(origin()), before);

    // What a user does: the merge is refused until the destroy is confirmed.
    assert.match(server.cliFails('merge', String(n), '--as', 'carol'), /destroy confirmation of plan/);
    assert.match(server.cli('review', String(n), '--confirm-destroy', '--as', 'dora'), /Destroy confirmed by dora/);
    const rolledBack = merge(n);
    const removed = await applyOf(rolledBack);
    assert.equal(removed.result, 'applied', JSON.stringify(removed));
    assert.deepEqual([...removed.changes.deleted].sort(), [...created].sort());
    assert.equal(removed.destroy.confirmation.by, 'dora');
    assert.equal(removed.tool, 'propose_rollback');
    const left = stateOf(server.dir);
    assert.deepEqual(created.filter((a) => left.includes(a)), [], 'destroyed in the state');
    assert.throws(() => g('cat-file', '-e', `main:${project}/ledger.tf`));
    module.rollback = { number: n, merge: rolledBack };

    // The audit reads the rollback back from the repository.
    const entry = JSON.parse(server.cli('audit', '--json')).find((e) => e.commit === rolledBack);
    assert.equal(entry.tool, 'propose_rollback');
    assert.equal(entry.requester, 'agent-rb');
    assert.deepEqual(entry.rollback_of, { commit: merged, pull_request: module.number });
    assert.equal(entry.projects[0].result, 'applied');
    assert.match(server.cli('audit'), new RegExp(`rolls back #${module.number} \\(merge ${merged.slice(0, 12)}\\)`));
    const viaTool = ok(await call(agent, 'get_audit_log', { environment: 'local' }));
    assert.deepEqual(viaTool.entries.find((e) => e.commit === rolledBack).rollback_of,
      { commit: merged, pull_request: module.number });
    const original = viaTool.entries.find((e) => e.commit === merged);
    assert.equal(original.rollback_of, null);
  });

  test('a Helm values change is rolled back: the render diff shows the reverse change and the merge syncs', async () => {
    await argocd.app('ledger-api-local');
    const release = (replicaCount) => call(agent, 'propose_helm_release', { environment: 'local',
      release: 'ledger-api', chart_path: 'helm/charts/example-data-app', values: { replicaCount } });
    const app = 'argocd/apps/local/ledger-api.yaml';
    const values = 'helm/values/local/ledger-api.yaml';
    const first = ok(await release(2));
    assert.equal((await applyOf(merge(first.pull_request), app)).result, 'synced');
    await unlocked(agent, app);
    const change = ok(await release(4));
    const changed = merge(change.pull_request);
    assert.equal((await applyOf(changed, app)).result, 'synced');
    await unlocked(agent, app);
    assert.match(g('show', `main:${values}`), /^replicaCount: 4$/m);

    const r = ok(await call(agent, 'propose_rollback', { environment: 'local', pull_request: change.pull_request }));
    assert.equal(g('show', `${r.commit}:${values}`), g('show', `${changed}^1:${values}`));
    assert.match(g('show', `${r.commit}:${values}`), /^replicaCount: 2$/m);
    // The files the change touched, and only those, are put back.
    const touched = g('diff', '--name-only', `${changed}^1`, changed).split('\n');
    assert.ok(touched.includes(values), touched.join());
    assert.deepEqual(g('diff', '--name-only', changed, r.commit).split('\n'), touched);
    assert.equal(g('diff', `${changed}^1`, r.commit), '');
    assert.equal(r.plan.status, 'success', JSON.stringify(r.plan));
    assert.equal(r.plan.destructive, false);
    const planned = r.plan.projects.find((p) => p.project === app);
    assert.match(planned.summary, /rendered: 0 added, 1 changed, 0 removed/);
    assert.ok(planned.changes.updated.some((u) => /^Deployment\/[a-z-]*\/ledger-api/.test(u)), JSON.stringify(planned.changes));
    const shown = server.cli('pr', String(r.pull_request));
    assert.match(shown, /^-\s+replicas: 4$/m);
    assert.match(shown, /^\+\s+replicas: 2$/m);

    const synced = merge(r.pull_request);
    const note = await applyOf(synced, app);
    assert.equal(note.result, 'synced', JSON.stringify(note));
    assert.equal(note.argocd.app, 'ledger-api-local');
    assert.equal(note.argocd.revision, synced);
    const sync = (await argocd.requests()).filter((q) => q.name === 'ledger-api-local').at(-1);
    assert.equal(sync.body.revision, synced);
    assert.match(g('show', `main:${values}`), /^replicaCount: 2$/m);
  });

  test('propose_argocd_app: the plan shows the Application diff, the merge syncs it through Argo CD', async () => {
    await argocd.app('reports-ui');
    const path = 'argocd/apps/local/reports-ui.yaml';
    const r = ok(await call(agent, 'propose_argocd_app', { environment: 'local', name: 'reports-ui',
      path: 'helm/charts/example-data-app', destination_namespace: 'data-local' }));
    assert.deepEqual(g('diff', '--name-only', main(), r.commit).split('\n'), [path]);
    const manifest = g('show', `${r.commit}:${path}`);
    assert.match(manifest, /^kind: Application$/m);
    assert.match(manifest, /^ {2}name: reports-ui$/m);
    assert.equal(r.plan.status, 'success', JSON.stringify(r.plan));
    const planned = r.plan.projects.find((p) => p.project === path);
    assert.equal(planned.kind, 'argocd');
    assert.deepEqual(planned.changes.created.filter((c) => c.startsWith('Application')), [`Application ${path}`]);
    assert.match(planned.summary, /Application field\(s\) changed; rendered: \d+ added, 0 changed, 0 removed/);
    const shown = server.cli('pr', String(r.pull_request));
    assert.match(shown, new RegExp(`Application ${path} \\(new\\)`));
    assert.match(shown, /^\+ spec/m);
    assert.match(shown, /Deployment\/[a-z-]*\/reports-ui/);

    const merged = merge(r.pull_request);
    const note = await applyOf(merged, path);
    assert.equal(note.result, 'synced', JSON.stringify(note));
    assert.deepEqual([note.argocd.app, note.argocd.revision, note.argocd.health], ['reports-ui', merged, 'Healthy']);
    const sync = (await argocd.requests()).filter((q) => q.name === 'reports-ui');
    assert.deepEqual(sync.map((q) => q.body.revision), [merged]);
    assert.deepEqual(await argocd.errors(), []);

    // Rolled back, the Application is removed: a destroy, and the environment's application
    // (apps-local, which holds the Applications) is synced to the merge.
    await argocd.app('apps-local');
    await unlocked(agent, path);
    const back = ok(await call(agent, 'propose_rollback', { environment: 'local', pull_request: r.pull_request }));
    assert.deepEqual(g('diff', '--name-status', merged, back.commit).split('\n'), [`D\t${path}`]);
    const removal = back.plan.projects.find((p) => p.project === path);
    assert.equal(removal.summary, 'Application removed');
    assert.deepEqual(removal.changes.deleted, [`Application ${path}`]);
    assert.equal(back.plan.destructive, true);
    assert.match(server.cliFails('merge', String(back.pull_request), '--as', 'carol'), /destroy confirmation of plan/);
    server.cli('review', String(back.pull_request), '--confirm-destroy', '--as', 'dora');
    const removed = merge(back.pull_request);
    const pruned = await applyOf(removed, path);
    assert.equal(pruned.result, 'synced', JSON.stringify(pruned));
    assert.deepEqual([pruned.argocd.app, pruned.argocd.revision], ['apps-local', removed]);
    assert.deepEqual((await argocd.requests()).filter((q) => q.name === 'apps-local').map((q) => q.body.revision), [removed]);
    assert.deepEqual(await argocd.errors(), []);
  });

  test('bad input is refused with a clear message and leaves no branch', async () => {
    await unlocked(agent, project);
    const open = ok(await call(agent, 'propose_change', { environment: 'local', title: 'Still open',
      files: [{ path: `${project}/pending.tf`, content: 'resource "terraform_data" "pending" {\n  input = "p"\n}\n' }] }));
    const before = branches(origin());
    const cases = [
      [{ environment: 'local', pull_request: 9999 }, /9999/],
      [{ environment: 'local', pull_request: open.pull_request }, new RegExp(`#${open.pull_request} is not merged`)],
      [{ environment: 'dev', pull_request: module.number },
        new RegExp(`environment: pull request #${module.number} was proposed for 'local', not 'dev'`)],
      [{ environment: 'local', pull_request: module.number },
        new RegExp(`pull request #${module.number} is already rolled back on main: .*last changed by ${module.rollback.merge.slice(0, 12)}`)],
      [{ environment: 'local', pull_request: module.number, dry_run: true }, /already rolled back/],
    ];
    for (const [args, message] of cases) {
      const r = await call(agent, 'propose_rollback', args);
      assert.equal(r.isError, true, `${JSON.stringify(args)}: ${JSON.stringify(r)}`);
      assert.match(r.content[0].text, message, JSON.stringify(args));
    }
    assert.deepEqual(branches(origin()), before);
    // A rollback of the rollback is a proposal like any other: it brings the module back.
    const redo = ok(await call(agent, 'propose_rollback',
      { environment: 'local', pull_request: module.rollback.number, dry_run: true }));
    const planned = redo.plan.projects.find((p) => p.project === project);
    assert.deepEqual([...planned.changes.created].sort(), [...module.created].sort());
    assert.deepEqual(branches(origin()), before);
  });
});

describe('on GitHub', () => {
  let loop, agent, argocd, origin;
  const g = (...args) => git('--git-dir', origin, ...args);

  before(async () => {
    argocd = await startArgocd();
    loop = await startGithubLoop('datamcp-e2e-ghrb-', { yaml: argocd.yaml, env: { DATAMCP_ARGOCD_TOKEN: ARGOCD_TOKEN } });
    origin = loop.origin;
    agent = await connect(loop.server, loop.server.token('agent-gh',
      ['proposals:write', 'plans:read', 'locks:read', 'env:local']));
  });
  after(async () => {
    await agent?.close();
    await loop?.stop();
    argocd?.child.kill();
  });

  // CI green, carol's approval and the merge as GitHub makes it, then the webhook; returns
  // the merge commit once its apply record of `path` is there.
  let merges = 0;
  async function mergeOnGithub(number, path) {
    const pr = (await loop.fakeState()).pulls.find((p) => p.number === number);
    const head = g('rev-parse', `refs/heads/${pr.head}`);
    await loop.deliver('workflow_run', example('workflow_run', 'completed', (p) => {
      p.workflow_run.head_sha = head;
      p.workflow_run.conclusion = 'success';
    }));
    await waitFor(() => notesOf(['--git-dir', origin], head).some((n) => n.type === 'ci'), 30000, 'the CI note');
    const work = join(loop.dir, `merge${++merges}`);
    git('clone', '-q', origin, work);
    git('-C', work, '-c', 'user.name=Carol', '-c', 'user.email=carol@example.com', 'merge', '--no-ff',
      '-q', `origin/${pr.head}`, '-m', `Merge pull request #${number} from octo/${pr.head}`);
    git('-C', work, 'push', '-q', 'origin', 'HEAD:main');
    const merge = git('-C', work, 'rev-parse', 'HEAD');
    await loop.control(`reviews/${number}`, [{ id: number, login: 'carol', state: 'APPROVED', commit_id: head }]);
    await loop.control(`pulls/${number}`, { state: 'closed', merged: true, merge_commit_sha: merge,
      merged_by: 'carol', head_sha: head });
    await loop.deliver('pull_request', example('pull_request', 'closed', (p) => {
      p.number = number;
      p.pull_request.number = number;
      p.pull_request.merged = true;
    }));
    let record;
    await waitFor(() => {
      record = notesOf(['--git-dir', origin], merge).find((n) => n.type === 'apply' && n.project === path);
      return record !== undefined;
    }, 180000, `the apply record of #${number}`);
    return { merge, record };
  }

  let terraform;
  test('a Terraform change merged on GitHub is rolled back through a GitHub pull request', async () => {
    const made = ok(await call(agent, 'propose_change', { environment: 'local', title: 'Add gh_a and gh_b',
      files: ['gh_a', 'gh_b'].map((name) => ({ path: `${project}/${name}.tf`,
        content: `resource "terraform_data" "${name}" {\n  input = "${name}"\n}\n` })) }));
    const { merge, record } = await mergeOnGithub(made.pull_request, project);
    assert.equal(record.result, 'applied', JSON.stringify(record));
    assert.ok(stateOf(loop.server.dir).includes('terraform_data.gh_a'));
    await unlocked(agent, project);

    const r = ok(await call(agent, 'propose_rollback', { environment: 'local', pull_request: made.pull_request }));
    assert.equal(g('rev-parse', `refs/heads/${r.branch}`), r.commit);
    assert.equal(g('rev-parse', `${r.commit}^{tree}`), g('rev-parse', `${merge}^1^{tree}`));
    assert.match(g('log', '-1', '--format=%B', r.commit), new RegExp(`^Datamcp-Rollback-Of: ${merge}$`, 'm'));
    assert.equal(r.plan.destructive, true);
    assert.deepEqual(r.plan.projects[0].changes.deleted, ['terraform_data.gh_a', 'terraform_data.gh_b']);
    const st = await loop.fakeState();
    assert.deepEqual(st.violations, []);
    const pr = st.pulls.find((p) => p.number === r.pull_request);
    assert.deepEqual([pr.head, pr.base, pr.state], [r.branch, 'main', 'open']);
    assert.match(pr.title, new RegExp(`^Roll back #${made.pull_request}: Add gh_a and gh_b$`));
    const check = st.checkRuns.find((c) => c.head_sha === r.commit && c.name === `datamcp/plan: ${project}`);
    assert.match(check.output.text, /terraform_data\.gh_a will be destroyed/);
    const status = st.statuses.find((s) => s.sha === r.commit && s.context === 'datamcp/plan');
    assert.match(status.description, /^DESTRUCTIVE: local deletes terraform_data\.gh_a/);

    // carol's approval meets the environment's destroy_approvals.
    const rolledBack = await mergeOnGithub(r.pull_request, project);
    assert.equal(rolledBack.record.result, 'applied', JSON.stringify(rolledBack.record));
    assert.equal(rolledBack.record.destroy.allowed, true);
    assert.deepEqual(rolledBack.record.changes.deleted, ['terraform_data.gh_a', 'terraform_data.gh_b']);
    const left = stateOf(loop.server.dir);
    assert.ok(!left.includes('terraform_data.gh_a') && !left.includes('terraform_data.gh_b'), left.join());
    await waitFor(async () => (await loop.fakeState()).statuses.some((s) => s.sha === rolledBack.merge &&
      s.context === 'datamcp/apply' && s.state === 'success'), 30000, 'the apply status');
    terraform = { number: made.pull_request, merge };
  });

  test('propose_argocd_app through a GitHub pull request: the Application diff, then the sync', async () => {
    await argocd.app('gh-reports');
    const path = 'argocd/apps/local/gh-reports.yaml';
    const r = ok(await call(agent, 'propose_argocd_app', { environment: 'local', name: 'gh-reports',
      path: 'helm/charts/example-data-app', destination_namespace: 'data-local' }));
    const st = await loop.fakeState();
    assert.deepEqual(st.violations, []);
    const check = st.checkRuns.find((c) => c.head_sha === r.commit && c.name === `datamcp/plan: ${path}`);
    assert.equal(check.conclusion, 'success');
    assert.match(check.output.text, new RegExp(`Application ${path} \\(new\\)`));
    assert.match(check.output.text, /Deployment\/[a-z-]*\/gh-reports/);
    const { merge, record } = await mergeOnGithub(r.pull_request, path);
    assert.equal(record.result, 'synced', JSON.stringify(record));
    assert.deepEqual([record.argocd.app, record.argocd.revision], ['gh-reports', merge]);
    assert.deepEqual((await argocd.requests()).filter((q) => q.name === 'gh-reports').map((q) => q.body.revision), [merge]);
    assert.deepEqual(await argocd.errors(), []);
  });

  test('a pull request that is not a DataMCP proposal, or whose merge is unknown, is refused', async () => {
    // A human's pull request, merged as GitHub would.
    const work = join(loop.dir, 'human');
    git('clone', '-q', origin, work);
    git('-C', work, 'checkout', '-q', '-b', 'human/readme');
    writeFileSync(join(work, 'NOTES.md'), '# notes\n');
    git('-C', work, 'add', 'NOTES.md');
    git('-C', work, '-c', 'user.name=Mallory', '-c', 'user.email=m@example.com', 'commit', '-q', '-m', 'Add notes');
    git('-C', work, 'push', '-q', 'origin', 'human/readme');
    const api = (path, body) => fetch(`${loop.fakeUrl}/repos/${REPO}/${path}`, { method: 'POST',
      headers: { Authorization: 'Bearer test-token', Accept: 'application/vnd.github+json',
        'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'e2e', 'Content-Type': 'application/json' },
      body: JSON.stringify(body) }).then((res) => res.json());
    const human = await api('pulls', { title: 'Add notes', head: 'human/readme', base: 'main' });
    git('-C', work, 'checkout', '-q', 'main');
    git('-C', work, '-c', 'user.name=Carol', '-c', 'user.email=carol@example.com', 'merge', '--no-ff', '-q',
      'human/readme', '-m', `Merge pull request #${human.number} from octo/human/readme`);
    git('-C', work, 'push', '-q', 'origin', 'HEAD:main');
    await loop.control(`pulls/${human.number}`, { state: 'closed', merged: true, author: 'mallory',
      merge_commit_sha: git('-C', work, 'rev-parse', 'HEAD'), merged_by: 'carol' });
    // A pull request GitHub says was merged as a commit this repository does not have.
    const ghost = await api('pulls', { title: 'Ghost', head: 'human/ghost', base: 'main' });
    await loop.control(`pulls/${ghost.number}`, { state: 'closed', merged: true,
      merge_commit_sha: 'f00d'.repeat(10), merged_by: 'carol' });

    const before = g('for-each-ref', '--format=%(refname)', 'refs/heads');
    const pulls = (await loop.fakeState()).pulls.length;
    const cases = [
      [human.number, new RegExp(`pull request #${human.number} was not proposed through DataMCP .*propose_change`)],
      [ghost.number, new RegExp(`pull request #${ghost.number}: its merge commit f00df00df00d is not in the GitOps repository`)],
      [terraform.number, new RegExp(`pull request #${terraform.number} is already rolled back on main`)],
    ];
    for (const [number, message] of cases) {
      const r = await call(agent, 'propose_rollback', { environment: 'local', pull_request: number });
      assert.equal(r.isError, true, `#${number}: ${JSON.stringify(r)}`);
      assert.match(r.content[0].text, message);
    }
    assert.equal(g('for-each-ref', '--format=%(refname)', 'refs/heads'), before);
    const st = await loop.fakeState();
    assert.equal(st.pulls.length, pulls, 'no pull request opened');
    assert.deepEqual(st.violations, []);
  });
});
