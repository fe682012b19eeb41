#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/repo/plan_rules.h"
#include "gitops/repo/promotion_rules.h"

namespace datamcp::repo {

// The GitOps repository's own rules, from `datamcp.yaml` at its root. Callers must read
// that file from the default branch, never from a pull request's branch (a pull request
// must not change the rules it is reviewed under). The schema is documented in
// repo-template/README.md. Plain value type; safe to copy and share read-only.

inline constexpr std::string_view kRepoConfigPath = "datamcp.yaml";

struct ArgoCdTarget {
  std::string app;                    // Application synced after a merge; empty: none
  std::string namespace_ = "argocd";  // namespace of Argo CD's Application objects
  std::string project = "default";
  std::string server = "https://kubernetes.default.svc";
  std::string destination_namespace;  // defaults to the environment name
};

struct Environment {
  std::string name;
  std::string terraform_root;  // e.g. infra/terraform/envs/dev
  std::string required_scope;  // defaults to "env:<name>"
  int approvals = 1;           // defaults to apply.min_approvals
  // Approvals a destructive plan (one that deletes or replaces something) needs before
  // apply, unless a person with write permission confirmed that plan. Defaults to
  // approvals + 1; never below approvals.
  int destroy_approvals = 2;
  ArgoCdTarget argocd;
  std::vector<PlanRule> policies;  // plan_rules.h
};

struct ApplyRequirements {
  int min_approvals = 1;
  bool require_ci_green = true;
};

enum class UnreviewedPushPolicy { kAlert, kApply };

// Which providers and module sources a Terraform project may use (datamcp.yaml `plan:`),
// checked before terraform runs (CheckTerraformSources).
struct PlanPolicy {
  // "namespace/name" registry addresses, or "terraform" (the built-in terraform_data).
  std::vector<std::string> allowed_providers = {"terraform", "hashicorp/google", "hashicorp/aws"};
  // Exact non-local module sources allowed; local paths ("./", "../") always are.
  std::vector<std::string> allowed_module_sources;
};

struct RepoConfig {
  int version = 1;
  std::string repo_url;  // what Argo CD fetches; may be empty
  std::vector<std::string> allowed_roots;
  std::string module_library = "infra/terraform/modules";
  std::string helm_charts = "helm/charts";
  std::string helm_values_pattern = "helm/values/{env}/{release}.yaml";
  std::string argocd_apps_pattern = "argocd/apps/{env}/{app}.yaml";
  // Pipeline definitions (gitops/repo/pipeline.h): `paths.pipelines`.
  std::string pipelines_pattern = "pipelines/{env}/{pipeline}.yaml";
  ApplyRequirements apply;
  UnreviewedPushPolicy unreviewed_push = UnreviewedPushPolicy::kAlert;
  bool plan_forks = false;
  PlanPolicy plan;
  std::vector<Environment> environments;
  // promotion.rules: which CI jobs may promote which images (deny by default).
  std::vector<PromotionRule> promotion_rules;

  // The environment called `name`, or kNotFound listing the known ones.
  Result<const Environment*> FindEnvironment(std::string_view name) const;
  // The environment whose terraform_root contains `path`, or nullptr.
  const Environment* EnvironmentForPath(std::string_view path) const;
  const std::vector<std::string>& AllowedRoots() const { return allowed_roots; }
  // "<module_library>/<name>"; the name is not checked here.
  std::string ModulePath(std::string_view name) const;
  std::string HelmValuesPath(std::string_view env, std::string_view release) const;
  std::string ArgoAppPath(std::string_view env, std::string_view app) const;
  std::string PipelinePath(std::string_view env, std::string_view pipeline) const;
  // OK when `path` is a valid repository path under one of the allowed roots; otherwise
  // kInvalidArgument (bad path) or kPermissionDenied (outside the roots, listing them).
  Status CheckWritePath(std::string_view path) const;
  // OK when repo_url is set; else FailedPrecondition saying to set it (an Argo CD
  // Application DataMCP writes needs the URL Argo CD fetches from).
  Status RequireRepoUrl() const;
};

// Parses and validates datamcp.yaml. Errors are kInvalidArgument and name the key
// ("environments[2].name: missing", "apply.min_approvals: must be an integer >= 0, got
// 'two'"); unknown keys are errors too, listing the known ones. Input over 1 MiB is
// refused. Checks: version == 1; names unique and [a-z][a-z0-9-]*; every path valid;
// terraform roots and path patterns under an allowed root; patterns hold their
// placeholders ({env} and {release}; {app}; {env} and {pipeline}, checked only when
// paths.pipelines is set: the default need not be under an allowed root).
Result<RepoConfig> ParseRepoConfig(std::string_view yaml);

std::string_view UnreviewedPushPolicyName(UnreviewedPushPolicy policy);

}  // namespace datamcp::repo
