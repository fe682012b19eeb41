// The fields of Argo CD's ApplicationSyncRequest (server/application/application.proto,
// JSON names as grpc-gateway marshals them) and a checker for request bodies. grpc-gateway
// rejects unknown fields, so this does too.
const FIELDS = {
  name: "string",
  revision: "string",
  dryRun: "boolean",
  prune: "boolean",
  strategy: "object", // SyncStrategy {apply: {force}, hook: {force}}
  resources: "array", // SyncOperationResource [{group, kind, name, namespace}]
  manifests: "array",
  infos: "array", // Info [{name, value}]
  retryStrategy: "object", // RetryStrategy {limit, backoff, refresh}
  syncOptions: "object", // SyncOptions {items: [string]}
  appNamespace: "string",
  project: "string",
  sourcePositions: "array",
  revisions: "array",
};

function typeOf(v) {
  return Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
}

export function checkSyncRequest(body, pathName) {
  const problems = [];
  if (typeOf(body) !== "object") return ["ApplicationSyncRequest must be a JSON object"];
  for (const [key, value] of Object.entries(body)) {
    if (!(key in FIELDS)) problems.push(`unknown field "${key}" in ApplicationSyncRequest`);
    else if (typeOf(value) !== FIELDS[key]) problems.push(`${key} must be ${FIELDS[key]}, got ${typeOf(value)}`);
  }
  if (body.name !== undefined && body.name !== pathName) {
    problems.push(`name "${body.name}" differs from the path's "${pathName}"`);
  }
  if (typeOf(body.strategy) === "object") {
    for (const key of Object.keys(body.strategy)) {
      if (key !== "apply" && key !== "hook") problems.push(`unknown field "strategy.${key}"`);
    }
  }
  if (typeOf(body.syncOptions) === "object") {
    const items = body.syncOptions.items;
    if (items !== undefined && !(Array.isArray(items) && items.every((s) => typeof s === "string"))) {
      problems.push("syncOptions.items must be an array of strings");
    }
  }
  return problems;
}
