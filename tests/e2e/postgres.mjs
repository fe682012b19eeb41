// A real PostgreSQL server for the end-to-end tests, as tests/support/postgres_server.h starts
// it for the C++ tests: Debian's initdb and pg_ctl in a temp dir, 127.0.0.1 on a free port,
// trust authentication for the `postgres` role; as root the binaries run as the `postgres`
// user (runuser). stop() stops it by pg_ctl and removes the directory.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

function pgBin() {
  if (process.env.DATAMCP_PG_BIN) return process.env.DATAMCP_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    if (existsSync(join(root, v, 'bin', 'pg_ctl'))) return join(root, v, 'bin');
  }
  throw new Error('PostgreSQL server binaries not found: install Debian postgresql or set DATAMCP_PG_BIN');
}

export async function startPostgres() {
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), 'datamcp-e2e-pg-'));
  const asRoot = process.getuid() === 0;
  const run = (argv) => execFileSync(asRoot ? 'runuser' : argv[0],
    asRoot ? ['-u', 'postgres', '--', ...argv] : argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  run([join(bin, 'initdb'), '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8']);
  const port = await freePort();
  const start = () => run([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-t', '60',
    '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=80`, 'start']);
  start();
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    // The database going away (fast shutdown: open connections are cut) and coming back on
    // the same port with the same data.
    halt: () => run([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']),
    resume: start,
    // Runs one SQL query with psql; rows as arrays of strings.
    query: (sql) => execFileSync(join(bin, 'psql'), ['-X', '-A', '-t', '-F', '\t', '-d', url, '-c', sql],
      { encoding: 'utf8' }).split('\n').filter(Boolean).map((l) => l.split('\t')),
    stop: () => {
      try { run([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']); } catch { /* gone */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
