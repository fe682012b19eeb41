// Validates rendered Kubernetes manifests: every document against the schema of its kind
// (kubernetes-models, @kubernetes-models/argo-cd, @kubernetes-models/prometheus-operator:
// types, required fields, enums), built-in kinds also for unknown fields, as the API server's
// strict field validation and Argo CD's server-side apply reject them (the official client's
// model table, @kubernetes/client-node),
// then the chart's own promises (one replica on SQLite, or a Deployment on PostgreSQL, hardened pod, probes, secrets as files), and
// finally that the rendered config.yaml + environment load in the real binary
// (`datamcp config --check`).
//
// usage: node validate.mjs chart RENDERED.yaml EXPECTED_KINDS [RENDERED.yaml EXPECTED_KINDS ...]
//        node validate.mjs manifests RENDERED.yaml EXPECTED_KINDS [...]   (repo-template's
//             pipeline charts: schemas, kinds, and a hardened pod with resources)
//        node validate.mjs argocd MANIFESTS.yaml RENDERED_CHART.yaml
//        node validate.mjs workflows WORKFLOW.yml...
// env:   DATAMCP_BINARY (required for chart mode)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
// Deep import: the package root pulls in the HTTP client, which needs a newer Node.
import * as coreModels from "@kubernetes/client-node/dist/gen/models/all.js";

const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

const modules = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "batch/v1": "kubernetes-models/batch/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "argoproj.io/v1alpha1": "@kubernetes-models/argo-cd/argoproj.io/v1alpha1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
  // External Secrets Operator: validators generated from its CRDs' openAPIV3Schema.
  "external-secrets.io/v1": "@kubernetes-models/external-secrets/external-secrets.io/v1",
};

function readDocs(file) {
  const docs = [];
  for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const obj = doc.toJS();
    if (obj) docs.push(obj);
  }
  return docs;
}

// Reports fields that the API type `type` (a client-node model name) does not have.
function unknownFields(value, type, where, out) {
  if (value === null || typeof value !== "object") return;
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, m[1], `${where}[${i}]`, out));
    return;
  }
  if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    for (const [k, v] of Object.entries(value)) unknownFields(v, m[1], `${where}.${k}`, out);
    return;
  }
  const attrs = coreModels[type]?.attributeTypeMap;
  if (!attrs) return;
  const fields = new Map(attrs.map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!fields.has(k)) out.push(`${where}.${k}: unknown field`);
    else unknownFields(v, fields.get(k), `${where}.${k}`, out);
  }
}

// Field tables of a CRD model package (@kubernetes-models/<crd>/<group>/<version>), read from
// its generated type declarations, which list every field of the CRD's openAPIV3Schema: the
// API server prunes or (with strict field validation, as kubectl and server-side apply use)
// rejects fields a CRD does not declare, and the package's validators do not check that.
const crdFieldTables = new Map();
function crdFields(dir, file) {
  const key = path.join(dir, file);
  if (crdFieldTables.has(key)) return crdFieldTables.get(key);
  const fields = new Map();
  crdFieldTables.set(key, fields);
  if (!fs.existsSync(key)) return fields;
  const text = fs.readFileSync(key, "utf8");
  const imports = new Map([...text.matchAll(/import \{ (\w+) \} from "\.\/([\w.]+)\.js";/g)].map((m) => [m[1], `${m[2]}.d.ts`]));
  const body = /export interface I\w+(?: extends TypeMeta)? \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? "";
  for (const m of body.matchAll(/^\s{4}"([^"]+)"\??: (.+);$/gm)) {
    const type = m[2];
    const ref = /^(?:Array<)?(I\w+)>?$/.exec(type)?.[1];
    const map = /^\{\s*\[key: string\]: (I\w+);\s*\}$/.exec(type)?.[1];
    fields.set(m[1], { file: imports.get(ref ?? map) ?? null, array: type.startsWith("Array<"), map: Boolean(map) });
  }
  return fields;
}

function unknownCrdFields(value, dir, file, where, out) {
  if (value === null || typeof value !== "object" || !file) return;
  if (Array.isArray(value)) return value.forEach((v, i) => unknownCrdFields(v, dir, file, `${where}[${i}]`, out));
  const fields = crdFields(dir, file);
  if (!fields.size) return;
  for (const [k, v] of Object.entries(value)) {
    const f = fields.get(k);
    if (!f) out.push(`${where}.${k}: unknown field`);
    else if (f.map) for (const [mk, mv] of Object.entries(v ?? {})) unknownCrdFields(mv, dir, f.file, `${where}.${k}.${mk}`, out);
    else unknownCrdFields(v, dir, f.file, `${where}.${k}`, out);
  }
}

