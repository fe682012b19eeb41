#include "gitops/repo/argocd_app.h"

#include "gitops/argocd/app/application.h"

namespace datamcp::repo {

Result<GeneratedFile> RenderArgoApp(const RepoConfig& config, const ArgoAppRequest& request) {
  DATAMCP_ASSIGN_OR_RETURN(const Environment* env, config.FindEnvironment(request.env));
  if (!argocd::IsDns1123Subdomain(request.name)) {
    return InvalidArgument("name: '" + request.name.substr(0, 80) +
                           "' must be a DNS-1123 subdomain (lowercase letters, digits, '-' and "
                           "'.', starting and ending with a letter or digit)");
  }
  argocd::ApplicationSource source;
  source.repo_url = request.repo_url.empty() ? config.repo_url : request.repo_url;
  if (source.repo_url.empty()) {
    return FailedPrecondition(
        "repo_url: not given and datamcp.yaml has no repo_url; pass the source repository");
  }
  source.path = request.path;
  source.chart = request.chart;
  source.target_revision = request.target_revision;
  argocd::ApplicationSpec app;
  app.name = request.name;
  app.namespace_ = env->argocd.namespace_;
  app.project = request.project.empty() ? env->argocd.project : request.project;
  app.sources = {source};
  app.destination_name = request.destination_name;
  if (request.destination_name.empty()) {
    app.destination_server =
        request.destination_server.empty() ? env->argocd.server : request.destination_server;
  } else {
    app.destination_server = request.destination_server;
  }
  app.destination_namespace = request.destination_namespace.empty()
                                  ? env->argocd.destination_namespace
                                  : request.destination_namespace;
  app.sync.automated = request.automated.value_or(env->approvals < 2);
  app.sync.prune = app.sync.automated && request.prune;
  app.sync.self_heal = app.sync.automated && request.self_heal;
  app.labels = {{"datamcp.io/environment", env->name}};
  GeneratedFile file;
  file.path = config.ArgoAppPath(env->name, request.name);
  DATAMCP_RETURN_IF_ERROR(config.CheckWritePath(file.path));
  DATAMCP_ASSIGN_OR_RETURN(file.content, argocd::RenderApplication(app));
  return file;
}

}  // namespace datamcp::repo
