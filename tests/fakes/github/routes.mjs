// The GitHub endpoints the fake implements, over the in-memory state.
import { createPublicKey, verify } from 'node:crypto';
import * as b from './state.mjs';

const DOCS = 'https://docs.github.com/rest';
const notFound = () => ({ status: 404, body: { message: 'Not Found', documentation_url: DOCS } });
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function paginate({ st, query, origin, path }, items) {
  const per = Math.min(Number(query.per_page ?? 30), st.maxPerPage);
  const page = Number(query.page ?? 1);
  const headers = {};
  if (page * per < items.length) {
    const next = new URLSearchParams({ ...query, page: String(page + 1) });
    headers.Link = `<${st.linkOrigin ?? origin}${st.basePath}${path}?${next}>; rel="next"`;
  }
  return { status: 200, body: items.slice((page - 1) * per, page * per), headers };
}

function findPull(ctx) {
  return ctx.st.pulls.find((p) => p.number === Number(ctx.params.pull_number ?? ctx.params.issue_number));
}

// An issue of the repository (not a pull request), by the path's issue_number.
function findIssue(ctx) {
  return ctx.st.issues.find((i) => i.number === Number(ctx.params.issue_number) &&
    i.repo === `${ctx.params.owner}/${ctx.params.repo}`);
}

// Pull requests are issues too: their conversation comments live under /issues/{n}.
const findConversation = (ctx) => findPull(ctx) ?? findIssue(ctx);

// Copies what a create or update request sets onto a stored issue.
function applyIssue(issue, body) {
  if (body.title !== undefined) issue.title = String(body.title);
  if (body.body !== undefined) issue.body = body.body;
  if (body.labels !== undefined) {
    issue.labels = body.labels.map((l) => (typeof l === 'string' ? l : l.name)).filter(Boolean);
  }
  if (body.state !== undefined && body.state !== issue.state) {
    issue.state = body.state;
    issue.state_reason = body.state === 'closed' ? (body.state_reason ?? 'completed') : 'reopened';
    issue.closed_at = body.state === 'closed' ? now() : null;
  }
  issue.updated_at = now();
}

function findCheckRun(ctx) {
  return ctx.st.checkRuns.find((r) => r.id === Number(ctx.params.check_run_id) &&
    r.repo === `${ctx.params.owner}/${ctx.params.repo}`);
}

const checksForbidden = () => ({ status: 403,
  body: { message: 'Resource not accessible by integration', documentation_url: DOCS } });

// Copies what a create or update request sets onto a stored check run.
function applyCheckRun(run, body) {
  for (const k of ['name', 'status', 'conclusion', 'details_url', 'external_id']) {
    if (body[k] !== undefined) run[k] = body[k];
  }
  // GitHub: a conclusion completes the run.
  if (body.conclusion !== undefined) { run.status = 'completed'; run.completed_at = now(); }
  if (body.output) run.output = { ...(run.output ?? {}), ...body.output };
  run.updated_at = now();
}

function b64urlJson(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

// Who is calling: {login} or {error}.
export function verifyAuth(st, route, authorization) {
  const m = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!m) return { error: 'Requires authentication' };
  const token = m[1];
  if (route.jwt) {
    if (!st.app) return { error: 'no GitHub App configured in the fake' };
    const [h, p, s] = token.split('.');
    if (!s) return { error: 'A JSON web token could not be decoded' };
    const header = b64urlJson(h); const claims = b64urlJson(p);
    if (header.alg !== 'RS256') return { error: `JWT alg ${header.alg} is not RS256` };
    const key = createPublicKey(st.app.public_key_pem);
    if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) {
      return { error: 'JWT signature does not verify' };
    }
    if (String(claims.iss) !== String(st.app.id)) return { error: `JWT iss ${claims.iss} is not the App` };
    if (!(claims.exp - claims.iat <= 600 && claims.exp > claims.iat)) {
      return { error: "'Expiration time' claim ('exp') is too far in the future" };
    }
    return { login: 'app', claims };
  }
  if (st.tokens.includes(token)) return { login: 'datamcp-bot' };
  if (st.installationTokens[token]) return { login: 'datamcp-app[bot]' };
  return { error: 'Bad credentials' };
}

const R = (method, template, handle, extra = {}) => ({ method, template, handle, ...extra });
const REPO = '/repos/{owner}/{repo}';

