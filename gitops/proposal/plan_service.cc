#include "gitops/proposal/plan_service.h"

#include <filesystem>

#include "gitops/common/log.h"
#include "gitops/process/bounded_parallel.h"
#include "gitops/repo/provider_policy.h"

namespace datamcp::proposal {
namespace fs = std::filesystem;

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

bool PlanRun::AllOk() const {
  for (const auto& p : plans) {
    if (!p.ok) return false;
  }
  return true;
}

namespace {

ProjectPlan Failed(const Project& project, const Status& status) {
  ProjectPlan p;
  p.project = project;
  p.ok = false;
  p.error = status.message();
  p.summary = "plan failed";
  return p;
}

Result<std::string> MakeScratch(const std::string& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  std::string tmpl = (fs::path(root) / "plan-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return Internal("cannot create a scratch directory in " + root);
  return tmpl;
}

std::string SanitizedName(const std::string& path) {
  std::string out;
  for (char c : path) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

}  // namespace

PlanService::PlanService(git::Repository& repo, process::ProcessRunner& runner,
                         const process::Masker& masker, PlanServiceOptions options)
    : repo_(repo),
      runner_(runner),
      masker_(masker),
      options_(std::move(options)),
      argocd_(runner, masker, options_.helm) {}

std::string PlanService::StateDir(const Project& project) const {
  return (fs::path(options_.state_root) / SanitizedName(project.path)).string();
}

std::map<std::string, std::string> PlanService::TerraformEnv(const Project& project) const {
  auto env = options_.terraform.env;
  std::string state_dir = StateDir(project);
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  // A `backend "local" {}` block takes its path from init. Plans only read state (the
  // planner runs them with -lock=false), so they never queue behind an apply.
  env["TF_CLI_ARGS_init"] = "-backend-config=path=" + state_dir + "/terraform.tfstate";
  return env;
}

ProjectPlan PlanService::PlanTerraform(const repo::RepoConfig& config, const Project& project,
                                       const std::string& tree, const std::string& work_dir) {
  // The default branch's allow-lists, before any terraform process sees the proposal.
  if (Status allowed = repo::CheckTerraformSources(tree, project.path, config.plan);
      !allowed.ok()) {
    return Failed(project, allowed);
  }
  plan::TerraformPlannerOptions tf = options_.terraform;
  tf.env = TerraformEnv(project);
  tf.state_dir = StateDir(project);
  plan::TerraformPlanner planner(runner_, masker_, tf);
  auto planned = planner.Plan({tree, project.path, work_dir});
  if (!planned.ok()) return Failed(project, planned.status());
  ProjectPlan p;
  p.project = project;
  p.ok = true;
  p.summary = planned->summary.ToString();
  p.fingerprint = planned->fingerprint;
  p.changes = planned->changes;
  p.text = planned->text;
  p.terraform = std::move(planned).value();
  return p;
}

ProjectPlan PlanService::PlanArgoApp(const repo::RepoConfig& config, const Project& project,
                                     const std::string& base_tree, const std::string& head_tree,
                                     const std::string& work_dir) {
  auto planned = argocd_.Plan({project.path, base_tree, head_tree, work_dir, config.helm_charts});
  if (!planned.ok()) return Failed(project, planned.status());
  ProjectPlan p;
  p.project = project;
  p.ok = true;
  p.summary = std::move(planned->summary);
  p.fingerprint = std::move(planned->fingerprint);
  p.changes = std::move(planned->changes);
  p.text = std::move(planned->text);
  return p;
}

Result<PlanRun> PlanService::Plan(const repo::RepoConfig& config, const std::string& base,
                                  const std::string& head, const std::vector<Project>& projects) {
  DATAMCP_ASSIGN_OR_RETURN(std::string dir, MakeScratch(options_.scratch_root));
  PlanRun run{base, head, {}, std::make_shared<ScratchDir>(dir)};
  if (projects.empty()) return run;
  DATAMCP_ASSIGN_OR_RETURN(std::string head_tree, repo_.ExportTree(head, dir));
  std::string base_tree;
  for (const auto& project : projects) {
    if (project.kind == ProjectKind::kArgoApp && base_tree.empty()) {
      DATAMCP_ASSIGN_OR_RETURN(base_tree, repo_.ExportTree(base, dir));
    }
  }
  // Projects plan in parallel, up to plan.parallelism at once; results keep their order.
  run.plans.resize(projects.size());
  process::RunBounded(projects.size(), options_.terraform.parallelism, [&](std::size_t i) {
    const Project& project = projects[i];
    std::string work = (fs::path(dir) / ("p" + std::to_string(i))).string();
    std::error_code ec;
    fs::create_directories(work, ec);
    run.plans[i] = project.kind == ProjectKind::kTerraform
                       ? PlanTerraform(config, project, head_tree, work)
                       : PlanArgoApp(config, project, base_tree, head_tree, work);
    ProjectPlan& planned = run.plans[i];
    if (auto env = config.FindEnvironment(project.env); env.ok() && planned.ok) {
      planned.policy = EvaluatePolicies((*env)->policies, planned.changes);
    }
    log::Info("project_planned", {{"project", project.path},
                                  {"commit", head},
                                  {"ok", planned.ok},
                                  {"summary", planned.summary},
                                  {"policy_denied", planned.policy.Denied()}});
  });
  return run;
}

Result<plan::TerraformApplyResult> PlanService::ApplyTerraform(const ProjectPlan& plan) {
  if (!plan.terraform) return FailedPrecondition(plan.project.path + " has no saved plan");
  plan::TerraformPlannerOptions tf = options_.terraform;
  tf.env = TerraformEnv(plan.project);
  tf.state_dir = StateDir(plan.project);
  plan::TerraformPlanner planner(runner_, masker_, tf);
  return planner.Apply(*plan.terraform);
}

}  // namespace datamcp::proposal
