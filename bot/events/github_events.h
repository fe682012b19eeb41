#pragma once

#include <functional>

#include "gitops/apply/reconciler.h"
#include "gitops/common/clock.h"
#include "gitops/forge/forge.h"
#include "gitops/jobs/lock_table.h"
#include "gitops/proposal/proposal_service.h"
#include "gitops/queue/delivery_dispatcher.h"

namespace datamcp::bot {

// Turns recorded GitHub deliveries into work. The payload only says what to look at: the
// pull request, its files and commits are read again from the forge and git.
//  pull_request opened/reopened/synchronize/ready_for_review -> plan it
//  pull_request closed                 -> a reconcile pass (apply if merged, release locks)
//  issue_comment "/datamcp plan|unlock" -> re-plan, or release its locks (write permission);
//                                         the comment gets a +1 reaction, or -1 when refused
//  issue_comment "/datamcp confirm-destroy" -> record a destroy confirmation of the plan on
//                                         the head (write permission; proposal::ConfirmDestroy)
//                                         and answer in a comment; -1 when there is nothing to
//                                         confirm
//  check_run rerequested               -> re-plan the check's pull requests
//  workflow_run completed              -> record the CI conclusion on its head commit
//  push to the default branch          -> a reconcile pass
class GithubEventHandler final : public queue::DeliveryHandler {
 public:
  GithubEventHandler(proposal::ProposalService& proposals, forge::Forge& forge,
                     git::Repository& repo, jobs::LockTable& locks, apply::Reconciler& reconciler,
                     std::string default_branch, const Clock& clock);

  // Business outcomes (a fork not planned, a comment from a reader) are OK; errors are
  // for failures worth retrying (forge or git unreachable).
  Status Handle(const queue::Delivery& delivery) override;

 private:
  Status OnPullRequest(const std::string& action, const nlohmann::json& payload);
  Status OnComment(const nlohmann::json& payload);
  Status OnCheckRun(const nlohmann::json& payload);
  Status OnWorkflowRun(const nlohmann::json& payload);
  Status Plan(int number);
  Status Unlock(int number);
  // True when recorded; false (and answered on the pull request) when there is nothing to
  // confirm. Errors are worth retrying.
  Result<bool> ConfirmDestroy(int number, const std::string& user);
  void Acknowledge(long long comment_id, int number, forge::Reaction reaction);

  proposal::ProposalService& proposals_;
  forge::Forge& forge_;
  git::Repository& repo_;
  jobs::LockTable& locks_;
  apply::Reconciler& reconciler_;
  std::string default_branch_;
  const Clock& clock_;
};

}  // namespace datamcp::bot
