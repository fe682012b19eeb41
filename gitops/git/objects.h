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

// An in-memory remote of `repo` on `url`, never `git_remote_lookup`: libgit2 1.5 with
// PCRE2 >= 10.41 leaks about 20 KB per config entry each lookup scans for url.*.insteadOf
// (libgit2#6382, not in Debian's 1.5.1), which grew a long-running server by megabytes a
// minute. The mirror's own config holds nothing the in-memory remote lacks.
[[nodiscard]] Result<RemotePtr> OpenRemote(git_repository* repo, const std::string& url);

}  // namespace datamcp::git
