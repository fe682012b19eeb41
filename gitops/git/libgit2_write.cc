// The write side of Libgit2Repository: commits without a worktree, pushes, proposals.
#include <unistd.h>

#include <set>

#include "gitops/common/log.h"
#include "gitops/common/repo_path.h"
#include "gitops/git/libgit2_repository.h"
#include "gitops/git/objects.h"
#include "gitops/git/push_pack.h"
#include "gitops/git/remote_session.h"
#include "gitops/git/send_pack.h"
#include "gitops/git/tree_edit.h"

namespace datamcp::git {
namespace {

Result<SignaturePtr> Signature(const Identity& who, const char* role, long long when) {
  if (who.name.empty() || who.email.empty()) {
    return InvalidArgument(std::string("the ") + role + " needs a name and an email");
  }
  git_signature* raw = nullptr;
  int rc = git_signature_new(&raw, who.name.c_str(), who.email.c_str(), when, 0);
  if (rc < 0) {
    return InvalidArgument(std::string("the ") + role + " identity '" + who.name + " <" +
                           who.email + ">' is not usable: " + GitStatus(rc, "signature").message());
  }
  return SignaturePtr(raw);
}

bool Retryable(const PushResult& r) {
  for (const char* reason : {"non-fast-forward", "fetch first", "stale info", "failed to lock",
                             "failed to update ref", "cannot lock ref"}) {
    if (r.message.find(reason) != std::string::npos) return true;
  }
  return false;
}

// Commits the remote is known to have: the tips of the remote-tracking refs and the notes ref
// (all fetched from it), plus `expected`.
std::set<std::string> RemoteHas(git_repository* repo, const std::string& notes_ref,
                                const std::string& expected) {
  std::set<std::string> out;
  if (!expected.empty()) out.insert(expected);
  for (const char* glob : {"refs/remotes/origin/*", notes_ref.c_str()}) {
    git_reference_iterator* it = nullptr;
    if (git_reference_iterator_glob_new(&it, repo, glob) < 0) continue;
    git_reference* ref = nullptr;
    while (git_reference_next(&ref, it) == 0) {
      if (git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
        out.insert(OidHex(*git_reference_target(ref)));
      }
      git_reference_free(ref);
    }
    git_reference_iterator_free(it);
  }
  return out;
}

}  // namespace

Result<std::string> Libgit2Repository::CreateCommit(const std::string& base,
                                                    const ChangeSet& changes,
                                                    const CommitMeta& meta) {
  for (const FileChange& c : changes) {
    DATAMCP_RETURN_IF_ERROR(ValidateChangePath(c.path, options_.allowed_roots));
  }
  DATAMCP_ASSIGN_OR_RETURN(std::string message, BuildCommitMessage(meta));
  long long now = clock_.UnixSeconds();
  DATAMCP_ASSIGN_OR_RETURN(SignaturePtr committer, Signature(options_.committer, "committer", now));
  DATAMCP_ASSIGN_OR_RETURN(
      SignaturePtr author,
      Signature(meta.requester_as_coauthor ? options_.committer : meta.author, "author", now));
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  git_repository* repo = lease.get();
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr parent, LookupCommit(repo, base, kInMirror));
  git_tree* base_raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&base_raw, parent.get()), "read base tree"));
  TreePtr base_tree(base_raw);
  DATAMCP_ASSIGN_OR_RETURN(git_oid tree_id, ApplyChangeSet(repo, base_tree.get(), changes));
  if (git_oid_equal(&tree_id, git_tree_id(base_tree.get()))) {
    return FailedPrecondition("the change set changes nothing at " + base +
                              " (the files already have this content)");
  }
  git_tree* tree_raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_tree_lookup(&tree_raw, repo, &tree_id), "read new tree"));
  TreePtr tree(tree_raw);
  const git_commit* parents[] = {parent.get()};
  git_oid commit_id;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_commit_create(&commit_id, repo, nullptr, author.get(), committer.get(), "UTF-8",
                                  message.c_str(), tree.get(), 1, parents),
                "create commit"));
  return OidHex(commit_id);
}

