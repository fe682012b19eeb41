// Libgit2Repository::RebuildBranch: a proposal's branch rebuilt on the current default branch.
#include <git2.h>

#include "gitops/git/libgit2_repository.h"
#include "gitops/git/objects.h"

namespace datamcp::git {
namespace {

Result<TreePtr> TreeOf(git_repository* repo, const git_oid* commit) {
  git_commit* c = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_lookup(&c, repo, commit), "commit"));
  CommitPtr owned(c);
  git_tree* t = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&t, owned.get()), "tree"));
  return TreePtr(t);
}

}  // namespace

Result<RebuildResult> Libgit2Repository::RebuildBranch(const std::string& branch,
                                                       const std::string& head,
                                                       const std::string& onto,
                                                       const std::string& message) {
  const std::string& prefix = options_.bot_branch_prefix;
  if (branch.size() <= prefix.size() || branch.compare(0, prefix.size(), prefix) != 0) {
    return PermissionDenied("branch '" + branch +
                            "' is not owned by the bot (it must start with '" + prefix +
                            "'); update it with git");
  }
  if (branch == options_.default_branch) {
    return PermissionDenied("the bot never rewrites the default branch '" + branch + "'");
  }
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  git_repository* repo = lease.get();
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr tip, LookupCommit(repo, head, kInMirror));
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr base, LookupCommit(repo, onto, kInMirror));
  git_oid ancestor;
  DATAMCP_RETURN_IF_ERROR(GitStatus(
      git_merge_base(&ancestor, repo, git_commit_id(tip.get()), git_commit_id(base.get())),
      "merge base of " + branch + " and " + onto));
  RebuildResult result;
  result.commit = head;
  if (git_oid_equal(&ancestor, git_commit_id(base.get()))) return result;  // already on it

  DATAMCP_ASSIGN_OR_RETURN(TreePtr ancestor_tree, TreeOf(repo, &ancestor));
  git_tree* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&raw, base.get()), "tree of " + onto));
  TreePtr onto_tree(raw);
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&raw, tip.get()), "tree of " + head));
  TreePtr head_tree(raw);
  git_index* raw_index = nullptr;
  git_merge_options opts = GIT_MERGE_OPTIONS_INIT;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_merge_trees(&raw_index, repo, ancestor_tree.get(),
                                                    onto_tree.get(), head_tree.get(), &opts),
                                    "merge " + branch + " onto " + onto));
  IndexPtr index(raw_index);
  DATAMCP_ASSIGN_OR_RETURN(MergedIndex merged, WriteMergedIndex(repo, index.get()));
  if (!merged.conflicts.empty()) {
    result.conflicts = std::move(merged.conflicts);
    return result;
  }
  git_tree* t = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_tree_lookup(&t, repo, &merged.tree), "rebuilt tree"));
  TreePtr tree(t);
  git_signature* committer_raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_signature_new(&committer_raw, options_.committer.name.c_str(),
                                  options_.committer.email.c_str(), clock_.UnixSeconds(), 0),
                "committer signature"));
  SignaturePtr committer(committer_raw);
  const git_commit* parents[] = {base.get()};
  git_oid commit_id;
  DATAMCP_RETURN_IF_ERROR(GitStatus(
      git_commit_create(&commit_id, repo, nullptr, git_commit_author(tip.get()), committer.get(),
                        "UTF-8", message.c_str(), tree.get(), 1, parents),
      "rebuilt commit"));
  std::string commit = OidHex(commit_id);
  DATAMCP_ASSIGN_OR_RETURN(PushResult pushed,
                           PushCommit(repo, commit, "refs/heads/" + branch, head, true));
  if (!pushed.ok) {
    return Conflict("the remote refused the rebuilt " + branch + ": " + pushed.message +
                    "; fetch and refresh again");
  }
  TrackPushed(repo, branch, &commit_id);
  result.commit = commit;
  result.rebuilt = true;
  return result;
}

}  // namespace datamcp::git
