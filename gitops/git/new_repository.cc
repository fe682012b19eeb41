#include "gitops/git/new_repository.h"

#include <git2.h>

#include "gitops/git/git_ptr.h"
#include "gitops/git/objects.h"

namespace datamcp::git {

Status CommitDirectory(const std::string& dir, const std::string& branch,
                       const std::string& message, const Signature& sig) {
  EnsureLibgit2();
  git_repository_init_options init = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  init.flags = GIT_REPOSITORY_INIT_NO_REINIT;
  init.initial_head = branch.c_str();
  git_repository* raw_repo = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_repository_init_ext(&raw_repo, dir.c_str(), &init), "git init " + dir));
  RepositoryPtr repo(raw_repo);
  git_index* raw_index = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_repository_index(&raw_index, repo.get()), "index"));
  IndexPtr index(raw_index);
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_index_add_all(index.get(), nullptr, 0, nullptr, nullptr), "git add"));
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_index_write(index.get()), "write index"));
  git_oid tree_id, commit_id;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_index_write_tree(&tree_id, index.get()), "write tree"));
  git_tree* raw_tree = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_tree_lookup(&raw_tree, repo.get(), &tree_id), "lookup tree"));
  TreePtr tree(raw_tree);
  git_signature* raw_sig = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(
      git_signature_new(&raw_sig, sig.who.name.c_str(), sig.who.email.c_str(), sig.time, 0),
      "signature"));
  SignaturePtr signature(raw_sig);
  std::string ref = "refs/heads/" + branch;
  return GitStatus(
      git_commit_create(&commit_id, repo.get(), ref.c_str(), signature.get(), signature.get(),
                        nullptr, message.c_str(), tree.get(), 0, nullptr),
      "initial commit");
}

Status CloneBare(const std::string& source_dir, const std::string& dest) {
  EnsureLibgit2();
  git_clone_options clone = GIT_CLONE_OPTIONS_INIT;
  clone.bare = 1;
  git_repository* raw = nullptr;
  Status s = GitStatus(git_clone(&raw, ("file://" + source_dir).c_str(), dest.c_str(), &clone),
                       "clone " + source_dir + " into " + dest);
  RepositoryPtr owned(raw);
  return s;
}

}  // namespace datamcp::git
