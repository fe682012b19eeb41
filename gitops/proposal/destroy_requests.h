#pragma once

#include <string>
#include <vector>

#include "gitops/git/repository.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::proposal {

// Change sets that remove things from an environment (propose_terraform_destroy,
// propose_helm_uninstall). Their plans delete resources, so they go through the destroy gate
// like any destructive plan. Everything is checked on `base` (a commit of the default branch)
// before anything is written; errors name the argument to fix.

// What propose_terraform_destroy removes from `env`'s Terraform root: exactly one of a module
// instance (its file `<terraform_root>/<instance>.tf`, as propose_terraform_module writes it)
// or named resources (`TYPE.NAME` addresses of `resource` blocks in the root's .tf files; each
// block is cut out of its file, and a file left with nothing but blank lines and comments is
// deleted).
struct TerraformDestroyRequest {
  std::string env;
  std::string instance;
  std::vector<std::string> resources;
};

// InvalidArgument: both or neither of instance and resources, a malformed address (module
// and indexed addresses are not blocks: remove the module instance instead), a duplicate;
// NotFound naming what is missing (the instance file, a resource block), listing what the
// root holds when it helps.
Result<git::ChangeSet> TerraformDestroyChanges(git::Repository& repo, const std::string& base,
                                               const repo::RepoConfig& config,
                                               const TerraformDestroyRequest& request);

// Cuts the `resource "TYPE" "NAME" { ... }` block out of `hcl` (with the blank line after it);
// NotFound when there is none. InvalidArgument when the file does not lex.
Result<std::string> RemoveResourceBlock(const std::string& hcl, const std::string& type,
                                        const std::string& name, const std::string& what);

// The values file and Argo CD Application of release `release` in `env` (the paths of
// datamcp.yaml's helm_values and argocd_apps patterns): each that exists at `base` is deleted.
// NotFound when neither does.
Result<git::ChangeSet> HelmUninstallChanges(git::Repository& repo, const std::string& base,
                                            const repo::RepoConfig& config, const std::string& env,
                                            const std::string& release);

}  // namespace datamcp::proposal
