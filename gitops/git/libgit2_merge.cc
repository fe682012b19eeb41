// Libgit2Repository::MergeCommits: the commit a merge would create, for planning it.
#include <git2.h>

#include "gitops/git/libgit2_repository.h"
#include "gitops/git/objects.h"

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

std::string JoinPaths(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& path : paths) out += (out.empty() ? "" : ", ") + path;
  return out.empty() ? "?" : out;
}

Result<MergedIndex> WriteMergedIndex(git_repository* repo, git_index* index) {
  MergedIndex out;
  if (git_index_has_conflicts(index)) {
    out.conflicts = ConflictPathList(index);
    if (out.conflicts.empty()) out.conflicts.push_back("?");
    return out;
  }
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_index_write_tree_to(&out.tree, index, repo), "merge tree"));
  return out;
}

Result<std::string> Libgit2Repository::MergeCommits(const std::string& base,
                                                    const std::string& head) {
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  git_repository* repo = lease.get();
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr ours, LookupCommit(repo, base, kInMirror));
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr theirs, LookupCommit(repo, head, kInMirror));
  git_index* raw_index = nullptr;
  git_merge_options opts = GIT_MERGE_OPTIONS_INIT;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_merge_commits(&raw_index, repo, ours.get(), theirs.get(), &opts), "merge"));
  IndexPtr index(raw_index);
  DATAMCP_ASSIGN_OR_RETURN(MergedIndex merged, WriteMergedIndex(repo, index.get()));
  if (!merged.conflicts.empty()) {
    return FailedPrecondition(head.substr(0, 12) + " conflicts with " + base.substr(0, 12) +
                              " in: " + JoinPaths(merged.conflicts));
  }
  git_tree* t = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_tree_lookup(&t, repo, &merged.tree), "merge tree"));
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
