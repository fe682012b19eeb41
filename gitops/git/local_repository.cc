#include "gitops/git/local_repository.h"

#include <git2.h>

#include <algorithm>

#include "gitops/git/git_ptr.h"
#include "gitops/git/objects.h"
#include "gitops/git/tree_edit.h"
#include "gitops/git/tree_read.h"

namespace datamcp::git {
namespace {

Result<git_oid> ParseId(const std::string& id, const std::string& what) {
  git_oid oid;
  if (id.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, id.c_str()) < 0) {
    return InvalidArgument(what + " '" + id + "' is not an object id (40 hex digits)");
  }
  return oid;
}

Result<CommitPtr> LookupCommit(git_repository* repo, const std::string& id) {
  DATAMCP_ASSIGN_OR_RETURN(git_oid oid, ParseId(id, "commit"));
  git_commit* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_lookup(&raw, repo, &oid), "commit " + id));
  return CommitPtr(raw);
}

Result<TreePtr> TreeOf(git_repository* repo, const std::string& commit) {
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr c, LookupCommit(repo, commit));
  git_tree* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&raw, c.get()), "tree of " + commit));
  return TreePtr(raw);
}

Result<SignaturePtr> MakeSignature(const Signature& sig) {
  git_signature* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_signature_new(&raw, sig.who.name.c_str(), sig.who.email.c_str(), sig.time, 0),
                "signature of '" + sig.who.name + " <" + sig.who.email + ">'"));
  return SignaturePtr(raw);
}

// Writes a commit of `tree` with `parents`; `sig` is author and committer.
Result<std::string> WriteCommit(git_repository* repo, const git_tree* tree,
                                const std::vector<const git_commit*>& parents,
                                const std::string& message, const Signature& sig) {
  DATAMCP_ASSIGN_OR_RETURN(SignaturePtr s, MakeSignature(sig));
  git_oid id;
  DATAMCP_RETURN_IF_ERROR(GitStatus(
      git_commit_create(&id, repo, nullptr, s.get(), s.get(), nullptr, message.c_str(), tree,
                        parents.size(), const_cast<const git_commit**>(parents.data())),
      "write commit"));
  return OidHex(id);
}

}  // namespace

void LocalRepository::Free::operator()(git_repository* repo) const { git_repository_free(repo); }

LocalRepository::LocalRepository(git_repository* repo, std::string path)
    : repo_(repo), path_(std::move(path)) {}
LocalRepository::LocalRepository(LocalRepository&&) noexcept = default;
LocalRepository& LocalRepository::operator=(LocalRepository&&) noexcept = default;
LocalRepository::~LocalRepository() = default;

Result<LocalRepository> LocalRepository::OpenBare(const std::string& path) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_repository_open_bare(&raw, path.c_str()), "open repository " + path));
  return LocalRepository(raw, path);
}

Result<std::optional<std::string>> LocalRepository::ReadRef(const std::string& ref) const {
  git_oid id;
  int rc = git_reference_name_to_id(&id, repo_.get(), ref.c_str());
  if (rc == GIT_ENOTFOUND) return std::optional<std::string>();
  DATAMCP_RETURN_IF_ERROR(GitStatus(rc, "read " + ref + " in " + path_));
  return std::optional<std::string>(OidHex(id));
}

Result<std::string> LocalRepository::Resolve(const std::string& revision) const {
  git_object* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_revparse_single(&raw, repo_.get(), revision.c_str()), revision));
  ObjectPtr object(raw);
  return OidHex(*git_object_id(object.get()));
}

Status LocalRepository::UpdateRef(const std::string& ref, const std::string& commit,
                                  const std::string& expected, const std::string& log_message) {
  DATAMCP_ASSIGN_OR_RETURN(git_oid id, ParseId(commit, "commit"));
  git_reference* raw = nullptr;
  int rc;
  if (expected.empty()) {
    rc = git_reference_create(&raw, repo_.get(), ref.c_str(), &id, 0, log_message.c_str());
  } else {
    DATAMCP_ASSIGN_OR_RETURN(git_oid old_id, ParseId(expected, "expected commit of " + ref));
    rc = git_reference_create_matching(&raw, repo_.get(), ref.c_str(), &id, 1, &old_id,
                                       log_message.c_str());
  }
  ReferencePtr owned(raw);
  if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED) {
    return Conflict(ref + " moved");
  }
  return GitStatus(rc, "update " + ref);
}

Result<std::vector<std::pair<std::string, std::string>>> LocalRepository::ReadFilesIn(
    const std::string& commit, const std::string& dir) const {
  std::vector<std::pair<std::string, std::string>> files;
  DATAMCP_ASSIGN_OR_RETURN(TreePtr root, TreeOf(repo_.get(), commit));
  git_tree_entry* raw_entry = nullptr;
  if (git_tree_entry_bypath(&raw_entry, root.get(), dir.c_str()) != 0) return files;
  TreeEntryPtr dir_entry(raw_entry);
  git_tree* raw_tree = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(
      git_tree_lookup(&raw_tree, repo_.get(), git_tree_entry_id(dir_entry.get())), "tree " + dir));
  TreePtr tree(raw_tree);
  for (size_t i = 0; i < git_tree_entrycount(tree.get()); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree.get(), i);  // borrowed
    std::string name = git_tree_entry_name(entry);
    git_blob* raw_blob = nullptr;
    DATAMCP_RETURN_IF_ERROR(GitStatus(
        git_blob_lookup(&raw_blob, repo_.get(), git_tree_entry_id(entry)), dir + "/" + name));
    BlobPtr blob(raw_blob);
    files.emplace_back(std::move(name),
                       std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                                   git_blob_rawsize(blob.get())));
  }
  return files;
}

