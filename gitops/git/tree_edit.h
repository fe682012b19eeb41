#pragma once

#include <git2.h>

#include <string>

#include "gitops/common/result.h"
#include "gitops/git/repository.h"

namespace datamcp::git {

// Writes the tree of `base_tree` with `changes` applied into `repo`'s object database and
// returns its id. Only the trees on changed paths are read and rewritten (a treebuilder per
// touched directory), so the cost follows the change, not the repository. Directories left
// empty by deletes disappear. Paths are not validated here (see ValidateRepoPath); structural
// errors (delete of a missing file, a file where a directory is needed, duplicates) return
// InvalidArgument/NotFound naming the path. Unreferenced blobs may remain in the odb on error.
Result<git_oid> ApplyChangeSet(git_repository* repo, const git_tree* base_tree,
                               const ChangeSet& changes);

// The full commit message: `meta.message`, then a blank line and the trailers (a
// "Co-authored-by" trailer first when the requester is co-author). InvalidArgument for
// malformed trailer keys or multi-line values.
Result<std::string> BuildCommitMessage(const CommitMeta& meta);

}  // namespace datamcp::git
