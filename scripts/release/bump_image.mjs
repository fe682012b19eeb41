#!/usr/bin/env node
// Moves DataMCP's image in a Helm values file of the deployment repository to a new release:
// sets image.repository, image.tag and image.digest under the top-level `image:` key (adding
// the key or its fields when missing) and leaves every other line as it was, comments
// included, so the pull request's diff is exactly the bump. release.yml runs it; until
// DataMCP's own image promotion flow exists, the workflow then opens the pull request.
//
// usage: node scripts/release/bump_image.mjs VALUES_FILE --repository REPO --tag TAG --digest sha256:HEX
// Exit 2 with one line naming the bad argument; the file is only written when all is valid.
import fs from "node:fs";

function fail(message) {
  console.error(`bump_image: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const [file, ...rest] = argv;
  if (!file || file.startsWith("--")) fail("usage: bump_image.mjs VALUES_FILE --repository REPO --tag TAG --digest sha256:HEX");
  const opts = {};
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]?.replace(/^--/, "");
    if (!["repository", "tag", "digest"].includes(name) || rest[i + 1] === undefined) {
      fail(`unexpected argument '${rest[i]}': use --repository, --tag and --digest, each with a value`);
    }
    opts[name] = rest[i + 1];
  }
  for (const k of ["repository", "tag", "digest"]) if (!opts[k]) fail(`--${k} is required`);
  if (!/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)+$/.test(opts.repository)) fail(`--repository '${opts.repository}': expected REGISTRY/PATH in lower case, e.g. ghcr.io/acme/datamcp`);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(opts.tag)) fail(`--tag '${opts.tag}': not a valid image tag (letters, digits, _ . -)`);
  if (!/^sha256:[0-9a-f]{64}$/.test(opts.digest)) fail(`--digest '${opts.digest}': expected sha256: and 64 lower-case hex digits`);
  return { file, ...opts };
}

// Returns the text with the image fields set.
export function bumpImage(text, { repository, tag, digest }) {
  const lines = text.split("\n");
  const values = { repository, tag: JSON.stringify(tag), digest };
  const start = lines.findIndex((l) => /^image:\s*(#.*)?$/.test(l));
  if (start < 0) {
    if (lines.some((l) => /^image:/.test(l))) throw new Error("top-level image: is not a block mapping; write it as image:\\n  repository: ...");
    const block = ["image:", ...Object.entries(values).map(([k, v]) => `  ${k}: ${v}`)];
    if (lines.at(-1) === "") lines.splice(lines.length - 1, 0, ...block);
    else lines.push(...block);
    return lines.join("\n");
  }
  let end = start + 1;
  while (end < lines.length && (/^\s+\S/.test(lines[end]) || /^\s*(#.*)?$/.test(lines[end]))) end++;
  while (end > start + 1 && /^\s*$/.test(lines[end - 1])) end--;
  const indent = lines.slice(start + 1, end).map((l) => /^(\s+)\S/.exec(l)?.[1]).find(Boolean) ?? "  ";
  for (const [key, value] of Object.entries(values)) {
    const at = lines.slice(start + 1, end).findIndex((l) => new RegExp(`^${indent}${key}:`).test(l));
    if (at >= 0) {
      const comment = /\s+#.*$/.exec(lines[start + 1 + at].replace(/"[^"]*"|'[^']*'/g, ""))?.[0] ?? "";
      lines[start + 1 + at] = `${indent}${key}: ${value}${comment}`;
    } else {
      lines.splice(end, 0, `${indent}${key}: ${value}`);
      end++;
    }
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { file, ...image } = parseArgs(process.argv.slice(2));
  let text;
  try { text = fs.readFileSync(file, "utf8"); } catch (e) { fail(`${file}: ${e.message} (give the values file's path in the deployment repository)`); }
  let out;
  try { out = bumpImage(text, image); } catch (e) { fail(`${file}: ${e.message}`); }
  fs.writeFileSync(`${file}.tmp`, out);
  fs.renameSync(`${file}.tmp`, file);
  console.log(`bump_image: ${file}: image ${image.repository}:${image.tag}@${image.digest}`);
}
