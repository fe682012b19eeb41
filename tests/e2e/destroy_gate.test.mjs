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
const cliFails = (...args) => {
  try {
    server.cli(...args);
  } catch (e) {
    return e.stderr?.toString() ?? String(e);
  }
  throw new Error(`datamcp ${args.join(' ')} succeeded`);
};
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
  const refused = cliFails('merge', n, '--as', 'carol');
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

test('confirming a plan that destroys nothing is refused and records nothing', async () => {
  // phoenix.tf is back as it is in the state (the forced merge above removed the file but
  // not the resource), so this plan only creates.
  const additive = await propose('Add one more', [tf('extra', 't1'), tf('phoenix', 't2')]);
  assert.equal(additive.plan.destructive, false);
  const refused = cliFails('review', String(additive.pull_request), '--confirm-destroy', '--as', 'dora');
  assert.match(refused, /deletes and replaces nothing: there is no destroy to confirm/);
  assert.equal(notesOf(gitDir, additive.commit).filter((d) => d.type === 'destroy-confirmation').length, 0);
});
