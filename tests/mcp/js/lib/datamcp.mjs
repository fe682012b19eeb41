// Starts the real `datamcp serve` binary for a test: a config file in a fresh temp dir,
// 127.0.0.1 on a free port (server.port 0; the port is read from the "listening" log
// line), stopped by PID. Tokens are minted with `datamcp token`.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export function binary() {
  const bin = process.env.DATAMCP_BINARY;
  if (!bin) throw new Error('DATAMCP_BINARY is not set (ctest sets it to the built datamcp)');
  return bin;
}

// options.auth: 'none' (loopback development mode) or 'jwt'.
// authExtra: more `key: value` lines under `auth:` (e.g. 'clock_skew_seconds: 0').
export async function startServer({ auth = 'jwt', authExtra = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'datamcp-mcp-test-'));
  const config = join(dir, 'datamcp.yaml');
  writeFileSync(
    config,
    [
      `work_dir: ${join(dir, 'work')}`,
      'server:',
      '  bind: 127.0.0.1',
      '  port: 0',
      'auth:',
      `  mode: ${auth}`,
      ...authExtra.map((line) => `  ${line}`),
      'log:',
      '  level: info',
      '  format: json',
    ].join('\n') + '\n',
  );
  const env = { ...process.env, DATAMCP_CONFIG: config };
  const child = spawn(binary(), ['serve', '--config', config], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr = [];
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line in 30 s:\n${stderr.join('\n')}`)), 30000);
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      stderr.push(line);
      try {
        const event = JSON.parse(line);
        if (event.event === 'listening') {
          clearTimeout(timer);
          resolve(event.port);
        }
      } catch {
        /* not a JSON log line */
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`datamcp serve exited with ${code}:\n${stderr.join('\n')}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 10000));
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { port, url: `http://127.0.0.1:${port}/mcp`, config, dir, stderr, stop, env };
}

// Mints a token with `datamcp token` for `sub` with the given scopes.
export function mintToken(server, sub, scopes, extraArgs = []) {
  const out = execFileSync(
    binary(),
    ['token', '--config', server.config, '--sub', sub, '--scopes', scopes.join(' ') || 'none', ...extraArgs],
    { env: server.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return out.trim().split('\n').pop().trim();
}
