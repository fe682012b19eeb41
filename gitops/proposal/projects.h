#pragma once

#include <map>
#include <string>
#include <vector>

#include "gitops/repo/repo_config.h"

namespace datamcp::proposal {

enum class ProjectKind { kTerraform, kArgoApp };

// Something planned and applied as one unit: a Terraform root (path = its directory) or an
// Argo CD Application manifest (path = the manifest file), in one environment.
struct Project {
  ProjectKind kind = ProjectKind::kTerraform;
  std::string path;
  std::string env;

  bool operator<(const Project& o) const { return path < o.path; }
  bool operator==(const Project& o) const { return path == o.path; }
};

std::string_view ProjectKindName(ProjectKind kind);  // "terraform" | "argocd"

// A change under directory `dir` (segment-wise, IsUnderRoot) plans `project`: a local
// Terraform module a root calls (directly or through other modules), or the chart directory
// an Argo CD Application deploys. Read from a commit by ReadDependents (dependents.h).
struct Dependent {
  std::string dir;
  Project project;
};
using Dependents = std::vector<Dependent>;

// The projects a set of changed paths touches, sorted and unique: files under an
// environment's terraform_root plan that root; an Argo CD Application manifest, the Helm
// values file of a release, or a pipeline definition (paths.pipelines), plans that Application; and
// every path under a dependent's `dir` plans that dependent's project (module library and chart
// changes plan the roots and Applications using them). Other paths plan nothing. Pure: callers
// holding a commit use AffectedProjectsAt (dependents.h), which reads `dependents` from it.
std::vector<Project> AffectedProjects(const repo::RepoConfig& config,
                                      const std::vector<std::string>& changed_paths,
                                      const Dependents& dependents = {});

// True when `path` alone plans a project (an environment's terraform_root, an Application
// manifest, a release's values file or a pipeline definition), without dependents.
bool PlansDirectly(const repo::RepoConfig& config, const std::string& path);

// Matches `path` against a pattern such as "helm/values/{env}/{release}.yaml"; on a match
// fills placeholder name -> value. A placeholder matches within one path segment, up to the
// literal character that follows it.
bool MatchPattern(const std::string& pattern, const std::string& path,
                  std::map<std::string, std::string>* values);

}  // namespace datamcp::proposal
