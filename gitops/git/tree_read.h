#pragma once

#include <git2.h>

#include <string>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/git/repository.h"

namespace datamcp::git {

// Paths that differ between two trees (either may be null: empty). Subtrees with the same
// id are skipped without being read, so the cost follows the difference.
Result<std::vector<ChangedPath>> DiffTrees(git_repository* repo, const git_tree* from,
                                           const git_tree* to);

// Writes the files of `tree` under the existing directory `dir` (see Repository::ExportTree
// for the rules).
Status WriteTree(git_repository* repo, const git_tree* tree, const std::string& dir);

// The entries of `tree`, with paths prefixed by `prefix` ("" or "a/b/").
std::vector<TreeEntryInfo> ListEntries(const git_tree* tree, const std::string& prefix);

// True when the entry at `path` differs between the two trees (null tree = empty).
bool PathChanged(const git_tree* a, const git_tree* b, const std::string& path);

}  // namespace datamcp::git
