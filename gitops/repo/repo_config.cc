#include "gitops/repo/repo_config.h"

#include <regex>
#include <set>

#include "gitops/common/repo_path.h"
#include "gitops/common/safe_yaml.h"
#include "gitops/common/yaml_reader.h"

namespace datamcp::repo {
namespace {

constexpr int kMaxApprovals = 100;

bool IsEnvName(const std::string& name) {
  static const std::regex kName("^[a-z][a-z0-9-]{0,62}$");
  return std::regex_match(name, kName);
}

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

Status ParseArgoCd(const YamlMapReader& env, const std::string& name, ArgoCdTarget* out) {
  out->destination_namespace = name;
  if (!env.Has("argocd")) return Status::Ok();
  YamlMapReader r(env.Child("argocd"), env.KeyPath("argocd"));
  DATAMCP_RETURN_IF_ERROR(
      r.Check({"app", "namespace", "project", "server", "destination_namespace"}));
  DATAMCP_RETURN_IF_ERROR(r.String("app", &out->app));
  DATAMCP_RETURN_IF_ERROR(r.String("namespace", &out->namespace_));
  DATAMCP_RETURN_IF_ERROR(r.String("project", &out->project));
  DATAMCP_RETURN_IF_ERROR(r.String("server", &out->server));
  return r.String("destination_namespace", &out->destination_namespace);
}

Status CheckUnderAllowedRoot(const RepoConfig& config, const std::string& path,
                             const std::string& key) {
  DATAMCP_RETURN_IF_ERROR(ValidateRepoPath(path, key));
  Status s = config.CheckWritePath(path);
  if (!s.ok()) return InvalidArgument(key + ": " + s.message());
  return Status::Ok();
}

Status ParseEnvironment(const YamlMapReader& r, const RepoConfig& config, Environment* env) {
  DATAMCP_RETURN_IF_ERROR(r.Check({"name", "terraform_root", "required_scope", "approvals",
                                   "destroy_approvals", "argocd", "policies"}));
  DATAMCP_RETURN_IF_ERROR(r.String("name", &env->name, /*required=*/true));
  if (!IsEnvName(env->name)) {
    return InvalidArgument(r.KeyPath("name") + ": '" + env->name +
                           "' must be lowercase letters, digits and '-', starting with a letter");
  }
  DATAMCP_RETURN_IF_ERROR(r.String("terraform_root", &env->terraform_root, /*required=*/true));
  DATAMCP_RETURN_IF_ERROR(
      CheckUnderAllowedRoot(config, env->terraform_root, r.KeyPath("terraform_root")));
  env->terraform_root = NormalizeRepoPath(env->terraform_root);
  env->required_scope = "env:" + env->name;
  DATAMCP_RETURN_IF_ERROR(r.String("required_scope", &env->required_scope));
  env->approvals = config.apply.min_approvals;
  DATAMCP_RETURN_IF_ERROR(r.Int("approvals", &env->approvals, 0, kMaxApprovals));
  env->destroy_approvals = env->approvals + 1;
  DATAMCP_RETURN_IF_ERROR(
      r.Int("destroy_approvals", &env->destroy_approvals, 0, kMaxApprovals + 1));
  if (env->destroy_approvals < env->approvals) {
    return InvalidArgument(r.KeyPath("destroy_approvals") + ": " +
                           std::to_string(env->destroy_approvals) + " is less than approvals (" +
                           std::to_string(env->approvals) +
                           "): a plan that deletes or replaces resources needs at least as many");
  }
  DATAMCP_RETURN_IF_ERROR(ParsePlanRules(r, &env->policies));
  return ParseArgoCd(r, env->name, &env->argocd);
}

Status ParseEnvironments(const YamlMapReader& root, RepoConfig* config) {
  YAML::Node list = root.Child("environments");
  if (!list.IsDefined() || list.IsNull()) return InvalidArgument("environments: missing");
  if (!list.IsSequence() || list.size() == 0) {
    return InvalidArgument("environments: must be a non-empty list of environments");
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string path = "environments[" + std::to_string(i) + "]";
    Environment env;
    DATAMCP_RETURN_IF_ERROR(ParseEnvironment(YamlMapReader(list[i], path), *config, &env));
    if (!seen.insert(env.name).second) {
      return InvalidArgument(path + ".name: '" + env.name + "' is used by an earlier environment");
    }
    config->environments.push_back(std::move(env));
  }
  return Status::Ok();
}

// `required` placeholders must appear in `pattern`; `optional` ones may.
Status CheckPattern(const RepoConfig& config, const std::string& pattern, const std::string& key,
                    std::initializer_list<std::string_view> required,
                    std::initializer_list<std::string_view> optional = {}) {
  std::string sample = pattern;
  for (std::string_view p : required) {
    if (pattern.find(p) == std::string::npos) {
      return InvalidArgument(key + ": '" + pattern + "' must contain " + std::string(p));
    }
    sample = ReplaceAll(sample, p, "x");
  }
  for (std::string_view p : optional) sample = ReplaceAll(sample, p, "x");
  if (sample.find('{') != std::string::npos || sample.find('}') != std::string::npos) {
    return InvalidArgument(key + ": '" + pattern + "' has an unknown placeholder");
  }
  return CheckUnderAllowedRoot(config, sample, key);
}

Status ParsePaths(const YamlMapReader& root, RepoConfig* config) {
  if (!root.Has("paths")) return Status::Ok();
  YamlMapReader r(root.Child("paths"), "paths");
  DATAMCP_RETURN_IF_ERROR(
      r.Check({"module_library", "helm_charts", "helm_values", "argocd_apps", "pipelines"}));
  DATAMCP_RETURN_IF_ERROR(r.String("module_library", &config->module_library));
  DATAMCP_RETURN_IF_ERROR(ValidateRepoPath(config->module_library, "paths.module_library"));
  config->module_library = NormalizeRepoPath(config->module_library);
  DATAMCP_RETURN_IF_ERROR(r.String("helm_charts", &config->helm_charts));
  DATAMCP_RETURN_IF_ERROR(ValidateRepoPath(config->helm_charts, "paths.helm_charts"));
  config->helm_charts = NormalizeRepoPath(config->helm_charts);
  DATAMCP_RETURN_IF_ERROR(r.String("helm_values", &config->helm_values_pattern));
  DATAMCP_RETURN_IF_ERROR(r.String("argocd_apps", &config->argocd_apps_pattern));
  if (r.Has("pipelines")) {
    DATAMCP_RETURN_IF_ERROR(r.String("pipelines", &config->pipelines_pattern));
    DATAMCP_RETURN_IF_ERROR(CheckPattern(*config, config->pipelines_pattern, "paths.pipelines",
                                         {"{env}", "{pipeline}"}));
  }
  return Status::Ok();
}

Status ParseTopLevel(const YamlMapReader& r, RepoConfig* config) {
  DATAMCP_RETURN_IF_ERROR(
      r.Check({"version", "repo_url", "allowed_roots", "paths", "apply", "unreviewed_push",
               "plan_forks", "plan", "environments", "promotion"}));
  if (r.Has("promotion")) {
    DATAMCP_RETURN_IF_ERROR(ParsePromotionRules(YamlMapReader(r.Child("promotion"), "promotion"),
                                                &config->promotion_rules));
  }
  if (r.Has("plan")) {
    YamlMapReader plan(r.Child("plan"), "plan");
    DATAMCP_RETURN_IF_ERROR(plan.Check({"allowed_providers", "allowed_module_sources"}));
    if (plan.Has("allowed_providers")) {
      DATAMCP_RETURN_IF_ERROR(
          plan.StringList("allowed_providers", &config->plan.allowed_providers, false));
    }
    DATAMCP_RETURN_IF_ERROR(
        plan.StringList("allowed_module_sources", &config->plan.allowed_module_sources, false));
  }
  DATAMCP_RETURN_IF_ERROR(r.Int("version", &config->version, 1, 1, /*required=*/true));
  DATAMCP_RETURN_IF_ERROR(r.String("repo_url", &config->repo_url));
  DATAMCP_RETURN_IF_ERROR(r.StringList("allowed_roots", &config->allowed_roots, true));
  for (std::size_t i = 0; i < config->allowed_roots.size(); ++i) {
    std::string& root = config->allowed_roots[i];
    DATAMCP_RETURN_IF_ERROR(ValidateRepoPath(root, "allowed_roots[" + std::to_string(i) + "]"));
    root = NormalizeRepoPath(root);
  }
  DATAMCP_RETURN_IF_ERROR(ParsePaths(r, config));
  if (r.Has("apply")) {
    YamlMapReader apply(r.Child("apply"), "apply");
    DATAMCP_RETURN_IF_ERROR(apply.Check({"min_approvals", "require_ci_green"}));
    DATAMCP_RETURN_IF_ERROR(
        apply.Int("min_approvals", &config->apply.min_approvals, 0, kMaxApprovals));
    DATAMCP_RETURN_IF_ERROR(apply.Bool("require_ci_green", &config->apply.require_ci_green));
  }
  std::string policy = "alert";
  DATAMCP_RETURN_IF_ERROR(r.String("unreviewed_push", &policy));
  if (policy != "alert" && policy != "apply") {
    return InvalidArgument("unreviewed_push: must be 'alert' or 'apply', got '" + policy + "'");
  }
  config->unreviewed_push =
      policy == "apply" ? UnreviewedPushPolicy::kApply : UnreviewedPushPolicy::kAlert;
  return r.Bool("plan_forks", &config->plan_forks);
}

}  // namespace

Result<RepoConfig> ParseRepoConfig(std::string_view yaml) {
  DATAMCP_ASSIGN_OR_RETURN(YAML::Node root, LoadSingleYamlDocument(yaml, kRepoConfigPath));
  RepoConfig config;
  YamlMapReader reader(root, "");
  Status s = ParseTopLevel(reader, &config);
  if (s.ok()) {
    s = CheckPattern(config, config.helm_values_pattern, "paths.helm_values",
                     {"{env}", "{release}"});
  }
  if (s.ok())
    s = CheckPattern(config, config.argocd_apps_pattern, "paths.argocd_apps", {"{app}"}, {"{env}"});
  if (s.ok()) s = ParseEnvironments(reader, &config);
  if (!s.ok()) return s.WithContext(kRepoConfigPath);
  return config;
}

Result<const Environment*> RepoConfig::FindEnvironment(std::string_view name) const {
  std::string known;
  for (const Environment& env : environments) {
    if (env.name == name) return &env;
    known += (known.empty() ? "" : ", ") + env.name;
  }
  return NotFound("environment '" + std::string(name) +
                  "' is not defined in datamcp.yaml; known: " + known);
}

const Environment* RepoConfig::EnvironmentForPath(std::string_view path) const {
  for (const Environment& env : environments) {
    if (IsUnderRoot(path, env.terraform_root)) return &env;
  }
  return nullptr;
}

std::string RepoConfig::ModulePath(std::string_view name) const {
  return module_library + "/" + std::string(name);
}

std::string RepoConfig::HelmValuesPath(std::string_view env, std::string_view release) const {
  return ReplaceAll(ReplaceAll(helm_values_pattern, "{env}", env), "{release}", release);
}

std::string RepoConfig::ArgoAppPath(std::string_view env, std::string_view app) const {
  return ReplaceAll(ReplaceAll(argocd_apps_pattern, "{env}", env), "{app}", app);
}

std::string RepoConfig::PipelinePath(std::string_view env, std::string_view pipeline) const {
  return ReplaceAll(ReplaceAll(pipelines_pattern, "{env}", env), "{pipeline}", pipeline);
}

Status RepoConfig::RequireRepoUrl() const {
  if (!repo_url.empty()) return Status::Ok();
  return FailedPrecondition(
      "datamcp.yaml has no repo_url: set it to the URL Argo CD fetches this repository from");
}

Status RepoConfig::CheckWritePath(std::string_view path) const {
  DATAMCP_RETURN_IF_ERROR(ValidateRepoPath(path, "path"));
  std::string roots;
  for (const std::string& root : allowed_roots) {
    if (IsUnderRoot(path, root)) return Status::Ok();
    roots += (roots.empty() ? "" : ", ") + root;
  }
  return PermissionDenied("path '" + std::string(path) +
                          "' is outside the allowed roots of datamcp.yaml (" + roots + ")");
}

std::string_view UnreviewedPushPolicyName(UnreviewedPushPolicy policy) {
  return policy == UnreviewedPushPolicy::kApply ? "apply" : "alert";
}

}  // namespace datamcp::repo
