// What the tests of several replicas share (replicas.test.mjs, replica_faults.test.mjs):
// MCP clients on any replica (one session across them), proposals, and landing a proposal
// as GitHub does (CI green, approval, merge), on a loop from startGithubLoop.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { waitFor, notesOf } from './lib.mjs';
import { example, git } from './github.mjs';

export function replicaHelpers(loop, token) {
  const origin = join(loop.dir, 'repos', 'gitops.git');
  const h = {};
  // A client of `server`, in the session `sessionId` when given (made on another replica).
  h.connectTo = async (server, sessionId) => {
    const client = new Client({ name: 'datamcp-e2e-replicas', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(server.url), {
      sessionId, requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    await client.connect(transport);
    return { client, transport };
  };
  // The apply notes of `commit` in the git server's repository.
  h.applies = (commit) => notesOf(['--git-dir', origin], commit).filter((n) => n.type === 'apply');
  // The plan notes of `commit` (a pull request's head).
  h.plans = (commit) => notesOf(['--git-dir', origin], commit).filter((n) => n.type === 'plan');
  // The part of a replica's holder name (host-pid-random) that names its process.
  h.holderOf = (server) => `-${server.child.pid}-`;
  h.propose = async (server, name, extra = '') => {
    const { client } = await h.connectTo(server);
    const r = await client.callTool({ name: 'propose_change', arguments: { environment: 'local',
      title: `Add ${name}`, files: [{ path: `infra/terraform/envs/local/${name}.tf`,
        content: `resource "terraform_data" "${name}" {\n  input = "${name}"\n${extra}}\n` }] } });
    await client.close();
    assert.notEqual(r.isError, true, JSON.stringify(r.content));
    return r.structuredContent;
  };
  // The workflow_run GitHub sends when CI passed on `head`.
  h.ciGreen = (head) => example('workflow_run', 'completed', (p) => {
    p.workflow_run.head_sha = head;
    p.workflow_run.conclusion = 'success';
  });
  // CI green (unless `ciDelivered`: the caller delivered it), approval and the merge (as
  // GitHub makes it); returns the merge commit. The closed+merged webhook is left to the caller.
  h.land = async ({ pull_request: number, commit: head, branch }, { ciDelivered = false } = {}) => {
    if (!ciDelivered) {
      await loop.deliver('workflow_run', h.ciGreen(head), { server: loop.servers[number % loop.servers.length] });
    }
    await waitFor(() => notesOf(['--git-dir', origin], head).some((n) => n.type === 'ci'), 20000, 'the CI note');
    const work = join(loop.dir, `merge-${number}`);
    git('clone', '-q', origin, work);
    git('-C', work, '-c', 'user.name=Carol', '-c', 'user.email=carol@example.com', 'merge', '--no-ff',
      '-q', `origin/${branch}`, '-m', `Merge pull request #${number} from octo/${branch}`);
    git('-C', work, 'push', '-q', 'origin', 'HEAD:main');
    const merge = git('-C', work, 'rev-parse', 'HEAD');
    await loop.control(`reviews/${number}`, [{ id: number, login: 'carol', state: 'APPROVED', commit_id: head }]);
    await loop.control(`pulls/${number}`, { state: 'closed', merged: true, merge_commit_sha: merge,
      merged_by: 'carol', head_sha: head });
    return merge;
  };
  h.mergedEvent = (number) => example('pull_request', 'closed', (p) => {
    p.number = number;
    p.pull_request.number = number;
    p.pull_request.merged = true;
  });
  // A comment that is no command: recorded and handled, nothing else.
  h.plainComment = (text) => example('issue_comment', 'created', (p) => {
    p.comment.body = text;
    p.comment.created_at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  });
  return h;
}
