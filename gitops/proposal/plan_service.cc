#include "gitops/proposal/plan_service.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "gitops/argo/application.h"
#include "gitops/argo/application_diff.h"
#include "gitops/common/digest.h"
#include "gitops/common/durable_file.h"
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

// What an Application says about rendering its in-repository chart.
struct ChartSource {
  std::string release;
  std::string namespace_name;
  std::string chart_path;                // repository-relative
  std::vector<std::string> value_files;  // repository-relative
};

std::optional<ChartSource> InRepoChart(const repo::RepoConfig& config, const std::string& yaml) {
  YAML::Node app;
  try {
    app = YAML::Load(yaml);
    YAML::Node source = app["spec"]["source"];
    if (!source || !source["path"]) return std::nullopt;
    ChartSource out;
    out.chart_path = fs::path(source["path"].as<std::string>()).lexically_normal().string();
    if (!out.chart_path.starts_with(config.helm_charts + "/")) return std::nullopt;
    YAML::Node helm = source["helm"];
    out.release = helm && helm["releaseName"] ? helm["releaseName"].as<std::string>()
                                              : app["metadata"]["name"].as<std::string>();
    out.namespace_name = app["spec"]["destination"]["namespace"].as<std::string>("default");
    if (helm && helm["valueFiles"]) {
      for (const auto& v : helm["valueFiles"]) {
        fs::path file = (fs::path(out.chart_path) / v.as<std::string>()).lexically_normal();
        if (file.string().starts_with("..")) return std::nullopt;  // leaves the repository
        out.value_files.push_back(file.string());
      }
    }
    return out;
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

plan::HelmSource SideOf(const ChartSource& chart, const std::string& tree) {
  plan::HelmSource side;
  if (!fs::exists(fs::path(tree) / chart.chart_path / "Chart.yaml")) return side;
  side.chart_dir = (fs::path(tree) / chart.chart_path).string();
  for (const auto& v : chart.value_files) {
    if (fs::exists(fs::path(tree) / v)) side.values_files.push_back((fs::path(tree) / v).string());
  }
  return side;
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
      helm_(runner, masker, options_.helm) {}

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
  auto head_yaml = ReadWholeFile((fs::path(head_tree) / project.path).string());
  auto base_yaml = ReadWholeFile((fs::path(base_tree) / project.path).string());
  std::string base_text = base_yaml.ok() ? *base_yaml : "{}";  // a new Application: all added
  ProjectPlan p;
  p.project = project;
  if (!head_yaml.ok() && !base_yaml.ok()) {
    // A values file whose Application exists on neither side: nothing is deployed or removed.
    p.ok = true;
    p.summary = "no Application " + project.path + " on either side: nothing to sync";
    p.text = "No Application at " + project.path +
             ", before or after this change: the values file is not deployed until an "
             "Application uses it (propose_helm_release writes both).\n";
    p.fingerprint = Sha256Hex("argocd-none\n" + project.path);
    return p;
  }
  if (!head_yaml.ok()) {  // the Application is removed
    p.ok = true;
    p.summary = "Application removed";
    p.changes.AddDeleted("Application " + project.path);
    p.text = "- " + project.path + "\n";
    p.fingerprint = Sha256Hex("argocd-removed\n" + project.path);
    return p;
  }
  if (Status s = argo::ValidateApplication(*head_yaml); !s.ok()) {
    return Failed(project, s.WithContext(project.path));
  }
  auto diff = argo::DiffApplications(base_text, *head_yaml);
  if (!diff.ok()) return Failed(project, diff.status());
  p.text = "Application " + project.path + (base_yaml.ok() ? "" : " (new)") + ":\n" +
           argo::FormatChanges(*diff);
  std::string helm_fingerprint;
  std::string summary = std::to_string(diff->size()) + " Application field(s) changed";
  if (!base_yaml.ok()) {
    p.changes.AddCreated("Application " + project.path);
  } else if (!diff->empty()) {
    p.changes.AddUpdated("Application " + project.path);
  }
  if (auto chart = InRepoChart(config, *head_yaml)) {
    plan::HelmPlanRequest req{chart->release, chart->namespace_name, {}, {}, work_dir};
    auto base_chart = InRepoChart(config, base_text);
    if (base_chart) req.base = SideOf(*base_chart, base_tree);
    req.head = SideOf(*chart, head_tree);
    if (req.head.chart_dir.empty()) {
      return Failed(project, NotFound("chart " + chart->chart_path + " (spec.source.path of " +
                                      project.path + ") has no Chart.yaml in this commit"));
    }
    auto helm = helm_.Plan(req);
    if (!helm.ok()) return Failed(project, helm.status());
    helm_fingerprint = helm->fingerprint;
    p.changes.Add(helm->classification);
    summary += "; rendered: " + std::to_string(helm->added) + " added, " +
               std::to_string(helm->changed) + " changed, " + std::to_string(helm->removed) +
               " removed";
    p.text += "\n" + helm->text;
  }
  p.ok = true;
  p.summary = summary;
  p.text = masker_.Mask(p.text);
  p.fingerprint = Sha256Hex("argocd-v1\n" + *head_yaml + "\nhelm:" + helm_fingerprint);
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
