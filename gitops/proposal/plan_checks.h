#pragma once

#include <string>

#include "gitops/forge/forge.h"
#include "gitops/proposal/plan_report.h"

namespace datamcp::proposal {

// The check run of each project's plan (forge::CheckRun): what a reviewer sees next to the
// pull request's head instead of a comment per plan.

// "datamcp/plan: <project path>": stable across re-plans, so a re-plan updates the check.
std::string CheckRunName(const Project& project);

// "+1 ~0 -2" (and " ±1" when something is replaced): the counts of the classified plan.
std::string ChangeCounts(const plan::Classification& changes);

// One project's check: failure when its plan failed or a policy denies it, neutral when it
// is blocked (`blocked`), success otherwise. The title says, in this order, a policy denial,
// a destructive plan, a block, then what it creates, updates, deletes and replaces; the
// summary repeats that with the deleted and replaced resources, the policy's lines, the
// stale approvals (hint) and the plan's fingerprint; the text is the masked plan (or error).
forge::CheckRun BuildProjectCheck(const ProjectPlan& plan, const Blocked& blocked,
                                  const DestroyHint& hint = {});

}  // namespace datamcp::proposal
