#pragma once

#include <string>

#include "gitops/common/status.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::repo {

// Checks a Terraform project against datamcp.yaml's `plan:` allow-lists before terraform
// runs: every top-level `resource "TYPE"` / `data "TYPE"` must belong to an allowed provider
// (the TYPE's prefix up to '_' is the provider's local name; "terraform" is built in), and
// every `module` source must be local or listed in plan.allowed_module_sources. Local
// modules are followed (inside `tree_dir` only, each directory once). `project` is relative
// to `tree_dir`. PermissionDenied names the file, the line, what was used and the rule.
Status CheckTerraformSources(const std::string& tree_dir, const std::string& project,
                             const PlanPolicy& policy);

}  // namespace datamcp::repo