Result<std::string> LocalRepository::CommitChanges(const std::string& parent,
                                                   const ChangeSet& changes,
                                                   const std::string& message,
                                                   const Signature& sig) {
  CommitPtr parent_commit;
  TreePtr base_tree;
  if (!parent.empty()) {
    DATAMCP_ASSIGN_OR_RETURN(parent_commit, LookupCommit(repo_.get(), parent));
    git_tree* raw = nullptr;
    DATAMCP_RETURN_IF_ERROR(
        GitStatus(git_commit_tree(&raw, parent_commit.get()), "tree of " + parent));
    base_tree.reset(raw);
  }
  DATAMCP_ASSIGN_OR_RETURN(git_oid tree_id, ApplyChangeSet(repo_.get(), base_tree.get(), changes));
  git_tree* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_tree_lookup(&raw, repo_.get(), &tree_id), "new tree"));
  TreePtr tree(raw);
  std::vector<const git_commit*> parents;
  if (parent_commit) parents.push_back(parent_commit.get());
  return WriteCommit(repo_.get(), tree.get(), parents, message, sig);
}

Result<TreeMerge> LocalRepository::Merge(const std::string& ours, const std::string& theirs) {
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr a, LookupCommit(repo_.get(), ours));
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr b, LookupCommit(repo_.get(), theirs));
  git_index* raw = nullptr;
  git_merge_options opts = GIT_MERGE_OPTIONS_INIT;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_merge_commits(&raw, repo_.get(), a.get(), b.get(), &opts),
                                    "merge " + theirs + " into " + ours));
  IndexPtr index(raw);
  DATAMCP_ASSIGN_OR_RETURN(MergedIndex merged, WriteMergedIndex(repo_.get(), index.get()));
  TreeMerge out;
  out.conflicts = std::move(merged.conflicts);
  if (out.conflicts.empty()) out.tree = OidHex(merged.tree);
  return out;
}

Result<std::string> LocalRepository::CommitTree(const std::string& tree,
                                                const std::vector<std::string>& parents,
                                                const std::string& message, const Signature& sig) {
  DATAMCP_ASSIGN_OR_RETURN(git_oid tree_id, ParseId(tree, "tree"));
  git_tree* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_tree_lookup(&raw, repo_.get(), &tree_id), "tree " + tree));
  TreePtr owned_tree(raw);
  std::vector<CommitPtr> owned;
  std::vector<const git_commit*> borrowed;
  for (const std::string& parent : parents) {
    DATAMCP_ASSIGN_OR_RETURN(CommitPtr c, LookupCommit(repo_.get(), parent));
    borrowed.push_back(c.get());
    owned.push_back(std::move(c));
  }
  return WriteCommit(repo_.get(), owned_tree.get(), borrowed, message, sig);
}

Result<std::string> LocalRepository::MergeBase(const std::string& a, const std::string& b) const {
  DATAMCP_ASSIGN_OR_RETURN(git_oid ia, ParseId(a, "commit"));
  DATAMCP_ASSIGN_OR_RETURN(git_oid ib, ParseId(b, "commit"));
  git_oid base;
  int rc = git_merge_base(&base, repo_.get(), &ia, &ib);
  if (rc == GIT_ENOTFOUND) return NotFound("commits " + a + " and " + b + " share no history");
  DATAMCP_RETURN_IF_ERROR(GitStatus(rc, "merge base of " + a + " and " + b));
  return OidHex(base);
}

Result<std::vector<ChangedPath>> LocalRepository::ChangedPaths(const std::string& from,
                                                               const std::string& to) const {
  DATAMCP_ASSIGN_OR_RETURN(TreePtr a, TreeOf(repo_.get(), from));
  DATAMCP_ASSIGN_OR_RETURN(TreePtr b, TreeOf(repo_.get(), to));
  DATAMCP_ASSIGN_OR_RETURN(std::vector<ChangedPath> paths,
                           DiffTrees(repo_.get(), a.get(), b.get()));
  // DiffTrees walks one directory at a time; git lists by full path.
  std::stable_sort(paths.begin(), paths.end(),
                   [](const ChangedPath& x, const ChangedPath& y) { return x.path < y.path; });
  return paths;
}

Result<std::string> LocalRepository::Patch(const std::string& from, const std::string& to) const {
  DATAMCP_ASSIGN_OR_RETURN(TreePtr a, TreeOf(repo_.get(), from));
  DATAMCP_ASSIGN_OR_RETURN(TreePtr b, TreeOf(repo_.get(), to));
  git_diff* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_diff_tree_to_tree(&raw, repo_.get(), a.get(), b.get(), nullptr), "diff"));
  DiffPtr diff(raw);
  git_buf buf = GIT_BUF_INIT;
  Status s = GitStatus(git_diff_to_buf(&buf, diff.get(), GIT_DIFF_FORMAT_PATCH), "format the diff");
  std::string text = s.ok() && buf.ptr ? std::string(buf.ptr, buf.size) : std::string();
  git_buf_dispose(&buf);
  if (!s.ok()) return s;
  return text;
}

}  // namespace datamcp::git
