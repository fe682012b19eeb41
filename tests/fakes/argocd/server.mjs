// A fake Argo CD API server for DataMCP's tests. It serves the two endpoints DataMCP uses,
// GET /api/v1/applications/{name} and POST /api/v1/applications/{name}/sync, from
// in-memory Applications whose behaviour after a sync is scripted per application.
//
// Usage: node server.mjs --token TOKEN [--tls-cert cert.pem --tls-key key.pem]
// Binds 127.0.0.1 on a free port and prints the port as the first stdout line.
//
// Every Application it returns is validated against the Application CRD schema shipped in
// npm @kubernetes-models/argo-cd; every sync request body against the ApplicationSyncRequest
// fields of Argo CD's server/application/application.proto. Violations are answered with
// HTTP 500 and kept in GET /_fake/errors, so a test sees them.
//
// Control endpoints (no token needed):
//   POST /_fake/applications {name, namespace?, behaviour, runningPolls?, initialRevision?}
//        behaviour: healthy | degraded | wrong-revision | never-finishes | fail
//   GET  /_fake/requests  -> [{name, appNamespace, body}] sync requests received
//   GET  /_fake/errors    -> [string] schema violations seen
//   POST /_fake/fail-next {count, status} -> the next `count` API requests get `status`
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { checkSyncRequest } from "./sync_request.mjs";

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : "";
}
const token = arg("--token");
if (!token) {
  console.error("usage: node server.mjs --token TOKEN");
  process.exit(2);
}

const BEHAVIOURS = new Set(["healthy", "degraded", "wrong-revision", "never-finishes", "fail"]);
const DEFAULT_NAMESPACE = "argocd";
const apps = new Map(); // "namespace/name" -> state
const syncRequests = [];
const errors = [];
let failNext = { count: 0, status: 503 };

function grpcError(res, httpStatus, grpcCode, message) {
  send(res, httpStatus, { error: message, code: grpcCode, message });
}

function send(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function now() {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

function newApp(spec) {
  return {
    name: spec.name,
    namespace: spec.namespace || DEFAULT_NAMESPACE,
    behaviour: spec.behaviour,
    runningPolls: Number.isInteger(spec.runningPolls) ? spec.runningPolls : 2,
    syncRevision: spec.initialRevision || "1111111111111111111111111111111111111111",
    syncStatus: "OutOfSync",
    health: "Healthy",
    operation: null, // {revision, phase, message, startedAt, finishedAt, pollsLeft}
  };
}

// Advances a running operation by one observation and applies the behaviour at its end.
function observe(app) {
  const op = app.operation;
  if (!op || op.phase !== "Running") return;
  app.health = "Progressing";
  if (app.behaviour === "never-finishes") return;
  if (op.pollsLeft > 0) {
    op.pollsLeft--;
    return;
  }
  op.finishedAt = now();
  switch (app.behaviour) {
    case "healthy":
      Object.assign(op, { phase: "Succeeded", message: "successfully synced (all tasks run)" });
      Object.assign(app, { syncRevision: op.revision, syncStatus: "Synced", health: "Healthy" });
      break;
    case "degraded":
      Object.assign(op, { phase: "Succeeded", message: "successfully synced (all tasks run)" });
      Object.assign(app, { syncRevision: op.revision, syncStatus: "Synced", health: "Degraded" });
      break;
    case "wrong-revision":
      // Argo CD settled on another commit (e.g. the source tracks a branch that moved on).
      Object.assign(op, { phase: "Succeeded", message: "successfully synced (all tasks run)" });
      Object.assign(app, { syncRevision: "2222222222222222222222222222222222222222", syncStatus: "Synced", health: "Healthy" });
      break;
    case "fail":
      Object.assign(op, {
        phase: "Failed",
        message: 'one or more objects failed to apply, reason: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1',
      });
      app.health = "Healthy";
      break;
  }
}

function render(app) {
  const source = { repoURL: "https://git.example.com/gitops.git", path: `apps/${app.name}`, targetRevision: "main" };
  const destination = { server: "https://kubernetes.default.svc", namespace: app.name };
  const obj = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: app.name, namespace: app.namespace },
    spec: { project: "default", source, destination },
    status: {
      sync: { status: app.syncStatus, revision: app.syncRevision, comparedTo: { source, destination } },
      health: { status: app.health },
    },
  };
  const op = app.operation;
  if (op) {
    obj.operation = op.phase === "Running" ? { sync: { revision: op.revision, prune: false, dryRun: false } } : undefined;
    if (!obj.operation) delete obj.operation;
    obj.status.operationState = {
      operation: { sync: { revision: op.revision, prune: false, dryRun: false } },
      phase: op.phase,
      message: op.message,
      startedAt: op.startedAt,
      ...(op.finishedAt ? { finishedAt: op.finishedAt } : {}),
    };
  }
  new Application(obj).validate(); // throws on a schema violation
  return obj;
}

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return { ok: true, value: text ? JSON.parse(text) : {} };
  } catch (e) {
    return { ok: false, error: `body is not JSON: ${e.message}` };
  }
}

