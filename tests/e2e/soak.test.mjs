// Bounded soak (issue 11): SOAK_SECONDS (default 90) of mixed load on loopback against the
// real `datamcp serve` with the GitHub loop (git daemon, fake GitHub, signed webhooks): MCP
// read calls from several sessions, a proposal every PROPOSAL_EVERY_S seconds (real terraform
// plan, branch, pull request; every other one then landed: CI green, approved, merged on the
// git server, the merge webhook, the real terraform apply), and signed webhook deliveries
// (comments, check-run reruns). Samples the server's RSS and open descriptors every 5 s and
// requires, after a warm-up third: RSS growth under SOAK_MAX_RSS_GROWTH_MB (default 8),
// descriptors back within 8 of the warm-up level, no error answered, every accepted delivery
// handled (none pending), every accepted proposal a pull request on the fake GitHub and every
// merge applied exactly once (one `apply` note, `applied`). `ctest -L soak` (tests/README.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { connect, waitFor } from './lib.mjs';
import { startGithubLoop, example } from './github.mjs';
import { replicaHelpers } from './replica_loop.mjs';

const seconds = Number(process.env.SOAK_SECONDS ?? 90);
const proposalEvery = Number(process.env.PROPOSAL_EVERY_S ?? 15);
const maxGrowthMb = Number(process.env.SOAK_MAX_RSS_GROWTH_MB ?? 8);
let loop, server;

before(async () => {
  loop = await startGithubLoop('datamcp-soak-');
  server = loop.server;
});
after(async () => { await loop?.stop(); });

// RSS in all, and split: anonymous (the heap, thread stacks) and file-backed (mapped pack
// files, shared libraries), which point at different causes when it grows.
function sample(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)[1]);
  return { t: Date.now(), rssMb: kb('VmRSS') / 1024, anonMb: kb('RssAnon') / 1024,
    fileMb: kb('RssFile') / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}
const split = (s) => `${s.rssMb.toFixed(1)} MB (anon ${s.anonMb.toFixed(1)}, file ${s.fileMb.toFixed(1)})`;

