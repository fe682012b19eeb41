#include "gitops/proposal/lock_release.h"

#include "gitops/common/log.h"

namespace datamcp::proposal {
namespace {

std::vector<Replanned> ReplanWaiters(ProposalService& proposals, const std::vector<int>& waiters) {
  std::vector<Replanned> out;
  for (int waiter : waiters) {
    auto outcome = proposals.PlanPullRequest(waiter);
    if (!outcome.ok()) {
      log::Warn("replan_failed", {{"pull_request", waiter}, {"error", outcome.status().message()}});
    }
    out.push_back(Replanned{waiter, std::move(outcome)});
  }
  return out;
}

}  // namespace

Result<std::vector<Replanned>> ReleaseProject(jobs::LockTable& locks, ProposalService& proposals,
                                              const std::string& project) {
  DATAMCP_ASSIGN_OR_RETURN(std::vector<int> waiters, locks.Release(project));
  log::Info("lock_released", {{"project", project}});
  return ReplanWaiters(proposals, waiters);
}

Result<std::vector<Replanned>> ReleaseHeldBy(jobs::LockTable& locks, ProposalService& proposals,
                                             int number) {
  std::vector<Replanned> out;
  DATAMCP_ASSIGN_OR_RETURN(std::vector<jobs::Lock> held, locks.List());
  for (const auto& lock : held) {
    if (lock.pull_request != number) continue;
    DATAMCP_ASSIGN_OR_RETURN(auto replanned, ReleaseProject(locks, proposals, lock.project));
    for (auto& r : replanned) out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<Replanned>> ReleaseFinished(jobs::LockTable& locks, ProposalService& proposals,
                                               int number) {
  DATAMCP_ASSIGN_OR_RETURN(std::vector<int> waiters, locks.ReleaseAll(number));
  return ReplanWaiters(proposals, waiters);
}

}  // namespace datamcp::proposal
