#include "gitops/plan/argocd_planner.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>

#include "gitops/argocd/app/application.h"
#include "gitops/argocd/app/application_diff.h"
#include "gitops/common/digest.h"
#include "gitops/common/durable_file.h"

namespace datamcp::plan {
namespace fs = std::filesystem;
namespace {

// What an Application says about rendering its in-repository chart.
struct ChartSource {
  std::string release;
  std::string namespace_name;
  std::string chart_path;                // repository-relative
  std::vector<std::string> value_files;  // repository-relative
};

std::optional<ChartSource> InRepoChart(const std::string& helm_charts, const std::string& yaml) {
  YAML::Node app;
  try {
    app = YAML::Load(yaml);
    YAML::Node source = app["spec"]["source"];
    if (!source || !source["path"]) return std::nullopt;
    ChartSource out;
    out.chart_path = fs::path(source["path"].as<std::string>()).lexically_normal().string();
    if (!out.chart_path.starts_with(helm_charts + "/")) return std::nullopt;
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

HelmSource SideOf(const ChartSource& chart, const std::string& tree) {
  HelmSource side;
  if (!fs::exists(fs::path(tree) / chart.chart_path / "Chart.yaml")) return side;
  side.chart_dir = (fs::path(tree) / chart.chart_path).string();
  for (const auto& v : chart.value_files) {
    if (fs::exists(fs::path(tree) / v)) side.values_files.push_back((fs::path(tree) / v).string());
  }
  return side;
}

}  // namespace

ArgoCdPlanner::ArgoCdPlanner(process::ProcessRunner& runner, const process::Masker& masker,
                             HelmPlannerOptions helm)
    : masker_(masker), helm_(runner, masker, std::move(helm)) {}

Result<ArgoCdPlan> ArgoCdPlanner::Plan(const ArgoCdPlanRequest& request) const {
  const std::string& path = request.path;
  auto head_yaml = ReadWholeFile((fs::path(request.head_tree) / path).string());
  auto base_yaml = ReadWholeFile((fs::path(request.base_tree) / path).string());
  std::string base_text = base_yaml.ok() ? *base_yaml : "{}";  // a new Application: all added
  ArgoCdPlan p;
  if (!head_yaml.ok() && !base_yaml.ok()) {
    // A values file whose Application exists on neither side: nothing is deployed or removed.
    p.summary = "no Application " + path + " on either side: nothing to sync";
    p.text = "No Application at " + path +
             ", before or after this change: the values file is not deployed until an "
             "Application uses it (propose_helm_release writes both).\n";
    p.fingerprint = Sha256Hex("argocd-none\n" + path);
    return p;
  }
  if (!head_yaml.ok()) {  // the Application is removed
    p.summary = "Application removed";
    p.changes.AddDeleted("Application " + path);
    p.text = "- " + path + "\n";
    p.fingerprint = Sha256Hex("argocd-removed\n" + path);
    return p;
  }
  if (Status s = argocd::ValidateApplication(*head_yaml); !s.ok()) return s.WithContext(path);
  DATAMCP_ASSIGN_OR_RETURN(auto diff, argocd::DiffApplications(base_text, *head_yaml));
  p.text = "Application " + path + (base_yaml.ok() ? "" : " (new)") + ":\n" +
           argocd::FormatChanges(diff);
  std::string helm_fingerprint;
  std::string summary = std::to_string(diff.size()) + " Application field(s) changed";
  if (!base_yaml.ok()) {
    p.changes.AddCreated("Application " + path);
  } else if (!diff.empty()) {
    p.changes.AddUpdated("Application " + path);
  }
  if (auto chart = InRepoChart(request.helm_charts, *head_yaml)) {
    HelmPlanRequest req{chart->release, chart->namespace_name, {}, {}, request.work_dir};
    auto base_chart = InRepoChart(request.helm_charts, base_text);
    if (base_chart) req.base = SideOf(*base_chart, request.base_tree);
    req.head = SideOf(*chart, request.head_tree);
    if (req.head.chart_dir.empty()) {
      return NotFound("chart " + chart->chart_path + " (spec.source.path of " + path +
                      ") has no Chart.yaml in this commit");
    }
    DATAMCP_ASSIGN_OR_RETURN(HelmPlan helm, helm_.Plan(req));
    helm_fingerprint = helm.fingerprint;
    p.changes.Add(helm.classification);
    summary += "; rendered: " + std::to_string(helm.added) + " added, " +
               std::to_string(helm.changed) + " changed, " + std::to_string(helm.removed) +
               " removed";
    p.text += "\n" + helm.text;
  }
  p.summary = summary;
  p.text = masker_.Mask(p.text);
  p.fingerprint = Sha256Hex("argocd-v1\n" + *head_yaml + "\nhelm:" + helm_fingerprint);
  return p;
}

}  // namespace datamcp::plan
