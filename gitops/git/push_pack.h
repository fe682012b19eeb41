#pragma once

#include <git2.h>

#include <set>
#include <string>

#include "gitops/common/result.h"

namespace datamcp::git {

// Builds a pack holding what the remote lacks to have `commit`, assuming it has every commit
// in `remote_has` (hex ids) and everything they reach: the new commits on the way from
// `commit` back to `remote_has`, and for each the trees and blobs that differ from its first
// parent (identical subtrees are skipped without being read). Cost follows the change, not
// the repository. FailedPrecondition when more than `max_commits` commits would be needed or
// a parent is neither new nor known (the caller then uses libgit2's own push).
Result<std::string> BuildPushPack(git_repository* repo, const std::string& commit,
                                  const std::set<std::string>& remote_has, int max_commits = 32);

}  // namespace datamcp::git
