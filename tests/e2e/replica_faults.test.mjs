// Faults with several replicas on one real PostgreSQL (issue #14): the database going away
// mid-run, a rolling restart under a bounded load, and one replica cut off from the database.
// Three `datamcp serve`, one git server and the fake GitHub; each replica reaches PostgreSQL
// through its own TCP proxy (tcp_proxy.mjs) so the test can cut one replica's path alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { sign } from '@octokit/webhooks-methods';
import { waitFor } from './lib.mjs';
import { startGithubLoop, SECRET } from './github.mjs';
import { startPostgres } from './postgres.mjs';
import { startTcpProxy } from './tcp_proxy.mjs';
import { replicaHelpers } from './replica_loop.mjs';

const scopes = ['proposals:write', 'plans:read', 'env:local'];
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
let pg, loop, token, h;
const proxies = [];

before(async () => {
  pg = await startPostgres();
  for (let i = 0; i < 3; ++i) proxies.push(await startTcpProxy(pg.port));
  loop = await startGithubLoop('datamcp-e2e-replica-faults-', {
    replicas: 3,
    yaml: ['server:', '  shutdown_delay_seconds: 2'],
    env: { DATAMCP_STATE_LEASE_SECONDS: '3',
      DATAMCP_AUTH_HS256_SECRET: 'replicas-share-this-hs256-secret-0123456789' },
    envOf: (i) => ({ DATAMCP_STATE_POSTGRES_URL: `postgresql://postgres@127.0.0.1:${proxies[i].port}/postgres` }),
  });
  loop.servers.forEach((s, i) => { s.proxy = proxies[i]; });
  token = loop.server.token('agent-f', scopes);
  h = replicaHelpers(loop, token);
});

after(async () => {
  for (const p of proxies) p.restore();
  await loop?.stop();
  for (const p of proxies) await p.close();
  pg?.stop();
});

// A signed delivery as GitHub sends it; the answer whatever it is ({status, text}).
async function post(server, event, payload, id) {
  const body = JSON.stringify(payload);
  const res = await fetch(`${server.base}/webhooks/github`, { method: 'POST', headers: {
    'Content-Type': 'application/json', 'X-GitHub-Event': event, 'X-GitHub-Delivery': id,
    'X-Hub-Signature-256': await sign(SECRET, body) }, body });
  return { status: res.status, text: await res.text() };
}

