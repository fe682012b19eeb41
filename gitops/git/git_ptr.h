#pragma once

#include <git2.h>

#include <memory>
#include <string>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/common/status.h"

namespace datamcp::git {

// Owning handles for libgit2 objects: each frees with its own *_free function.
// Borrowed pointers (git_commit_message, git_tree_entry_byindex, ...) are never wrapped.
template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const {
    if (p) Free(p);
  }
};
template <typename T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitDeleter<T, Free>>;

using RepositoryPtr = GitPtr<git_repository, git_repository_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;
using TreePtr = GitPtr<git_tree, git_tree_free>;
using TreeEntryPtr = GitPtr<git_tree_entry, git_tree_entry_free>;
using TreeBuilderPtr = GitPtr<git_treebuilder, git_treebuilder_free>;
using BlobPtr = GitPtr<git_blob, git_blob_free>;
using ReferencePtr = GitPtr<git_reference, git_reference_free>;
using RemotePtr = GitPtr<git_remote, git_remote_free>;
using SignaturePtr = GitPtr<git_signature, git_signature_free>;
using RevwalkPtr = GitPtr<git_revwalk, git_revwalk_free>;
using DiffPtr = GitPtr<git_diff, git_diff_free>;
using ObjectPtr = GitPtr<git_object, git_object_free>;
using IndexPtr = GitPtr<git_index, git_index_free>;
using NotePtr = GitPtr<git_note, git_note_free>;
using OdbPtr = GitPtr<git_odb, git_odb_free>;
using PackbuilderPtr = GitPtr<git_packbuilder, git_packbuilder_free>;
using ConfigPtr = GitPtr<git_config, git_config_free>;

// The paths an index holds in conflict, one each (empty when they cannot be listed).
std::vector<std::string> ConflictPathList(git_index* index);
// Paths comma-separated ("?" when there are none), as conflict messages name them.
std::string JoinPaths(const std::vector<std::string>& paths);

// What a merge index (git_merge_commits, git_merge_trees) holds: without conflicts its tree,
// written to `repo`; with conflicts their paths (at least one: "?" when they cannot be
// listed), and nothing written.
struct MergedIndex {
  git_oid tree{};
  std::vector<std::string> conflicts;
};
Result<MergedIndex> WriteMergedIndex(git_repository* repo, git_index* index);

// Converts a libgit2 return code into a Status, reading git_error_last() on this thread
// (libgit2 keeps the last error per thread). `what` says which operation failed.
inline Status GitStatus(int rc, const std::string& what) {
  if (rc >= 0) return Status::Ok();
  const git_error* e = git_error_last();
  std::string msg =
      what + ": " + (e && e->message ? e->message : "libgit2 error " + std::to_string(rc));
  switch (rc) {
    case GIT_ENOTFOUND:
      return NotFound(msg);
    case GIT_EEXISTS:
      return AlreadyExists(msg);
    case GIT_EAUTH:
      return Unauthenticated(msg);
    case GIT_ENONFASTFORWARD:
    case GIT_ELOCKED:
    case GIT_EMODIFIED:
      return Conflict(msg);
    case GIT_EUSER:
      return Cancelled(msg);
    default:
      return Internal(msg);
  }
}

}  // namespace datamcp::git
