// The destroy gate on the local forge, with real terraform: a plan that deletes or replaces
// terraform_data resources says so first (plan_preview, the pull request comment and check),
// `datamcp merge` refuses it until the environment's destroy_approvals or a confirmation of
// that plan (`datamcp review N --confirm-destroy`), the applier holds back a forced merge
// without one, and the notes and `datamcp audit` record who confirmed which plan.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, connect, waitFor, notesOf } from './lib.mjs';

const project = 'infra/terraform/envs/local';
let server;
let agent;
let gitDir;

before(async () => {
  server = await startServer();
  agent = await connect(server, server.token('agent-destroy',
    ['proposals:write', 'plans:read', 'audit:read', 'env:local']));
  gitDir = ['-C', join(server.dir, 'work', 'gitops.git')];
});
after(async () => {
  await agent?.close();
  await server?.stop();
});

const git = (...args) => execFileSync('git', [...gitDir, ...args], { encoding: 'utf8' }).trim();
const tf = (name, trigger) => ({
  path: `${project}/${name}.tf`,
  content: `resource "terraform_data" "${name}" {\n  input            = "${name}"\n  triggers_replace = ["${trigger}"]\n}\n`,
});
const propose = async (title, files) => {
  const r = await agent.callTool({ name: 'propose_change', arguments: { environment: 'local', title, files } });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  assert.equal(r.structuredContent.plan.status, 'success', JSON.stringify(r.structuredContent.plan));
  return r.structuredContent;
};
const applyRecord = async (commit) => {
  let record;
  await waitFor(() => {
    record = notesOf(gitDir, commit).find((d) => d.type === 'apply' && d.project === project);
    return record !== undefined;
  }, 180000, `the apply record on ${commit}`);
  return record;
};
const stateResources = () => {
  const state = JSON.parse(readFileSync(join(server.dir, 'work', 'tfstate',
    project.replace(/[^A-Za-z0-9]/g, '_'), 'terraform.tfstate'), 'utf8'));
  return state.resources.map((r) => `${r.type}.${r.name}`).filter((a) => a.startsWith('terraform_data.'));
};

