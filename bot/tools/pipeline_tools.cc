// Data pipelines: propose_pipeline (a definition from a template, through the one proposal
// flow), list_pipelines and get_pipeline (the registry as the default branch holds it, with a
// pipeline's version history from the audit log). See gitops/repo/pipeline.h.

#include "bot/auth/scopes.h"
#include "bot/mcp/schema_validator.h"
#include "bot/tools/proposal_tools.h"
#include "bot/tools/read_tools.h"
#include "gitops/audit/audit_log.h"
#include "gitops/proposal/pipelines.h"

namespace datamcp::bot::tools {
namespace {

using mcp::json;

json NameProperty() {
  return {{"type", "string"},
          {"pattern", "^[a-z0-9]([a-z0-9-]{0,50}[a-z0-9])?$"},
          {"maxLength", 52},
          {"description", "Pipeline name (DNS-1123 label, at most 52 characters)"}};
}

json SettingsProperty(const char* what) {
  return {{"type", "object"},
          {"additionalProperties", {{"type", "string"}, {"maxLength", 1024}}},
          {"description", what}};
}

repo::PipelineRequest RequestFrom(const json& a) {
  repo::PipelineRequest r;
  r.name = StringArg(a, "name");
  r.env = StringArg(a, "environment");
  r.template_ = StringArg(a, "template");
  r.image = StringArg(a, "image");
  r.tag = StringArg(a, "tag");
  r.digest = StringArg(a, "digest");
  r.schedule = StringArg(a, "schedule");
  if (a.contains("replicas")) r.replicas = a["replicas"].get<int>();
  r.resources = a.value("resources", json());
  r.source = a.value("source", json());
  r.sink = a.value("sink", json());
  return r;
}

mcp::Tool PipelineReadTool(GitopsToolDeps& deps, std::string name, std::string title,
                           std::string description, json properties) {
  properties["environment"] = EnvironmentProperty();
  mcp::Tool tool;
  tool.name = std::move(name);
  tool.title = std::move(title);
  tool.description = std::move(description);
  std::vector<std::string> required = {"environment"};
  if (properties.contains("name")) required.push_back("name");
  tool.input_schema = {{"type", "object"},
                       {"properties", properties},
                       {"required", required},
                       {"additionalProperties", false}};
  tool.annotations = {
      .read_only = true, .destructive = false, .idempotent = true, .open_world = true};
  tool.scopes = {std::string(kScopePlansRead)};
  tool.argument_scopes = [&deps](const json& args) {
    return EnvironmentScopes(deps.proposals, args);
  };
  return tool;
}

// The default branch's tip and configuration, fetched.
Result<std::pair<std::string, repo::RepoConfig>> DefaultBranch(GitopsToolDeps& deps) {
  std::string tip;
  DATAMCP_ASSIGN_OR_RETURN(repo::RepoConfig config, deps.proposals.LoadConfig(&tip));
  return std::make_pair(tip, std::move(config));
}

mcp::Tool ListPipelinesTool(GitopsToolDeps& deps) {
  mcp::Tool tool = PipelineReadTool(
      deps, "list_pipelines", "List data pipelines",
      "The data pipelines of an environment as the default branch defines them "
      "(pipelines/<env>/<name>.yaml): name, template, image, schedule and the definition.",
      json::object());
  tool.handler = [&deps](const mcp::ToolCall& call) {
    std::string env = StringArg(call.arguments, "environment");
    auto head = DefaultBranch(deps);
    if (!head.ok()) return ErrorAnswer(head.status());
    auto list = proposal::ListPipelines(deps.repo, head->first, head->second, env);
    if (!list.ok()) return ErrorAnswer(list.status());
    json out = json::array();
    std::string text;
    for (const auto& p : *list) {
      out.push_back(repo::ToJson(p));
      text += p.name + " (" + (p.template_.empty() ? "unreadable" : p.template_) + ") " + p.image +
              (p.schedule.empty() ? "" : " schedule '" + p.schedule + "'") + "\n";
    }
    if (text.empty()) text = "No pipelines in " + env + ".\n";
    return mcp::ToolResult::Structured({{"environment", env}, {"pipelines", out}}, text);
  };
  return tool;
}

mcp::Tool GetPipelineTool(GitopsToolDeps& deps) {
  mcp::Tool tool = PipelineReadTool(
      deps, "get_pipeline", "Get a data pipeline",
      "One pipeline's definition on the default branch and its version history: every merged "
      "change of its definition file, newest first (commit, pull request, who asked with "
      "which tool, who merged, what was synced), read from the repository alone.",
      {{"name", NameProperty()},
       {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 200}}}});
  tool.handler = [&deps](const mcp::ToolCall& call) {
    std::string env = StringArg(call.arguments, "environment");
    std::string name = StringArg(call.arguments, "name");
    auto head = DefaultBranch(deps);
    if (!head.ok()) return ErrorAnswer(head.status());
    auto info = proposal::ReadPipeline(deps.repo, head->first, head->second, env, name);
    if (!info.ok()) return ErrorAnswer(info.status());
    audit::AuditFilter filter;
    filter.path = info->path;
    filter.max_commits = call.arguments.value("limit", 50);
    auto history = audit::ReadAuditLog(deps.repo, head->first, filter);
    if (!history.ok()) return ErrorAnswer(history.status());
    json versions = json::array();
    for (const auto& e : *history) versions.push_back(audit::ToJson(e));
    json out = repo::ToJson(*info);
    out["history"] = versions;
    std::string text = info->name + " in " + env + " (" + info->template_ + ") " + info->image +
                       ", " + std::to_string(history->size()) + " version(s):\n" +
                       audit::FormatText(*history);
    return mcp::ToolResult::Structured(out, text);
  };
  return tool;
}

}  // namespace

