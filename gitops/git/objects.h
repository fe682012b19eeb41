#pragma once

#include <git2.h>

#include <string>
#include <string_view>

#include "gitops/common/result.h"
#include "gitops/git/git_ptr.h"

namespace datamcp::git {

// What the engine's implementations (Libgit2Repository, LocalRepository, new_repository)
// share on libgit2: start-up, ids, commit lookups. Inside gitops/git/ only.

// Calls git_libgit2_init once per process (thread-safe). Every entry point calls it.
void EnsureLibgit2();

// Hex id of a libgit2 oid.
std::string OidHex(const git_oid& oid);

// The commit `id` (40 hex digits) of `repo`, owned. InvalidArgument for anything else ("resolve
// the ref first"); NotFound when `repo` lacks it: "commit <id> is not <missing>", so
// `missing` says where it was looked for and what to do ("in the mirror; fetch first").
[[nodiscard]] Result<CommitPtr> LookupCommit(git_repository* repo, const std::string& id,
                                             std::string_view missing);
// The tree of that commit, owned.
[[nodiscard]] Result<TreePtr> TreeOfCommit(git_repository* repo, const std::string& id,
                                           std::string_view missing);

}  // namespace datamcp::git
