#pragma once

#include <optional>
#include <string>

#include "gitops/common/result.h"
#include "gitops/repo/module_instance.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::repo {

// What propose_argocd_app asks for. Empty fields take the environment's defaults from
// datamcp.yaml (argocd.project, argocd.server, argocd.destination_namespace) or the
// repository's repo_url.
struct ArgoAppRequest {
  std::string name;  // Application name: DNS-1123 subdomain; also the file name
  std::string env;
  std::string project;
  std::string repo_url;
  std::string path;   // directory in the source repository (or chart, not both)
  std::string chart;  // Helm chart in a chart repository (needs target_revision)
  std::string target_revision = "HEAD";
  std::string destination_server;  // set at most one of server and name
  std::string destination_name;
  std::string destination_namespace;
  std::optional<bool> automated;  // empty: automated unless the env needs 2+ approvals
  bool prune = false;
  bool self_heal = true;
};

// Builds RepoConfig::ArgoAppPath(env, name) holding the Application manifest. Pure. Errors
// name the field: unknown env (kNotFound), no repo_url anywhere (kFailedPrecondition), and
// whatever argocd::ValidateApplication rejects (kInvalidArgument, "Application spec...").
Result<GeneratedFile> RenderArgoApp(const RepoConfig& config, const ArgoAppRequest& request);

}  // namespace datamcp::repo
