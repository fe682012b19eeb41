// Exhaustion of the real `datamcp serve` by clients that need no token (issue 11's exhaustion
// suite; the idle and slow-header connections are tests/http): a flood of new connections,
// oversized request heads, and one subject opening MCP sessions without end. Throughout, other
// clients must be answered within 2 s; afterwards the server's memory and descriptors must
// come back to where they were (a second round adds nothing), so nothing grows per attack.
// The flood runs in a worker thread, so that its load does not delay the probe's own timers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { startServer, connect, waitFor } from './lib.mjs';

let server;
let client;
before(async () => {
  server = await startServer();
  client = await connect(server, server.token('agent-probe', ['plans:read', 'env:local']));
});
after(async () => {
  await client?.close();
  await server?.stop();
});

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))[1]) / 1024;
const descriptors = () => readdirSync(`/proc/${server.child.pid}/fd`).length;

// Answers a health probe and an authenticated MCP call every 200 ms until stop() is called;
// returns the slowest of each, in ms.
function probe() {
  let running = true;
  const slowest = { health: 0, mcp: 0, probes: 0 };
  const done = (async () => {
    while (running) {
      let t = Date.now();
      const health = await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(5000) });
      assert.equal(health.status, 200);
      slowest.health = Math.max(slowest.health, Date.now() - t);
      t = Date.now();
      const info = await client.callTool({ name: 'get_server_info', arguments: {} });
      assert.notEqual(info.isError, true, JSON.stringify(info.content));
      slowest.mcp = Math.max(slowest.mcp, Date.now() - t);
      slowest.probes += 1;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return { stop: async () => { running = false; await done; return slowest; } };
}

// Opens `total` connections, `parallel` at a time, each doing one of: a whole request with
// Connection: close, half a request head then a close, or nothing at all before the close.
const floodSource = `
  const { parentPort, workerData: { port, total, parallel } } = require('node:worker_threads');
  const net = require('node:net');
  let started = 0, finished = 0, answered = 0;
  function one() {
    if (started >= total) return;
    const kind = started++ % 3;
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.on('data', (d) => { if (d.toString().startsWith('HTTP/1.1 200')) answered++; });
    s.on('connect', () => {
      if (kind === 0) s.write('GET /healthz HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n');
      else if (kind === 1) { s.write('GET /healthz HTTP/1.1\\r\\nHo'); s.destroy(); }
      else s.destroy();
    });
    s.on('close', () => {
      finished++;
      if (finished === total) parentPort.postMessage({ answered });
      else one();
    });
  }
  for (let i = 0; i < parallel; i++) one();
`;
function flood(total, parallel) {
  return new Promise((resolve, reject) => {
    const w = new Worker(floodSource, { eval: true, workerData: { port: server.port, total, parallel } });
    w.once('message', (m) => { w.terminate(); resolve(m); });
    w.once('error', reject);
  });
}

// Sends `head` on a new connection and returns the status line of the answer ('' when the
// server reset the connection first) once the server has closed it.
function rawHead(head) {
  return new Promise((resolve) => {
    const s = net.connect(server.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => { got += d.toString(); });
    s.on('error', () => {});
    const timer = setTimeout(() => s.destroy(), 15000);
    s.on('close', () => { clearTimeout(timer); resolve(got.split('\r\n')[0]); });
    s.on('connect', () => s.write(head));
  });
}

// Settles the server's memory and descriptors after a round: waits for the descriptors to
// come back to `fds` (closed connections) and returns the RSS then.
async function settle(fds) {
  await waitFor(async () => descriptors() <= fds + 2, 15000, `descriptors back to ${fds}`);
  return rssMb();
}

test('a flood of new connections: others are answered within 2 s; descriptors and memory come back', async (t) => {
  const fds = descriptors();
  const rounds = [];
  for (let round = 0; round < 2; round++) {
    const p = probe();
    const { answered } = await flood(3000, 32);
    const slowest = await p.stop();
    assert.ok(answered >= 900, `round ${round}: only ${answered} of 1000 whole requests answered 200`);
    assert.ok(slowest.probes >= 2, `round ${round}: the probe ran ${slowest.probes} times`);
    assert.ok(slowest.health < 2000, `round ${round}: /healthz took ${slowest.health} ms`);
    assert.ok(slowest.mcp < 2000, `round ${round}: get_server_info took ${slowest.mcp} ms`);
    rounds.push(await settle(fds));
    t.diagnostic(`flood round ${round}: ${answered}/1000 answered, slowest /healthz ${slowest.health} ms, get_server_info ${slowest.mcp} ms, RSS ${rounds[round].toFixed(1)} MB`);
  }
  // The first round may grow the thread pool and allocator arenas; the second must not add.
  assert.ok(rounds[1] - rounds[0] < 4, `RSS ${rounds[0].toFixed(1)} MB after the first flood, ${rounds[1].toFixed(1)} MB after the second`);
});

test('oversized request heads are refused with 431 and take no memory; others are still served', async (t) => {
  const fds = descriptors();
  const start = 'GET /healthz HTTP/1.1\r\nHost: x\r\n';
  // One header over the bound of the whole head: the client has finished writing, so it reads
  // the answer.
  const big = await rawHead(start + `X-Big: ${'a'.repeat(100_000)}\r\n\r\n`);
  assert.equal(big, 'HTTP/1.1 431 Request Header Fields Too Large');
  const many = await rawHead(start + 'X-N: v\r\n'.repeat(300) + '\r\n');
  assert.equal(many, 'HTTP/1.1 431 Request Header Fields Too Large');
  const before = rssMb();
  // Eight clients each sending a million headers (8 MB) at once: before the bound, cpp-httplib
  // kept them all (880 MB). They may see a reset instead of the 431: they are still sending.
  const p = probe();
  const heads = 'X-A: b\r\n'.repeat(10_000);
  await Promise.all(Array.from({ length: 8 }, () => new Promise((resolve) => {
    const s = net.connect(server.port, '127.0.0.1');
    s.on('error', () => {});
    s.on('close', resolve);
    s.on('connect', async () => {
      s.write(start);
      for (let i = 0; i < 100 && !s.destroyed; i++) {
        if (!s.write(heads)) await new Promise((r) => { s.once('drain', r); s.once('close', r); });
      }
      s.end();
    });
  })));
  const slowest = await p.stop();
  assert.ok(slowest.health < 2000 && slowest.mcp < 2000, JSON.stringify(slowest));
  const afterRss = await settle(fds);
  t.diagnostic(`million-header clients: RSS ${before.toFixed(1)} -> ${afterRss.toFixed(1)} MB, slowest probe ${JSON.stringify(slowest)}`);
  assert.ok(afterRss - before < 8, `RSS ${before.toFixed(1)} MB before the million-header clients, ${afterRss.toFixed(1)} MB after`);
  assert.equal((await fetch(`${server.base}/healthz`)).status, 200);
});

// An MCP initialize over plain HTTP: the session id, or the error the server answered.
async function initialize(token) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'exhaustion', version: '1' } } }),
  });
  const text = await res.text();
  return { status: res.status, id: res.headers.get('mcp-session-id'), text };
}
const endSession = (token, id) => fetch(server.url, {
  method: 'DELETE', headers: { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id } });

