// ProposalService::Refresh: a proposal's branch rebuilt on the current default branch.
#include <sstream>

#include "gitops/common/log.h"
#include "gitops/common/record_text.h"
#include "gitops/proposal/proposal_service.h"

namespace datamcp::proposal {
namespace {

constexpr std::string_view kRefreshedFrom = "Datamcp-Refreshed-From: ";
constexpr std::string_view kRefreshedBy = "Datamcp-Refreshed-By: ";

// The message of the rebuilt commit: the branch tip's, without an earlier refresh's
// trailers, plus who refreshed it from which commit (last in the trailer block).
std::string RefreshedMessage(const std::string& message, const std::string& old_head,
                             const std::string& requester) {
  std::istringstream in(message);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.starts_with(kRefreshedFrom) || line.starts_with(kRefreshedBy)) continue;
    out += line + "\n";
  }
  while (out.ends_with("\n\n")) out.pop_back();
  return out + std::string(kRefreshedFrom) + old_head + "\n" + std::string(kRefreshedBy) +
         requester + "\n";
}

std::string JoinPaths(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

Result<RefreshResult> ProposalService::Refresh(int number, const std::string& env,
                                               const std::string& requester) {
  if (requester.empty() || requester.find_first_of("\r\n") != std::string::npos) {
    return InvalidArgument("the caller's subject must be one non-empty line");
  }
  std::string base;
  DATAMCP_ASSIGN_OR_RETURN(repo::RepoConfig config, LoadConfig(&base));
  DATAMCP_ASSIGN_OR_RETURN(forge::PullRequest pr, forge_.GetPullRequest(number));
  const std::string n = "pull request #" + std::to_string(number);
  if (pr.state != forge::PullRequestState::kOpen) {
    return FailedPrecondition(n + " is not open; only an open proposal can be refreshed");
  }
  if (pr.from_fork) {
    return FailedPrecondition(n + " comes from a fork; its author updates it");
  }
  if (!pr.head_ref.starts_with(options_.branch_prefix)) {
    return FailedPrecondition(n + "'s branch " + pr.head_ref + " is not a DataMCP branch (" +
                              options_.branch_prefix + "*); update it with git");
  }
  // The branch as the remote has it now (the forge may lag behind a push).
  DATAMCP_ASSIGN_OR_RETURN(std::string head,
                           repo_.ResolveRef("refs/remotes/origin/" + pr.head_ref));
  DATAMCP_ASSIGN_OR_RETURN(auto tip, repo_.Log(head, {}, 1));
  if (tip.empty()) return Internal(n + ": its branch has no commit");
  if (!env.empty()) {
    std::string proposed_in = Trailer(tip.front().message, "Datamcp-Env");
    if (proposed_in != env) {
      return InvalidArgument(n + " was proposed in environment '" +
                             (proposed_in.empty() ? "(none)" : proposed_in) + "', not '" + env +
                             "'; call with that environment");
    }
  }
  RefreshResult result;
  result.number = number;
  result.branch = pr.head_ref;
  result.old_head = head;
  result.base = base;
  DATAMCP_ASSIGN_OR_RETURN(
      git::RebuildResult rebuilt,
      repo_.RebuildBranch(pr.head_ref, head, base,
                          RefreshedMessage(tip.front().message, head, requester)));
  result.head = rebuilt.commit;
  result.rebuilt = rebuilt.rebuilt;
  result.conflicts = rebuilt.conflicts;
  if (!result.conflicts.empty()) {
    const std::string& main = options_.default_branch;
    result.advice = "Both " + main + " and this proposal changed " + JoinPaths(result.conflicts) +
                    " since the branch was made, so nothing was pushed. Propose the change "
                    "again on the current " +
                    main + " (the same tool, with the files as they should be now) and close " + n +
                    ", or rebase " + pr.head_ref + " on " + main + " by hand and push.";
    forge::CommitState state{forge::CommitStateKind::kFailure, "datamcp/plan",
                             "conflicts with " + main + " in " + JoinPaths(result.conflicts) +
                                 "; see `datamcp refresh " + std::to_string(number) + "`",
                             ""};
    DATAMCP_RETURN_IF_ERROR(forge_.SetCommitStatus(head, state));
    log::Info("proposal_refresh_conflicts",
              {{"pull_request", number}, {"paths", JoinPaths(result.conflicts)}});
    return result;
  }
  log::Info("proposal_refreshed", {{"pull_request", number},
                                   {"from", head},
                                   {"to", result.head},
                                   {"rebuilt", result.rebuilt},
                                   {"requester", requester}});
  DATAMCP_ASSIGN_OR_RETURN(PlanOutcome plan,
                           PlanHead(number, pr.author, config, base, result.head));
  result.plan = std::move(plan);
  return result;
}

nlohmann::json ToJson(const RefreshResult& r) {
  nlohmann::json out = {{"pull_request", r.number}, {"branch", r.branch}, {"old_head", r.old_head},
                        {"head", r.head},           {"base", r.base},     {"rebuilt", r.rebuilt},
                        {"conflicts", r.conflicts}, {"advice", r.advice}};
  if (r.plan) out["plan"] = ToJson(*r.plan);
  return out;
}

std::string RefreshSummary(const RefreshResult& r) {
  std::string n = "#" + std::to_string(r.number);
  if (!r.conflicts.empty()) {
    std::string out = n + " conflicts with " + r.base.substr(0, 12) + "; conflicting path(s):\n";
    for (const auto& p : r.conflicts) out += "  " + p + "\n";
    return out + r.advice + "\n";
  }
  std::string out = r.rebuilt
                        ? n + " rebuilt on " + r.base.substr(0, 12) + ": " + r.branch + " is now " +
                              r.head.substr(0, 12) + " (was " + r.old_head.substr(0, 12) + ")\n"
                        : n + " already contains " + r.base.substr(0, 12) +
                              "; nothing to rebuild, planned again\n";
  if (r.plan) {
    out += "plan: " + r.plan->status + " - " + r.plan->status_description + "\n";
    for (const auto& p : r.plan->projects) {
      out += "  " + p.project + ": " + (p.ok ? p.summary : "failed: " + p.error) +
             (p.blocked.empty() ? "" : " (" + p.blocked + ")") + "\n";
    }
  }
  return out;
}

}  // namespace datamcp::proposal
