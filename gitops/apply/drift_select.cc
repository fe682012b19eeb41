#include "gitops/apply/drift_select.h"

namespace datamcp::apply {

DriftSelection SelectDriftProjects(const repo::RepoConfig& config,
                                   const std::vector<jobs::Lock>& locks,
                                   const std::vector<jobs::Job>& jobs) {
  DriftSelection out;
  for (const auto& env : config.environments) {
    if (env.terraform_root.empty()) continue;
    std::string why;
    for (const auto& lock : locks) {
      if (lock.project == env.terraform_root) {
        why = "locked by #" + std::to_string(lock.pull_request);
      }
    }
    for (const auto& job : jobs) {
      if (why.empty() && job.project == env.terraform_root &&
          (job.state == "queued" || job.state == "running")) {
        why = "apply " + job.state;
      }
    }
    if (!why.empty()) {
      out.skipped.push_back(env.terraform_root + ": " + why);
      continue;
    }
    out.to_plan.push_back({proposal::ProjectKind::kTerraform, env.terraform_root, env.name});
  }
  return out;
}

}  // namespace datamcp::apply
