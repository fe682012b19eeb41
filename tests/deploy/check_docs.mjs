// The operator documentation names only what exists: in README.md, SECURITY.md,
// CONTRIBUTING.md and docs/*.md,
//   - every `datamcp <command>` (inline code or code block) is a command of `datamcp --help`,
//     and every flag after it is one that command's help entry (or a global option) lists;
//   - every configuration key in inline code (`server.public_url`, `config.forge.kind`) is in
//     `datamcp config --reference`;
//   - every chart value in inline code (`networkPolicy.argocd.port`) exists in
//     helm/datamcp/values.yaml or, for optional ones without a default, in values.schema.json;
//   - every link is relative, stays inside the repository, and its file (and #anchor) exists.
// Then the same checks must refuse a made-up page (so they are not vacuous).
// usage: node check_docs.mjs SOURCE_DIR   env: DATAMCP_BINARY
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";

const src = path.resolve(process.argv[2]);
const binary = process.env.DATAMCP_BINARY;
if (!binary) throw new Error("DATAMCP_BINARY is not set (ctest sets it)");

const help = execFileSync(binary, ["--help"], { encoding: "utf8" });
const reference = execFileSync(binary, ["config", "--reference"], { encoding: "utf8" });

// command -> flags of its help entry (the entry runs until the next command line).
const commands = new Map();
const globalFlags = new Set(["--config", "--help", "-h"]);
{
  let current = null;
  for (const line of help.split("\n")) {
    const m = /^  ([a-z][a-z-]*)(,|\s|$)/.exec(line);
    if (m && !line.startsWith("  --")) {
      for (const name of line.trim().split(/\s{2,}/)[0].split(/,\s*/)) {
        const word = name.split(/\s/)[0];
        if (!commands.has(word)) commands.set(word, new Set());
        current = word;
      }
      current = m[1];
    } else if (!/^\s/.test(line)) {
      current = null;
    }
    if (current) for (const f of line.matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)) commands.get(current).add(f[1]);
  }
}
const configKeys = new Set([...reference.matchAll(/^\| `([a-z0-9_.]+)`(?: \(`([a-z0-9_.]+)` in the file\))?/gm)]
  .flatMap((m) => [m[1], m[2]]).filter(Boolean));
const values = parse(fs.readFileSync(path.join(src, "helm/datamcp/values.yaml"), "utf8"));
const schema = JSON.parse(fs.readFileSync(path.join(src, "helm/datamcp/values.schema.json"), "utf8"));
const sections = new Set([...configKeys].map((k) => k.split(".")[0]));

function valueExists(parts) {
  let v = values, s = schema;
  let inValues = true;
  for (const p of parts) {
    if (inValues && v && typeof v === "object" && p in v) v = v[p]; else inValues = false;
    s = s?.properties?.[p] ?? (s?.additionalProperties && typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
    if (!inValues && !s) return false;
  }
  return true;
}

const slug = (heading) => heading.trim().toLowerCase().replace(/[^\w\s-]/g, "").replace(/\s/g, "-");

function checkFile(file, failures) {
  const rel = path.relative(src, file);
  const text = fs.readFileSync(file, "utf8");
  const fail = (line, what) => failures.push(`${rel}:${line}: ${what}`);
  const lines = text.split("\n");
  let inCode = false;
  lines.forEach((line, i) => {
    const n = i + 1;
    if (/^\s*```/.test(line)) { inCode = !inCode; return; }
    const spans = inCode ? [line] : [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    for (const span of spans) {
      for (const m of span.matchAll(/(?:^|\$ |-- |\/bin\/|\/bot\/)datamcp\s+([a-z][a-z-]*)([^#|;&]*?(?:\\\|[^#|;&]*?)*)(?=$|#|\||;|&)/g)) {
        const [, cmd, rest] = m;
        if (!commands.has(cmd)) { fail(n, `datamcp ${cmd}: not a command of datamcp --help`); continue; }
        for (const tok of rest.split(/[\s\\|[\]]+/)) {
          if (!/^--?[a-z][a-z-]*$/.test(tok)) continue;
          if (!commands.get(cmd).has(tok) && !globalFlags.has(tok)) fail(n, `datamcp ${cmd} ${tok}: not a flag of '${cmd}' in datamcp --help`);
        }
      }
      if (inCode) continue;
      const key = /^config\.([a-z0-9_.]+)$/.exec(span)?.[1] ?? (/^[a-z0-9_]+\.[a-z0-9_.]+$/.test(span) && sections.has(span.split(".")[0]) ? span : null);
      if (key !== null && key !== undefined) {
        if (!configKeys.has(key)) fail(n, `configuration key ${key}: not in datamcp config --reference`);
        continue;
      }
      const parts = span.split(".");
      if (parts.length > 1 && /^[a-z][A-Za-z0-9.]*$/.test(span) && values && parts[0] in values && parts[0] !== "config") {
        if (!valueExists(parts)) fail(n, `chart value ${span}: not in helm/datamcp/values.yaml or values.schema.json`);
      }
    }
    if (inCode) return;
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target)) { fail(n, `link ${target}: docs link only inside the repository`); continue; }
      const [p, anchor] = target.split("#");
      const resolved = path.resolve(path.dirname(file), p || path.basename(file));
      if (!resolved.startsWith(src + path.sep) && resolved !== src) { fail(n, `link ${target}: leaves the repository`); continue; }
      if (!fs.existsSync(resolved)) { fail(n, `link ${target}: ${path.relative(src, resolved)} does not exist`); continue; }
      if (anchor && resolved.endsWith(".md")) {
        const headings = fs.readFileSync(resolved, "utf8").split("\n").filter((l) => /^#+ /.test(l)).map((l) => slug(l.replace(/^#+ /, "")));
        if (!headings.includes(anchor)) fail(n, `link ${target}: no heading #${anchor}`);
      }
    }
  });
}

const docs = fs.readdirSync(path.join(src, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join(src, "docs", f));
const files = [path.join(src, "README.md"), path.join(src, "SECURITY.md"), path.join(src, "CONTRIBUTING.md"), ...docs];
const failures = [];
for (const f of files) checkFile(f, failures);
if (!docs.some((f) => f.endsWith("runbooks.md"))) failures.push("docs/runbooks.md is missing");

// Not vacuous: a page naming what does not exist is refused, once per made-up name.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "datamcp-docs-"));
const bad = path.join(src, "docs", `.check-docs-${process.pid}.md`);
try {
  fs.writeFileSync(bad, [
    "Run `datamcp frobnicate` and `datamcp audit --everything`; `datamcp resolve C P --retry --by x -m y` is fine.",
    "Set `server.nope`, `config.forge.kindly` and `networkPolicy.argocd.portal`; `networkPolicy.argocd.port` exists.",
    "See [shared](../../shared/DESIGN.md), [web](https://example.com) and [runbooks](runbooks.md#no-such-heading).",
  ].join("\n"));
  const selfFailures = [];
  checkFile(bad, selfFailures);
  const expected = ["frobnicate", "--everything", "server.nope", "forge.kindly", "networkPolicy.argocd.portal", "leaves the repository", "https://example.com", "no-such-heading"];
  for (const e of expected) if (!selfFailures.some((f) => f.includes(e))) failures.push(`self-test: a page naming '${e}' was not refused`);
  if (selfFailures.length !== expected.length) failures.push(`self-test: expected ${expected.length} refusals, got: ${selfFailures.join("; ")}`);
} finally {
  fs.rmSync(bad, { force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log(`ok docs: ${files.length} pages; commands, flags, ${configKeys.size} configuration keys, chart values and links checked`);
