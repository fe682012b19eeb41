// get_drift: the last drift check of an environment's projects, as the drift detector
// (gitops/apply/drift_pass.h) recorded it. Nothing here plans or writes.
#include "bot/auth/scopes.h"
#include "bot/tools/read_tools.h"

namespace datamcp::bot::tools {
namespace {

using mcp::json;

json RecordJson(const apply::DriftRecord& r) {
  json resources = json::array();
  for (const auto& d : r.resources) {
    resources.push_back({{"address", d.address}, {"action", d.action}});
  }
  json out = {{"project", r.project},       {"environment", r.env},   {"drifted", r.drifted()},
              {"result", r.result},         {"resources", resources}, {"summary", r.summary},
              {"checked_at", r.checked_at}, {"commit", r.commit}};
  if (!r.error.empty()) out["error"] = r.error;
  return out;
}

mcp::Tool GetDrift(GitopsToolDeps& deps) {
  mcp::Tool tool;
  tool.name = "get_drift";
  tool.title = "Get an environment's Terraform drift";
  tool.description =
      "The last drift check of each Terraform project of an environment: whether the real "
      "state differs from the default branch's tip (drifted), the resources a plan would "
      "change with their actions, when it was checked and at which commit. Checks run every "
      "drift.interval_seconds on the server; an empty list means none ran yet. To resolve "
      "drift, propose the fix with the propose_* tools, or roll back with propose_rollback.";
  tool.input_schema = {{"type", "object"},
                       {"properties", {{"environment", EnvironmentProperty()}}},
                       {"required", {"environment"}},
                       {"additionalProperties", false}};
  tool.annotations = {
      .read_only = true, .destructive = false, .idempotent = true, .open_world = false};
  tool.scopes = {std::string(kScopePlansRead)};
  tool.argument_scopes = [&deps](const json& args) {
    return EnvironmentScopes(deps.proposals, args);
  };
  tool.handler = [&deps](const mcp::ToolCall& call) {
    auto config = deps.proposals.LoadConfig();
    if (!config.ok()) return ErrorAnswer(config.status());
    auto env = config->FindEnvironment(StringArg(call.arguments, "environment"));
    if (!env.ok()) return ErrorAnswer(env.status());
    json projects = json::array();
    int drifted = 0;
    if (deps.drift != nullptr) {
      for (const auto& record : deps.drift->Latest()) {
        if (record.env != (*env)->name) continue;
        drifted += record.drifted() ? 1 : 0;
        projects.push_back(RecordJson(record));
      }
    }
    json out = {{"environment", (*env)->name}, {"projects", projects}};
    std::string text =
        (*env)->name + ": " +
        (projects.empty() ? std::string("no drift check yet")
                          : std::to_string(drifted) + " of " + std::to_string(projects.size()) +
                                " project(s) drifted");
    for (const auto& p : projects) {
      for (const auto& r : p["resources"]) {
        text += "\n  " + r["action"].get<std::string>() + " " + r["address"].get<std::string>();
      }
    }
    return mcp::ToolResult::Structured(out, text);
  };
  return tool;
}

}  // namespace

Status RegisterDriftTool(mcp::ToolRegistry& registry, GitopsToolDeps& deps) {
  return registry.Register(GetDrift(deps));
}

}  // namespace datamcp::bot::tools