async function validateSchema(obj) {
  const where = `${obj.kind}/${obj.metadata?.name}`;
  const mod = modules[obj.apiVersion];
  if (!mod) return check(false, `${where}: no schema for apiVersion ${obj.apiVersion}`);
  const Model = (await import(mod))[obj.kind];
  if (!Model) return check(false, `${where}: no schema for kind ${obj.kind} in ${obj.apiVersion}`);
  try { new Model(obj).validate(); } catch (e) { check(false, `${where}: ${e.message}`); }
  if (mod.startsWith("@kubernetes-models/external-secrets/")) {
    const dir = path.dirname(fileURLToPath(import.meta.resolve(`${mod}/${obj.kind}`)));
    const unknown = [];
    unknownCrdFields({ ...obj, metadata: undefined }, dir, `${obj.kind}.d.ts`, obj.kind, unknown);
    for (const u of unknown) check(false, `${where}: ${u}`);
  }
  if (!obj.apiVersion.includes(".") || obj.apiVersion.includes(".k8s.io/")) {
    const type = `V1${obj.kind}`;
    if (!coreModels[type]) return check(false, `${where}: no field table for ${type}`);
    const unknown = [];
    unknownFields(obj, type, obj.kind, unknown);
    for (const u of unknown) check(false, `${where}: ${u}`);
  }
}

// Several replicas: a Deployment on PostgreSQL, rolled out without dropping below its size,
// spread over nodes, protected by a PodDisruptionBudget, with a grace period that covers the
// drain.
function checkReplicas(deploy, docs) {
  const pod = deploy.spec.template.spec;
  const [c] = pod.containers;
  check(deploy.spec.replicas > 1, "Deployment: more than one replica");
  check(deploy.spec.strategy?.rollingUpdate?.maxUnavailable === 0, "Deployment: maxUnavailable 0");
  const pdb = docs.find((d) => d.kind === "PodDisruptionBudget");
  check(pdb && JSON.stringify(pdb.spec.selector.matchLabels) === JSON.stringify(deploy.spec.selector.matchLabels),
    "PodDisruptionBudget selects the Deployment's pods");
  check(pod.affinity?.podAntiAffinity, "pods spread by podAntiAffinity");
  check(c.env.some((e) => e.name === "DATAMCP_STATE_POSTGRES_URL_FILE"), "state.postgres_url from a secret file");
  const delay = Number(c.env.find((e) => e.name === "DATAMCP_SERVER_SHUTDOWN_DELAY_SECONDS")?.value ?? NaN);
  check(pod.terminationGracePeriodSeconds > delay, "terminationGracePeriodSeconds covers the shutdown delay");
  check(!deploy.spec.volumeClaimTemplates, "no volume per replica");
}

function checkStatefulSet(sts, docs) {
  const pod = sts.spec.template.spec;
  const [c] = pod.containers;
  if (sts.kind === "Deployment") checkReplicas(sts, docs);
  else check(sts.spec.replicas === 1, "StatefulSet: exactly one replica (SQLite on its volume)");
  check(pod.securityContext?.runAsNonRoot === true, "pod: runAsNonRoot");
  check(pod.securityContext?.seccompProfile?.type === "RuntimeDefault", "pod: seccomp RuntimeDefault");
  check(c.securityContext?.readOnlyRootFilesystem === true, "container: readOnlyRootFilesystem");
  check(c.securityContext?.allowPrivilegeEscalation === false, "container: no privilege escalation");
  check(JSON.stringify(c.securityContext?.capabilities?.drop) === '["ALL"]', "container: drop ALL");
  check(c.livenessProbe?.httpGet?.path === "/healthz", "liveness probe on /healthz");
  check(c.readinessProbe?.httpGet?.path === "/readyz", "readiness probe on /readyz");
  checkProbePorts(c, docs);
  check(c.resources?.requests && c.resources?.limits, "container: resources set");
  const mounts = Object.fromEntries(c.volumeMounts.map((m) => [m.mountPath, m]));
  const volumes = new Set(pod.volumes.map((v) => v.name));
  const claims = new Set((sts.spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name));
  for (const m of c.volumeMounts) {
    check(volumes.has(m.name) || claims.has(m.name), `mount ${m.mountPath}: no volume ${m.name}`);
  }
  check(mounts["/var/lib/datamcp"], "work_dir volume mounted at /var/lib/datamcp");
  check(pod.volumes.some((v) => v.name === "tmp" && v.emptyDir), "/tmp is an emptyDir");
  const env = Object.fromEntries(c.env.map((e) => [e.name, e]));
  for (const e of c.env) {
    check(!/SECRET$|TOKEN$|PRIVATE_KEY$/.test(e.name), `env ${e.name}: secrets only as *_FILE`);
    if (!e.name.endsWith("_FILE") || !e.value?.startsWith("/etc/datamcp/secrets/")) continue;
    const dir = path.dirname(e.value);
    check(mounts[dir]?.readOnly, `env ${e.name}: ${dir} is not a read-only mount`);
  }
  check(!docs.some((d) => d.kind === "Secret"), "the chart never renders a Secret");
  checkExternalSecrets(pod, docs);
  return env;
}