Result<PushResult> Libgit2Repository::PushCommit(git_repository* repo, const std::string& commit,
                                                 const std::string& remote_ref,
                                                 const std::string& expected, bool replace) {
  git_oid id;
  if (git_oid_fromstr(&id, commit.c_str()) < 0) return InvalidArgument("bad commit id " + commit);
  if (SendPackSupports(options_.remote.url)) {
    // Fast path: a pack of exactly the new objects, sent by our receive-pack client.
    Result<std::string> pack =
        BuildPushPack(repo, commit, RemoteHas(repo, options_.notes_ref, expected));
    if (pack.ok()) {
      process::ProcessRunner& runner = options_.runner ? *options_.runner : own_runner_;
      return SendPack(runner, options_.remote, remote_ref, expected, commit, *pack);
    }
    if (pack.status().code() != StatusCode::kFailedPrecondition) return pack.status();
    log::Debug("git_push_slow_path", {{"ref", remote_ref}, {"reason", pack.status().message()}});
  }
  std::string local = "refs/datamcp/push/" + std::to_string(getpid()) + "-" +
                      std::to_string(push_counter_.fetch_add(1));
  git_reference* ref_raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(
      git_reference_create(&ref_raw, repo, local.c_str(), &id, 1, "datamcp push"), "stage push"));
  ReferencePtr local_ref(ref_raw);
  auto opened = OpenRemote(repo, options_.remote.url);
  Status s = opened.status();
  RemotePtr remote = opened.ok() ? std::move(*opened) : RemotePtr();
  RemoteSession session(options_.remote);
  session.ExpectRemote(remote_ref, expected);
  int rc = 0;
  if (s.ok()) {
    git_push_options opts = GIT_PUSH_OPTIONS_INIT;
    session.Fill(&opts.callbacks);
    opts.pb_parallelism = 1;
    std::string spec = (replace ? "+" : "") + local + ":" + remote_ref;
    char* specs[] = {spec.data()};
    git_strarray arr = {specs, 1};
    // Upload only: the remote-tracking ref is updated below, tolerating concurrent fetches.
    rc = git_remote_upload(remote.get(), &arr, &opts);
    if (rc < 0)
      s = session.Error(rc, "push " + remote_ref + " to " + RedactUrl(options_.remote.url));
    git_remote_disconnect(remote.get());
  }
  git_reference_delete(local_ref.get());
  DATAMCP_RETURN_IF_ERROR(s);
  for (const PushResult& r : session.push_results()) {
    if (r.ref == remote_ref) return r;
  }
  return Internal("the remote " + RedactUrl(options_.remote.url) + " reported no result for " +
                  remote_ref + "; the push is not confirmed");
}

Result<PushResult> Libgit2Repository::PushBranch(const std::string& branch,
                                                 const std::string& commit,
                                                 const std::string& expected_remote) {
  std::string ref = "refs/heads/" + branch;
  int valid = 0;
  if (branch.empty() || git_reference_name_is_valid(&valid, ref.c_str()) < 0 || !valid) {
    return InvalidArgument("'" + branch + "' is not a valid branch name");
  }
  if (branch == options_.default_branch) {
    return PermissionDenied("the bot never pushes to the default branch '" + branch +
                            "'; changes reach it only through a merged pull request");
  }
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr c, LookupCommit(lease.get(), commit, kInMirror));
  DATAMCP_ASSIGN_OR_RETURN(PushResult r, PushCommit(lease.get(), commit, ref, expected_remote));
  if (r.ok) TrackPushed(lease.get(), branch, git_commit_id(c.get()));
  return r;
}

void Libgit2Repository::TrackPushed(git_repository* repo, const std::string& branch,
                                    const git_oid* commit) {
  // Best effort: the next fetch sets it anyway.
  (void)UpdateMirrorRef(repo, "refs/remotes/origin/" + branch, commit, "datamcp push");
}

Status Libgit2Repository::UpdateMirrorRef(git_repository* repo, const std::string& name,
                                          const git_oid* target, const char* log_message) {
  std::lock_guard<std::mutex> lock(fetch_mu_);
  git_reference* raw = nullptr;
  Status s = GitStatus(git_reference_create(&raw, repo, name.c_str(), target, 1, log_message),
                       "update " + name);
  if (raw) git_reference_free(raw);
  return s;
}

