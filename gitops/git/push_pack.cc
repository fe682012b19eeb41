#include "gitops/git/push_pack.h"

#include <vector>

#include "gitops/git/git_ptr.h"

namespace datamcp::git {
namespace {

std::string Hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), oid);
  return buf;
}

Result<TreePtr> Tree(git_repository* repo, const git_oid* id) {
  git_tree* t = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_tree_lookup(&t, repo, id), "read tree " + Hex(id)));
  return TreePtr(t);
}

// Inserts `tree` and every entry below it that is not identical in `old_tree` (may be null).
Status InsertNew(git_repository* repo, git_packbuilder* pb, const git_tree* tree,
                 const git_tree* old_tree) {
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_packbuilder_insert(pb, git_tree_id(tree), nullptr), "pack tree"));
  size_t n = git_tree_entrycount(tree);
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree, i);
    const git_tree_entry* old =
        old_tree ? git_tree_entry_byname(old_tree, git_tree_entry_name(e)) : nullptr;
    if (old && git_oid_equal(git_tree_entry_id(old), git_tree_entry_id(e))) continue;
    git_object_t type = git_tree_entry_type(e);
    if (type == GIT_OBJECT_BLOB) {
      DATAMCP_RETURN_IF_ERROR(GitStatus(
          git_packbuilder_insert(pb, git_tree_entry_id(e), git_tree_entry_name(e)), "pack blob"));
    } else if (type == GIT_OBJECT_TREE) {
      DATAMCP_ASSIGN_OR_RETURN(TreePtr sub, Tree(repo, git_tree_entry_id(e)));
      TreePtr old_sub;
      if (old && git_tree_entry_type(old) == GIT_OBJECT_TREE) {
        DATAMCP_ASSIGN_OR_RETURN(old_sub, Tree(repo, git_tree_entry_id(old)));
      }
      DATAMCP_RETURN_IF_ERROR(InsertNew(repo, pb, sub.get(), old_sub.get()));
    }  // submodule commits are not ours to send
  }
  return Status::Ok();
}

Status InsertCommit(git_repository* repo, git_packbuilder* pb, const git_commit* c) {
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_packbuilder_insert(pb, git_commit_id(c), nullptr), "pack commit"));
  DATAMCP_ASSIGN_OR_RETURN(TreePtr tree, Tree(repo, git_commit_tree_id(c)));
  TreePtr old_tree;
  if (git_commit_parentcount(c) > 0) {
    git_commit* parent = nullptr;
    DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_parent(&parent, c, 0), "read parent"));
    CommitPtr parent_ptr(parent);
    DATAMCP_ASSIGN_OR_RETURN(old_tree, Tree(repo, git_commit_tree_id(parent)));
  }
  return InsertNew(repo, pb, tree.get(), old_tree.get());
}

}  // namespace

Result<std::string> BuildPushPack(git_repository* repo, const std::string& commit,
                                  const std::set<std::string>& remote_has, int max_commits) {
  git_packbuilder* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_packbuilder_new(&raw, repo), "new pack"));
  PackbuilderPtr pb(raw);
  git_packbuilder_set_threads(raw, 1);
  std::vector<std::string> todo = {commit};
  std::set<std::string> seen;
  while (!todo.empty()) {
    std::string id = todo.back();
    todo.pop_back();
    if (remote_has.count(id) || !seen.insert(id).second) continue;
    if (static_cast<int>(seen.size()) > max_commits) {
      return FailedPrecondition("more than " + std::to_string(max_commits) + " new commits");
    }
    git_oid oid;
    git_oid_fromstr(&oid, id.c_str());
    git_commit* c = nullptr;
    DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_lookup(&c, repo, &oid), "read commit " + id));
    CommitPtr cp(c);
    if (git_commit_parentcount(c) == 0) {
      return FailedPrecondition("commit " + id + " has no parent the remote is known to have");
    }
    DATAMCP_RETURN_IF_ERROR(InsertCommit(repo, pb.get(), c));
    for (unsigned i = 0; i < git_commit_parentcount(c); ++i) {
      todo.push_back(Hex(git_commit_parent_id(c, i)));
    }
  }
  git_buf buf = GIT_BUF_INIT;
  Status s = GitStatus(git_packbuilder_write_buf(&buf, pb.get()), "write pack");
  std::string pack = s.ok() ? std::string(buf.ptr, buf.size) : "";
  git_buf_dispose(&buf);
  DATAMCP_RETURN_IF_ERROR(s);
  return pack;
}

}  // namespace datamcp::git
