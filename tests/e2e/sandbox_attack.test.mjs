// Plans run code an agent wrote. Through the MCP client against the real server, with real
// terraform and helm: HCL and charts that try to read DataMCP's secrets (given both as files
// and as environment variables), the server's /proc, the mirror, or reach the network are
// refused or harmless, and nothing secret appears in any tool result or log line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, connect, waitFor } from './lib.mjs';

let server;
let agent;
let secrets;  // name -> value
let listener;
let connections = 0;
const project = 'infra/terraform/envs/local';

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datamcp-attack-'));
  const tokenFile = join(dir, 'repository-token');
  writeFileSync(tokenFile, 'repo-token-from-a-file-7f3a9c2e51d04b68\n');
  server = await startServer({
    dir,
    env: {
      DATAMCP_WEBHOOKS_SECRET: 'webhook-secret-from-env-4c8e1b7a92d3f065',
      DATAMCP_ARGOCD_TOKEN: 'argocd-token-from-env-9b2d6f0e3a7c1845',
      DATAMCP_REPOSITORY_TOKEN_FILE: tokenFile,
      // The suite makes more previews than one caller's burst; caller_limits tests the limit.
      DATAMCP_MCP_RATE_LIMIT_BURST: '1000',
    },
  });
  secrets = {
    hs256: readFileSync(join(dir, 'work', 'auth', 'hs256.key'), 'utf8').trim(),
    webhook: 'webhook-secret-from-env-4c8e1b7a92d3f065',
    argocd: 'argocd-token-from-env-9b2d6f0e3a7c1845',
    repo: 'repo-token-from-a-file-7f3a9c2e51d04b68',
  };
  agent = await connect(server, server.token('agent-attacker', ['plans:read', 'env:local']));
  listener = createServer((socket) => { connections++; socket.destroy(); });
  await new Promise((r) => listener.listen(0, '127.0.0.1', r));
});
after(async () => {
  await agent?.close();
  await server?.stop();
  listener?.close();
});

// Every way a secret could be spelled in output.
function forms(value) {
  const b = Buffer.from(value);
  return [value, b.toString('base64').slice(0, 24), b.toString('base64url').slice(0, 24),
    b.toString('hex').slice(0, 24), Buffer.from(value + '\n').toString('base64').slice(0, 24)];
}

function assertNoSecret(text, what) {
  for (const [name, value] of Object.entries(secrets)) {
    for (const form of forms(value)) {
      assert.ok(!text.includes(form), `${what} leaks ${name} (${form}): ${text.slice(0, 2000)}`);
    }
  }
}

async function preview(files) {
  const result = await agent.callTool({ name: 'plan_preview', arguments: { environment: 'local', files } });
  const text = JSON.stringify(result);
  assertNoSecret(text, 'the tool result');
  assertNoSecret(server.log.join('\n'), 'the server log');
  return { result, text };
}

const leak = (expr) => [{ path: `${project}/leak.tf`,
  content: `output "leak" {\n  value = ${expr}\n}\nlocals {\n  n = tonumber(${expr})\n}\n` }];

test('file(), filebase64(), templatefile(), fileset() and pathexpand() reach no secret', async () => {
  const work = join(server.dir, 'work');
  const targets = [
    join(work, 'auth', 'hs256.key'),
    join(server.dir, 'repository-token'),
    join(work, 'mirror.git', 'config'),
    '/proc/self/environ', '/proc/1/environ', `/proc/${server.child.pid}/environ`,
    '/etc/passwd',
    '${path.cwd}/../../../../../../../../auth/hs256.key',
  ];
  for (const t of targets) {
    for (const expr of [`base64encode(file("${t}"))`, `filebase64("${t}")`,
      `templatefile("${t}", {})`, `file(pathexpand("${t}"))`]) {
      const { text } = await preview(leak(expr));
      if (t === '/etc/passwd') assert.ok(!text.includes('root:x:0:0'), text);
    }
  }
  // (Not /proc: fileset() of it follows /proc/N/root back to / and loops until the timeout.)
  for (const dir of [join(work, 'auth'), join(work, 'tfstate'), work]) {
    const { result, text } = await preview(leak(`jsonencode(fileset("${dir}", "**"))`));
    assert.ok(!text.includes('hs256.key') && !text.includes('mirror.git'), text);
    assert.equal(result.structuredContent.status, 'failure', text.slice(0, 500));
  }
});

