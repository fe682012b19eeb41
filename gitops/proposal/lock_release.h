#pragma once

#include <string>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/jobs/lock_table.h"
#include "gitops/proposal/proposal_service.h"

// Releasing project locks and re-planning the pull requests that waited for them: the one
// place that does both, for the reconciler (merged or closed pull requests), the
// `/datamcp unlock` comment command and the `datamcp unlock` admin command.
namespace datamcp::proposal {

// A waiting pull request re-planned after the lock it waited for was released.
struct Replanned {
  int pull_request = 0;
  Result<PlanOutcome> outcome;  // what PlanPullRequest returned; failures are logged
};

// Releases `project` whatever holds it, then re-plans its waiters in order. NotFound when
// the project is not locked; an error writing the lock table is returned before any plan.
Result<std::vector<Replanned>> ReleaseProject(jobs::LockTable& locks, ProposalService& proposals,
                                              const std::string& project);

// `/datamcp unlock` on pull request `number`: releases each project it holds as
// ReleaseProject does (it stays a waiter wherever it waits), re-planning the waiters.
Result<std::vector<Replanned>> ReleaseHeldBy(jobs::LockTable& locks, ProposalService& proposals,
                                             int number);

// Pull request `number` was merged or closed: releases every lock it holds, forgets it as a
// waiter, and re-plans the pull requests that waited for its projects.
Result<std::vector<Replanned>> ReleaseFinished(jobs::LockTable& locks, ProposalService& proposals,
                                               int number);

}  // namespace datamcp::proposal
