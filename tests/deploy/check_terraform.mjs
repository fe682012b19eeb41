// Offline checks of the Terraform under infra/ (registry providers cannot be downloaded
// here, so `terraform validate` cannot run): every configuration parses (HashiCorp's HCL
// parser, @cdktf/hcl2json), every var./local./module./data./resource reference is declared,
// every variable is used, typed and described, every output described, and providers,
// Terraform and registry modules are pinned.
// usage: node check_terraform.mjs DIR [BUILTIN_ONLY]   (every subdirectory of DIR is one
// configuration; BUILTIN_ONLY: comma-separated ones that use only built-in resources and so
// declare no providers, e.g. repo-template's offline `local` root)
import fs from "node:fs";
import path from "node:path";
import { parse } from "@cdktf/hcl2json";

const root = process.argv[2];
const builtinOnly = new Set((process.argv[3] ?? "").split(",").filter(Boolean));
const failures = [];

function strings(value, out = []) {
  if (typeof value === "string") out.push(value);
  else if (value && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
  return out;
}

async function checkDir(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".tf")).sort();
  const fail = (what) => failures.push(`${path.relative(root, dir) || "."}: ${what}`);
  const blocks = [];
  for (const f of files) {
    try { blocks.push(await parse(f, fs.readFileSync(path.join(dir, f), "utf8"))); }
    catch (e) { fail(`${f} does not parse: ${e.message ?? e}`); }
  }
  const declared = new Set();
  const variables = {};
  for (const b of blocks) {
    for (const [name, [v]] of Object.entries(b.variable ?? {})) variables[name] = v, declared.add(`var.${name}`);
    for (const l of b.locals ?? []) for (const name of Object.keys(l)) declared.add(`local.${name}`);
    for (const name of Object.keys(b.module ?? {})) declared.add(`module.${name}`);
    for (const [type, byName] of Object.entries(b.resource ?? {})) for (const n of Object.keys(byName)) declared.add(`${type}.${n}`);
    for (const [type, byName] of Object.entries(b.data ?? {})) for (const n of Object.keys(byName)) declared.add(`data.${type}.${n}`);
  }
  const references = (exprs) => {
    const refs = new Set();
    for (const s of exprs) {
      for (const [, expr] of s.matchAll(/\$\{(.*?)\}/gs)) {
        for (const m of expr.matchAll(/(?<![\w.])(var|local|module)\.(\w+)/g)) refs.add(`${m[1]}.${m[2]}`);
        for (const m of expr.matchAll(/(?<![\w.])data\.(\w+)\.(\w+)/g)) refs.add(`data.${m[1]}.${m[2]}`);
        for (const m of expr.matchAll(/(?<![\w.])((?:google|aws|kubernetes|helm)_\w+)\.(\w+)/g)) refs.add(`${m[1]}.${m[2]}`);
      }
    }
    return refs;
  };
  // Uses outside the variables themselves; validation conditions may only name their own.
  const refs = references(blocks.flatMap((b) => strings({ ...b, variable: undefined })));
  for (const [name, v] of Object.entries(variables)) {
    for (const r of references(strings(v.validation ?? []))) {
      if (r !== `var.${name}`) fail(`variable ${name}: validation references ${r}`);
    }
  }
  for (const r of refs) if (!declared.has(r)) fail(`${r} is referenced but not declared`);
  for (const [name, v] of Object.entries(variables)) {
    if (!refs.has(`var.${name}`)) fail(`variable ${name} is never used`);
    if (!v.type) fail(`variable ${name} has no type`);
    if (!v.description) fail(`variable ${name} has no description`);
  }
  for (const b of blocks) for (const [name, [o]] of Object.entries(b.output ?? {})) {
    if (!o.description) fail(`output ${name} has no description`);
  }
  const tf = blocks.flatMap((b) => b.terraform ?? []);
  if (!tf.some((t) => t.required_version)) fail("terraform.required_version is not set");
  const providers = tf.flatMap((t) => t.required_providers ?? []).flatMap((p) => Object.entries(p));
  if (!providers.length && !builtinOnly.has(path.basename(dir))) fail("no required_providers");
  for (const [name, p] of providers) if (!p.version) fail(`provider ${name} has no version constraint`);
  for (const b of blocks) for (const [name, [m]] of Object.entries(b.module ?? {})) {
    const registry = !/^(\.|git::|https?:)/.test(m.source);
    if (registry && !/^\d+\.\d+\.\d+$/.test(m.version ?? "")) fail(`module ${name}: pin an exact version`);
  }
  return files.length;
}

const dirs = fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(root, d.name));
let count = 0;
for (const d of dirs) count += await checkDir(d);
if (!count) failures.push(`${root}: no Terraform files`);
if (failures.length) {
  for (const f of failures) console.error(`FAIL infra/${f}`);
  process.exit(1);
}
console.log(`ok ${root}: ${dirs.length} configurations, ${count} files, references declared, variables typed and described`);