test('a destructive plan is refused at merge until confirmed, then applied and recorded', async () => {
  const made = await propose('Create doomed and phoenix', [tf('doomed', 't1'), tf('phoenix', 't1')]);
  assert.equal(made.plan.destructive, false);
  server.cli('merge', String(made.pull_request), '--as', 'carol');
  assert.equal((await applyRecord(git('rev-parse', 'main'))).result, 'applied');
  assert.ok(stateResources().includes('terraform_data.doomed'));

  const files = [{ path: `${project}/doomed.tf`, delete: true }, tf('phoenix', 't2')];
  const preview = await agent.callTool({ name: 'plan_preview', arguments: { environment: 'local', files } });
  assert.notEqual(preview.isError, true, JSON.stringify(preview.content));
  assert.equal(preview.structuredContent.destructive, true);
  assert.match(preview.structuredContent.status_description,
    /^DESTRUCTIVE: local deletes terraform_data\.doomed; replaces terraform_data\.phoenix/);
  const changes = preview.structuredContent.projects.find((p) => p.project === project).changes;
  assert.deepEqual([changes.deletes, changes.replaces, changes.deleted, changes.replaced],
    [1, 1, ['terraform_data.doomed'], ['terraform_data.phoenix']]);
  assert.match(preview.content[0].text, /^Plan success: DESTRUCTIVE: local deletes terraform_data\.doomed/);

  const destroy = await propose('Drop doomed, replace phoenix', files);
  const n = String(destroy.pull_request);
  assert.equal(destroy.plan.destructive, true);
  const fingerprint = destroy.plan.projects.find((p) => p.project === project).fingerprint;
  const shown = server.cli('pr', n);
  assert.match(shown, /\*\*Destructive plan\*\*/);
  assert.match(shown, /delete `terraform_data\.doomed`; replace `terraform_data\.phoenix` - needs 1 approval\(s\)/);
  assert.match(shown, new RegExp(`datamcp review ${n} --confirm-destroy`));
  const status = JSON.parse(server.cli('prs', '--json')).find((p) => p.number === destroy.pull_request)
    .statuses.findLast((s) => s.context === 'datamcp/plan');
  assert.match(status.description, /^DESTRUCTIVE: local deletes terraform_data\.doomed/);

  const tip = git('rev-parse', 'main');
  const refused = server.cliFails('merge', n, '--as', 'carol');
  assert.match(refused, new RegExp(`#${n} cannot be merged yet: the plan of ${project} deletes terraform_data\\.doomed; ` +
    'replaces terraform_data\\.phoenix: it needs 1 approval\\(s\\) \\(destroy_approvals; it has 0\\) or a destroy ' +
    `confirmation of plan ${fingerprint.slice(0, 12)} \\(\`datamcp review ${n} --confirm-destroy --as USER\`\\)`));
  assert.equal(git('rev-parse', 'main'), tip, 'a refused merge leaves main alone');

  const confirmed = server.cli('review', n, '--confirm-destroy', '--as', 'dora');
  assert.match(confirmed, /Destroy confirmed by dora/);
  const record = notesOf(gitDir, destroy.commit).find((d) => d.type === 'destroy-confirmation');
  assert.equal(record.by, 'dora');
  assert.equal(record.pull_request, destroy.pull_request);
  assert.deepEqual(record.projects.map((p) => [p.project, p.fingerprint]), [[project, fingerprint]]);

  assert.match(server.cli('merge', n, '--as', 'carol'), new RegExp(`#${n} merged by carol`));
  const merge = git('rev-parse', 'main');
  const applied = await applyRecord(merge);
  assert.equal(applied.result, 'applied', JSON.stringify(applied));
  assert.equal(applied.fingerprint, fingerprint);
  assert.deepEqual(applied.changes.deleted, ['terraform_data.doomed']);
  assert.deepEqual(applied.changes.replaced, ['terraform_data.phoenix']);
  assert.equal(applied.destroy.allowed, true);
  assert.equal(applied.destroy.confirmation.by, 'dora');
  assert.equal(applied.destroy.confirmation.fingerprint, fingerprint);
  assert.ok(!stateResources().includes('terraform_data.doomed'), 'doomed is destroyed');

  const audit = server.cli('audit');
  assert.match(audit, /destructive: deletes terraform_data\.doomed; replaces terraform_data\.phoenix/);
  assert.match(audit, new RegExp(`destroy confirmed by dora at \\S+ for plan ${fingerprint.slice(0, 12)}`));
  const entry = JSON.parse(server.cli('audit', '--json')).find((e) => e.commit === merge);
  const p = entry.projects.find((x) => x.project === project);
  assert.equal(p.destroy_confirmation.by, 'dora');
  assert.equal(p.destroy_confirmation.fingerprint, fingerprint);
});

test('a forced merge of an unconfirmed destroy is not applied, and the record says why', async () => {
  const destroy = await propose('Drop phoenix', [{ path: `${project}/phoenix.tf`, delete: true }]);
  assert.equal(destroy.plan.destructive, true);
  const n = String(destroy.pull_request);
  assert.match(server.cli('merge', n, '--as', 'carol', '--force'), /forced/);
  const merge = git('rev-parse', 'main');
  assert.match(git('log', '-1', '--format=%B', merge), /^Datamcp-Forced-Merge: .*destroy confirmation of plan/m);
  const record = await applyRecord(merge);
  assert.equal(record.result, 'destroy-unconfirmed', JSON.stringify(record));
  assert.match(record.summary, /deletes terraform_data\.phoenix: it needs 1 approval\(s\)/);
  assert.equal(record.destroy.allowed, false);
  assert.ok(stateResources().includes('terraform_data.phoenix'), 'nothing was destroyed');
  assert.match(server.cli('audit'), /-> destroy-unconfirmed/);
  assert.match(server.cli('pr', n), /DataMCP destroy-unconfirmed/);
});

let additivePr;  // open after the test below; the next test closes it
test('confirming a plan that destroys nothing is refused and records nothing', async () => {
  // phoenix.tf is back as it is in the state (the forced merge above removed the file but
  // not the resource), so this plan only creates.
  const additive = await propose('Add one more', [tf('extra', 't1'), tf('phoenix', 't2')]);
  additivePr = additive.pull_request;
  assert.equal(additive.plan.destructive, false);
  const refused = server.cliFails('review', String(additive.pull_request), '--confirm-destroy', '--as', 'dora');
  assert.match(refused, /deletes and replaces nothing: there is no destroy to confirm/);
  assert.equal(notesOf(gitDir, additive.commit).filter((d) => d.type === 'destroy-confirmation').length, 0);
});

