// The admin port (server.admin_port) of the real `datamcp serve`: /healthz, /readyz and
// /metrics there, /metrics gone from the main port, and the probes answered within 2 s while
// one address holds every connection the main port allows it (a client behind the same
// node address as the kubelet could otherwise fail the liveness probe and restart the pod).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './lib.mjs';

// A port nobody listens on now (the kernel's pick, released at once).
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

let server;
let admin;
before(async () => {
  const adminPort = await freePort();
  server = await startServer({ env: { DATAMCP_SERVER_ADMIN_PORT: String(adminPort) } });
  const listening = server.log.map((l) => { try { return JSON.parse(l); } catch { return {}; } })
    .find((e) => e.event === 'listening');
  assert.equal(listening.admin_port, adminPort, 'the listening line names the admin port');
  admin = `http://127.0.0.1:${adminPort}`;
});
after(async () => { await server?.stop(); });

const get = async (url) => {
  const t = Date.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text(), ms: Date.now() - t };
};

test('probes and metrics are on the admin port; metrics leave the main port; MCP stays off it', async () => {
  assert.equal((await get(`${admin}/healthz`)).status, 200);
  assert.equal((await get(`${admin}/readyz`)).status, 200);
  const metrics = await get(`${admin}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.text, /datamcp_http_requests_total\{/);
  assert.equal((await get(`${server.base}/healthz`)).status, 200, 'load balancers may still probe the main port');
  assert.equal((await get(`${server.base}/metrics`)).status, 404);
  assert.equal((await get(`${admin}/mcp`)).status, 404);
});

test('with every main-port connection of this address held, the admin port answers within 2 s', async (t) => {
  const held = [];
  let refused = '';
  // The main port allows one address half of server.max_connections (128 of 256): open more.
  for (let i = 0; i < 200; i++) {
    held.push(await new Promise((resolve) => {
      const s = net.connect(server.port, '127.0.0.1');
      s.on('error', () => {});
      s.on('data', (d) => { if (!refused) refused = d.toString().split('\r\n')[0]; });
      s.once('connect', () => resolve(s));
    }));
  }
  try {
    // Raw: the main port answers a refused connection at once, before reading its request.
    const main = await new Promise((resolve) => {
      const s = net.connect(server.port, '127.0.0.1');
      let got = '';
      s.on('data', (d) => { got += d.toString(); });
      s.on('error', () => {});
      s.on('close', () => resolve(got));
      s.on('connect', () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    });
    assert.match(main, /^HTTP\/1\.1 503 /, 'the main port refuses this address past its bound');
    assert.match(main, /server\.max_connections_per_peer/);
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const r = await get(`${admin}${path}`);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
      assert.ok(r.ms < 2000, `${path} took ${r.ms} ms`);
      t.diagnostic(`admin ${path}: ${r.ms} ms with ${held.length} main-port connections held (refused ones got "${refused}")`);
    }
  } finally {
    for (const s of held) s.destroy();
  }
});

test('an admin port already in use stops a second server with the settings to change', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datamcp-e2e-'));
  try {
    await assert.rejects(
      startServer({ dir, env: { DATAMCP_SERVER_ADMIN_PORT: admin.split(':').pop() } }),
      /cannot listen on 127\.0\.0\.1:\d+ \(address in use or not local\?\); set server\.admin_bind \/ server\.admin_port/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
