// Fault: terraform killed mid-apply (an OOM kill, a node drained). The bot stays up, records
// the apply as failed with what happened, says so on the pull request, leaves no state lock
// behind, and the next change to the project plans and applies. Real terraform in the real
// sandbox; the kill comes from outside, as the kernel's would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { startServer, connect, waitFor } from './lib.mjs';

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

// The parent pid of `pid`, or 0 when it is gone.
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

// The `terraform apply` processes descended from this test's server.
function terraformApplies() {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv;
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith('terraform') || argv[1] !== 'apply') continue;
    for (let p = Number(entry); p > 1; p = parentOf(p)) {
      if (p === server.child.pid) {
        found.push(Number(entry));
        break;
      }
    }
  }
  return found;
}

const tf = (name, content) => ({ path: `infra/terraform/envs/local/${name}.tf`, content });

async function proposeAndMerge(title, files) {
  const r = await agent.callTool({
    name: 'propose_change', arguments: { environment: 'local', title, files },
  });
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  const n = r.structuredContent.pull_request;
  assert.equal(r.structuredContent.plan.status, 'success', JSON.stringify(r.structuredContent.plan));
  server.cli('review', String(n), '--approve', '--as', 'carol');
  assert.match(server.cli('merge', String(n), '--as', 'carol'), new RegExp(`#${n} merged by carol`));
  return n;
}

async function appliesOf(n) {
  return (await agent.callTool({ name: 'get_proposal', arguments: { pull_request: n } }))
    .structuredContent.applies;
}

test('terraform killed mid-apply: recorded as failed, the bot stays up, the next change applies', async () => {
  const slow = await proposeAndMerge('Add slow', [tf('slow',
    'resource "terraform_data" "slow" {\n  input = "slow"\n' +
    '  provisioner "local-exec" {\n    command = "sleep 300"\n  }\n}\n')]);
  let pids = [];
  await waitFor(async () => (pids = terraformApplies()).length > 0, 120000, 'terraform apply to start');
  for (const pid of pids) process.kill(pid, 'SIGKILL');

  let applies = [];
  await waitFor(async () => (applies = await appliesOf(slow)).length > 0, 120000, 'the apply record');
  assert.equal(applies[0].result, 'failed', JSON.stringify(applies[0]));
  // bubblewrap passes the kill on as 128 + 9.
  assert.match(applies[0].summary, /terraform apply failed: (killed by signal 9|exited with status 137)/,
    JSON.stringify(applies[0]));
  assert.equal((await fetch(`${server.base}/readyz`)).status, 200);
  // The pull request is told after the record is written.
  await waitFor(() => /failed/i.test(server.cli('pr', String(slow))), 30000, 'the failure on the pull request');

  // Nothing holds the project: no lock row, no terraform state lock; the next change to the
  // same project plans (it would fail on a held state lock) and applies. It drops the slow
  // provisioner: the killed resource was never recorded, so it is created again.
  await waitFor(async () => (await agent.callTool({ name: 'list_locks', arguments: {} }))
    .structuredContent.locks.length === 0, 30000, 'the lock release');
  const next = await proposeAndMerge('After the kill', [
    tf('slow', 'resource "terraform_data" "slow" {\n  input = "slow"\n}\n'),
    tf('after_kill', 'resource "terraform_data" "after_kill" {\n  input = "x"\n}\n'),
  ]);
  await waitFor(async () => (applies = await appliesOf(next)).length > 0, 120000, 'the next apply record');
  assert.equal(applies[0].result, 'applied', JSON.stringify(applies[0]));
  assert.equal(terraformApplies().length, 0, 'no terraform apply left running');
});
