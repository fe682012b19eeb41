#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "gitops/common/result.h"
#include "gitops/repo/module_instance.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::repo {

// What propose_helm_release asks for. The chart is either in this repository
// (`chart_path`) or in a chart repository (`chart_repo_url` + `chart` + `chart_version`).
struct HelmReleaseRequest {
  std::string release;     // Helm release name: DNS-1123 label, at most 53 characters
  std::string env;         // an environment of datamcp.yaml
  std::string namespace_;  // empty: the environment's argocd.destination_namespace
  std::string chart_path;
  std::string chart_repo_url;
  std::string chart;
  std::string chart_version;
  nlohmann::json values = nlohmann::json::object();
  std::string project;            // empty: the environment's argocd.project
  std::optional<bool> automated;  // empty: automated sync except in environments needing
                                  // 2+ approvals (prod-like: sync stays a human click)
};

struct HelmReleaseFiles {
  GeneratedFile values;       // RepoConfig::HelmValuesPath(env, release)
  GeneratedFile application;  // RepoConfig::ArgoAppPath(env, release); app "<release>-<env>"
};

// Builds the values file (block YAML with a header comment) and an Argo CD Application for
// it. In-repo chart: one source (repo_url, path = chart_path, valueFiles relative to the
// chart). Repository chart: two sources, the chart (targetRevision = chart_version) and this
// repository as `ref: values`, with valueFiles `$values/<values path>`. Pure. Errors
// (kInvalidArgument, naming the field): bad release/namespace names, both or neither chart
// forms, chart_version missing for a repository chart, invalid chart_path, values not an
// object or over 256 KiB, datamcp.yaml without repo_url (FailedPrecondition), paths
// outside the allowed roots (PermissionDenied), unknown env (NotFound).
Result<HelmReleaseFiles> RenderHelmRelease(const RepoConfig& config,
                                           const HelmReleaseRequest& request);

}  // namespace datamcp::repo
