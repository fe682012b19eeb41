#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/common/secret.h"
#include "gitops/common/status.h"

namespace datamcp::git {

// Plain types for the git engine. Object ids are 40-character lowercase hex strings.

enum class FileMode { kRegular, kExecutable, kDelete };

// One entry of a change set: write `content` at `path` (kRegular/kExecutable), or remove the
// file at `path` (kDelete, content ignored). A kRegular/kExecutable entry with no content
// keeps the current bytes and only changes the mode (the file must exist).
struct FileChange {
  std::string path;
  std::optional<std::string> content;
  FileMode mode = FileMode::kRegular;
};
using ChangeSet = std::vector<FileChange>;

struct Identity {
  std::string name;
  std::string email;
};

// What a commit says. The committer is always the bot's identity (RemoteOptions-independent,
// see Libgit2RepositoryOptions). The requester is the author, or with `requester_as_coauthor`
// the bot is the author and the requester gets a "Co-authored-by:" trailer.
// Trailers are appended in order after a blank line as "Key: value" (e.g. Datamcp-Tool,
// Datamcp-Requested-By, Datamcp-Request-Id, Datamcp-Env). Keys are [A-Za-z0-9-]+; values are
// one line.
struct CommitMeta {
  std::string message;
  Identity author;
  bool requester_as_coauthor = false;
  std::vector<std::pair<std::string, std::string>> trailers;
};

// How to reach the remote. https: `token` is sent as Basic auth user "x-access-token";
// `ca_file` is trusted in addition to the system store. ssh: `ssh_key_file` (private key,
// no passphrase) and `known_hosts_file` (the host key must be listed there). git:// and
// file:// need neither. file:// runs `git receive-pack` with exactly `receive_pack_env` as
// its environment (nothing of the server's; empty: PATH=/usr/local/bin:/usr/bin:/bin).
struct RemoteOptions {
  std::string url;
  Secret token;
  std::string ca_file;
  std::string ssh_key_file;
  std::string known_hosts_file;
  std::map<std::string, std::string> receive_pack_env;
};

enum class EntryKind { kBlob, kTree, kSubmodule, kSymlink };

struct TreeEntryInfo {
  std::string name;  // last component
  std::string path;  // repository-relative
  std::string oid;
  EntryKind kind = EntryKind::kBlob;
  uint32_t mode = 0;  // git file mode (0100644, 0100755, 040000, 0120000, 0160000)
};

struct CommitInfo {
  std::string oid;
  std::vector<std::string> parents;
  Identity author;
  Identity committer;
  int64_t time = 0;  // committer time, Unix seconds
  std::string message;
};

enum class ChangeKind { kAdded, kModified, kDeleted };
struct ChangedPath {
  std::string path;
  ChangeKind kind = ChangeKind::kModified;
};

// The remote's answer for one pushed ref (from push_update_reference). `ok` is false when
// the server refused it; `message` then holds the server's reason ("non-fast-forward",
// "pre-receive hook declined", ...).
struct PushResult {
  std::string ref;
  bool ok = false;
  std::string message;
};

// What RebuildBranch did. With conflicts nothing was written to the remote.
struct RebuildResult {
  std::string commit;                  // the branch's tip now (its old tip unless rebuilt)
  bool rebuilt = false;                // a new commit on `onto` replaced the branch
  std::vector<std::string> conflicts;  // paths both `onto` and the branch changed
};

struct ProposeResult {
  std::string commit;  // the commit now at refs/heads/<branch> on the remote
  std::string base;    // the commit it was built on
  int attempts = 1;    // pushes tried (>1 when the branch moved and the change was re-applied)
};

// The git engine. Every method is safe to call from many threads at once: implementations
// keep no libgit2 object across calls or threads. Errors: InvalidArgument (bad path, ref,
// change set), NotFound (ref, commit, path), Unauthenticated (the remote refused the
// credentials), Unavailable (the remote is unreachable), PermissionDenied (a push the bot must
// never do), Conflict (the remote moved and retries ran out), FailedPrecondition.
class Repository {
 public:
  virtual ~Repository() = default;

  // Clones the remote as a bare mirror (or opens the existing one) and fetches with prune.
  // Remote branches land in refs/remotes/origin/*, the notes ref in refs/notes/datamcp.
  virtual Status Mirror() = 0;
  // Fetches branches and notes with prune.
  virtual Status Fetch() = 0;

