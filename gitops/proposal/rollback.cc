#include "gitops/proposal/rollback.h"

#include <filesystem>
#include <optional>

#include "gitops/common/record_text.h"

namespace datamcp::proposal {
namespace {

std::string Short(const std::string& oid) { return oid.substr(0, 12); }

// The message of the first of `commits` the repository holds that DataMCP proposed (it
// carries Datamcp-Tool): the pull request's head, else the merge's second parent, else a
// squash merge itself.
std::optional<std::string> ProposalMessage(git::Repository& repo,
                                           const std::vector<std::string>& commits) {
  for (const auto& commit : commits) {
    if (commit.empty()) continue;
    auto log = repo.Log(commit, {}, 1);
    if (!log.ok() || log->empty()) continue;
    if (!Trailer(log->front().message, "Datamcp-Tool").empty()) return log->front().message;
  }
  return std::nullopt;
}

// The mode of `path` at `commit`, so a reverted executable stays one.
git::FileMode ModeAt(git::Repository& repo, const std::string& commit, const std::string& path) {
  auto entries = repo.ListTree(commit, std::filesystem::path(path).parent_path().string());
  if (entries.ok()) {
    for (const auto& e : *entries) {
      if (e.path == path && e.mode == 0100755) return git::FileMode::kExecutable;
    }
  }
  return git::FileMode::kRegular;
}

bool SameFile(const Result<std::string>& a, const Result<std::string>& b) {
  return a.ok() == b.ok() && (!a.ok() || *a == *b);
}

// Why there is nothing to roll back: the last commit on `base` that changed `path`.
std::string UndoneBy(git::Repository& repo, const std::string& base, const std::string& path) {
  auto log = repo.Log(base, {path}, 1);
  if (!log.ok() || log->empty()) return "";
  const auto& c = log->front();
  return " (last changed by " + Short(c.oid) + " \"" + FirstLineOf(c.message) + "\")";
}

}  // namespace

Result<git::ChangeSet> RollbackChanges(git::Repository& repo, const std::string& base,
                                       const std::string& branch, const std::string& env,
                                       const RollbackTarget& target) {
  const std::string pr = "pull request #" + std::to_string(target.pull_request);
  auto merged = repo.Log(target.merge_commit, {}, 1);
  if (target.merge_commit.empty() || !merged.ok() || merged->empty()) {
    return NotFound(pr + ": its merge commit " + Short(target.merge_commit) +
                    " is not in the GitOps repository; give a pull request merged into " + branch);
  }
  const git::CommitInfo merge = merged->front();
  if (auto mb = repo.MergeBase(base, merge.oid); !mb.ok() || *mb != merge.oid) {
    return FailedPrecondition(pr + " was merged as " + Short(merge.oid) + ", which is not on " +
                              branch + "; only changes merged into " + branch +
                              " can be rolled back");
  }
  std::vector<std::string> candidates{target.head};
  if (merge.parents.size() > 1) candidates.push_back(merge.parents[1]);
  candidates.push_back(merge.oid);
  std::optional<std::string> message = ProposalMessage(repo, candidates);
  if (!message) {
    return FailedPrecondition(pr + " was not proposed through DataMCP (no Datamcp-Tool trailer " +
                              "on its commits); revert it with propose_change");
  }
  std::string proposed_in = Trailer(*message, "Datamcp-Env");
  if (proposed_in != env) {
    return InvalidArgument("environment: " + pr + " was proposed for '" + proposed_in + "', not '" +
                           env + "'; roll it back in '" + proposed_in + "'");
  }
  if (merge.parents.empty()) {
    return FailedPrecondition(pr + ": " + Short(merge.oid) + " has no parent to revert to");
  }
  const std::string& parent = merge.parents[0];
  DATAMCP_ASSIGN_OR_RETURN(auto changed, repo.ChangedPaths(parent, merge.oid));
  git::ChangeSet changes;
  bool undone = true;  // every file is on `base` as it was before the merge
  std::string moved;   // the first file changed again since the merge
  for (const auto& c : changed) {
    auto before = repo.ReadFile(parent, c.path);
    auto now = repo.ReadFile(base, c.path);
    undone = undone && SameFile(now, before);
    if (!SameFile(now, repo.ReadFile(merge.oid, c.path))) {
      if (moved.empty()) moved = c.path;
      continue;
    }
    if (before.ok()) {
      changes.push_back({c.path, *before, ModeAt(repo, parent, c.path)});
    } else {
      changes.push_back({c.path, std::nullopt, git::FileMode::kDelete});
    }
  }
  if (changed.empty()) return InvalidArgument(pr + " changed nothing; there is nothing to revert");
  if (undone) {
    return FailedPrecondition(pr + " is already rolled back on " + branch +
                              ": every file it changed is as it was before it" +
                              UndoneBy(repo, base, changed.front().path) +
                              "; there is nothing to roll back");
  }
  if (!moved.empty()) {
    return FailedPrecondition(moved + " changed after " + pr + " (" + Short(merge.oid) +
                              ") was merged; revert it by hand with propose_change");
  }
  return changes;
}

std::vector<std::pair<std::string, std::string>> RollbackTrailers(const RollbackTarget& target) {
  return {{kRollbackOfTrailer, target.merge_commit},
          {kRollbackOfPullRequestTrailer, std::to_string(target.pull_request)}};
}

Status CheckNoOpenRollback(forge::Forge& forge, git::Repository& repo,
                           const std::string& merge_commit, const std::string& requester,
                           const std::string& idempotency_key) {
  DATAMCP_ASSIGN_OR_RETURN(auto open, forge.ListOpenPullRequests());
  for (const auto& pr : open) {
    auto log = repo.Log(pr.head_sha, {}, 1);
    if (!log.ok() || log->empty()) continue;
    const std::string& message = log->front().message;
    if (Trailer(message, kRollbackOfTrailer) != merge_commit) continue;
    if (!idempotency_key.empty() &&
        Trailer(message, "Datamcp-Idempotency-Key") == idempotency_key &&
        Trailer(message, "Datamcp-Requested-By") == requester) {
      continue;  // a retry: ProposalService::Propose reuses it
    }
    return FailedPrecondition("pull request #" + std::to_string(pr.number) +
                              " already rolls back " + Short(merge_commit) +
                              " and is open; review and merge it, or close it first");
  }
  return Status::Ok();
}

}  // namespace datamcp::proposal
