#include "bot/tools/proposal_tools.h"

#include "bot/auth/scopes.h"
#include "gitops/proposal/change_requests.h"
#include "gitops/proposal/destroy_requests.h"

namespace datamcp::bot::tools {

using mcp::json;
using proposal::ChangeBuilder;

mcp::ToolResult Propose(GitopsToolDeps& deps, const mcp::ToolCall& call, const std::string& tool,
                        const std::string& default_title, ChangeBuilder build) {
  const json& a = call.arguments;
  proposal::ProposalRequest request{tool,
                                    StringArg(a, "environment"),
                                    StringArg(a, "title", default_title),
                                    StringArg(a, "description"),
                                    call.principal.subject,
                                    NewRequestId(),
                                    StringArg(a, "idempotency_key"),
                                    std::move(build)};
  return ProposeOrPreview(deps, call, request);
}

namespace {

mcp::Tool ProposeChange(GitopsToolDeps& deps) {
  mcp::Tool tool = ProposeTool(
      deps, "propose_change", "Propose file changes",
      "Opens a pull request that writes or deletes files in one environment of the GitOps "
      "repository, and attaches the plan (Terraform, Helm, Argo CD) to it. Paths must be "
      "under datamcp.yaml's allowed roots and belong to the environment. Nothing is applied "
      "until a human merges.",
      {{"files", FilesProperty(deps.max_request_bytes)}, {"title", TitleProperty()}},
      {"files", "title"});
  tool.handler = [&deps](const mcp::ToolCall& call) {
    auto files = ParseFileChanges(call.arguments["files"]);
    if (!files.ok()) return ErrorAnswer(files.status());
    std::string env = StringArg(call.arguments, "environment");
    return Propose(deps, call, "propose_change", "",
                   [files = *files, env](git::Repository&, const std::string&,
                                         const repo::RepoConfig& config) {
                     return proposal::RawChanges(config, env, files);
                   });
  };
  return tool;
}

mcp::Tool ProposeModule(GitopsToolDeps& deps) {
  json props = {{"module",
                 {{"type", "string"},
                  {"pattern", "^[a-z0-9][a-z0-9_-]{0,62}$"},
                  {"maxLength", 63},
                  {"description",
                   "Module of the library, e.g. gcs, gke, eks, s3, iam, project, "
                   "network, aws-account, local-data"}}},
                {"instance",
                 {{"type", "string"},
                  {"pattern", "^[a-z_][a-z0-9_]{0,62}$"},
                  {"maxLength", 63},
                  {"description", "Name of this instance (module label and file name)"}}},
                {"variables", {{"type", "object"}, {"description", "Module variables by name"}}}};
  mcp::Tool tool = ProposeTool(
      deps, "propose_terraform_module", "Propose a Terraform module instance",
      "Instantiates a module from the repository's module library in an environment "
      "(e.g. a GCS bucket, a GKE or EKS cluster, a GCP project, an IAM service account) as "
      "reviewable Terraform, plans it and opens a pull request. Never calls a cloud API.",
      props, {"module", "instance"});
  tool.handler = [&deps](const mcp::ToolCall& call) {
    const json& a = call.arguments;
    repo::ModuleRequest req{StringArg(a, "module"), StringArg(a, "instance"),
                            StringArg(a, "environment"), a.value("variables", json::object())};
    std::string title = "Add " + req.module + " module '" + req.instance + "' to " + req.env;
    return Propose(
        deps, call, "propose_terraform_module", title,
        [req](git::Repository& repo, const std::string& base, const repo::RepoConfig& config) {
          return proposal::ModuleChanges(repo, base, config, req);
        });
  };
  return tool;
}

mcp::Tool ProposeHelmRelease(GitopsToolDeps& deps) {
  auto str = [](const char* d) { return json{{"type", "string"}, {"description", d}}; };
  json props = {
      {"release",
       {{"type", "string"},
        {"pattern", "^[a-z0-9]([a-z0-9-]{0,51}[a-z0-9])?$"},
        {"maxLength", 53},
        {"description", "Helm release name"}}},
      {"namespace", str("Kubernetes namespace; default: the environment's")},
      {"chart_path", str("Chart directory in this repository, e.g. helm/charts/example-data-app")},
      {"chart_repo_url", str("Chart repository URL (with chart and chart_version)")},
      {"chart", str("Chart name in chart_repo_url")},
      {"chart_version", str("Chart version in chart_repo_url")},
      {"values",
       {{"type", "object"},
        {"description",
         "Helm values (written as a YAML file). For an existing release they are merged into "
         "the current values file (JSON merge patch: objects merge by key, null removes a "
         "key); keys you do not give are kept"}}},
      {"project", str("Argo CD project; default: the environment's")},
      {"automated", {{"type", "boolean"}, {"description", "Automated Argo CD sync"}}}};
  mcp::Tool tool = ProposeTool(
      deps, "propose_helm_release", "Propose a Helm release",
      "Deploys a chart (from this repository, or a chart repository at a version) with the "
      "given values to an environment: writes a readable values file and an Argo CD "
      "Application, renders and diffs the chart, and opens a pull request. For a release "
      "that exists, only what you give changes: values are merged into the current file, "
      "and the Application keeps its other fields (targetRevision unless chart_version is "
      "given, labels, project, namespace and sync policy unless given).",
      props, {"release"});
  tool.handler = [&deps](const mcp::ToolCall& call) {
    const json& a = call.arguments;
    repo::HelmReleaseRequest req;
    req.release = StringArg(a, "release");
    req.env = StringArg(a, "environment");
    req.namespace_ = StringArg(a, "namespace");
    req.chart_path = StringArg(a, "chart_path");
    req.chart_repo_url = StringArg(a, "chart_repo_url");
    req.chart = StringArg(a, "chart");
    req.chart_version = StringArg(a, "chart_version");
    req.values = a.value("values", json::object());
    req.project = StringArg(a, "project");
    if (a.contains("automated")) req.automated = a["automated"].get<bool>();
    std::string title = "Deploy " + req.release + " to " + req.env;
    return Propose(
        deps, call, "propose_helm_release", title,
        [req](git::Repository& repo, const std::string& base, const repo::RepoConfig& config) {
          return proposal::HelmReleaseChanges(repo, base, config, req);
        });
  };
  return tool;
}

mcp::Tool ProposeArgoApp(GitopsToolDeps& deps) {
  auto str = [](const char* d) { return json{{"type", "string"}, {"description", d}}; };
  json props = {{"name",
                 {{"type", "string"},
                  {"pattern", "^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$"},
                  {"maxLength", 253},
                  {"description", "Application name"}}},
                {"repo_url", str("Source repository; default: this repository")},
                {"path", str("Directory in the source repository")},
                {"chart", str("Helm chart in a chart repository (instead of path)")},
                {"target_revision", str("Branch, tag or commit; default HEAD")},
                {"destination_server", str("Cluster API URL")},
                {"destination_name", str("Cluster name (instead of destination_server)")},
                {"destination_namespace", str("Namespace to deploy into")},
                {"project", str("Argo CD project")},
                {"automated", {{"type", "boolean"}}},
                {"prune", {{"type", "boolean"}}},
                {"self_heal", {{"type", "boolean"}}}};
  mcp::Tool tool = ProposeTool(
      deps, "propose_argocd_app", "Propose an Argo CD application",
      "Adds or replaces an Argo CD Application manifest (source, destination, project, sync "
      "policy) in an environment, validates and diffs it, and opens a pull request.",
      props, {"name"});
  tool.handler = [&deps](const mcp::ToolCall& call) {
    const json& a = call.arguments;
    repo::ArgoAppRequest req;
    req.name = StringArg(a, "name");
    req.env = StringArg(a, "environment");
    req.project = StringArg(a, "project");
    req.repo_url = StringArg(a, "repo_url");
    req.path = StringArg(a, "path");
    req.chart = StringArg(a, "chart");
    req.target_revision = StringArg(a, "target_revision", "HEAD");
    req.destination_server = StringArg(a, "destination_server");
    req.destination_name = StringArg(a, "destination_name");
    req.destination_namespace = StringArg(a, "destination_namespace");
    if (a.contains("automated")) req.automated = a["automated"].get<bool>();
    req.prune = a.value("prune", false);
    req.self_heal = a.value("self_heal", true);
    std::string title = "Argo CD application " + req.name + " in " + req.env;
    return Propose(deps, call, "propose_argocd_app", title,
                   [req](git::Repository&, const std::string&, const repo::RepoConfig& config) {
                     return proposal::ArgoAppChanges(config, req);
                   });
  };
  return tool;
}

mcp::Tool ProposeTerraformDestroy(GitopsToolDeps& deps) {
  json props = {
      {"instance",
       {{"type", "string"},
        {"pattern", "^[a-z_][a-z0-9_]{0,62}$"},
        {"maxLength", 63},
        {"description", "A module instance to remove (as propose_terraform_module named it)"}}},
      {"resources",
       {{"type", "array"},
        {"minItems", 1},
        {"maxItems", 100},
        {"items", {{"type", "string"}, {"maxLength", 200}}},
        {"description", "TYPE.NAME addresses of resource blocks to remove from the root"}}}};
  mcp::Tool tool = ProposeTool(
      deps, "propose_terraform_destroy", "Propose removing Terraform resources",
      "Removes a module instance, or named resource blocks, from an environment's Terraform "
      "root, plans the destroy and opens a pull request. Give exactly one of instance and "
      "resources.",
      props, {});
  MarkDestructive(tool);
  tool.handler = [&deps](const mcp::ToolCall& call) {
    const json& a = call.arguments;
    proposal::TerraformDestroyRequest req{
        StringArg(a, "environment"), StringArg(a, "instance"), {}};
    for (const auto& r : a.value("resources", json::array())) req.resources.push_back(r);
    std::string what = req.instance.empty() ? std::to_string(req.resources.size()) + " resource(s)"
                                            : "module '" + req.instance + "'";
    return Propose(
        deps, call, "propose_terraform_destroy", "Remove " + what + " from " + req.env,
        [req](git::Repository& repo, const std::string& base, const repo::RepoConfig& config) {
          return proposal::TerraformDestroyChanges(repo, base, config, req);
        });
  };
  return tool;
}

mcp::Tool ProposeHelmUninstall(GitopsToolDeps& deps) {
  json props = {{"release",
                 {{"type", "string"},
                  {"pattern", "^[a-z0-9]([a-z0-9-]{0,51}[a-z0-9])?$"},
                  {"maxLength", 53},
                  {"description", "Helm release to uninstall"}}}};
  mcp::Tool tool = ProposeTool(
      deps, "propose_helm_uninstall", "Propose uninstalling a Helm release",
      "Removes a release's values file and Argo CD Application from an environment, diffs "
      "what Argo CD would prune and opens a pull request.",
      props, {"release"});
  MarkDestructive(tool);
  tool.handler = [&deps](const mcp::ToolCall& call) {
    std::string env = StringArg(call.arguments, "environment");
    std::string release = StringArg(call.arguments, "release");
    return Propose(deps, call, "propose_helm_uninstall", "Uninstall " + release + " from " + env,
                   [env, release](git::Repository& repo, const std::string& base,
                                  const repo::RepoConfig& config) {
                     return proposal::HelmUninstallChanges(repo, base, config, env, release);
                   });
  };
  return tool;
}

}  // namespace

// A proposal that removes something: its plan deletes, so the destroy gate holds the apply
// until the environment's destroy_approvals or a confirmation of that plan.
void MarkDestructive(mcp::Tool& tool) {
  tool.annotations.destructive = true;
  tool.description +=
      " The plan deletes resources: applying it after merge needs the environment's "
      "destroy_approvals or a destroy confirmation of that plan. Use dry_run to preview.";
}

mcp::Tool ProposeTool(GitopsToolDeps& deps, std::string name, std::string title,
                      std::string description, json properties, std::vector<std::string> required) {
  properties["environment"] = EnvironmentProperty();
  properties["description"] = DescriptionProperty();
  properties["idempotency_key"] = IdempotencyProperty();
  properties["dry_run"] = DryRunProperty();
  if (!properties.contains("title")) properties["title"] = TitleProperty();
  required.push_back("environment");
  mcp::Tool tool;
  tool.name = std::move(name);
  tool.title = std::move(title);
  tool.description = std::move(description);
  tool.input_schema = {{"type", "object"},
                       {"properties", properties},
                       {"required", required},
                       {"additionalProperties", false}};
  tool.output_schema = ProposalOutputSchema();
  // Opens a pull request (not destructive: nothing changes until a human merges); the same
  // idempotency key returns the same proposal; it talks to the git remote and the forge.
  tool.annotations = {
      .read_only = false, .destructive = false, .idempotent = false, .open_world = true};
  tool.scopes = {std::string(kScopeProposalsWrite)};
  tool.argument_scopes = [&deps](const json& args) {
    return EnvironmentScopes(deps.proposals, args);
  };
  tool.streams = true;
  return tool;
}

Status RegisterRollbackAndPreview(mcp::ToolRegistry& registry, GitopsToolDeps& deps);

Status RegisterProposalTools(mcp::ToolRegistry& registry, GitopsToolDeps& deps) {
  DATAMCP_RETURN_IF_ERROR(registry.Register(ProposeChange(deps)));
  DATAMCP_RETURN_IF_ERROR(registry.Register(ProposeModule(deps)));
  DATAMCP_RETURN_IF_ERROR(registry.Register(ProposeHelmRelease(deps)));
  DATAMCP_RETURN_IF_ERROR(registry.Register(ProposeArgoApp(deps)));
  DATAMCP_RETURN_IF_ERROR(registry.Register(ProposeTerraformDestroy(deps)));
  DATAMCP_RETURN_IF_ERROR(registry.Register(ProposeHelmUninstall(deps)));
  DATAMCP_RETURN_IF_ERROR(registry.Register(RefreshProposalTool(deps)));
  DATAMCP_RETURN_IF_ERROR(registry.Register(ProposeImageUpdate(deps)));
  DATAMCP_RETURN_IF_ERROR(registry.Register(ProposePipeline(deps)));
  DATAMCP_RETURN_IF_ERROR(registry.Register(ProposePipelineUninstall(deps)));
  return RegisterRollbackAndPreview(registry, deps);
}

}  // namespace datamcp::bot::tools
