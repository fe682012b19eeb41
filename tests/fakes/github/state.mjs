// In-memory GitHub state and builders of schema-valid objects (pull requests, comments, ...).
import { createHash } from 'node:crypto';
import { schemaOf, synth } from './schema.mjs';

export function newState() {
  return {
    nextId: 1000,
    nextNumber: 1,
    pulls: [],           // {number, title, body, head, head_sha, base, state, merged, ...}
    comments: [],        // {id, issue, body, login, created_at, updated_at}
    issues: [],          // {number, id, repo, title, body, labels: [name], state, state_reason, login, via_app, edits, ...}
    reactions: [],       // {id, comment_id, content, login, created_at}
    statuses: [],        // {id, sha, state, context, description, target_url}
    checkRuns: [],       // {id, repo, head_sha, name, status, conclusion, output, updates, ...}
    checksForbidden: false,  // answer 403 to the Checks endpoints (an App without checks:write)
    reviews: {},         // pr number -> [{id, login, state, commit_id, submitted_at?}]
    files: {},           // pr number -> [{filename, status, previous_filename}]
    permissions: {},     // login -> 'admin' | 'write' | 'read' | 'none'
    branches: {},        // name -> sha
    tokens: ['test-token'],
    installationTokens: {},  // token -> expires_at
    exchanges: 0,
    app: null,           // {id, public_key_pem, ttl_seconds}
    basePath: '',
    maxPerPage: 100,
    failNext: [],        // [{status, headers, body, count, method, path}]
    requests: [],        // [{method, path, status}]
    violations: [],      // schema / protocol problems; a test fails when any exist
  };
}

export const sha = (text) => createHash('sha1').update(String(text)).digest('hex');

export function user(login) {
  const u = synth(schemaOf('simple-user'));
  const isBot = login.endsWith('[bot]');
  return Object.assign(u, {
    login, id: Number.parseInt(sha(login).slice(0, 7), 16), node_id: `U_${login}`,
    type: isBot ? 'Bot' : 'User', html_url: `https://github.example/${encodeURIComponent(login)}`,
    url: `https://api.github.example/users/${encodeURIComponent(login)}`,
  });
}

function repository(fullName) {
  const r = synth(schemaOf('repository'));
  const [owner, name] = fullName.split('/');
  return Object.assign(r, {
    id: Number.parseInt(sha(fullName).slice(0, 7), 16), name, full_name: fullName,
    owner: user(owner), html_url: `https://github.example/${fullName}`,
  });
}

function pullRequestFields(st, pr, origin) {
  const html = `https://github.example/${pr.repo}/pull/${pr.number}`;
  const api = `${origin}${st.basePath}/repos/${pr.repo}/pulls/${pr.number}`;
  const end = (ref, s, repo) => ({
    label: `${repo.split('/')[0]}:${ref}`, ref, sha: s, repo: repository(repo),
    user: user(repo.split('/')[0]),
  });
  return {
    id: pr.number + 500000, number: pr.number, title: pr.title, body: pr.body,
    state: pr.state, merged_at: pr.merged ? '2026-01-02T00:00:00Z' : null,
    merge_commit_sha: pr.merge_commit_sha, user: user(pr.author), html_url: html, url: api,
    head: end(pr.head, pr.head_sha, pr.head_repo), base: end(pr.base, sha(pr.base), pr.repo),
    created_at: pr.created_at, updated_at: pr.created_at,
  };
}

export function pullRequest(st, pr, origin) {
  return Object.assign(synth(schemaOf('pull-request')), pullRequestFields(st, pr, origin), {
    merged: pr.merged, mergeable: pr.mergeable,
    merged_by: pr.merged_by ? user(pr.merged_by) : null,
  });
}

export function pullRequestSimple(st, pr, origin) {
  return Object.assign(synth(schemaOf('pull-request-simple')), pullRequestFields(st, pr, origin));
}

export function issueComment(st, c) {
  return Object.assign(synth(schemaOf('issue-comment')), {
    id: c.id, node_id: `IC_${c.id}`, body: c.body, user: user(c.login),
    html_url: `https://github.example/${c.repo}/pull/${c.issue}#issuecomment-${c.id}`,
    created_at: c.created_at, updated_at: c.updated_at,
  });
}

