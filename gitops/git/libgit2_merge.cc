// Libgit2Repository::MergeCommits: the commit a merge would create, for planning it.
#include <git2.h>

#include "gitops/git/libgit2_repository.h"

namespace datamcp::git {

std::vector<std::string> ConflictPathList(git_index* index) {
  std::vector<std::string> paths;
  git_index_conflict_iterator* it = nullptr;
  if (git_index_conflict_iterator_new(&it, index) != 0) return paths;
  const git_index_entry *ancestor, *ours, *theirs;
  while (git_index_conflict_next(&ancestor, &ours, &theirs, it) == 0) {
    const git_index_entry* e = ours ? ours : theirs ? theirs : ancestor;
    paths.emplace_back(e->path);
  }
  git_index_conflict_iterator_free(it);
  return paths;
}

std::string ConflictPaths(git_index* index) {
  std::string out;
  for (const auto& path : ConflictPathList(index)) out += (out.empty() ? "" : ", ") + path;
  return out.empty() ? "?" : out;
}

Result<std::string> Libgit2Repository::MergeCommits(const std::string& base,
                                                    const std::string& head) {
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  git_repository* repo = lease.get();
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr ours, LookupCommit(repo, base));
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr theirs, LookupCommit(repo, head));
  git_index* raw_index = nullptr;
  git_merge_options opts = GIT_MERGE_OPTIONS_INIT;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_merge_commits(&raw_index, repo, ours.get(), theirs.get(), &opts), "merge"));
  IndexPtr index(raw_index);
  if (git_index_has_conflicts(index.get())) {
    return FailedPrecondition(head.substr(0, 12) + " conflicts with " + base.substr(0, 12) +
                              " in: " + ConflictPaths(index.get()));
  }
  git_oid tree_id;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_index_write_tree_to(&tree_id, index.get(), repo), "merge tree"));
  git_tree* t = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_tree_lookup(&t, repo, &tree_id), "merge tree"));
  TreePtr tree(t);
  git_signature* s = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_signature_new(&s, options_.committer.name.c_str(),
                                  options_.committer.email.c_str(), clock_.UnixSeconds(), 0),
                "signature"));
  SignaturePtr sig(s);
  const git_commit* parents[] = {ours.get(), theirs.get()};
  git_oid merge_id;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_commit_create(&merge_id, repo, nullptr, sig.get(), sig.get(), nullptr,
                                  "Planned merge (not on any branch)\n", tree.get(), 2, parents),
                "merge commit"));
  return OidHex(merge_id);
}

}  // namespace datamcp::git