Status CheckTemplateSchema(const json& schema, const json& values) {
  auto validator = mcp::SchemaValidator::Compile(schema);
  if (!validator.ok()) {
    return FailedPrecondition("the template's values.schema.json uses what DataMCP cannot check (" +
                              validator.status().message() + "); keep to the supported keywords");
  }
  auto error = validator->Validate(values, "pipeline");
  if (!error) return Status::Ok();
  std::string message = *error;
  if (message.starts_with("pipeline.")) message.erase(0, 9);
  return InvalidArgument(message);
}

mcp::Tool ProposePipeline(GitopsToolDeps& deps) {
  auto str = [](const char* d, int max) {
    return json{{"type", "string"}, {"maxLength", max}, {"description", d}};
  };
  json props = {
      {"name", NameProperty()},
      {"template",
       {{"type", "string"},
        {"pattern", "^[a-z][a-z0-9-]{0,30}$"},
        {"maxLength", 31},
        {"description",
         "Pipeline template: a chart helm/charts/pipeline-<template>, e.g. batch (a CronJob) "
         "or streaming (a Deployment)"}}},
      {"image", str("Image repository without tag, e.g. ghcr.io/acme/events-etl", 255)},
      {"tag", str("Image tag, e.g. v1.4.2", 128)},
      {"digest", str("Image digest sha256:... (with or without tag)", 71)},
      {"schedule", str("Cron schedule in UTC (batch), e.g. '0 2 * * *' or @daily", 100)},
      {"replicas",
       {{"type", "integer"},
        {"minimum", 0},
        {"maximum", 50},
        {"description", "Replicas (streaming), 0 to 50"}}},
      {"resources",
       {{"type", "object"},
        {"description", "{requests: {cpu, memory}, limits: {cpu, memory}}, e.g. cpu '500m'"}}},
      {"source", SettingsProperty("Source settings (string values), e.g. {uri: gs://raw/x}")},
      {"sink", SettingsProperty("Sink settings (string values), e.g. {table: dwh.events}")}};
  mcp::Tool tool = ProposeTool(
      deps, "propose_pipeline", "Propose a data pipeline",
      "Defines (or changes) a data pipeline from a template in an environment: writes its "
      "definition pipelines/<env>/<name>.yaml (the whole definition: what you do not give is "
      "left out), and for a new pipeline an Argo CD Application deploying the template's "
      "chart with it; checks every parameter against the template's schema, renders and "
      "diffs the chart, and opens a pull request.",
      props, {"name", "template", "image"});
  tool.handler = [&deps](const mcp::ToolCall& call) {
    repo::PipelineRequest req = RequestFrom(call.arguments);
    std::string title = "Pipeline " + req.name + " (" + req.template_ + ") in " + req.env;
    return Propose(
        deps, call, "propose_pipeline", title,
        [req](git::Repository& repo, const std::string& base, const repo::RepoConfig& config) {
          return proposal::PipelineChanges(repo, base, config, req, CheckTemplateSchema);
        });
  };
  return tool;
}

mcp::Tool ProposePipelineUninstall(GitopsToolDeps& deps) {
  mcp::Tool tool = ProposeTool(
      deps, "propose_pipeline_uninstall", "Propose removing a data pipeline",
      "Removes a pipeline's definition pipelines/<env>/<name>.yaml and its Argo CD Application "
      "from an environment, diffs what Argo CD would prune and opens a pull request. Its "
      "history stays in git.",
      {{"name", NameProperty()}}, {"name"});
  MarkDestructive(tool);
  tool.handler = [&deps](const mcp::ToolCall& call) {
    std::string env = StringArg(call.arguments, "environment");
    std::string name = StringArg(call.arguments, "name");
    return Propose(deps, call, "propose_pipeline_uninstall",
                   "Remove pipeline " + name + " from " + env,
                   [env, name](git::Repository& repo, const std::string& base,
                               const repo::RepoConfig& config) {
                     return proposal::PipelineUninstallChanges(repo, base, config, env, name);
                   });
  };
  return tool;
}

Status RegisterPipelineReadTools(mcp::ToolRegistry& registry, GitopsToolDeps& deps) {
  DATAMCP_RETURN_IF_ERROR(registry.Register(ListPipelinesTool(deps)));
  return registry.Register(GetPipelineTool(deps));
}

}  // namespace datamcp::bot::tools