export const routes = [
  R('GET', `${REPO}/pulls`, (ctx) => {
    const { st, query, params } = ctx;
    const state = query.state ?? 'open';
    let list = st.pulls.filter((p) => p.repo === `${params.owner}/${params.repo}` &&
      (state === 'all' || p.state === state) &&
      (!query.head || `${p.head_repo.split('/')[0]}:${p.head}` === query.head) &&
      (!query.base || p.base === query.base));
    list = list.sort((a, b2) => a.number - b2.number);
    if ((query.direction ?? 'desc') === 'desc') list.reverse();
    return paginate(ctx, list.map((p) => b.pullRequestSimple(st, p, ctx.origin)));
  }),
  R('POST', `${REPO}/pulls`, ({ st, params, body, login, origin }) => {
    const repo = `${params.owner}/${params.repo}`;
    if (st.pulls.some((p) => p.repo === repo && p.state === 'open' && p.head === body.head && p.base === body.base)) {
      return { status: 422, body: { message: 'Validation Failed', documentation_url: DOCS,
        errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${params.owner}:${body.head}.` }] } };
    }
    const pr = { repo, head_repo: repo, number: st.nextNumber++, title: body.title, body: body.body ?? null,
      head: body.head, head_sha: st.branches[body.head] ?? b.sha(body.head), base: body.base, state: 'open',
      merged: false, merge_commit_sha: null, mergeable: null, author: login, merged_by: null, created_at: now() };
    st.pulls.push(pr);
    return { status: 201, body: b.pullRequest(st, pr, origin) };
  }),
  R('GET', `${REPO}/pulls/{pull_number}`, (ctx) => {
    const pr = findPull(ctx);
    return pr ? { status: 200, body: b.pullRequest(ctx.st, pr, ctx.origin) } : notFound();
  }),
  R('PATCH', `${REPO}/pulls/{pull_number}`, (ctx) => {
    const pr = findPull(ctx);
    if (!pr) return notFound();
    for (const k of ['title', 'body', 'state', 'base']) if (ctx.body[k] !== undefined) pr[k] = ctx.body[k];
    return { status: 200, body: b.pullRequest(ctx.st, pr, ctx.origin) };
  }),
  R('GET', `${REPO}/issues/{issue_number}/comments`, (ctx) => {
    const n = Number(ctx.params.issue_number);
    if (!findConversation(ctx)) return notFound();
    return paginate(ctx, ctx.st.comments.filter((c) => c.issue === n).map((c) => b.issueComment(ctx.st, c)));
  }),
  R('POST', `${REPO}/issues/{issue_number}/comments`, (ctx) => {
    const pr = findConversation(ctx);
    if (!pr) return notFound();
    const c = { id: ctx.st.nextId++, issue: pr.number, repo: pr.repo, body: ctx.body.body,
      login: ctx.login, created_at: now(), updated_at: now() };
    ctx.st.comments.push(c);
    return { status: 201, body: b.issueComment(ctx.st, c) };
  }),
  R('PATCH', `${REPO}/issues/comments/{comment_id}`, (ctx) => {
    const c = ctx.st.comments.find((x) => x.id === Number(ctx.params.comment_id));
    if (!c) return notFound();
    c.body = ctx.body.body; c.updated_at = now(); c.edits = (c.edits ?? 0) + 1;
    return { status: 200, body: b.issueComment(ctx.st, c) };
  }),
  R('DELETE', `${REPO}/issues/comments/{comment_id}`, (ctx) => {
    const i = ctx.st.comments.findIndex((x) => x.id === Number(ctx.params.comment_id));
    if (i < 0) return notFound();
    ctx.st.comments.splice(i, 1);
    return { status: 204 };
  }),
  R('POST', `${REPO}/issues/comments/{comment_id}/reactions`, (ctx) => {
    const { st, params, body, login } = ctx;
    const comment = st.comments.find((x) => x.id === Number(params.comment_id) &&
      x.repo === `${params.owner}/${params.repo}`);
    if (!comment) return notFound();
    // GitHub keeps one reaction per user and content: 200 with it when it exists already.
    const found = st.reactions.find((r) => r.comment_id === comment.id && r.login === login &&
      r.content === body.content);
    if (found) return { status: 200, body: b.reaction(found) };
    const r = { id: st.nextId++, comment_id: comment.id, content: body.content, login, created_at: now() };
    st.reactions.push(r);
    return { status: 201, body: b.reaction(r) };
  }),
  // Issues (drift reports). Numbers are shared with pull requests, as on GitHub; the list
  // filters by state, labels (all of them), creator, sort=created and direction.
  R('GET', `${REPO}/issues`, (ctx) => {
    const { st, params, query } = ctx;
    const state = query.state ?? 'open';
    const labels = query.labels ? query.labels.split(',').map((l) => l.trim()) : [];
    let list = st.issues.filter((i) => i.repo === `${params.owner}/${params.repo}` &&
      (state === 'all' || i.state === state) && labels.every((l) => i.labels.includes(l)) &&
      (!query.creator || i.login === query.creator));
    list = list.sort((a, b2) => a.number - b2.number);
    if ((query.direction ?? 'desc') === 'desc') list.reverse();
    return paginate(ctx, list.map((i) => b.issue(st, i, ctx.origin)));
  }),
  R('POST', `${REPO}/issues`, (ctx) => {
    const { st, params, body, login, origin } = ctx;
    const issue = { repo: `${params.owner}/${params.repo}`, number: st.nextNumber++, id: st.nextId++,
      title: '', body: null, labels: [], state: 'open', state_reason: null, closed_at: null,
      login, via_app: login.endsWith('[bot]') && st.app ? st.app.id : null,
      created_at: now(), edits: 0 };
    applyIssue(issue, body);
    st.issues.push(issue);
    return { status: 201, body: b.issue(st, issue, origin) };
  }),
  R('GET', `${REPO}/issues/{issue_number}`, (ctx) => {
    const issue = findIssue(ctx);
    return issue ? { status: 200, body: b.issue(ctx.st, issue, ctx.origin) } : notFound();
  }),
  R('PATCH', `${REPO}/issues/{issue_number}`, (ctx) => {
    const issue = findIssue(ctx);
    if (!issue) return notFound();
    applyIssue(issue, ctx.body);
    issue.edits++;
    return { status: 200, body: b.issue(ctx.st, issue, ctx.origin) };
  }),
  // The authenticated user (a token's login; GitHub Apps' installation tokens get 403).
  R('GET', '/user', (ctx) => {
    if (ctx.login.endsWith('[bot]')) {
      return { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: DOCS } };
    }
    return { status: 200, body: b.authenticatedUser(ctx.login) };
  }),
  R('POST', `${REPO}/statuses/{sha}`, (ctx) => {
    const s = { id: ctx.st.nextId++, sha: ctx.params.sha, ...ctx.body };
    ctx.st.statuses.push(s);
    return { status: 201, body: b.commitStatus(s) };
  }),
  // Checks: served to tokens too (GitHub serves them to GitHub Apps only); checksForbidden
  // answers 403 as GitHub does for an App without `checks:write`.
  R('POST', `${REPO}/check-runs`, (ctx) => {
    if (ctx.st.checksForbidden) return checksForbidden();
    const { st, params, body } = ctx;
    const run = { id: st.nextId++, repo: `${params.owner}/${params.repo}`, head_sha: body.head_sha,
      name: body.name, created_at: now(), updates: 0 };
    run.html_url = `https://github.example/${run.repo}/runs/${run.id}`;
    applyCheckRun(run, body);
    st.checkRuns.push(run);
    return { status: 201, body: b.checkRun(st, run, ctx.origin) };
  }),
  R('PATCH', `${REPO}/check-runs/{check_run_id}`, (ctx) => {
    if (ctx.st.checksForbidden) return checksForbidden();
    const run = findCheckRun(ctx);
    if (!run) return notFound();
    applyCheckRun(run, ctx.body);
    run.updates++;
    return { status: 200, body: b.checkRun(ctx.st, run, ctx.origin) };
  }),
  R('GET', `${REPO}/check-runs/{check_run_id}`, (ctx) => {
    if (ctx.st.checksForbidden) return checksForbidden();
    const run = findCheckRun(ctx);
    return run ? { status: 200, body: b.checkRun(ctx.st, run, ctx.origin) } : notFound();
  }),
  R('GET', `${REPO}/commits/{ref}/check-runs`, (ctx) => {
    if (ctx.st.checksForbidden) return checksForbidden();
    const { st, params, query } = ctx;
    let list = st.checkRuns.filter((r) => r.repo === `${params.owner}/${params.repo}` &&
      r.head_sha === params.ref && (!query.check_name || r.name === query.check_name));
    // filter=latest (the default): the newest run of each name.
    if ((query.filter ?? 'latest') === 'latest') {
      list = list.filter((r) => !list.some((o) => o.name === r.name && o.id > r.id));
    }
    const per = Math.min(Number(query.per_page ?? 30), st.maxPerPage);
    const page = Number(query.page ?? 1);
    const runs = list.slice((page - 1) * per, page * per).map((r) => b.checkRun(st, r, ctx.origin));
    return { status: 200, body: { total_count: list.length, check_runs: runs } };
  }),
  R('GET', `${REPO}/pulls/{pull_number}/reviews`, (ctx) => {
    if (!findPull(ctx)) return notFound();
    const list = ctx.st.reviews[ctx.params.pull_number] ?? [];
    return paginate(ctx, list.map((r, i) => b.review({ id: i + 1, ...r })));
  }),
  R('GET', `${REPO}/collaborators/{username}/permission`, (ctx) => {
    const p = ctx.st.permissions[ctx.params.username];
    if (!p) return notFound();
    return { status: 200, body: b.collaboratorPermission(ctx.params.username, p) };
  }),
  R('GET', `${REPO}/pulls/{pull_number}/files`, (ctx) => {
    if (!findPull(ctx)) return notFound();
    return paginate(ctx, (ctx.st.files[ctx.params.pull_number] ?? []).map(b.diffEntry));
  }),
  R('POST', '/app/installations/{installation_id}/access_tokens', (ctx) => {
    const { st } = ctx;
    st.exchanges++;
    const token = `ghs_fake${st.exchanges}${b.sha(Math.random()).slice(0, 20)}`;
    // The App's clock is the JWT's: iat is "now - 60" by GitHub's advice.
    const issuedAt = ctx.claims.iat + 60;
    const expires = new Date((issuedAt + (st.app.ttl_seconds ?? 3600)) * 1000)
      .toISOString().replace(/\.\d+Z$/, 'Z');
    st.installationTokens[token] = expires;
    return { status: 201, body: { token, expires_at: expires } };
  }, { jwt: true }),
];
