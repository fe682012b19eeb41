#include "gitops/proposal/plan_publish.h"

#include "gitops/common/log.h"
#include "gitops/forge/comment_split.h"
#include "gitops/proposal/plan_checks.h"

namespace datamcp::proposal {
namespace {

// Each project's check run; stops at the first refusal (the rest would be refused too).
CheckLinks UpsertChecks(forge::Forge& forge, int number, const PlanRun& run, const Blocked& blocked,
                        const DestroyHint& hint) {
  CheckLinks links;
  for (const auto& p : run.plans) {
    Result<std::string> url = forge.UpsertCheckRun(run.head, BuildProjectCheck(p, blocked, hint));
    if (!url.ok()) {
      bool denied = url.status().code() == StatusCode::kPermissionDenied;
      // A missing permission is a setting, not a fault: said once per plan, at info.
      (denied ? log::Info : log::Warn)(
          "plan_checks_fallback",
          {{"pull_request", number},
           {"project", p.project.path},
           {"why", denied ? "the forge refuses check runs (checks:write missing?)"
                          : url.status().message()}});
      return {};
    }
    links[p.project.path] = *url;
  }
  return links;
}

}  // namespace

Status PublishPlan(forge::Forge& forge, int number, const PlanRun& run, const Blocked& blocked,
                   const DestroyHint& hint) {
  CheckLinks links = UpsertChecks(forge, number, run, blocked, hint);
  forge::PlanComment comment = BuildPlanComment(run, blocked, hint, links);
  DATAMCP_ASSIGN_OR_RETURN(auto parts, forge::SplitPlanComment(comment));
  DATAMCP_RETURN_IF_ERROR(
      forge.UpsertBotComment(number, forge::kPlanCommentMarker, parts).status());
  return forge.SetCommitStatus(run.head, BuildPlanStatus(run, blocked, hint));
}

}  // namespace datamcp::proposal
