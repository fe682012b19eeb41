// get_app_status and get_environment_status: what is live, read from Argo CD, the forge, the
// lock table and the repository's notes. Nothing here writes.
#include <map>

#include "bot/auth/scopes.h"
#include "bot/tools/read_tools.h"
#include "gitops/audit/audit_log.h"
#include "gitops/proposal/change_requests.h"

namespace datamcp::bot::tools {
namespace {

using mcp::json;

mcp::Tool StatusTool(GitopsToolDeps& deps, std::string name, std::string title,
                     std::string description, json properties) {
  properties["environment"] = EnvironmentProperty();
  mcp::Tool tool;
  tool.name = std::move(name);
  tool.title = std::move(title);
  tool.description = std::move(description);
  tool.input_schema = {{"type", "object"},
                       {"properties", properties},
                       {"required", {"environment"}},
                       {"additionalProperties", false}};
  tool.annotations = {
      .read_only = true, .destructive = false, .idempotent = true, .open_world = true};
  tool.scopes = {std::string(kScopePlansRead)};
  tool.argument_scopes = [&deps](const json& args) {
    return EnvironmentScopes(deps.proposals, args);
  };
  return tool;
}

json AppJson(const std::string& name, const std::string& ns, const argocd::AppStatus& s) {
  return {{"application", name},
          {"namespace", ns},
          {"sync", {{"status", s.sync_status}, {"revision", s.sync_revision}}},
          {"health", s.health_status},
          {"operation",
           {{"phase", s.operation_phase},
            {"message", s.operation_message},
            {"revision", s.operation_revision}}}};
}

// The Application a call names: `application`, else "<release>-<env>", else the
// environment's argocd.app.
Result<std::string> ApplicationName(const json& args, const repo::Environment& env) {
  std::string app = StringArg(args, "application");
  if (app.empty() && !StringArg(args, "release").empty()) {
    app = StringArg(args, "release") + "-" + env.name;
  }
  if (app.empty()) app = env.argocd.app;
  if (app.empty()) {
    return InvalidArgument("application: environment '" + env.name +
                           "' has no argocd.app in datamcp.yaml; name the release or application");
  }
  DATAMCP_RETURN_IF_ERROR(argocd::ValidateObjectName(app, "application"));
  return app;
}

mcp::Tool GetAppStatus(GitopsToolDeps& deps) {
  json props = {
      {"release",
       {{"type", "string"}, {"description", "Helm release (Application <release>-<environment>)"}}},
      {"application", {{"type", "string"}, {"description", "Argo CD Application name"}}}};
  mcp::Tool tool = StatusTool(
      deps, "get_app_status", "Get an Argo CD application's status",
      "Live status of an Argo CD Application of an environment: sync status and revision, "
      "health, and the last operation (phase, message, revision); whether it runs the "
      "default branch's tip. Names: application, or release (Application "
      "<release>-<environment>), else the environment's argocd.app.",
      props);
  tool.handler = [&deps](const mcp::ToolCall& call) {
    if (deps.argocd == nullptr) {
      return ErrorAnswer(FailedPrecondition(
          "Argo CD is not configured on this server (argocd.url); no live status to read"));
    }
    auto config = deps.proposals.LoadConfig();
    if (!config.ok()) return ErrorAnswer(config.status());
    auto env = config->FindEnvironment(StringArg(call.arguments, "environment"));
    if (!env.ok()) return ErrorAnswer(env.status());
    auto name = ApplicationName(call.arguments, **env);
    if (!name.ok()) return ErrorAnswer(name.status());
    auto status = deps.argocd->GetApplication(*name, (*env)->argocd.namespace_);
    if (!status.ok()) return ErrorAnswer(status.status());
    json out = AppJson(*name, (*env)->argocd.namespace_, *status);
    auto tip = deps.repo.ResolveRef("refs/remotes/origin/" + deps.default_branch);
    if (tip.ok()) {
      out["default_branch_tip"] = *tip;
      out["at_default_branch_tip"] = status->sync_revision == *tip;
    }
    std::string text =
        *name + ": " + (status->sync_status.empty() ? "?" : status->sync_status) + ", " +
        (status->health_status.empty() ? "?" : status->health_status) + " at " +
        status->sync_revision.substr(0, 12) +
        (status->operation_phase.empty() ? "" : "; last operation " + status->operation_phase);
    return mcp::ToolResult::Structured(out, text);
  };
  return tool;
}

// Trailer `key` of a commit message ("" when absent).
std::string TrailerOf(const std::string& message, const std::string& key) {
  std::string needle = "\n" + key + ": ";
  std::size_t at = message.rfind(needle);
  if (at == std::string::npos) return "";
  std::size_t start = at + needle.size();
  return message.substr(start, message.find('\n', start) - start);
}

json OpenProposals(GitopsToolDeps& deps, const std::string& env) {
  json out = json::array();
  auto open = deps.forge.ListOpenPullRequests();
  if (!open.ok()) return out;
  for (const auto& pr : *open) {
    auto log = deps.repo.Log(pr.head_sha, {}, 1);
    if (!log.ok() || log->empty() || TrailerOf(log->front().message, "Datamcp-Env") != env) {
      continue;
    }
    out.push_back({{"number", pr.number},
                   {"title", pr.title},
                   {"url", pr.html_url},
                   {"tool", TrailerOf(log->front().message, "Datamcp-Tool")},
                   {"requester", TrailerOf(log->front().message, "Datamcp-Requested-By")}});
  }
  return out;
}

json LastApplies(GitopsToolDeps& deps, const std::string& env) {
  std::map<std::string, json> latest;  // newest first in the log: keep the first per project
  auto entries = audit::ReadAuditLog(deps.repo, deps.default_branch, {0, env, 200});
  if (!entries.ok()) return json::array();
  for (const auto& e : *entries) {
    for (const auto& p : e.projects) {
      if (p.result.empty() || latest.count(p.project)) continue;
      latest[p.project] = {{"project", p.project},           {"commit", e.commit},
                           {"pull_request", e.pull_request}, {"result", p.result},
                           {"summary", p.summary},           {"time", e.time}};
    }
  }
  json out = json::array();
  for (auto& [project, record] : latest) out.push_back(std::move(record));
  return out;
}

mcp::Tool GetEnvironmentStatus(GitopsToolDeps& deps) {
  mcp::Tool tool = StatusTool(
      deps, "get_environment_status", "Get an environment's status",
      "What is going on in one environment: open proposals for it, the last apply or sync of "
      "each project and its result, project locks held, and drift when Argo CD reports the "
      "environment's application OutOfSync (Terraform drift: get_drift).",
      json::object());
  tool.handler = [&deps](const mcp::ToolCall& call) {
    auto config = deps.proposals.LoadConfig();
    if (!config.ok()) return ErrorAnswer(config.status());
    auto env = config->FindEnvironment(StringArg(call.arguments, "environment"));
    if (!env.ok()) return ErrorAnswer(env.status());
    const std::string& name = (*env)->name;
    json out = {{"environment", name},
                {"open_proposals", OpenProposals(deps, name)},
                {"last_applies", LastApplies(deps, name)},
                {"locks", json::array()},
                {"drift", "unknown"}};
    if (auto locks = deps.locks.List(); locks.ok()) {
      for (const auto& l : *locks) {
        if (proposal::EnvironmentOfPath(*config, l.project) != name) continue;
        out["locks"].push_back(
            {{"project", l.project}, {"pull_request", l.pull_request}, {"since", l.since}});
      }
    }
    if (deps.argocd != nullptr && !(*env)->argocd.app.empty()) {
      auto app = deps.argocd->GetApplication((*env)->argocd.app, (*env)->argocd.namespace_);
      if (app.ok()) {
        out["argocd"] = AppJson((*env)->argocd.app, (*env)->argocd.namespace_, *app);
        out["drift"] = app->sync_status == "OutOfSync" ? "drifted"
                       : app->sync_status == "Synced"  ? "none"
                                                       : "unknown";
      } else {
        out["argocd_error"] = app.status().message();
      }
    }
    std::string text = name + ": " + std::to_string(out["open_proposals"].size()) +
                       " open proposal(s), " + std::to_string(out["locks"].size()) + " lock(s), " +
                       std::to_string(out["last_applies"].size()) + " project(s) applied, drift " +
                       out["drift"].get<std::string>();
    return mcp::ToolResult::Structured(out, text);
  };
  return tool;
}

}  // namespace

Status RegisterStatusTools(mcp::ToolRegistry& registry, GitopsToolDeps& deps) {
  DATAMCP_RETURN_IF_ERROR(registry.Register(GetAppStatus(deps)));
  return registry.Register(GetEnvironmentStatus(deps));
}

}  // namespace datamcp::bot::tools
