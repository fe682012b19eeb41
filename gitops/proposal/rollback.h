#pragma once

#include <string>
#include <utility>
#include <vector>

#include "gitops/forge/forge.h"
#include "gitops/git/repository.h"

namespace datamcp::proposal {

// propose_rollback: the change that reverts a merged DataMCP proposal, and the checks that
// it is one. Git is the audit log, so the rollback's commit names what it reverts.

// Trailers of a rollback's commit: the merge commit it reverts and that pull request.
inline constexpr char kRollbackOfTrailer[] = "Datamcp-Rollback-Of";
inline constexpr char kRollbackOfPullRequestTrailer[] = "Datamcp-Rollback-Of-Pull-Request";

// A merged pull request as the forge reports it.
struct RollbackTarget {
  int pull_request = 0;
  std::string merge_commit;  // the forge's merge_commit_sha
  std::string head;          // the forge's head_sha: the proposal's commit
};

// The change set that reverts `target` on `base` (the tip of `branch`, the default branch),
// for environment `env`: files the merge added are deleted, files it changed or deleted get
// their content and mode from before it. Refused, saying what to do, when:
// - the merge commit is not in the repository (NotFound) or not on `branch` (FailedPrecondition);
// - it is not a DataMCP proposal: neither its head nor the merge carries Datamcp-Tool
//   (FailedPrecondition: revert it with propose_change);
// - it was proposed for another environment than `env` (InvalidArgument);
// - `base` already holds every file as it was before the merge (FailedPrecondition: already
//   rolled back, naming the commit that did it);
// - a file it changed was changed again since (FailedPrecondition: revert by hand).
Result<git::ChangeSet> RollbackChanges(git::Repository& repo, const std::string& base,
                                       const std::string& branch, const std::string& env,
                                       const RollbackTarget& target);

// The trailers recording what a rollback reverts (kRollbackOf*).
std::vector<std::pair<std::string, std::string>> RollbackTrailers(const RollbackTarget& target);

// FailedPrecondition naming the open pull request that already rolls back `merge_commit`
// (its head's Datamcp-Rollback-Of), unless it is the one a retry of this request reuses (the
// same requester and idempotency key). OK when there is none.
Status CheckNoOpenRollback(forge::Forge& forge, git::Repository& repo,
                           const std::string& merge_commit, const std::string& requester,
                           const std::string& idempotency_key);

}  // namespace datamcp::proposal
