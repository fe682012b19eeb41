// LocalPrStore::Merge: the local forge's merge button.
#include <algorithm>
#include <optional>
#include <vector>

#include "gitops/common/record_text.h"
#include "gitops/git/local_repository.h"
#include "gitops/localforge/local_pr_store.h"

namespace datamcp::localforge {
namespace {

// The commit branch `name` points at.
Result<std::string> TipOf(const git::LocalRepository& repo, const std::string& name) {
  std::string ref = "refs/heads/" + name;
  DATAMCP_ASSIGN_OR_RETURN(std::optional<std::string> tip, repo.ReadRef(ref));
  if (!tip) return NotFound("branch '" + name + "' does not exist in the repository");
  return *tip;
}

// What `gate` finds missing for merging `head_sha`, one item each; empty: mergeable.
Result<std::vector<std::string>> MissingForMerge(const PullRecord& pr, const std::string& head_sha,
                                                 const MergeGate& gate) {
  std::vector<std::string> missing;
  if (!gate.enforce) return missing;
  const CommitStatus* plan = nullptr;
  for (const auto& s : pr.statuses) {
    if (s.context == "datamcp/plan" && s.sha == head_sha) plan = &s;
  }
  std::string head = head_sha.substr(0, 12);
  if (!plan) {
    missing.push_back("the plan check has not run on head " + head +
                      " (wait for the server to plan it)");
  } else if (plan->state != "success") {
    missing.push_back("the plan check is " + plan->state + " on head " + head + ": " +
                      FirstLineOf(plan->description));
  }
  int approvals = 0;
  for (const auto& user : pr.Approvers()) approvals += user != pr.author ? 1 : 0;
  if (approvals < gate.required_approvals) {
    missing.push_back(std::to_string(approvals) + " of " + std::to_string(gate.required_approvals) +
                      " approval(s) by someone other than the author (`datamcp review " +
                      std::to_string(pr.number) + " --approve --as USER`)");
  }
  if (gate.more) {
    DATAMCP_ASSIGN_OR_RETURN(std::vector<std::string> more, gate.more(pr, head_sha));
    missing.insert(missing.end(), more.begin(), more.end());
  }
  return missing;
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

// Creates the merge commit of `head` into `base` and moves the base branch from exactly
// `base`. Returns the merge commit id; Conflict when the base branch moved meanwhile.
Result<std::string> MergeInto(git::LocalRepository& repo, const PullRecord& pr,
                              const std::string& base, const std::string& head,
                              const git::Signature& sig, const std::string& merged_by,
                              const std::string& forced) {
  DATAMCP_ASSIGN_OR_RETURN(git::TreeMerge merged, repo.Merge(base, head));
  if (!merged.conflicts.empty()) {
    return FailedPrecondition("pull request #" + std::to_string(pr.number) + " conflicts with " +
                              pr.base_ref + " in: " + Join(merged.conflicts, ", ") +
                              "; update the branch and retry");
  }
  std::string message = "Merge pull request #" + std::to_string(pr.number) + " from " +
                        pr.head_ref + "\n\n" + FirstLineOf(pr.title) +
                        "\n\nDatamcp-Pull-Request: " + std::to_string(pr.number) +
                        "\nDatamcp-Merged-By: " + merged_by + "\n" +
                        (forced.empty() ? "" : "Datamcp-Forced-Merge: " + forced + "\n");
  DATAMCP_ASSIGN_OR_RETURN(std::string merge_id,
                           repo.CommitTree(merged.tree, {base, head}, message, sig));
  DATAMCP_RETURN_IF_ERROR(repo.UpdateRef("refs/heads/" + pr.base_ref, merge_id, base, message));
  return merge_id;
}

// The commits a pull request's diff spans: from the merge base of its base and head (the
// base as it was before the merge, once merged), to its head.
struct DiffRange {
  std::string from;
  std::string to;
};

Result<DiffRange> RangeOf(const git::LocalRepository& repo, const PullRecord& pr) {
  std::string base_rev = pr.merged ? pr.merge_commit_sha + "^1" : "refs/heads/" + pr.base_ref;
  DATAMCP_ASSIGN_OR_RETURN(std::string base, repo.Resolve(base_rev));
  DATAMCP_ASSIGN_OR_RETURN(std::string from, repo.MergeBase(base, pr.head_sha));
  return DiffRange{std::move(from), pr.head_sha};
}

}  // namespace

Result<PullRecord> LocalPrStore::Merge(int number, const std::string& merged_by,
                                       const MergeGate& gate) {
  DATAMCP_ASSIGN_OR_RETURN(PullRecord pr, Get(number));
  if (pr.merged)
    return FailedPrecondition("pull request #" + std::to_string(number) + " is already merged");
  if (pr.state != "open")
    return FailedPrecondition("pull request #" + std::to_string(number) + " is closed");
  DATAMCP_ASSIGN_OR_RETURN(git::LocalRepository repo, git::LocalRepository::OpenBare(repo_path_));
  const git::Signature sig{{identity_.name, identity_.email}, clock_.UnixSeconds()};
  Result<std::string> merge_id = Conflict("not attempted");
  std::string head_sha, forced;
  for (int attempt = 0; attempt < 10 && !merge_id.ok(); ++attempt) {
    DATAMCP_ASSIGN_OR_RETURN(std::string base, TipOf(repo, pr.base_ref));
    DATAMCP_ASSIGN_OR_RETURN(head_sha, TipOf(repo, pr.head_ref));
    DATAMCP_ASSIGN_OR_RETURN(std::vector<std::string> missing, MissingForMerge(pr, head_sha, gate));
    if (!missing.empty() && !gate.force) {
      return FailedPrecondition("pull request #" + std::to_string(number) +
                                " cannot be merged yet: " + Join(missing, "; ") +
                                ". Fix that, or merge with --force (recorded as forced)");
    }
    forced = Join(missing, "; ");
    merge_id = MergeInto(repo, pr, base, head_sha, sig, merged_by, forced);
    if (!merge_id.ok() && merge_id.status().code() != StatusCode::kConflict) {
      return merge_id.status();
    }
  }
  if (!merge_id.ok()) return merge_id.status();
  return Update(number, "merge", [&](PullRecord& r) {
    r.state = "closed";
    r.merged = true;
    r.merge_commit_sha = *merge_id;
    r.head_sha = head_sha;
    r.merged_by = merged_by;
    if (!forced.empty()) {
      long long id = 1;
      for (const auto& c : r.comments) id = std::max(id, c.id + 1);
      r.comments.push_back(
          {id, merged_by, "Merged with --force, bypassing: " + forced, clock_.UnixSeconds()});
    }
    return Status::Ok();
  });
}

Result<std::vector<std::pair<std::string, std::string>>> LocalPrStore::ChangedFiles(
    int number) const {
  DATAMCP_ASSIGN_OR_RETURN(PullRecord pr, Get(number));
  DATAMCP_ASSIGN_OR_RETURN(git::LocalRepository repo, git::LocalRepository::OpenBare(repo_path_));
  DATAMCP_ASSIGN_OR_RETURN(DiffRange range, RangeOf(repo, pr));
  DATAMCP_ASSIGN_OR_RETURN(auto changed, repo.ChangedPaths(range.from, range.to));
  std::vector<std::pair<std::string, std::string>> out;
  for (const git::ChangedPath& c : changed) {
    out.emplace_back(c.path, c.kind == git::ChangeKind::kAdded     ? "added"
                             : c.kind == git::ChangeKind::kDeleted ? "removed"
                                                                   : "modified");
  }
  return out;
}

Result<std::string> LocalPrStore::Diff(int number) const {
  DATAMCP_ASSIGN_OR_RETURN(PullRecord pr, Get(number));
  DATAMCP_ASSIGN_OR_RETURN(git::LocalRepository repo, git::LocalRepository::OpenBare(repo_path_));
  DATAMCP_ASSIGN_OR_RETURN(DiffRange range, RangeOf(repo, pr));
  return repo.Patch(range.from, range.to);
}

}  // namespace datamcp::localforge