// The probes and the ServiceMonitor reach ports that exist: the admin port
// (DATAMCP_SERVER_ADMIN_PORT) when it is on, which the probes must then use.
function checkProbePorts(c, docs) {
  const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
  const admin = Number(c.env.find((e) => e.name === "DATAMCP_SERVER_ADMIN_PORT")?.value ?? 0);
  check(admin === 0 || ports.get("admin") === admin, `container port "admin" is ${ports.get("admin")}, DATAMCP_SERVER_ADMIN_PORT ${admin}`);
  for (const name of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const port = c[name]?.httpGet?.port;
    if (port === undefined) continue;
    check(ports.has(port), `${name}: no container port named ${port}`);
    if (admin !== 0) check(port === "admin", `${name}: on port ${port}, not the admin port`);
  }
  const service = docs.find((d) => d.kind === "Service");
  for (const ep of docs.find((d) => d.kind === "ServiceMonitor")?.spec.endpoints ?? []) {
    check(service?.spec.ports.some((p) => p.name === ep.port), `ServiceMonitor: the Service has no port ${ep.port}`);
    if (admin !== 0) check(ep.port === "admin", `ServiceMonitor: scrapes ${ep.port}, not the admin port`);
  }
}

// Every ExternalSecret's target is a Secret the pod mounts, read through a store that exists
// in the release (or is named by the values) and authenticates as the pod's ServiceAccount.
function checkExternalSecrets(pod, docs) {
  const mounted = new Set(pod.volumes.filter((v) => v.secret).map((v) => v.secret.secretName));
  const stores = docs.filter((d) => d.kind === "SecretStore");
  for (const es of docs.filter((d) => d.kind === "ExternalSecret")) {
    const where = `ExternalSecret/${es.metadata.name}`;
    check(mounted.has(es.spec.target?.name), `${where}: target ${es.spec.target?.name} is not mounted by the pod`);
    check(es.spec.target?.creationPolicy === "Owner", `${where}: creationPolicy Owner (the operator owns the Secret)`);
    if (stores.length) check(stores.some((s) => s.metadata.name === es.spec.secretStoreRef.name), `${where}: store ${es.spec.secretStoreRef.name} is not rendered`);
  }
  for (const store of stores) {
    const p = store.spec.provider;
    const sa = p.aws?.auth?.jwt?.serviceAccountRef?.name ?? p.gcpsm?.auth?.workloadIdentity?.serviceAccountRef?.name;
    if (sa) check(sa === pod.serviceAccountName, `SecretStore/${store.metadata.name}: authenticates as ${sa}, not the pod's ServiceAccount`);
    check(Boolean(p.aws) !== Boolean(p.gcpsm), `SecretStore/${store.metadata.name}: exactly one of aws, gcpsm`);
  }
  const np = docs.find((d) => d.kind === "NetworkPolicy");
  for (const rule of np?.spec.egress ?? []) {
    for (const to of rule.to ?? []) {
      const cidr = to.ipBlock?.cidr;
      if (cidr?.startsWith("169.254.")) {
        const ports = rule.ports.map((p) => p.port).join(",");
        check((cidr === "169.254.169.254/32" && ports === "80") || (cidr === "169.254.169.252/32" && ports === "988"),
              `NetworkPolicy: metadata address ${cidr} only on the GKE metadata server port (got ${ports})`);
      }
    }
  }
}

