#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gitops/plan/classification.h"
#include "gitops/repo/plan_rules.h"

namespace datamcp::proposal {

// What an environment's plan policies (repo::PlanRule) say about one project's classified
// plan. A denied plan is shown as such (comment, check, plan_preview), fails the plan check
// and is never applied; require_approvals raises the approvals the plan needs before apply.
struct PolicyVerdict {
  // One line per violated rule: "environments[2].policies[0]: deny delete of
  // google_storage_bucket: google_storage_bucket.b (buckets in prod are never deleted)".
  std::vector<std::string> denied;
  int approvals = 0;  // the most any matching require_approvals rule asks; 0: none
  // One line per matching require_approvals rule, said like a violation.
  std::vector<std::string> requirements;

  bool Denied() const { return !denied.empty(); }
  // {"denied":[..],"approvals":n,"requirements":[..]}.
  nlohmann::json ToJson() const;
};

// The resource type of a plan address or object key: `module.a["x.y"].aws_s3_bucket.b[0]` ->
// `aws_s3_bucket`, `data.x.y` -> `x`, `Deployment/ns/web` -> `Deployment`, `Application
// argocd/apps/dev/web.yaml` -> `Application`.
std::string ResourceType(const std::string& address);

// Evaluates `rules` in order against `changes`; never fails (the rules were validated when
// datamcp.yaml was parsed).
PolicyVerdict EvaluatePolicies(const std::vector<repo::PlanRule>& rules,
                               const plan::Classification& changes);

// The verdict recorded in a plan note entry ({"policy": ToJson()}); empty when absent or
// malformed.
PolicyVerdict PolicyVerdictFromJson(const nlohmann::json& j);

}  // namespace datamcp::proposal
