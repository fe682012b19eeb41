#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/localforge/pull_record.h"

namespace datamcp::localforge {

// The local forge's pull requests, kept in the GitOps repository itself: the ref
// refs/datamcp/forge points at a commit whose tree holds prs/<number>.json, and every change
// (open, review, comment, status, merge) is one more commit on that ref, so the forge's
// history is itself an audit trail.
//
// Writers (the server and the human CLI, in different processes) update the ref with
// compare-and-swap and retry, so none overwrites another. Each call opens its own
// git::LocalRepository (the engine's; nothing here touches libgit2): instances are safe to
// use from many threads.

// What a merge through the local forge requires, as GitHub branch protection would.
struct MergeGate {
  bool enforce = false;        // false: merge whatever is mergeable (tests, tooling)
  int required_approvals = 0;  // approvals by someone other than the author
  bool force = false;          // merge anyway; the merge commit records what was bypassed
  // More requirements of the head about to be merged (the destroy gate: a destructive plan
  // needs destroy_approvals or a confirmation): what is missing, one item each. Errors
  // refuse the merge. Unset: none.
  std::function<Result<std::vector<std::string>>(const PullRecord& pr, const std::string& head_sha)>
      more;
};

class LocalPrStore {
 public:
  struct Identity {
    std::string name = "DataMCP";
    std::string email = "datamcp@localhost";
  };

  LocalPrStore(std::string repo_path, const Clock& clock, Identity identity);

  // Opens a pull request from `head_ref` into `base_ref`, or returns the open one that
  // already has that head (one pull request per proposal branch).
  Result<PullRecord> Open(const std::string& head_ref, const std::string& base_ref,
                          const std::string& title, const std::string& body,
                          const std::string& author);
  Result<PullRecord> Get(int number) const;
  Result<std::vector<PullRecord>> List(bool open_only) const;

  // Applies `mutate` to the record and stores it; `action` names the change in the
  // forge's commit message. Retries when another writer won the race.
  Result<PullRecord> Update(int number, const std::string& action,
                            const std::function<Status(PullRecord&)>& mutate);

  // The forge's merge: a merge commit of the head into the base branch (which moves with
  // compare-and-swap), then the record is marked merged. Conflicts are FailedPrecondition
  // naming the paths. With `gate.enforce`, refused (FailedPrecondition listing every missing
  // item) unless the datamcp/plan status of the current head is success and the approvals
  // are there; `gate.force` merges anyway, with a "Datamcp-Forced-Merge: <what was
  // missing>" trailer on the merge commit and a comment on the record.
  Result<PullRecord> Merge(int number, const std::string& merged_by, const MergeGate& gate = {});

  // The paths the pull request changes (merge base of base and head, to head), with
  // "added" | "modified" | "removed".
  Result<std::vector<std::pair<std::string, std::string>>> ChangedFiles(int number) const;
  // The same change as a unified patch (what `git diff base...head` shows).
  Result<std::string> Diff(int number) const;

  // What the forge's other records (LocalDriftReports) are written with.
  const std::string& repo_path() const { return repo_path_; }
  const Clock& clock() const { return clock_; }
  const Identity& identity() const { return identity_; }

 private:
  std::string repo_path_;
  const Clock& clock_;
  Identity identity_;
};

}  // namespace datamcp::localforge
