// Schemas of GitHub's REST API from npm @octokit/openapi, compiled with ajv, and a generator of
// minimal schema-valid objects (so the fake's answers carry every required field).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const specPath = require.resolve('@octokit/openapi/generated/api.github.com.json');
export const spec = JSON.parse(readFileSync(specPath, 'utf8'));
export const specVersion = JSON.parse(
  readFileSync(require.resolve('@octokit/openapi/package.json'), 'utf8')).version;

const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
addFormats(ajv);
ajv.addFormat('repo.nwo', /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);

// OpenAPI 3.0's `nullable: true` beside a oneOf/anyOf/$ref and no `type` (the issues
// endpoints' milestone) means "this, or null"; ajv only reads `nullable` next to a `type`, so
// such a node is written as anyOf [it, null]. Every other node is kept as it is.
function nullableAsAnyOf(node) {
  if (Array.isArray(node)) return node.map(nullableAsAnyOf);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableAsAnyOf(v);
  if (out.nullable === true && out.type === undefined) {
    const { nullable, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

// The spec is trusted: skip meta-validating 13 MB of schemas (it halves start-up).
ajv.addSchema({ $id: 'gh', components: { schemas: nullableAsAnyOf(spec.components.schemas) } },
  undefined, undefined, false);

// Rewrites local $refs so that a schema cut out of the spec resolves against 'gh'.
function rebase(node) {
  if (Array.isArray(node)) return node.map(rebase);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? 'gh' + v : rebase(v);
    }
    return nullableAsAnyOf(out);
  }
  return node;
}

const compiled = new Map();
function compile(key, schema) {
  if (!compiled.has(key)) compiled.set(key, ajv.compile(rebase(schema)));
  return compiled.get(key);
}

function deref(obj) {
  while (obj && obj.$ref) {
    const parts = obj.$ref.replace(/^#\//, '').split('/');
    obj = parts.reduce((o, p) => o[p.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return obj;
}

export function operation(template, method) {
  const op = spec.paths[template]?.[method.toLowerCase()];
  if (!op) throw new Error(`no operation ${method} ${template} in @octokit/openapi`);
  return op;
}

function errorsOf(validate, label) {
  return (validate.errors || []).slice(0, 20).map((e) => `${label}${e.instancePath} ${e.message}` +
    (e.params ? ' ' + JSON.stringify(e.params) : ''));
}

// Returns a list of problems with a request (body and query) for `op`; empty when valid.
export function checkRequest(op, query, body) {
  const problems = [];
  const params = (op.parameters || []).map(deref).filter((p) => p.in === 'query');
  for (const [name, value] of Object.entries(query)) {
    const p = params.find((x) => x.name === name);
    if (!p) { problems.push(`query parameter '${name}' is not in the schema`); continue; }
    const v = compile(`${op.operationId}?${name}`, p.schema);
    const typed = p.schema.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (!v(typed)) problems.push(...errorsOf(v, `query.${name}`));
  }
  const rb = deref(op.requestBody);
  const schema = rb?.content?.['application/json']?.schema;
  if (schema) {
    if (body === undefined) {
      if (rb.required) problems.push('request body is required');
    } else {
      const v = compile(`${op.operationId}:request`, schema);
      if (!v(body)) problems.push(...errorsOf(v, 'request'));
    }
  } else if (body !== undefined) {
    problems.push('operation takes no request body');
  }
  return problems;
}

// Returns a list of problems with a response for `op`; empty when valid.
export function checkResponse(op, status, body) {
  let response = deref(op.responses[String(status)]);
  if (!response && status >= 400) response = deref(spec.components.responses.not_found);
  if (!response) return [`status ${status} is not documented for ${op.operationId}`];
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return body === undefined ? [] : [`status ${status} has no body in the schema`];
  const key = `${op.operationId}:${status >= 400 && !op.responses[String(status)] ? 'error' : status}`;
  const v = compile(key, schema);
  return v(body) ? [] : errorsOf(v, `response ${status}`);
}

// A minimal value valid against `schema` (nullable -> null, required fields filled).
export function synth(schema, depth = 0) {
  schema = deref(schema);
  if (depth > 12) return null;
  if (schema.nullable) return null;
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => synth(s, depth + 1)));
  if (schema.anyOf || schema.oneOf) return synth((schema.anyOf || schema.oneOf)[0], depth + 1);
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out = {};
      for (const k of schema.required || []) out[k] = synth(schema.properties?.[k] || {}, depth + 1);
      return out;
    }
    case 'array': return [];
    case 'integer': case 'number': return schema.minimum ?? 1;
    case 'boolean': return false;
    case 'string':
      if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
      if (schema.format === 'uri') return 'https://github.example/x';
      if (schema.format === 'email') return 'bot@example.com';
      return 'x';
    default: return null;
  }
}

export function schemaOf(name) {
  if (!spec.components.schemas[name]) throw new Error(`no schema ${name}`);
  return spec.components.schemas[name];
}