// tools/list in session `sessionId` on `server`, by hand: {status, retryAfter, text}.
async function mcpCall(server, sessionId) {
  const res = await fetch(server.url, { method: 'POST', headers: {
    'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
    Authorization: `Bearer ${token}`, 'Mcp-Session-Id': sessionId,
    'MCP-Protocol-Version': '2025-11-25' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
}

async function readyz(server) {
  try {
    const res = await fetch(`${server.base}/readyz`);
    return { status: res.status, text: await res.text() };
  } catch (e) {
    return { status: 0, text: String(e) };
  }
}

const handled = (ids) => Number(pg.query(
  `SELECT count(*) FROM deliveries WHERE id IN (${ids.map((id) => `'${id}'`).join(',')}) AND done_ms IS NOT NULL`)[0][0]);

// The command lines of the processes below `pid` (terraform and what it runs).
function descendants(pid) {
  const parent = new Map();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const out = [];
  for (const [p] of parent) {
    for (let q = parent.get(p); q; q = parent.get(q)) {
      if (q !== pid) continue;
      try { out.push(readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').trim()); } catch { /* gone */ }
      break;
    }
  }
  return out;
}

// Exactly one apply note for `merge`, with `result`, and the database says the same.
function assertAppliedOnce(merge, result) {
  const notes = h.applies(merge);
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.equal(notes[0].result, result, JSON.stringify(notes[0]));
  assert.deepEqual(pg.query(`SELECT state FROM jobs WHERE merge_sha = '${merge}'`), [[result]]);
}

test('PostgreSQL stopped mid-run: 503s, nothing answered 202 is lost, work resumes', async () => {
  const p = await h.propose(loop.servers[0], 'fault_outage');
  // A steady stream of deliveries across the replicas, bounded in number.
  const accepted = [], refused = [], failures = [];
  let stop = false, sent = 0;
  const stream = (async () => {
    while (!stop && sent < 600) {
      const server = loop.servers[sent % loop.servers.length];
      const id = randomUUID();
      const payload = h.plainComment(`outage ${sent++}`);
      try {
        const r = await post(server, 'issue_comment', payload, id);
        if (r.status === 202) accepted.push(id);
        else if (r.status === 503) refused.push({ id, payload });
        else failures.push(`${r.status} ${r.text}`);
      } catch (e) {
        failures.push(String(e));
      }
      await pause(20);
    }
  })();
  await waitFor(() => accepted.length >= 10, 20000, 'deliveries before the outage');
  // An MCP session made on one replica that another replica has not seen yet.
  const { transport: made } = await h.connectTo(loop.servers[0]);
  pg.halt();
  for (const s of loop.servers) {
    await waitFor(async () => (await readyz(s)).status === 503, 20000, `${s.base}/readyz to turn 503`);
    assert.match((await readyz(s)).text, /state database/);
  }
  await waitFor(() => refused.length >= 5, 20000, 'deliveries refused during the outage');
  // The CI result arrives while the database is down: GitHub is told it failed.
  const ciId = randomUUID();
  const ci = h.ciGreen(p.commit);
  const during = await post(loop.servers[1], 'workflow_run', ci, ciId);
  assert.equal(during.status, 503, during.text);
  assert.match(during.text, /redeliver/);
  // That replica cannot tell whether the session exists: 503 (retry), never 404 (start over).
  const unseen = await mcpCall(loop.servers[2], made.sessionId);
  assert.equal(unseen.status, 503, unseen.text);
  assert.equal(unseen.retryAfter, '1');
  assert.match(unseen.text, /session store cannot be read/);
  const acceptedBeforeResume = accepted.length;
  pg.resume();
  for (const s of loop.servers) {
    await waitFor(async () => (await readyz(s)).status === 200, 30000, `${s.base}/readyz back to 200`);
  }
  // Each replica counted the transactions the outage failed, and says how long work waits.
  for (const server of loop.servers) {
    const text = await (await fetch(`${server.base}/metrics`)).text();
    const errors = /^datamcp_state_errors_total\{replica="[^"]+"\} (\d+)/m.exec(text);
    assert.ok(errors && Number(errors[1]) > 0, `state errors counted on ${server.base}`);
    assert.match(text, /^datamcp_claim_wait_seconds\{kind="apply_job"\} \d/m);
    assert.match(text, /^datamcp_claim_wait_seconds\{kind="delivery"\} \d/m);
  }
  const resumed = await mcpCall(loop.servers[2], made.sessionId);
  assert.equal(resumed.status, 200, resumed.text);
  assert.match(resumed.text, /get_server_info/);
  stop = true;
  await stream;
  assert.deepEqual(failures, [], 'only 202 or 503 answers');
  // GitHub's redeliveries (same id, same body) are accepted now; one the database committed
  // just as it went away is answered "already recorded".
  for (const r of refused) {
    const again = await post(loop.servers[0], 'issue_comment', r.payload, r.id);
    assert.ok(again.status === 202 || (again.status === 200 && /already recorded/.test(again.text)),
      `${again.status} ${again.text}`);
  }
  const ciAgain = await post(loop.servers[2], 'workflow_run', ci, ciId);
  assert.equal(ciAgain.status, 202, ciAgain.text);
  const merge = await h.land(p, { ciDelivered: true });
  await loop.deliver('pull_request', h.mergedEvent(p.pull_request), { server: loop.servers[0] });
  await waitFor(() => h.applies(merge).length > 0, 90000, `the apply of ${merge}`);
  const ids = [...accepted, ...refused.map((r) => r.id), ciId];
  await waitFor(() => handled(ids) === ids.length, 60000, 'every delivery handled');
  await pause(2000);  // further passes of three replicas apply nothing more
  assertAppliedOnce(merge, 'applied');
  assert.equal(pg.query(`SELECT count(*) FROM deliveries WHERE id = '${ciId}'`)[0][0], '1');
  console.log(`outage: ${accepted.length} accepted (${acceptedBeforeResume} before the restart), ` +
    `${refused.length} refused with 503 and redelivered, all handled; one apply`);
});

test('rolling restart under a bounded MCP and webhook load: zero failed requests', async () => {
  // A small client-side balancer: each request goes to the next replica whose /readyz
  // answered 200 at the last poll (every 100 ms), as a Service routes.
  const ready = new Set(loop.servers);
  let polling = false;  // one poll at a time: a late answer must not undo a newer one
  const poll = setInterval(async () => {
    if (polling) return;
    polling = true;
    for (const s of [...loop.servers]) {
      if ((await readyz(s)).status === 200) ready.add(s); else ready.delete(s);
    }
    polling = false;
  }, 100);
  const first = await h.connectTo(loop.servers[0]);
  const sessionId = first.transport.sessionId;
  const clients = new Map([[loop.servers[0], first.client]]);
  const clientOf = async (s) => {
    if (!clients.has(s)) clients.set(s, (await h.connectTo(s, sessionId)).client);
    return clients.get(s);
  };
  let turn = 0;
  const pick = () => {
    const up = loop.servers.filter((s) => ready.has(s));
    if (up.length === 0) throw new Error('no replica is ready');
    return up[turn++ % up.length];
  };
  const failures = [], delivered = [];
  let calls = 0, stop = false;
  const load = (async () => {
    while (!stop && calls < 1500) {
      let s = null;
      try {
        s = pick();
        const tools = await (await clientOf(s)).listTools();
        if (!tools.tools.some((t) => t.name === 'propose_change')) failures.push(`${s.base}: tools/list without propose_change`);
        s = pick();
        const id = randomUUID();
        const r = await post(s, 'issue_comment', h.plainComment(`rolling ${calls}`), id);
        if (r.status === 202) delivered.push(id); else failures.push(`${s.base}: webhook ${r.status} ${r.text}`);
        ++calls;
      } catch (e) {
        failures.push(`${s?.base}: ${e}`);
        ++calls;
      }
    }
  })();
  try {
    await waitFor(() => calls >= 5, 20000, 'the load');
    for (let i = 0; i < loop.servers.length; ++i) {
      const old = loop.servers[i];
      const exited = new Promise((r) => old.child.once('exit', (code) => r(code)));
      old.child.kill('SIGTERM');
      assert.equal(await exited, 0, `replica ${i} exit code`);
      const fresh = await old.restart();
      fresh.proxy = old.proxy;
      loop.servers[i] = fresh;
      const atRestart = calls;
      await waitFor(() => calls >= atRestart + 10 && ready.has(fresh), 30000, `load after restarting replica ${i}`);
    }
  } finally {
    stop = true;
    await load;
    clearInterval(poll);
    loop.server = loop.servers[0];
  }
  for (const c of clients.values()) await c.close().catch(() => {});
  assert.deepEqual(failures, [], 'every request answered without error');
  await waitFor(() => handled(delivered) === delivered.length, 30000, 'every delivery answered 202 handled');
  console.log(`rolling restart: ${calls} MCP calls and ${delivered.length} webhooks across three restarts, none failed`);
});

test('a replica cut off from PostgreSQL: its apply is taken over, nothing is recorded twice', async () => {
  const [a, b, c] = loop.servers;
  const p = await h.propose(a, 'fault_cut', '\n  provisioner "local-exec" {\n    command = "sleep 8"\n  }\n');
  // Only C reaches the database, so C claims the apply.
  a.proxy.cut();
  b.proxy.cut();
  for (const s of [a, b]) await waitFor(async () => (await readyz(s)).status === 503, 20000, `${s.base} cut off`);
  await loop.deliver('workflow_run', h.ciGreen(p.commit), { server: c });
  const merge = await h.land(p, { ciDelivered: true });
  await loop.deliver('pull_request', h.mergedEvent(p.pull_request), { server: c });
  await waitFor(() => descendants(c.child.pid).some((cmd) => /^(\/\S*\/)?sleep 8/.test(cmd)), 90000,
    'terraform applying on replica C');
  assert.match(pg.query(`SELECT holder FROM jobs WHERE merge_sha = '${merge}' AND state = 'running'`)[0]?.[0] ?? '',
    new RegExp(h.holderOf(c)));
  // Now C loses the database mid-apply and the others get it back.
  c.proxy.cut();
  a.proxy.restore();
  b.proxy.restore();
  await waitFor(async () => (await readyz(c)).status === 503, 20000, 'C not ready');
  await waitFor(async () => (await readyz(a)).status === 200, 20000, 'A ready again');
  // C's lease passes and another replica records the job interrupted.
  await waitFor(() => h.applies(merge).length > 0, 30000, 'the takeover');
  assertAppliedOnce(merge, 'interrupted');
  // Cut off, C claims nothing: a delivery made now is handled by another replica.
  const id = await loop.deliver('issue_comment', h.plainComment('while C is cut off'), { server: a });
  await waitFor(() => handled([id]) === 1, 20000, 'the delivery made while C is cut off');
  assert.doesNotMatch(pg.query(`SELECT holder FROM deliveries WHERE id = '${id}'`)[0][0], new RegExp(h.holderOf(c)));
  // C's terraform ends; C keeps its outcome until it can ask the database who holds the job.
  await waitFor(() => !descendants(c.child.pid).some((cmd) => /^(\/\S*\/)?sleep 8/.test(cmd)), 60000,
    'the apply on C to end');
  c.proxy.restore();
  await waitFor(async () => (await readyz(c)).status === 200, 30000, 'C ready again');
  await waitFor(() => c.log.some((l) => l.includes('"apply_claim_lost"')), 30000, 'C to give the job up')
    .catch((e) => { throw new Error(`${e.message}; C's log:\n${c.log.filter((l) => /apply|job|claim/.test(l)).slice(-15).join('\n')}`); });
  await pause(2000);  // further passes of three replicas record nothing more
  assertAppliedOnce(merge, 'interrupted');
  assert.ok(!c.log.some((l) => l.includes('"apply_recorded"') && l.includes(merge)), 'C recorded an outcome');
});
