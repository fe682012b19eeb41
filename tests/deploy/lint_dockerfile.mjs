// Lints the Dockerfile (dockerfile-utils, the Docker language server's validator: unknown
// instructions and flags, bad arguments) and checks what the image promises: pinned base
// images, a numeric non-root user, ENTRYPOINT ["datamcp"] with CMD ["serve"], listening on
// all interfaces, and no git CLI in the runtime stage.
// usage: node lint_dockerfile.mjs Dockerfile
import fs from "node:fs";
import { validate } from "dockerfile-utils";

const file = process.argv[2];
const text = fs.readFileSync(file, "utf8");
const failures = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
const check = (ok, what) => { if (!ok) failures.push(what); };

const lines = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
const args = Object.fromEntries(lines.filter((l) => /^ARG \w+=/.test(l))
  .map((l) => l.slice(4).split("=", 2)).map(([k, v]) => [k, v.replace(/^"|"$/g, "")]));
const expand = (s) => s.replace(/\$\{(\w+)\}/g, (_, k) => args[k] ?? `\${${k}}`);
const froms = lines.filter((l) => l.startsWith("FROM ")).map((l) => expand(l.split(/\s+/)[1]));
for (const image of froms) {
  check(/:[^:]+$/.test(image) && !image.endsWith(":latest"), `FROM ${image}: pin a version tag`);
}
check(froms.at(-1)?.startsWith("debian:bookworm-slim"), "runtime stage is debian:bookworm-slim");
const finalStage = lines.slice(lines.findLastIndex((l) => l.startsWith("FROM ")));
const last = (instr) => finalStage.filter((l) => l.startsWith(instr + " ")).at(-1)?.slice(instr.length + 1);
check(/^[1-9][0-9]*(:[0-9]+)?$/.test(last("USER") ?? ""), "final USER is a numeric non-root uid");
check(last("ENTRYPOINT") === '["datamcp"]', 'ENTRYPOINT ["datamcp"]');
check(last("CMD") === '["serve"]', 'CMD ["serve"]');
check(finalStage.some((l) => l.startsWith("ENV ") && l.includes("DATAMCP_SERVER_BIND=0.0.0.0")), "ENV DATAMCP_SERVER_BIND=0.0.0.0");
check(!/\bgit\b/.test(args.RUNTIME_PACKAGES ?? ""), "no git CLI in RUNTIME_PACKAGES (libgit2 only)");
check(!finalStage.some((l) => l.startsWith("HEALTHCHECK")), "no HEALTHCHECK (Kubernetes probes /healthz, /readyz)");

if (failures.length) {
  for (const f of failures) console.error(`FAIL ${file}: ${f}`);
  process.exit(1);
}
console.log(`ok ${file}: lint clean, ${froms.length} stages pinned (${froms.join(", ")})`);
