#include "gitops/git/objects.h"

namespace datamcp::git {

void EnsureLibgit2() {
  static const int kInit = [] {
    int rc = git_libgit2_init();
    // Remote-tracking refs and notes are rewritten often; fsync is left to the OS.
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
    return rc;
  }();
  (void)kInit;
}

std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), &oid);
  return buf;
}

Result<CommitPtr> LookupCommit(git_repository* repo, const std::string& id,
                               std::string_view missing) {
  git_oid oid;
  if (id.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, id.c_str()) < 0) {
    return InvalidArgument("'" + id +
                           "' is not a commit id (40 hex digits); resolve the ref first");
  }
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &oid) < 0) {
    return NotFound("commit " + id + " is not " + std::string(missing));
  }
  return CommitPtr(raw);
}

Result<TreePtr> TreeOfCommit(git_repository* repo, const std::string& id,
                             std::string_view missing) {
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr commit, LookupCommit(repo, id, missing));
  git_tree* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&raw, commit.get()), "read tree of " + id));
  return TreePtr(raw);
}

Result<RemotePtr> OpenRemote(git_repository* repo, const std::string& url) {
  git_remote_create_options create = GIT_REMOTE_CREATE_OPTIONS_INIT;
  create.repository = repo;  // no name: in memory, nothing read from or written to config
  create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  git_remote* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_remote_create_with_opts(&raw, url.c_str(), &create), "open remote"));
  return RemotePtr(raw);
}

}  // namespace datamcp::git
