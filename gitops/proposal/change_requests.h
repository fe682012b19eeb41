#pragma once

#include <string>
#include <vector>

#include "gitops/git/repository.h"
#include "gitops/repo/argocd_app.h"
#include "gitops/repo/helm_release.h"
#include "gitops/repo/module_instance.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::proposal {

// Turns what a tool asks for into a change set on `base` (a commit of the default branch),
// checking everything before anything is written. Errors name the argument to fix.

// Files written or deleted as given. Each path must be under an allowed root and, when it
// belongs to an environment, to `env` (so a dev-scoped caller cannot touch prod).
Result<git::ChangeSet> RawChanges(const repo::RepoConfig& config, const std::string& env,
                                  const git::ChangeSet& files);

// A module instance file in the environment's Terraform root; the module library is read
// from `base`. AlreadyExists when the instance file is there already.
Result<git::ChangeSet> ModuleChanges(git::Repository& repo, const std::string& base,
                                     const repo::RepoConfig& config,
                                     const repo::ModuleRequest& request);

// The values file and Argo CD Application of a Helm release. When they exist at `base`,
// they are updated, keeping what the request does not change (repo::UpdateHelmRelease).
Result<git::ChangeSet> HelmReleaseChanges(git::Repository& repo, const std::string& base,
                                          const repo::RepoConfig& config,
                                          const repo::HelmReleaseRequest& request);

// An Argo CD Application manifest at the environment's application path.
Result<git::ChangeSet> ArgoAppChanges(const repo::RepoConfig& config,
                                      const repo::ArgoAppRequest& request);

// The environment a repository path belongs to ("" when none).
std::string EnvironmentOfPath(const repo::RepoConfig& config, const std::string& path);

}  // namespace datamcp::proposal