test(`${seconds} s of MCP calls, proposals and webhooks: bounded memory and descriptors, nothing lost`, { timeout: (seconds + 240) * 1000 }, async () => {
  const scopes = ['proposals:write', 'plans:read', 'locks:read', 'env:local'];
  const agents = await Promise.all([0, 1, 2].map((i) => connect(server, server.token(`soak-${i}`, scopes))));
  const pid = server.child.pid;
  const samples = [sample(pid)];
  const counts = { mcp: 0, proposals: 0, deliveries: 0, errors: [] };
  const proposed = [];
  const h = replicaHelpers(loop, server.token('soak-lander', scopes));
  // Pull requests are reviewed in order, in the background while the load goes on: all are
  // on the `local` project, so each one's plan waits for the previous one's lock. A reviewer
  // waits for the plan, then either lands the pull request (CI green, approval, merge, the
  // merge webhook, then the apply releases the lock) or closes it unmerged.
  const merges = [];
  let reviews = Promise.resolve();
  const review = async (p, landIt) => {
    await waitFor(() => h.plans(p.commit).length > 0, 180000, `the plan of #${p.pull_request}`);
    if (landIt) {
      const merge = await h.land(p);
      await loop.deliver('pull_request', h.mergedEvent(p.pull_request));
      await waitFor(() => h.applies(merge).length > 0, 180000, `the apply of ${merge}`);
      merges.push(merge);
      return;
    }
    await loop.control(`pulls/${p.pull_request}`, { state: 'closed', merged: false });
    await loop.deliver('pull_request', example('pull_request', 'closed', (e) => {
      e.number = p.pull_request;
      e.pull_request.number = p.pull_request;
      e.pull_request.merged = false;
      e.pull_request.head.sha = p.commit;
    }));
  };
  const end = Date.now() + seconds * 1000;
  let nextSample = Date.now() + 5000;
  let nextProposal = Date.now();
  let n = 0;

  const readCall = async (agent) => {
    const calls = [
      () => agent.callTool({ name: 'get_server_info', arguments: {} }),
      () => agent.callTool({ name: 'list_environments', arguments: {} }),
      () => agent.callTool({ name: 'list_locks', arguments: {} }),
      () => agent.callTool({ name: 'list_proposals', arguments: {} }),
      () => agent.listTools(),
    ];
    const r = await calls[n % calls.length]();
    if (r.isError) counts.errors.push(`mcp: ${JSON.stringify(r.content)}`);
    counts.mcp++;
  };
  const deliver = async () => {
    // A remark (not a command) on the first pull request, or a rerun of a check with no pull
    // request: both are recorded and handled, and cheap to handle.
    const comment = n % 2 === 0;
    const payload = comment
      ? (await loop.comment('soak-user', `just a remark ${n}`, proposed[0])).payload
      : example('check_run', 'rerequested', (p) => {
        p.check_run.pull_requests = [];
        p.check_run.head_sha = `${n}`.padStart(40, '0');
      });
    const event = comment ? 'issue_comment' : 'check_run';
    try {
      await loop.deliver(event, payload);
      counts.deliveries++;
    } catch (e) {
      counts.errors.push(`webhook ${event}: ${e.message}`);
    }
  };

  while (Date.now() < end) {
    n++;
    if (Date.now() >= nextProposal) {
      nextProposal = Date.now() + proposalEvery * 1000;
      // Alternately a module instance (then closed unmerged) and a file (then landed).
      const landIt = counts.proposals % 2 === 1;
      let p;
      if (landIt) {
        p = await h.propose(server, `soak_${n}`).catch((e) => counts.errors.push(`proposal: ${e.message}`));
      } else {
        const r = await agents[0].callTool({ name: 'propose_terraform_module', arguments: {
          environment: 'local', module: 'local-data', instance: `soak${n}`,
          variables: { name: `soak${n}`, owner: 'soak', retention_days: 7 } } });
        if (r.isError) counts.errors.push(`proposal: ${JSON.stringify(r.content)}`);
        else p = r.structuredContent;
      }
      if (p?.pull_request) {
        counts.proposals++;
        proposed.push(p.pull_request);
        reviews = reviews.then(() => review(p, landIt));
      }
    }
    await Promise.all([...agents.map(readCall), ...(proposed.length ? [deliver()] : [])]);
    if (Date.now() >= nextSample) {
      samples.push(sample(pid));
      nextSample = Date.now() + 5000;
    }
  }
  samples.push(sample(pid));
  await Promise.all(agents.map((a) => a.close()));
  await reviews;

  await waitFor(async () => /datamcp_webhook_deliveries_pending 0\b/
    .test(await (await fetch(`${server.base}/metrics`)).text()), 60000, 'no delivery left pending');
  const pulls = (await loop.fakeState()).pulls.map((p) => p.number);
  const warm = samples[Math.floor(samples.length / 3)];
  const last = samples.at(-1);
  const peakRss = Math.max(...samples.map((s) => s.rssMb));
  console.log(`soak: ${seconds} s, ${counts.mcp} MCP calls, ${counts.proposals} proposals, ` +
    `${merges.length} merged and applied, ${counts.deliveries} webhook deliveries, ` +
    `${counts.errors.length} errors; ` +
    `RSS start ${split(samples[0])}, after warm-up ${split(warm)}, ` +
    `end ${split(last)}, peak ${peakRss.toFixed(1)} MB; ` +
    `fds start ${samples[0].fds}, after warm-up ${warm.fds}, end ${last.fds}`);
  assert.deepEqual(counts.errors, []);
  assert.ok(counts.proposals >= 1 && counts.deliveries >= 10, JSON.stringify(counts));
  for (const number of proposed) assert.ok(pulls.includes(number), `pull request #${number} missing`);
  assert.ok(merges.length >= 1, 'at least one proposal landed');
  for (const merge of merges) {
    const notes = h.applies(merge);
    assert.equal(notes.length, 1, JSON.stringify(notes));
    assert.equal(notes[0].result, 'applied', JSON.stringify(notes[0]));
  }
  assert.ok(last.rssMb - warm.rssMb < maxGrowthMb,
    `RSS grew ${(last.rssMb - warm.rssMb).toFixed(1)} MB after warm-up (limit ${maxGrowthMb})`);
  assert.ok(last.fds <= warm.fds + 8, `descriptors grew from ${warm.fds} to ${last.fds}`);
});