  // Resolves a branch name ("main" = the remote's refs/heads/main as last fetched), a full
  // ref name, or a (full) commit id to a commit id.
  virtual Result<std::string> ResolveRef(const std::string& ref) = 0;
  virtual Result<std::string> ReadFile(const std::string& commit, const std::string& path) = 0;
  // Lists the entries directly under `dir` ("" = root), sorted by name.
  virtual Result<std::vector<TreeEntryInfo>> ListTree(const std::string& commit,
                                                      const std::string& dir) = 0;
  // First-parent history from `commit`, newest first, at most `max_count` commits; with
  // `paths`, only commits that changed something under one of them (vs. their first parent).
  virtual Result<std::vector<CommitInfo>> Log(const std::string& commit,
                                              const std::vector<std::string>& paths,
                                              int max_count) = 0;
  virtual Result<std::vector<ChangedPath>> ChangedPaths(const std::string& from,
                                                        const std::string& to) = 0;
  virtual Result<std::string> MergeBase(const std::string& a, const std::string& b) = 0;
  // The merge commit of `head` into `base` (parents base, head), written to the object
  // database and referenced by nothing: what merging a pull request now would produce, to
  // plan it. FailedPrecondition naming the paths when they conflict.
  virtual Result<std::string> MergeCommits(const std::string& base, const std::string& head) {
    return Internal("MergeCommits of " + base + " and " + head + " is not supported here");
  }
  // Rebuilds the bot-owned `branch`, whose tip is `head`, on `onto`: one new commit whose
  // parent is `onto` and whose tree is the three-way merge of the branch's change since its
  // merge base with `onto` (what a rebase of the squashed branch gives), with `message`, the
  // author of `head` and the bot as committer. Pushed only while the remote branch is still
  // at `head` (Conflict otherwise: fetch and retry); it replaces the branch, the one push
  // that is not a fast-forward, and only on bot-owned branches. Paths both sides changed are
  // returned in RebuildResult::conflicts and nothing is pushed. When the branch already
  // contains `onto`, nothing is done (rebuilt false).
  virtual Result<RebuildResult> RebuildBranch(const std::string& branch,
                                              const std::string& /*head*/, const std::string& onto,
                                              const std::string& /*message*/) {
    return Internal("RebuildBranch of " + branch + " on " + onto + " is not supported here");
  }
  // Writes the files of `commit` into a new directory under `parent_dir` and returns its path.
  // No .git; files are read-only (0444, executables 0555); directories stay writable so tools
  // can create caches; submodules and symlinks leaving the tree are skipped. The caller removes
  // the directory.
  virtual Result<std::string> ExportTree(const std::string& commit,
                                         const std::string& parent_dir) = 0;

  // Builds a commit on `base` with `changes` applied, touching only the trees on changed
  // paths; moves no ref. Fails (and writes nothing visible) on an unsafe path, a delete of a
  // missing file, a duplicate path, or a change set that changes nothing.
  virtual Result<std::string> CreateCommit(const std::string& base, const ChangeSet& changes,
                                           const CommitMeta& meta) = 0;
  // Pushes `commit` to refs/heads/<branch>. `expected_remote` is the commit the branch must be
  // at on the remote ("" = it must not exist). Never pushes the default branch; never forces.
  virtual Result<PushResult> PushBranch(const std::string& branch, const std::string& commit,
                                        const std::string& expected_remote) = 0;
  // The proposal write path: commit `changes` on top of the remote's `branch` if it exists
  // (else on `base_ref`), push, and when the remote branch moved meanwhile fetch, re-apply on
  // the new tip and retry (bounded). Only bot-owned branches (the configured prefix).
  virtual Result<ProposeResult> CommitAndPush(const std::string& branch,
                                              const std::string& base_ref, const ChangeSet& changes,
                                              const CommitMeta& meta) = 0;

  // Appends `json` (one JSON document) to the note on `commit` under refs/notes/datamcp and
  // pushes the notes ref; concurrent writers are merged (fetch, re-apply, retry), none lost.
  virtual Status AddNote(const std::string& commit, const std::string& json) = 0;
  // The JSON documents recorded on `commit`, oldest first (empty when there is none), as of
  // the last fetch or local write.
  virtual Result<std::vector<std::string>> ReadNotes(const std::string& commit) = 0;
};

}  // namespace datamcp::git