function findApp(name, ns) {
  return apps.get(`${ns || DEFAULT_NAMESPACE}/${name}`);
}

function respondApp(res, app) {
  try {
    send(res, 200, render(app));
  } catch (e) {
    errors.push(`Application ${app.name}: ${e.message}`);
    grpcError(res, 500, 13, `fake argocd: invalid Application: ${e.message}`);
  }
}

async function handleControl(req, res, url) {
  if (req.method === "POST" && url.pathname === "/_fake/applications") {
    const body = await readJson(req);
    if (!body.ok || typeof body.value.name !== "string" || !BEHAVIOURS.has(body.value.behaviour)) {
      return grpcError(res, 400, 3, `need {name, behaviour in ${[...BEHAVIOURS].join("|")}}`);
    }
    const app = newApp(body.value);
    apps.set(`${app.namespace}/${app.name}`, app);
    return respondApp(res, app);
  }
  if (req.method === "GET" && url.pathname === "/_fake/requests") return send(res, 200, syncRequests);
  if (req.method === "GET" && url.pathname === "/_fake/errors") return send(res, 200, errors);
  if (req.method === "POST" && url.pathname === "/_fake/fail-next") {
    const body = await readJson(req);
    failNext = { count: body.value?.count ?? 1, status: body.value?.status ?? 503 };
    return send(res, 200, failNext);
  }
  return grpcError(res, 404, 5, `no control endpoint ${req.method} ${url.pathname}`);
}

async function handleSync(req, res, url, name) {
  const body = await readJson(req);
  if (!body.ok) return grpcError(res, 400, 3, body.error);
  const problems = checkSyncRequest(body.value, name);
  if (problems.length) {
    errors.push(`sync request for ${name}: ${problems.join("; ")}`);
    return grpcError(res, 400, 3, problems.join("; "));
  }
  const ns = body.value.appNamespace || url.searchParams.get("appNamespace") || "";
  syncRequests.push({ name, appNamespace: ns, body: body.value });
  const app = findApp(name, ns);
  if (!app) return grpcError(res, 404, 5, `applications.argoproj.io "${name}" not found`);
  if (app.operation && app.operation.phase === "Running") {
    return grpcError(res, 400, 9, "another operation is already in progress");
  }
  const revision = body.value.revision || "HEAD";
  app.operation = { revision, phase: "Running", message: "waiting for completion", startedAt: now(), pollsLeft: app.runningPolls };
  app.syncStatus = "OutOfSync";
  return respondApp(res, app);
}

async function handle(req, res) {
  const url = new URL(req.url, "http://127.0.0.1");
  if (url.pathname.startsWith("/_fake/")) return handleControl(req, res, url);
  if (req.headers.authorization !== `Bearer ${token}`) {
    return grpcError(res, 401, 16, "invalid session: token signature is invalid");
  }
  if (failNext.count > 0) {
    failNext.count--;
    return grpcError(res, failNext.status, 14, "fake argocd: injected failure");
  }
  const sync = url.pathname.match(/^\/api\/v1\/applications\/([^/]+)\/sync$/);
  if (sync && req.method === "POST") return handleSync(req, res, url, decodeURIComponent(sync[1]));
  const get = url.pathname.match(/^\/api\/v1\/applications\/([^/]+)$/);
  if (get && req.method === "GET") {
    const app = findApp(decodeURIComponent(get[1]), url.searchParams.get("appNamespace"));
    if (!app) return grpcError(res, 404, 5, `applications.argoproj.io "${get[1]}" not found`);
    observe(app);
    return respondApp(res, app);
  }
  return grpcError(res, 404, 5, `Not Found: ${req.method} ${url.pathname}`);
}

const listener = (req, res) => {
  handle(req, res).catch((e) => {
    errors.push(`internal: ${e.stack}`);
    grpcError(res, 500, 13, `fake argocd: ${e.message}`);
  });
};
const server = arg("--tls-cert")
  ? https.createServer({ cert: fs.readFileSync(arg("--tls-cert")), key: fs.readFileSync(arg("--tls-key")) }, listener)
  : http.createServer(listener);
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
