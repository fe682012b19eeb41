#pragma once

#include <string>
#include <vector>

#include "gitops/git/repository.h"
#include "gitops/proposal/projects.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::proposal {

// Limits that keep a hostile or broken repository from making the walk expensive.
inline constexpr int kMaxModuleDepth = 8;         // module calls followed from a root
inline constexpr int kMaxModuleDirsPerRoot = 64;  // distinct module directories per root
inline constexpr int kMaxAppManifests = 1000;     // Application manifests read
inline constexpr std::size_t kMaxDependencyFileBytes = 1 << 20;

// What uses what at `commit`, read from its tree through `repo`:
//  - for each environment, the local modules its terraform_root calls (`module` blocks whose
//    `source` is "./..." or "../...", ParseModuleSources), followed transitively through the
//    modules' own .tf files, each directory once (cycles end there), at most kMaxModuleDepth
//    calls deep and kMaxModuleDirsPerRoot directories: each is a Dependent planning the root;
//  - for each Application manifest (paths.argocd_apps of a configured environment), the
//    directories under paths.helm_charts that `spec.source.path` or `spec.sources[].path`
//    name (a source whose repoURL is another repository than `repo_url` is skipped): each is
//    a Dependent planning the Application.
// Never fails: an unreadable or unparsable file, a source leaving the repository, a limit
// reached are logged (warn) and skipped; what could be read is returned.
Dependents ReadDependents(git::Repository& repo, const repo::RepoConfig& config,
                          const std::string& commit);

// AffectedProjects(config, changed_paths, dependents at `commit`), the one entry point of
// callers that plan a commit (pull requests, plan_preview, merges, unreviewed pushes). The
// tree is read only when a changed path does not plan a project directly (PlansDirectly),
// i.e. for changes outside the environments' roots, manifests and values files.
std::vector<Project> AffectedProjectsAt(git::Repository& repo, const repo::RepoConfig& config,
                                        const std::string& commit,
                                        const std::vector<std::string>& changed_paths);

}  // namespace datamcp::proposal