test('propose_terraform_destroy and propose_helm_uninstall are destructive, previewable and gated', async () => {
  const { tools } = await agent.listTools();
  for (const name of ['propose_terraform_destroy', 'propose_helm_uninstall']) {
    const tool = tools.find((t) => t.name === name);
    assert.equal(tool?.annotations.destructiveHint, true, name);
    assert.equal(tool.inputSchema.properties.dry_run.type, 'boolean', name);
  }
  // The additive proposal above holds the project's lock; unlocking would only hand it back
  // to that waiting proposal at the next merge, so close it.
  server.cli('close', String(additivePr), '--as', 'carol');
  // phoenix.tf is put back as it is in the state (the forced merge above left the resource),
  // so this setup plan only creates.
  const made = await propose('Create gone and kept', [tf('gone', 't1'), tf('phoenix', 't2'),
    { path: `${project}/pair.tf`, content: `${tf('pair_a', 't1').content}\n${tf('pair_b', 't1').content}` }]);
  assert.equal(made.plan.destructive, false, JSON.stringify(made.plan));
  server.cli('merge', String(made.pull_request), '--as', 'carol');
  assert.equal((await applyRecord(git('rev-parse', 'main'))).result, 'applied');

  const args = { environment: 'local', resources: ['terraform_data.gone', 'terraform_data.pair_b'] };
  const preview = await agent.callTool({ name: 'propose_terraform_destroy', arguments: { ...args, dry_run: true } });
  assert.notEqual(preview.isError, true, JSON.stringify(preview.content));
  assert.equal(preview.structuredContent.dry_run, true);
  assert.equal(preview.structuredContent.plan.destructive, true);
  const changes = preview.structuredContent.plan.projects.find((p) => p.project === project).changes;
  assert.deepEqual(changes.deleted, ['terraform_data.gone', 'terraform_data.pair_b']);

  const missing = await agent.callTool({ name: 'propose_terraform_destroy',
    arguments: { environment: 'local', resources: ['terraform_data.nowhere'] } });
  assert.equal(missing.isError, true);
  assert.match(missing.content[0].text, /resources\[0\]: no `resource "terraform_data" "nowhere"` block/);

  const r = await agent.callTool({ name: 'propose_terraform_destroy', arguments: args });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  const n = String(r.structuredContent.pull_request);
  const head = r.structuredContent.commit;
  assert.throws(() => git('cat-file', '-e', `${head}:${project}/gone.tf`), 'gone.tf is deleted');
  const pair = git('show', `${head}:${project}/pair.tf`);
  assert.match(pair, /"pair_a"/);
  assert.doesNotMatch(pair, /pair_b/);
  assert.match(server.cliFails('merge', n, '--as', 'carol'), /destroy confirmation of plan/);
  server.cli('review', n, '--confirm-destroy', '--as', 'dora');
  server.cli('merge', n, '--as', 'carol');
  const applied = await applyRecord(git('rev-parse', 'main'));
  assert.equal(applied.result, 'applied', JSON.stringify(applied));
  assert.equal(applied.destroy.confirmation.by, 'dora');
  const left = stateResources();
  assert.ok(!left.includes('terraform_data.gone') && !left.includes('terraform_data.pair_b'), left.join());
  assert.ok(left.includes('terraform_data.pair_a'));

  const release = await agent.callTool({ name: 'propose_helm_release', arguments: {
    environment: 'local', release: 'bye', chart_path: 'helm/charts/example-data-app', values: { replicaCount: 1 } } });
  assert.notEqual(release.isError, true, JSON.stringify(release.content));
  server.cli('merge', String(release.structuredContent.pull_request), '--as', 'carol');
  const uninstall = await agent.callTool({ name: 'propose_helm_uninstall',
    arguments: { environment: 'local', release: 'bye', dry_run: true } });
  assert.notEqual(uninstall.isError, true, JSON.stringify(uninstall.content));
  assert.equal(uninstall.structuredContent.plan.destructive, true);
  const app = uninstall.structuredContent.plan.projects.find((p) => p.project === 'argocd/apps/local/bye.yaml');
  assert.ok(app.changes.deleted.some((d) => d.startsWith('Application ')), JSON.stringify(app.changes));
  assert.ok(git('ls-tree', '-r', '--name-only', 'main').split('\n').includes('argocd/apps/local/bye.yaml'),
    'a dry run changes nothing');
});
