#pragma once

#include <string>
#include <vector>

#include "gitops/common/status.h"
#include "gitops/common/yaml_reader.h"

namespace datamcp::repo {

// Plan policies: an environment's rules over its classified plan (what each project's plan
// creates, updates, deletes and replaces), in `datamcp.yaml` on the default branch:
//
//   environments:
//     - name: prod
//       policies:
//         - deny: delete                      # or a list: [create, update]; delete
//                                             # covers replace (a replace deletes)
//           resource_types: [google_storage_bucket]   # optional; absent: every type
//           message: buckets in prod are never deleted # optional; said with the violation
//         - max_changes: 20                   # resources created+updated+deleted+replaced
//         - require_approvals: 2              # approvals (of the plan) before apply...
//           resource_types: [google_sql_database_instance]  # ...when it touches these
//
// A resource's type is the resource part of its address (`module.db.google_sql_database_
// instance.main[0]` is `google_sql_database_instance`), or a Kubernetes object's kind
// (`Deployment/data-dev/web` is `Deployment`). The rules are evaluated by
// proposal::EvaluatePolicies; a denied plan is never applied.
struct PlanRule {
  enum class Kind { kDeny, kMaxChanges, kRequireApprovals };
  Kind kind = Kind::kDeny;
  std::vector<std::string> actions;         // kDeny: create | update | delete | replace
  std::vector<std::string> resource_types;  // empty: any
  int limit = 0;                            // kMaxChanges, kRequireApprovals
  std::string message;
  std::string where;  // "environments[2].policies[0]": how a violation names its rule
};

// Parses `policies` of the environment mapping `env` (absent: none). InvalidArgument naming
// the key ("environments[2].policies[0].deny: 'remove' is not an action; use create, update,
// delete or replace") for anything else: a rule with none or several of deny, max_changes,
// require_approvals, an unknown key, an empty or mistyped list, a limit out of range.
Status ParsePlanRules(const YamlMapReader& env, std::vector<PlanRule>* out);

}  // namespace datamcp::repo
