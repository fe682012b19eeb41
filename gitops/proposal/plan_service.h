#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gitops/git/repository.h"
#include "gitops/plan/argocd_planner.h"
#include "gitops/plan/helm_planner.h"
#include "gitops/plan/terraform_planner.h"
#include "gitops/proposal/policy_check.h"
#include "gitops/proposal/projects.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::proposal {

// The plan of one project at one commit.
struct ProjectPlan {
  Project project;
  bool ok = false;
  std::string error;             // why planning failed (lint error, terraform error), masked
  std::string summary;           // one line: "+1 ~0 -0", "2 objects changed", ...
  std::string fingerprint;       // what "the reviewed plan" means; compared before apply
  plan::Classification changes;  // creates/updates/deletes/replaces: destructive or not
  PolicyVerdict policy;          // the environment's plan policies on `changes` (when ok)
  std::string text;              // the details shown on the pull request, masked
  std::optional<plan::TerraformPlan> terraform;  // kept for applying exactly this plan
};

// A scratch directory removed when the last owner lets go.
class ScratchDir {
 public:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct PlanRun {
  std::string base;
  std::string head;
  std::vector<ProjectPlan> plans;
  std::shared_ptr<ScratchDir> scratch;  // holds exported trees and saved plans

  bool AllOk() const;
};

struct PlanServiceOptions {
  std::string scratch_root;  // exported trees and terraform working copies
  std::string state_root;    // local-backend Terraform state, one directory per project
  plan::TerraformPlannerOptions terraform;
  plan::HelmPlannerOptions helm;
};

// Plans projects on exported trees of commits (never a worktree of the bot's mirror, never
// the pull request's own configuration). Terraform projects with a `backend "local" {}`
// keep their state under state_root, so the plan shown, the re-plan after merge and the
// apply all see the same state. Thread-safe.
class PlanService {
 public:
  PlanService(git::Repository& repo, process::ProcessRunner& runner, const process::Masker& masker,
              PlanServiceOptions options);

  // Plans `projects` at `head`; Argo CD Applications are diffed against `base` and their
  // in-repository charts rendered on both sides. A project that fails to plan is a
  // ProjectPlan with ok=false (the others still plan); errors are for trees that cannot be
  // exported at all.
  Result<PlanRun> Plan(const repo::RepoConfig& config, const std::string& base,
                       const std::string& head, const std::vector<Project>& projects);

  // Applies exactly the saved plan of a Terraform project from Plan().
  Result<plan::TerraformApplyResult> ApplyTerraform(const ProjectPlan& plan);

  // Masks what is recorded besides plan output (a proposal's arguments).
  const process::Masker& masker() const { return masker_; }

 private:
  ProjectPlan PlanTerraform(const repo::RepoConfig& config, const Project& project,
                            const std::string& tree, const std::string& work_dir);
  ProjectPlan PlanArgoApp(const repo::RepoConfig& config, const Project& project,
                          const std::string& base_tree, const std::string& head_tree,
                          const std::string& work_dir);
  std::map<std::string, std::string> TerraformEnv(const Project& project) const;
  std::string StateDir(const Project& project) const;

  git::Repository& repo_;
  process::ProcessRunner& runner_;
  const process::Masker& masker_;
  PlanServiceOptions options_;
  plan::ArgoCdPlanner argocd_;
};

}  // namespace datamcp::proposal
