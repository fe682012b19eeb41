#include "gitops/repo/helm_release.h"

#include "gitops/argocd/app/application.h"
#include "gitops/common/repo_path.h"
#include "gitops/repo/json_yaml.h"

namespace datamcp::repo {
namespace {

constexpr std::size_t kMaxValuesBytes = 256 * 1024;

Status CheckChart(const HelmReleaseRequest& r) {
  bool in_repo = !r.chart_path.empty();
  bool remote = !r.chart_repo_url.empty() || !r.chart.empty();
  if (in_repo == remote) {
    return InvalidArgument(
        "chart: give either chart_path (a chart in this repository) or chart_repo_url + chart + "
        "chart_version (a chart repository), not both or neither");
  }
  if (in_repo) return ValidateRepoPath(r.chart_path, "chart_path");
  if (r.chart_repo_url.empty()) return InvalidArgument("chart_repo_url: missing (with chart)");
  if (r.chart.empty()) return InvalidArgument("chart: missing (with chart_repo_url)");
  if (r.chart_version.empty()) {
    return InvalidArgument("chart_version: missing; pin the chart version for reviewable changes");
  }
  return Status::Ok();
}

Status CheckNames(const HelmReleaseRequest& r, const std::string& ns) {
  if (r.release.size() > 53 || !argocd::IsDns1123Label(r.release)) {
    return InvalidArgument("release: '" + r.release.substr(0, 80) +
                           "' must be a DNS-1123 label of at most 53 characters (lowercase "
                           "letters, digits and '-')");
  }
  if (!argocd::IsDns1123Label(ns)) {
    return InvalidArgument("namespace: '" + ns.substr(0, 80) + "' is not a DNS-1123 label");
  }
  if (!r.values.is_object()) {
    return InvalidArgument("values: must be a JSON object, got " +
                           std::string(r.values.type_name()));
  }
  if (r.values.dump().size() > kMaxValuesBytes) {
    return InvalidArgument("values: larger than 256 KiB; keep large data out of values files");
  }
  return Status::Ok();
}

std::vector<argocd::ApplicationSource> Sources(const RepoConfig& config,
                                               const HelmReleaseRequest& r,
                                               const std::string& values_path) {
  argocd::ApplicationSource chart;
  chart.helm_release_name = r.release;
  if (!r.chart_path.empty()) {
    chart.repo_url = config.repo_url;
    chart.path = NormalizeRepoPath(r.chart_path);
    chart.helm_value_files = {RelativePath(chart.path, values_path)};
    return {chart};
  }
  chart.repo_url = r.chart_repo_url;
  chart.chart = r.chart;
  chart.target_revision = r.chart_version;
  chart.helm_value_files = {"$values/" + values_path};
  argocd::ApplicationSource values;
  values.repo_url = config.repo_url;
  values.ref = "values";
  return {chart, values};
}

}  // namespace

Result<HelmReleaseFiles> RenderHelmRelease(const RepoConfig& config,
                                           const HelmReleaseRequest& request) {
  DATAMCP_ASSIGN_OR_RETURN(const Environment* env, config.FindEnvironment(request.env));
  std::string ns =
      request.namespace_.empty() ? env->argocd.destination_namespace : request.namespace_;
  DATAMCP_RETURN_IF_ERROR(CheckNames(request, ns));
  DATAMCP_RETURN_IF_ERROR(CheckChart(request));
  DATAMCP_RETURN_IF_ERROR(config.RequireRepoUrl());
  HelmReleaseFiles files;
  files.values.path = config.HelmValuesPath(env->name, request.release);
  files.application.path = config.ArgoAppPath(env->name, request.release);
  DATAMCP_RETURN_IF_ERROR(config.CheckWritePath(files.values.path));
  DATAMCP_RETURN_IF_ERROR(config.CheckWritePath(files.application.path));
  files.values.content = JsonToYaml(
      request.values, "Values for Helm release " + request.release + " in " + env->name + ".");

  argocd::ApplicationSpec app;
  app.name = request.release + "-" + env->name;
  app.namespace_ = env->argocd.namespace_;
  app.project = request.project.empty() ? env->argocd.project : request.project;
  app.sources = Sources(config, request, files.values.path);
  app.destination_server = env->argocd.server;
  app.destination_namespace = ns;
  app.sync.automated = request.automated.value_or(env->approvals < 2);
  app.sync.prune = app.sync.automated && env->approvals < 2;
  app.sync.self_heal = app.sync.automated;
  app.labels = {{"datamcp.io/environment", env->name},
                {"app.kubernetes.io/instance", request.release}};
  DATAMCP_ASSIGN_OR_RETURN(files.application.content, argocd::RenderApplication(app));
  return files;
}

}  // namespace datamcp::repo
