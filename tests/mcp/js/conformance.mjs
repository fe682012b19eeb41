// Runs the official MCP conformance suite (npm @modelcontextprotocol/conformance, Node 22)
// against `datamcp serve` in the no-auth loopback mode. Every listed scenario must pass:
// the CLI's exit code is 0 and every check it records is SUCCESS (or INFO).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib/datamcp.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const scenarios = [
  'server-initialize',
  'ping',
  'logging-set-level',
  'tools-list',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
];

function checksOf(outDir) {
  const checks = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === 'checks.json') checks.push(...JSON.parse(readFileSync(p, 'utf8')));
    }
  };
  walk(outDir);
  return checks;
}

const server = await startServer({ auth: 'none' });
const out = mkdtempSync(join(tmpdir(), 'datamcp-conformance-'));
const failures = [];
try {
  for (const scenario of scenarios) {
    const dir = join(out, scenario);
    let exitCode = 0;
    try {
      execFileSync(process.execPath, [cli, 'server', '--url', `http://localhost:${server.port}/mcp`,
        '--scenario', scenario, '-o', dir], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 });
    } catch (e) {
      exitCode = e.status ?? 1;
    }
    const checks = checksOf(dir);
    const bad = checks.filter((c) => c.status !== 'SUCCESS' && c.status !== 'INFO');
    const passed = checks.filter((c) => c.status === 'SUCCESS').length;
    const ok = exitCode === 0 && bad.length === 0 && passed > 0;
    console.log(`${ok ? 'PASS' : 'FAIL'} ${scenario}: ${passed} checks passed` +
      (bad.length ? `; failing: ${bad.map((c) => `${c.id} (${c.status}: ${c.errorMessage ?? ''})`).join(', ')}` : '') +
      (exitCode ? `; exit code ${exitCode}` : ''));
    if (!ok) failures.push(scenario);
  }
} finally {
  await server.stop();
  rmSync(out, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`conformance failures: ${failures.join(', ')}`);
  process.exit(1);
}
console.log(`all ${scenarios.length} conformance scenarios passed`);