// Loads the rendered config.yaml with the pod's environment in the real binary. Secret
// files are dummies at the same relative paths under a temp dir.
function checkConfigLoads(docs, env) {
  const binary = process.env.DATAMCP_BINARY;
  if (!binary) return check(false, "DATAMCP_BINARY is not set (ctest sets it)");
  const cm = docs.find((d) => d.kind === "ConfigMap");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "datamcp-deploy-"));
  try {
    const vars = { PATH: process.env.PATH };
    for (const [name, e] of Object.entries(env)) {
      let value = e.value;
      if (value?.startsWith("/etc/datamcp/") || value?.startsWith("/var/lib/datamcp")) {
        value = path.join(tmp, value);
        const isFile = name.endsWith("_FILE") || name === "DATAMCP_CONFIG";
        fs.mkdirSync(isFile ? path.dirname(value) : value, { recursive: true });
        if (name.endsWith("_FILE")) {
          fs.writeFileSync(value, name === "DATAMCP_STATE_POSTGRES_URL_FILE"
            ? "postgresql://datamcp@db.example:5432/datamcp\n" : "x".repeat(40) + "\n");
        }
      }
      vars[name] = value;
    }
    fs.writeFileSync(vars.DATAMCP_CONFIG, cm.data["config.yaml"]);
    execFileSync(binary, ["config", "--check"], { env: vars, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    check(false, `datamcp config --check refused the rendered config: ${e.stderr || e.message}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// A pipeline's pod (CronJob or Deployment of repo-template's pipeline charts): non-root,
// read-only root filesystem, no privilege escalation, memory bounded.
function checkPipelinePod(obj) {
  const pod = obj.kind === "CronJob" ? obj.spec.jobTemplate.spec.template.spec : obj.spec?.template?.spec;
  if (!pod) return;
  check(pod.securityContext?.runAsNonRoot === true, `${obj.kind}: pod runs as non-root`);
  for (const c of pod.containers) {
    check(c.securityContext?.readOnlyRootFilesystem === true, `${obj.kind}/${c.name}: read-only root filesystem`);
    check(c.securityContext?.allowPrivilegeEscalation === false, `${obj.kind}/${c.name}: no privilege escalation`);
    check(Boolean(c.resources?.limits?.memory), `${obj.kind}/${c.name}: a memory limit`);
  }
  if (obj.kind === "CronJob") check(obj.spec.concurrencyPolicy === "Forbid", "CronJob: runs never overlap");
}

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === "workflows") return validateWorkflows(rest);
  // chart: pairs of FILE KINDS, one process for every scenario (the imports dominate).
  const pairs = mode === "chart" || mode === "manifests" ? rest : [rest[0], rest[1]];
  let ok = true;
  for (let i = 0; i < pairs.length; i += 2) ok = (await validateFile(mode, pairs[i], pairs[i + 1])) && ok;
  if (!ok) process.exit(1);
}

// GitHub Actions workflows against GitHub's own workflow schema (@actions/workflow-parser,
// the parser behind the Actions language service: unknown keys, permission scopes, types,
// expressions), then what this repository's workflows promise.
async function validateWorkflows(files) {
  const { register } = await import("node:module");
  // Node 20 needs `with {type: "json"}` on JSON imports, which the parser's build omits.
  register("data:text/javascript," + encodeURIComponent(
    'export async function load(u, c, next) { return next(u, u.endsWith(".json") ? { ...c, importAttributes: { type: "json" } } : c); }'));
  const { parseWorkflow, NoOperationTraceWriter } = await import("@actions/workflow-parser");
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    const parsed = parseWorkflow({ name: path.basename(file), content: text }, new NoOperationTraceWriter());
    for (const e of parsed.context.errors.getErrors()) check(false, `${file}: ${e.message}`);
    const [wf] = readDocs(file);
    for (const [id, job] of Object.entries(wf.jobs ?? {})) {
      for (const step of job.steps ?? []) {
        if (step.uses) check(/@v\d+(\.\d+)*$/.test(step.uses), `${file}: job ${id}: pin ${step.uses} to a version tag`);
      }
    }
    check(!/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|credentials_json|GOOGLE_CREDENTIALS/.test(text), `${file}: no long-lived cloud keys (use OIDC)`);
    const name = path.basename(file);
    if (name === "release.yml") {
      check(Object.keys(wf.on) .join() === "push" && wf.on.push.tags && !wf.on.push.branches, `${file}: runs on version tags only`);
      const image = wf.jobs.image;
      check(image?.permissions?.["id-token"] === "write" && image?.permissions?.packages === "write", `${file}: image job has id-token and packages write`);
      check(wf.permissions?.contents === "read" && Object.keys(wf.permissions).length === 1, `${file}: top-level permissions contents: read only`);
      for (const want of ["docker/build-push-action", "sbom: true", "provenance: mode=max", "actions/attest-build-provenance", "cosign sign --yes", "scripts/release/bump_image.mjs", "gh pr create"]) {
        check(text.includes(want), `${file}: ${want}`);
      }
      check(wf.jobs.image?.needs === "test" && wf.jobs.test?.uses === "./.github/workflows/ci.yml", `${file}: the image is built after ci.yml's tests`);
    }
    if (name === "ci.yml") {
      check(wf.on.workflow_call !== undefined, `${file}: callable by release.yml (workflow_call)`);
      for (const want of ["scripts/test", "terraform fmt -check -recursive", "helm lint --strict", "clang-format-14 --dry-run --Werror", "trufflesecurity/trufflehog"]) {
        check(text.includes(want), `${file}: ${want}`);
      }
    }
  }
  if (failures.length) {
    for (const f of failures) console.error(`FAIL ${f}`);
    process.exit(1);
  }
  console.log(`ok workflows: ${files.map((f) => path.basename(f)).join(", ")} valid against GitHub's workflow schema`);
}

async function validateFile(mode, file, arg) {
  failures.length = 0;
  const docs = readDocs(file);
  for (const d of docs) await validateSchema(d);
  const kinds = docs.map((d) => d.kind).sort().join(",");
  if (mode === "chart") {
    check(kinds === arg.split(",").sort().join(","), `rendered kinds ${kinds}, expected ${arg}`);
    const sts = docs.find((d) => d.kind === "StatefulSet" || d.kind === "Deployment");
    if (sts) checkConfigLoads(docs, checkStatefulSet(sts, docs));
    const ing = docs.find((d) => d.kind === "Ingress");
    for (const rule of ing?.spec.rules ?? []) {
      const paths = rule.http.paths.map((p) => p.path);
      check(paths.includes("/mcp") && paths.includes("/webhooks/github"), "Ingress routes /mcp and /webhooks/github");
      check(!paths.some((p) => p === "/" || p === "/metrics"), "Ingress exposes only the public routes");
    }
  } else if (mode === "manifests") {
    check(kinds === arg.split(",").sort().join(","), `rendered kinds ${kinds}, expected ${arg}`);
    for (const d of docs) checkPipelinePod(d);
  } else if (mode === "argocd") {
    check(kinds === "AppProject,Application", `argocd manifests: kinds ${kinds}`);
    const app = docs.find((d) => d.kind === "Application");
    const proj = docs.find((d) => d.kind === "AppProject");
    check(app?.spec.source.path === "helm/datamcp", "Application deploys helm/datamcp");
    check(fs.existsSync(path.join(process.env.DATAMCP_SOURCE_DIR ?? "../..", app?.spec.source.path ?? "-", "Chart.yaml")),
          "Application path holds a chart in this repository");
    check(app?.spec.destination.namespace === "datamcp", "Application targets namespace datamcp");
    check(app?.spec.project === proj?.metadata.name, "Application uses the AppProject");
    check(proj?.spec.sourceRepos.includes(app?.spec.source.repoURL), "AppProject allows the Application's repo");
    check(proj?.spec.destinations.some((d) => d.namespace === app?.spec.destination.namespace),
          "AppProject allows the Application's destination");
    const allowed = new Set((proj?.spec.namespaceResourceWhitelist ?? []).map((r) => `${r.group}/${r.kind}`));
    for (const d of readDocs(arg)) {
      const group = d.apiVersion.includes("/") ? d.apiVersion.split("/")[0] : "";
      check(allowed.has(`${group}/${d.kind}`), `AppProject does not allow ${group}/${d.kind} that the chart renders`);
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  if (failures.length) {
    for (const f of failures) console.error(`FAIL ${file}: ${f}`);
    return false;
  }
  console.log(`ok ${file}: ${docs.length} manifests (${kinds})`);
  return true;
}

main().catch((e) => { console.error(`FAIL ${e.stack}`); process.exit(1); });