test("one subject's MCP sessions are bounded, another subject still gets one, and ended sessions free their memory", async (t) => {
  const greedy = server.token('agent-greedy', ['plans:read']);
  const ids = [];
  for (let i = 0; i < 64; i++) {
    const s = await initialize(greedy);
    assert.equal(s.status, 200, s.text);
    assert.ok(s.id, 'no Mcp-Session-Id');
    ids.push(s.id);
  }
  const refused = await initialize(greedy);
  assert.equal(refused.status, 503, refused.text);
  assert.match(refused.text, /subject agent-greedy already has 64 MCP sessions; end unused ones with DELETE \/mcp/);
  const other = await initialize(server.token('agent-other', ['plans:read']));
  assert.equal(other.status, 200, other.text);
  const info = await client.callTool({ name: 'get_server_info', arguments: {} });
  assert.notEqual(info.isError, true);

  assert.equal((await endSession(greedy, ids.pop())).status, 200);
  const again = await initialize(greedy);
  assert.equal(again.status, 200, again.text);
  ids.push(again.id);
  for (const id of ids) assert.equal((await endSession(greedy, id)).status, 200);

  // Sessions made and ended over and over: the memory of the first 300 is reused by the next.
  const rounds = [];
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 300; i++) {
      const s = await initialize(greedy);
      assert.equal(s.status, 200, s.text);
      assert.equal((await endSession(greedy, s.id)).status, 200);
    }
    rounds.push(rssMb());
  }
  t.diagnostic(`sessions: RSS ${rounds[0].toFixed(1)} MB after 300 made and ended, ${rounds[1].toFixed(1)} MB after 600`);
  assert.ok(rounds[1] - rounds[0] < 2, `RSS ${rounds[0].toFixed(1)} MB after 300 sessions, ${rounds[1].toFixed(1)} MB after 600`);
});
