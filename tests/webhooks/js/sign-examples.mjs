// Prints real GitHub webhook payloads (npm @octokit/webhooks-examples), rewritten to one
// repository and signed with npm @octokit/webhooks-methods, as JSON lines:
//   {"event","action","delivery","signature","body_file"}
// Each body is written byte for byte to <out>/<n>.json (the signature covers those bytes).
//
// usage: node sign-examples.mjs --secret S --repo owner/name --out DIR [--events a,b]
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import { sign } from "@octokit/webhooks-methods";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples");

const { values } = parseArgs({
  options: {
    secret: { type: "string" },
    repo: { type: "string" },
    out: { type: "string" },
    events: { type: "string" },
  },
});
if (!values.secret || !values.repo || !values.out) {
  console.error("usage: node sign-examples.mjs --secret S --repo owner/name --out DIR [--events a,b]");
  process.exit(2);
}
const [owner, name] = values.repo.split("/");
const only = values.events ? new Set(values.events.split(",")) : null;
mkdirSync(values.out, { recursive: true });

function rewriteRepository(payload) {
  const repo = payload.repository;
  if (!repo || typeof repo !== "object") return payload;
  repo.full_name = values.repo;
  repo.name = name;
  if (repo.owner && typeof repo.owner === "object") repo.owner.login = owner;
  return payload;
}

// GitHub sends a comment's creation time with the event; the examples were captured years ago
// and DataMCP refuses comment commands older than 72 hours (a replay), so they get "now".
function refreshCommentTime(payload) {
  if (payload.comment && typeof payload.comment === "object") {
    payload.comment.created_at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  }
  return payload;
}

let n = 0;
for (const group of examples) {
  if (only && !only.has(group.name)) continue;
  for (const example of group.examples) {
    const body = JSON.stringify(refreshCommentTime(rewriteRepository(structuredClone(example))));
    const file = join(values.out, `${n++}.json`);
    writeFileSync(file, body);
    const line = {
      event: group.name,
      action: typeof example.action === "string" ? example.action : "",
      delivery: randomUUID(),
      signature: await sign(values.secret, body),
      body_file: file,
    };
    process.stdout.write(JSON.stringify(line) + "\n");
  }
}
