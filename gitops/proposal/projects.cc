#include "gitops/proposal/projects.h"

#include <set>

#include "gitops/common/repo_path.h"

namespace datamcp::proposal {

std::string_view ProjectKindName(ProjectKind kind) {
  return kind == ProjectKind::kTerraform ? "terraform" : "argocd";
}

bool MatchPattern(const std::string& pattern, const std::string& path,
                  std::map<std::string, std::string>* values) {
  std::size_t p = 0, s = 0;
  values->clear();
  while (p < pattern.size()) {
    if (pattern[p] == '{') {
      std::size_t close = pattern.find('}', p);
      if (close == std::string::npos) return false;
      // A placeholder is one path segment: it runs to the next literal character.
      char next = close + 1 < pattern.size() ? pattern[close + 1] : '\0';
      std::size_t end = s;
      while (end < path.size() && path[end] != '/' && (next == '\0' || path[end] != next)) ++end;
      if (end == s) return false;
      (*values)[pattern.substr(p + 1, close - p - 1)] = path.substr(s, end - s);
      s = end;
      p = close + 1;
    } else {
      if (s >= path.size() || path[s] != pattern[p]) return false;
      ++s;
      ++p;
    }
  }
  return s == path.size();
}

bool PlansDirectly(const repo::RepoConfig& config, const std::string& path) {
  std::map<std::string, std::string> values;
  return config.EnvironmentForPath(path) != nullptr ||
         MatchPattern(config.argocd_apps_pattern, path, &values) ||
         MatchPattern(config.helm_values_pattern, path, &values) ||
         MatchPattern(config.pipelines_pattern, path, &values);
}

std::vector<Project> AffectedProjects(const repo::RepoConfig& config,
                                      const std::vector<std::string>& changed_paths,
                                      const Dependents& dependents) {
  std::set<Project> projects;
  std::map<std::string, std::string> values;
  for (const auto& path : changed_paths) {
    for (const auto& d : dependents) {
      if (IsUnderRoot(path, d.dir)) projects.insert(d.project);
    }
    if (const repo::Environment* env = config.EnvironmentForPath(path)) {
      projects.insert({ProjectKind::kTerraform, env->terraform_root, env->name});
      continue;
    }
    if (MatchPattern(config.argocd_apps_pattern, path, &values)) {
      if (config.FindEnvironment(values["env"]).ok()) {
        projects.insert({ProjectKind::kArgoApp, path, values["env"]});
      }
      continue;
    }
    if (MatchPattern(config.helm_values_pattern, path, &values) &&
        config.FindEnvironment(values["env"]).ok()) {
      projects.insert({ProjectKind::kArgoApp, config.ArgoAppPath(values["env"], values["release"]),
                       values["env"]});
      continue;
    }
    // A pipeline definition is the values file of the Application of the same name.
    if (MatchPattern(config.pipelines_pattern, path, &values) &&
        config.FindEnvironment(values["env"]).ok()) {
      projects.insert({ProjectKind::kArgoApp, config.ArgoAppPath(values["env"], values["pipeline"]),
                       values["env"]});
    }
  }
  return {projects.begin(), projects.end()};
}

}  // namespace datamcp::proposal
