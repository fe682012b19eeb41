// Several replicas share the work: three `datamcp serve` processes on one real PostgreSQL, one
// git server and the fake GitHub. Webhooks land on any replica (one delivered to two at
// once), an MCP session made on one replica works on the others, merges are applied exactly
// once (the git notes and the database agree), a replica killed mid-apply has its job taken
// over and recorded as interrupted by another, a replica killed right after answering 202 to
// a merge loses nothing, and a replica stopped with SIGTERM under load loses no MCP call and
// no webhook.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from './lib.mjs';
import { startGithubLoop } from './github.mjs';
import { startPostgres } from './postgres.mjs';
import { replicaHelpers } from './replica_loop.mjs';

const scopes = ['proposals:write', 'plans:read', 'env:local'];
let pg, loop, token;
let connectTo, applies, holderOf, propose, land, mergedEvent, plainComment;

before(async () => {
  pg = await startPostgres();
  loop = await startGithubLoop('datamcp-e2e-replicas-', {
    replicas: 3,
    yaml: ['server:', '  shutdown_delay_seconds: 1'],
    env: { DATAMCP_STATE_POSTGRES_URL: pg.url, DATAMCP_STATE_LEASE_SECONDS: '3',
      DATAMCP_AUTH_HS256_SECRET: 'replicas-share-this-hs256-secret-0123456789' },
  });
  token = loop.server.token('agent-r', scopes);
  ({ connectTo, applies, holderOf, propose, land, mergedEvent, plainComment } = replicaHelpers(loop, token));
});

after(async () => {
  await loop?.stop();
  pg?.stop();
});

