#pragma once

#include "gitops/common/result.h"
#include "gitops/forge/forge.h"
#include "gitops/proposal/plan_report.h"

namespace datamcp::proposal {

// Shows a plan on pull request `number`, in this order:
// 1. a check run per project on run.head (BuildProjectCheck), updated in place on re-plans;
// 2. the one plan comment (kPlanCommentMarker), edited in place: only the table linking to
//    the checks when they hold the plans, else with each project's plan text;
// 3. the aggregate `datamcp/plan` commit status (BuildPlanStatus) on run.head, always: it is
//    the one stable name branch protection can require, and what the local forge's merge
//    and the applier read.
// A forge that refuses check runs (PermissionDenied: a GitHub App without `checks:write`, or a
// token) or fails one gets no more of them for this plan: the comment then carries the plan
// text, so nothing is lost. Errors: the comment's or the status's.
Status PublishPlan(forge::Forge& forge, int number, const PlanRun& run, const Blocked& blocked,
                   const DestroyHint& hint);

}  // namespace datamcp::proposal
