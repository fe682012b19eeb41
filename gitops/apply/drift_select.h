#pragma once

#include <string>
#include <vector>

#include "gitops/jobs/job_store.h"
#include "gitops/jobs/lock_table.h"
#include "gitops/proposal/projects.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::apply {

// What one drift pass plans: each environment's Terraform root, except those busy now.
struct DriftSelection {
  std::vector<proposal::Project> to_plan;
  std::vector<std::string> skipped;  // project paths, each with why: "locked by #N", ...
};

// A root is busy while a pull request's lock holds it (its plan is under review) or an apply
// job of it is queued or running: planning then would race the apply for the state, so the
// root is skipped and tried again on the next pass. Environments without a terraform_root
// are not planned (Argo CD drift is Argo CD's to report).
DriftSelection SelectDriftProjects(const repo::RepoConfig& config,
                                   const std::vector<jobs::Lock>& locks,
                                   const std::vector<jobs::Job>& jobs);

}  // namespace datamcp::apply