export function issue(st, i, origin) {
  const api = `${origin}${st.basePath}/repos/${i.repo}/issues/${i.number}`;
  const out = Object.assign(synth(schemaOf('issue')), {
    id: i.id, node_id: `I_${i.id}`, number: i.number, title: i.title, body: i.body,
    user: user(i.login), state: i.state, locked: false,
    labels: i.labels.map((name) => ({ id: Number.parseInt(sha(name).slice(0, 7), 16), node_id: `LA_${name}`,
      url: `${origin}${st.basePath}/repos/${i.repo}/labels/${encodeURIComponent(name)}`, name,
      description: null, color: 'ededed', default: false })),
    html_url: `https://github.example/${i.repo}/issues/${i.number}`, url: api,
    repository_url: `${origin}${st.basePath}/repos/${i.repo}`, labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`, events_url: `${api}/events`,
    comments: st.comments.filter((c) => c.issue === i.number).length,
    created_at: i.created_at, updated_at: i.updated_at, closed_at: i.closed_at,
    assignee: null, milestone: null, author_association: 'OWNER',
  });
  // The schema's enum has no null: an issue never closed has no state_reason.
  if (i.state_reason) out.state_reason = i.state_reason;
  // GitHub names the App an issue was made through (null for people and tokens).
  out.performed_via_github_app = i.via_app === null ? null
    : Object.assign(synth({ ...schemaOf('integration'), nullable: false }), { id: Number(i.via_app), node_id: `A_${i.via_app}`,
      slug: 'datamcp-app', name: 'DataMCP', owner: user('octo'), html_url: 'https://github.example/apps/datamcp-app' });
  return out;
}

export function authenticatedUser(login) {
  return Object.assign(synth(schemaOf('private-user')), {
    login, id: Number.parseInt(sha(login).slice(0, 7), 16), node_id: `U_${login}`, type: 'User',
    html_url: `https://github.example/${login}`, url: `https://api.github.example/users/${login}`,
    user_view_type: 'private',
  });
}

export function reaction(r) {
  return Object.assign(synth(schemaOf('reaction')), {
    id: r.id, node_id: `REA_${r.id}`, user: user(r.login), content: r.content, created_at: r.created_at,
  });
}

export function commitStatus(s) {
  return Object.assign(synth(schemaOf('status')), {
    id: s.id, state: s.state, context: s.context, description: s.description ?? null,
    target_url: s.target_url ?? null, creator: user('datamcp-bot'),
  });
}

export function checkRun(st, r, origin) {
  const out = r.output ?? {};
  return Object.assign(synth(schemaOf('check-run')), {
    id: r.id, node_id: `CR_${r.id}`, head_sha: r.head_sha, name: r.name,
    url: `${origin}${st.basePath}/repos/${r.repo}/check-runs/${r.id}`,
    html_url: r.html_url,
    details_url: r.details_url ?? null, external_id: r.external_id ?? null,
    status: r.status ?? 'queued', conclusion: r.conclusion ?? null,
    started_at: r.created_at, completed_at: r.completed_at ?? null,
    output: { title: out.title ?? null, summary: out.summary ?? null, text: out.text ?? null,
      annotations_count: 0, annotations_url: `${origin}${st.basePath}/repos/${r.repo}/check-runs/${r.id}/annotations` },
    app: null, check_suite: null, pull_requests: [],
  });
}

export function review(r) {
  return Object.assign(synth(schemaOf('pull-request-review')), {
    id: r.id, user: user(r.login), state: r.state, commit_id: r.commit_id, body: '',
    ...(r.submitted_at ? { submitted_at: r.submitted_at } : {}),
  });
}

export function diffEntry(f) {
  const e = Object.assign(synth(schemaOf('diff-entry')), { filename: f.filename, status: f.status });
  e.sha = sha(f.filename);
  if (f.previous_filename) e.previous_filename = f.previous_filename;
  return e;
}

export function collaboratorPermission(login, permission) {
  return Object.assign(synth(schemaOf('repository-collaborator-permission')), {
    permission, role_name: permission, user: { ...user(login), role_name: permission },
  });
}