test('an MCP session made on one replica goes on working on the others', async () => {
  const { client, transport } = await connectTo(loop.servers[0]);
  assert.ok(transport.sessionId);
  for (const server of loop.servers.slice(1)) {
    const other = await connectTo(server, transport.sessionId);
    const tools = await other.client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'propose_change'));
  }
  await transport.terminateSession();  // DELETE /mcp ends it on every replica
  await client.close();
  const res = await fetch(loop.servers[2].url, { method: 'POST', headers: {
    Authorization: `Bearer ${token}`, 'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream', 'Mcp-Session-Id': transport.sessionId,
    'MCP-Protocol-Version': '2025-06-18' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
  assert.equal(res.status, 404);
});

test('merges delivered to any replica (one to two at once) are applied exactly once', async () => {
  // One project (the only one that plans offline): its lock passes from one pull request to
  // the next at each merge, so they land one after the other, each on other replicas.
  const merges = [];
  const dup = randomUUID();
  for (let i = 0; i < 2; ++i) {
    const p = await propose(loop.servers[i], `rep_${i}`);
    const merge = await land(p);
    merges.push(merge);
    if (i === 0) {
      // The same delivery reaches two replicas at once (GitHub retried): it is recorded once.
      const statuses = await Promise.all([0, 1].map((r) => loop.deliver('pull_request',
        mergedEvent(p.pull_request), { server: loop.servers[r], id: dup, duplicate: true })));
      assert.deepEqual(statuses.sort(), [200, 202], 'one replica records it, the other says so');
    } else {
      await loop.deliver('pull_request', mergedEvent(p.pull_request), { server: loop.servers[2] });
    }
    await waitFor(() => applies(merge).length > 0, 60000, `the apply of ${merge}`);
  }
  await waitFor(() => pg.query('SELECT count(*) FROM deliveries WHERE done_ms IS NULL')[0][0] === '0',
    20000, 'every delivery handled');
  await new Promise((r) => setTimeout(r, 2000));  // further passes on three replicas apply nothing
  for (const m of merges) {
    const notes = applies(m);
    assert.equal(notes.length, 1, JSON.stringify(notes));
    assert.equal(notes[0].result, 'applied', JSON.stringify(notes[0]));
    assert.deepEqual(pg.query(`SELECT state FROM jobs WHERE merge_sha = '${m}'`), [['applied']]);
  }
  assert.equal(pg.query(`SELECT count(*) FROM deliveries WHERE id = '${dup}'`)[0][0], '1');
  assert.deepEqual(pg.query('SELECT project FROM locks'), [], 'no lock left held');
  // The work was shared: deliveries were handled by more than one replica.
  const handlers = pg.query("SELECT DISTINCT holder FROM deliveries WHERE holder <> ''");
  assert.ok(handlers.length >= 2, JSON.stringify(handlers));
});

test('kill -9 of the replica running an apply: another records it interrupted, once', async () => {
  const p = await propose(loop.servers[0], 'rep_slow',
    '\n  provisioner "local-exec" {\n    command = "sleep 15"\n  }\n');
  const merge = await land(p);
  await loop.deliver('pull_request', mergedEvent(p.pull_request), { server: loop.servers[1] });
  let holder = '';
  await waitFor(() => {
    const rows = pg.query(`SELECT holder FROM jobs WHERE merge_sha = '${merge}' AND state = 'running'`);
    holder = rows[0]?.[0] ?? '';
    return holder !== '';
  }, 60000, 'the apply to start');
  const victim = loop.servers.find((s) => holder.includes(holderOf(s)));
  assert.ok(victim, `no replica holds ${holder}`);
  victim.child.kill('SIGKILL');
  await new Promise((r) => victim.child.exitCode !== null || victim.child.signalCode !== null
    ? r() : victim.child.once('exit', r));
  // Its terraform (sleeping in the provisioner) lives on, holding the stderr pipe: let go.
  victim.child.stderr.destroy();
  loop.servers = loop.servers.filter((s) => s !== victim);
  await waitFor(() => applies(merge).length > 0, 30000, 'the interrupted record');
  await new Promise((r) => setTimeout(r, 2000));
  const notes = applies(merge);
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.equal(notes[0].result, 'interrupted', JSON.stringify(notes[0]));
  assert.deepEqual(pg.query(`SELECT state FROM jobs WHERE merge_sha = '${merge}'`), [['interrupted']]);
  // The replica that took the job over counts it in its metrics.
  let takeovers = 0;
  for (const s of loop.servers) {
    const text = await (await fetch(`${s.base}/metrics`)).text();
    const m = text.match(/^datamcp_lease_takeovers_total\{replica="[^"]+"\} (\S+)$/m);
    takeovers += m ? Number(m[1]) : 0;
  }
  assert.equal(takeovers, 1);
});

test('SIGTERM under load: no MCP call and no webhook is lost, the session moves on', async () => {
  assert.equal(loop.servers.length, 2);
  const [leaving, staying] = loop.servers;
  const { client, transport } = await connectTo(leaving);
  // A client-side balancer, as a Service does: a replica whose /readyz fails leaves the
  // rotation.
  const ready = new Set(loop.servers);
  const poll = setInterval(async () => {
    for (const s of loop.servers) {
      try { if ((await fetch(`${s.base}/readyz`)).status !== 200) ready.delete(s); } catch { ready.delete(s); }
    }
  }, 100);
  try {
    await sigtermUnderLoad({ client, transport, leaving, staying, ready });
  } finally {
    clearInterval(poll);
  }
});

async function sigtermUnderLoad({ client, transport, leaving, staying, ready }) {
  let onStaying = null;
  const pick = async () => {
    if (ready.has(leaving)) return client;
    onStaying ??= (await connectTo(staying, transport.sessionId)).client;
    return onStaying;
  };
  const delivered = [];
  let calls = 0;
  let stop = false;
  const load = (async () => {
    while (!stop) {
      const c = await pick();
      const tools = await c.listTools();
      assert.ok(tools.tools.length > 0);
      ++calls;
      const target = ready.has(leaving) ? leaving : staying;
      delivered.push(await loop.deliver('issue_comment', plainComment(`thanks ${calls}`), { server: target }));
    }
  })();
  // A failed call ends the load; the waits below then fail at once with its error.
  let loadError = null;
  load.catch((e) => { loadError = e; });
  const loaded = (n) => () => {
    if (loadError) return true;
    return calls >= n;
  };
  await waitFor(loaded(5), 10000, 'the load');
  if (loadError) throw loadError;
  const exited = new Promise((r) => leaving.child.once('exit', (code) => r(code)));
  const t0 = Date.now();
  leaving.child.kill('SIGTERM');
  assert.equal(await exited, 0);
  const drainMs = Date.now() - t0;
  await waitFor(loaded(20), 20000, 'more calls on the staying replica');
  stop = true;
  await load;
  loop.servers = [staying];
  const ids = delivered.map((id) => `'${id}'`).join(',');
  await waitFor(() => pg.query(`SELECT count(*) FROM deliveries WHERE id IN (${ids}) AND done_ms IS NOT NULL`)[0][0]
    === String(delivered.length), 20000, 'every delivery answered 202 handled');
  assert.ok(drainMs < 10000, `drain took ${drainMs} ms`);
  console.log(`sigterm: ${calls} MCP calls, ${delivered.length} webhooks, none lost; drain ${drainMs} ms`);
  await onStaying?.close();
}
