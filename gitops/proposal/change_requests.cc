#include "gitops/proposal/change_requests.h"

#include "gitops/proposal/projects.h"
#include "gitops/repo/helm_release_update.h"

namespace datamcp::proposal {

std::string EnvironmentOfPath(const repo::RepoConfig& config, const std::string& path) {
  if (const repo::Environment* env = config.EnvironmentForPath(path)) return env->name;
  std::map<std::string, std::string> values;
  if (MatchPattern(config.argocd_apps_pattern, path, &values) ||
      MatchPattern(config.helm_values_pattern, path, &values)) {
    return values["env"];
  }
  // Any other path whose segments name an environment (e.g. argocd/apps/prod/x) counts too.
  for (const auto& env : config.environments) {
    std::string needle = "/" + env.name + "/";
    if (("/" + path).find(needle) != std::string::npos) return env.name;
  }
  return "";
}

Result<git::ChangeSet> RawChanges(const repo::RepoConfig& config, const std::string& env,
                                  const git::ChangeSet& files) {
  DATAMCP_RETURN_IF_ERROR(config.FindEnvironment(env).status());
  if (files.empty()) return InvalidArgument("files: give at least one file to change");
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    std::string where = "files[" + std::to_string(i) + "] (" + f.path + ")";
    DATAMCP_RETURN_IF_ERROR(config.CheckWritePath(f.path).WithContext(where));
    std::string owner = EnvironmentOfPath(config, f.path);
    if (!owner.empty() && owner != env) {
      return PermissionDenied(where + ": belongs to environment '" + owner +
                              "', but this proposal is for '" + env + "'; propose it for '" +
                              owner + "' instead");
    }
  }
  return files;
}

Result<git::ChangeSet> ModuleChanges(git::Repository& repo, const std::string& base,
                                     const repo::RepoConfig& config,
                                     const repo::ModuleRequest& request) {
  DATAMCP_ASSIGN_OR_RETURN(auto entries, repo.ListTree(base, config.module_library));
  repo::ModuleLibrary library;
  for (const auto& e : entries) {
    if (e.kind != git::EntryKind::kTree) continue;
    auto vars = repo.ReadFile(base, e.path + "/variables.tf");
    library[e.name] = vars.ok() ? *vars : "";
  }
  DATAMCP_ASSIGN_OR_RETURN(repo::GeneratedFile file,
                           repo::InstantiateModule(config, library, request));
  if (repo.ReadFile(base, file.path).ok()) {
    return AlreadyExists("instance: " + file.path + " already exists on the default branch; " +
                         "choose another instance name, or use propose_change to edit it");
  }
  return git::ChangeSet{{file.path, file.content, git::FileMode::kRegular}};
}

Result<git::ChangeSet> HelmReleaseChanges(git::Repository& repo, const std::string& base,
                                          const repo::RepoConfig& config,
                                          const repo::HelmReleaseRequest& request) {
  DATAMCP_ASSIGN_OR_RETURN(repo::HelmReleaseFiles fresh, repo::RenderHelmRelease(config, request));
  auto current = [&](const std::string& path) -> std::optional<std::string> {
    auto text = repo.ReadFile(base, path);
    return text.ok() ? std::optional<std::string>(*text) : std::nullopt;
  };
  DATAMCP_ASSIGN_OR_RETURN(repo::HelmReleaseFiles files,
                           repo::UpdateHelmRelease(fresh, request, current(fresh.values.path),
                                                   current(fresh.application.path)));
  return git::ChangeSet{
      {files.values.path, files.values.content, git::FileMode::kRegular},
      {files.application.path, files.application.content, git::FileMode::kRegular}};
}

Result<git::ChangeSet> ArgoAppChanges(const repo::RepoConfig& config,
                                      const repo::ArgoAppRequest& request) {
  DATAMCP_ASSIGN_OR_RETURN(repo::GeneratedFile file, repo::RenderArgoApp(config, request));
  DATAMCP_RETURN_IF_ERROR(config.CheckWritePath(file.path));
  return git::ChangeSet{{file.path, file.content, git::FileMode::kRegular}};
}

}  // namespace datamcp::proposal
