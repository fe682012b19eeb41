// A fake GitHub REST API for DataMCP's tests. Binds 127.0.0.1 on a free port and prints
// the port as its first stdout line. Every request and response of the GitHub endpoints is
// checked against the operation's schema in npm @octokit/openapi; a mismatch answers 500 and
// is recorded in /_fake/state's `violations`, which tests assert to be empty.
//
// Control endpoints (no auth): POST /_fake/reset, GET /_fake/state, POST /_fake/config
// {basePath, maxPerPage, tokens, checksForbidden, app: {id, public_key_pem, ttl_seconds}},
// POST /_fake/fail-next
// {status, headers, body, count, method, path}, POST /_fake/pulls/{n} (merge, mergeable,
// author, head_repo ...), POST /_fake/reviews/{n}, POST /_fake/files/{n}, POST /_fake/permissions,
// POST /_fake/comments {issue, body, login} (a comment by someone else),
// POST /_fake/issues {title, body, labels, login} (an issue by someone else).
import http from 'node:http';
import { newState } from './state.mjs';
import { operation, checkRequest, checkResponse } from './schema.mjs';
import { routes, verifyAuth } from './routes.mjs';

let st = newState();

const compiledRoutes = routes.map((r) => ({
  ...r,
  op: operation(r.template, r.method),
  regex: new RegExp('^' + r.template.replace(/\{[^}]+\}/g, '([^/]+)') + '$'),
  names: [...r.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
}));

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

function violation(st, where, problems) {
  st.violations.push({ where, problems });
  return { message: 'fake-github: schema violation', where, problems };
}

function control(req, res, url, body) {
  const p = url.pathname;
  if (p === '/_fake/reset') { st = newState(); return send(res, 200, { ok: true }); }
  if (p === '/_fake/state') return send(res, 200, st);
  if (p === '/_fake/config') { Object.assign(st, body); return send(res, 200, { ok: true }); }
  if (p === '/_fake/fail-next') {
    st.failNext.push({ count: 1, headers: {}, ...body }); return send(res, 200, { ok: true });
  }
  let m = p.match(/^\/_fake\/pulls\/(\d+)$/);
  if (m) {
    const pr = st.pulls.find((x) => x.number === Number(m[1]));
    if (!pr) return send(res, 404, { message: 'no such pull request' });
    Object.assign(pr, body); return send(res, 200, pr);
  }
  m = p.match(/^\/_fake\/(reviews|files)\/(\d+)$/);
  if (m) { st[m[1]][m[2]] = body; return send(res, 200, { ok: true }); }
  if (p === '/_fake/comments') {
    const c = { id: st.nextId++, repo: 'octo/gitops', created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z', ...body };
    st.comments.push(c); return send(res, 200, c);
  }
  if (p === '/_fake/issues') {
    // An issue someone else opened: {title, body, labels, login}.
    const i = { repo: 'octo/gitops', number: st.nextNumber++, id: st.nextId++, title: 'x', body: null,
      labels: [], state: 'open', state_reason: null, closed_at: null, login: 'mallory', via_app: null,
      created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', edits: 0, ...body };
    st.issues.push(i); return send(res, 200, i);
  }
  if (p === '/_fake/permissions') {
    Object.assign(st.permissions, body); return send(res, 200, { ok: true });
  }
  return send(res, 404, { message: `unknown control endpoint ${p}` });
}

function checkHeaders(req) {
  const problems = [];
  if (req.headers.accept !== 'application/vnd.github+json') problems.push(`Accept: ${req.headers.accept}`);
  if (req.headers['x-github-api-version'] !== '2022-11-28') problems.push('X-GitHub-Api-Version missing');
  if (!req.headers['user-agent']) problems.push('User-Agent missing (GitHub rejects it)');
  return problems;
}

function handleApi(req, res, url, body, rawBody) {
  if (st.basePath && !url.pathname.startsWith(st.basePath + '/')) {
    const v = violation(st, `${req.method} ${url.pathname}`, [`path lacks prefix ${st.basePath}`]);
    return send(res, 404, { ...v, documentation_url: 'https://docs.github.com' });
  }
  const path = url.pathname.slice(st.basePath.length);
  const route = compiledRoutes.find((r) => r.method === req.method && r.regex.test(path));
  const where = `${req.method} ${path}`;
  if (!route) return send(res, 404, violation(st, where, ['endpoint not implemented by the fake']));
  const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(path.match(route.regex)[i + 1])]));
  const query = Object.fromEntries(url.searchParams);
  const problems = [...checkHeaders(req), ...checkRequest(route.op, query, body)];
  if (rawBody && body === undefined) problems.push('request body is not JSON');
  if (problems.length) return send(res, 500, violation(st, where, problems));

  const fail = st.failNext.find((f) => (!f.method || f.method === req.method) &&
    (!f.path || path.includes(f.path)));
  if (fail) {
    if (--fail.count <= 0) st.failNext.splice(st.failNext.indexOf(fail), 1);
    st.requests.push({ method: req.method, path, query, status: fail.status, injected: true });
    return send(res, fail.status, fail.body ?? { message: 'injected failure', documentation_url: 'https://docs.github.com' }, fail.headers);
  }
  const origin = `http://${req.headers.host}`;
  const auth = verifyAuth(st, route, req.headers.authorization);
  let out;
  if (auth.error) {
    out = { status: 401, body: { message: auth.error, documentation_url: 'https://docs.github.com/rest' } };
  } else {
    out = route.handle({ st, params, query, body, login: auth.login, claims: auth.claims, origin, path });
  }
  const responseProblems = checkResponse(route.op, out.status, out.body);
  st.requests.push({ method: req.method, path, query, status: out.status });
  if (responseProblems.length) return send(res, 500, violation(st, `${where} -> ${out.status}`, responseProblems));
  send(res, out.status, out.body, out.headers);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    let body;
    if (raw.length) { try { body = JSON.parse(raw); } catch { body = undefined; } }
    const url = new URL(req.url, 'http://127.0.0.1');
    try {
      if (url.pathname.startsWith('/_fake/')) return control(req, res, url, body ?? {});
      handleApi(req, res, url, body, raw.length > 0);
    } catch (e) {
      send(res, 500, violation(st, `${req.method} ${url.pathname}`, [`fake crashed: ${e.stack}`]));
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