test('/proc in the plan shows neither the server nor its environment', async () => {
  const { text } = await preview(leak('file("/proc/self/environ")'));
  assert.ok(!text.includes('DATAMCP_'), text.slice(0, 2000));
  const server_proc = await preview(leak(`file("/proc/${server.child.pid}/cmdline")`));
  assert.ok(!server_proc.text.includes('serve'), server_proc.text.slice(0, 2000));
});

test('local-exec, data "external" and data "http" run nothing and reach nothing', async () => {
  const port = listener.address().port;
  const key = join(server.dir, 'work', 'auth', 'hs256.key');
  const cases = [
    `resource "terraform_data" "x" {\n  provisioner "local-exec" {\n    command = "cat ${key}; curl http://127.0.0.1:${port}/"\n  }\n}\n`,
    `data "external" "x" {\n  program = ["sh", "-c", "cat ${key}"]\n}\n`,
    `data "http" "x" {\n  url = "http://127.0.0.1:${port}/"\n}\n`,
    `module "m" {\n  source = "http://127.0.0.1:${port}/module.zip"\n}\n`,
  ];
  const refusals = [null, /data "external" uses provider 'external'.*plan\.allowed_providers/,
    /data "http" uses provider 'http'.*plan\.allowed_providers/,
    /module source 'http:\/\/127\.0\.0\.1.*plan\.allowed_module_sources/];
  for (const [i, content] of cases.entries()) {
    const { result, text } = await preview([{ path: `${project}/attack.tf`, content }]);
    if (refusals[i]) {
      assert.equal(result.structuredContent.status, 'failure', text.slice(0, 500));
      assert.match(result.structuredContent.projects[0].error, refusals[i]);
    }
  }
  assert.equal(connections, 0, 'a plan connected to 127.0.0.1');
});

test('a Helm chart reading outside itself gets nothing', async () => {
  const { text } = await preview([{ path: 'helm/charts/example-data-app/templates/leak.yaml',
    content: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n' +
      '  up: {{ .Files.Get "../../../../work/auth/hs256.key" | b64enc | quote }}\n' +
      '  glob: {{ (.Files.Glob "../**").AsConfig | quote }}\n' }]);
  assert.ok(text.length > 0);
});

test('with plan.sandbox required and no working bubblewrap, the server is not ready and says why', async () => {
  const broken = await startServer({ env: { DATAMCP_PLAN_BWRAP_BIN: '/nonexistent/bwrap' }, waitReady: false });
  try {
    const res = await fetch(`${broken.base}/readyz`);
    const body = await res.text();
    assert.equal(res.status, 503, body);
    assert.match(body, /plan\.sandbox is required/);
    assert.match(body, /bubblewrap/);
    assert.match(body, /plan\.sandbox: best-effort/);
    const token = broken.token('agent-x', ['plans:read', 'env:local']);
    const client = await connect(broken, token);
    const result = await client.callTool({ name: 'plan_preview', arguments: { environment: 'local',
      files: [{ path: `${project}/x.tf`, content: 'resource "terraform_data" "x" {}\n' }] } });
    await client.close();
    assert.match(JSON.stringify(result), /plan\.sandbox is required/);
  } finally {
    await broken.stop();
  }
});

test('with plan.allowed_hosts, terraform plans through the egress bridge and reaches no other host', async () => {
  const egress = await startServer({ env: { DATAMCP_PLAN_NETWORK: 'allow',
    DATAMCP_PLAN_ALLOWED_HOSTS: 'registry.terraform.io' } });
  try {
    assert.ok(egress.log.some((l) => l.includes('network through the egress proxy')), egress.log.join('\n'));
    const token = egress.token('agent-egress', ['plans:read', 'env:local']);
    const client = await connect(egress, token);
    const result = await client.callTool({ name: 'plan_preview', arguments: { environment: 'local',
      files: [{ path: `${project}/egress.tf`,
        content: 'resource "terraform_data" "egress" {\n  input = "through the bridge"\n}\n' }] } });
    await client.close();
    const text = JSON.stringify(result);
    assert.equal(result.structuredContent.status, 'success', text.slice(0, 2000));
    // The template's own resource and this one: terraform ran under the bridge and planned.
    assert.equal(result.structuredContent.projects[0].changes.creates, 2, text.slice(0, 2000));
    assert.equal(connections, 0, 'a plan connected to 127.0.0.1');
  } finally {
    await egress.stop();
  }
});