Result<std::string> Libgit2Repository::CommitOnce(const std::string& branch,
                                                  const std::string& base_ref,
                                                  const ChangeSet& changes, const CommitMeta& meta,
                                                  std::string* remote_tip) {
  Result<std::string> tip = ResolveRef("refs/remotes/origin/" + branch);
  if (!tip.ok() && tip.status().code() != StatusCode::kNotFound) return tip.status();
  *remote_tip = tip.ok() ? *tip : "";
  std::string base = *remote_tip;
  if (base.empty()) {
    DATAMCP_ASSIGN_OR_RETURN(base, ResolveRef(base_ref));
  }
  return CreateCommit(base, changes, meta);
}

std::shared_ptr<std::mutex> Libgit2Repository::BranchLock(const std::string& branch) {
  std::lock_guard<std::mutex> lock(branch_mu_);
  auto& slot = branch_locks_[branch];
  if (!slot) slot = std::make_shared<std::mutex>();
  return slot;
}

void Libgit2Repository::ReleaseBranchLock(const std::string& branch) {
  std::lock_guard<std::mutex> lock(branch_mu_);
  auto it = branch_locks_.find(branch);
  if (it != branch_locks_.end() && it->second.use_count() == 1) branch_locks_.erase(it);
}

Result<ProposeResult> Libgit2Repository::CommitAndPush(const std::string& branch,
                                                       const std::string& base_ref,
                                                       const ChangeSet& changes,
                                                       const CommitMeta& meta) {
  const std::string& prefix = options_.bot_branch_prefix;
  if (branch.size() <= prefix.size() || branch.compare(0, prefix.size(), prefix) != 0) {
    return PermissionDenied("branch '" + branch +
                            "' is not owned by the bot (it must start with '" + prefix + "')");
  }
  std::shared_ptr<std::mutex> lock = BranchLock(branch);
  lock->lock();
  Result<ProposeResult> result = CommitAndPushLocked(branch, base_ref, changes, meta);
  lock->unlock();
  lock.reset();
  ReleaseBranchLock(branch);
  return result;
}

Result<ProposeResult> Libgit2Repository::CommitAndPushLocked(const std::string& branch,
                                                             const std::string& base_ref,
                                                             const ChangeSet& changes,
                                                             const CommitMeta& meta) {
  Status last = Conflict("no push attempted");
  for (int attempt = 1; attempt <= options_.max_push_attempts; ++attempt) {
    if (attempt > 1) DATAMCP_RETURN_IF_ERROR(Fetch());
    std::string remote_tip;
    DATAMCP_ASSIGN_OR_RETURN(std::string commit,
                             CommitOnce(branch, base_ref, changes, meta, &remote_tip));
    Result<PushResult> pushed = PushBranch(branch, commit, remote_tip);
    if (pushed.ok() && pushed->ok) {
      Result<CommitPtr> c = [&]() -> Result<CommitPtr> {
        DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
        return LookupCommit(lease.get(), commit, kInMirror);
      }();
      std::string base = remote_tip;
      if (c.ok()) base = OidHex(*git_commit_parent_id(c->get(), 0));
      return ProposeResult{commit, base, attempt};
    }
    if (!pushed.ok() && pushed.status().code() != StatusCode::kConflict) return pushed.status();
    if (pushed.ok() && !Retryable(*pushed)) {
      return PermissionDenied("the remote rejected " + pushed->ref + ": " + pushed->message);
    }
    last = pushed.ok() ? Conflict("the remote rejected " + pushed->ref + ": " + pushed->message)
                       : pushed.status();
    log::Info("git_push_retry",
              {{"branch", branch}, {"attempt", attempt}, {"reason", last.message()}});
  }
  return Conflict("branch '" + branch + "' kept moving on the remote; gave up after " +
                  std::to_string(options_.max_push_attempts) + " attempts (" + last.message() +
                  ")");
}

}  // namespace datamcp::git
