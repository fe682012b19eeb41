#include "bot/mcp/server_info_tool.h"

#include <algorithm>

namespace datamcp::bot::mcp {

namespace {

json OutputSchema() {
  json str{{"type", "string"}};
  json strings{{"type", "array"}, {"items", str}};
  return {{"type", "object"},
          {"properties",
           {{"version", str},
            {"repository",
             {{"type", "object"},
              {"properties",
               {{"url", str}, {"description", str}, {"default_branch", str}, {"forge", str}}},
              {"required", {"url", "default_branch"}}}},
            {"environments", strings},
            {"caller",
             {{"type", "object"},
              {"properties",
               {{"subject", str}, {"scopes", strings}, {"no_auth", {{"type", "boolean"}}}}},
              {"required", {"subject", "scopes"}}}},
            {"protocol_versions", strings},
            {"limits",
             {{"type", "object"},
              {"properties",
               {{"read_only", {{"type", "boolean"}}},
                {"rate_limit",
                 {{"type", "object"},
                  {"properties",
                   {{"burst", {{"type", "integer"}}},
                    {"per_minute", {{"type", "integer"}}},
                    {"available", {{"type", "integer"}}}}}}}}}}},
            {"environment", {{"type", "object"}, {"properties", {{"name", str}}}}}}},
          {"required", {"version", "repository", "environments", "caller"}}};
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// The limits part of the answer, and its line of text.
json Limits(const ServerInfo& info, const std::string& subject, std::string* text) {
  json limits{{"read_only", info.read_only}};
  if (info.read_only) *text += "\nRead-only server: write tools are not available";
  if (info.limiter != nullptr && info.limiter->limit().enabled()) {
    const RateLimit& l = info.limiter->limit();
    int available = info.limiter->Available(subject);
    limits["rate_limit"] = {
        {"burst", l.burst}, {"per_minute", l.per_minute}, {"available", available}};
    *text += "\nWrite calls and plan previews you can make now: " + std::to_string(available) +
             " of " + std::to_string(l.burst) + " (refilled at " + std::to_string(l.per_minute) +
             " a minute)";
  }
  return limits;
}

}  // namespace

Status RegisterServerInfoTool(ToolRegistry& registry, ServerInfo info) {
  Tool tool;
  tool.name = "get_server_info";
  tool.title = "Server information";
  tool.description =
      "Describes this DataMCP server: its version, the GitOps repository it manages, the "
      "environments it knows, and who you are (your subject and scopes). Call it first to "
      "learn which environments exist and which scopes your token carries.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"environment",
         {{"type", "string"},
          {"description",
           "Optional: also describe this environment (needs the env:<environment> scope)."},
          {"pattern", "^[a-z0-9][a-z0-9_-]*$"},
          {"maxLength", 63}}}}},
      {"additionalProperties", false}};
  tool.argument_scopes = [](const json& args) {
    std::vector<std::string> scopes;
    if (args.contains("environment")) {
      scopes.push_back("env:" + args["environment"].get<std::string>());
    }
    return scopes;
  };
  tool.output_schema = OutputSchema();
  tool.annotations = ToolAnnotations{/*read_only=*/true, /*destructive=*/false,
                                     /*idempotent=*/true, /*open_world=*/false};
  tool.handler = [info = std::move(info)](const ToolCall& call) {
    std::string env = call.arguments.value("environment", "");
    std::vector<std::string> environments =
        info.current_environments ? info.current_environments() : info.environments;
    if (!env.empty() &&
        std::find(environments.begin(), environments.end(), env) == environments.end()) {
      return ToolResult::Error(
          "arguments.environment: \"" + env +
          "\" is not an environment of this repository; known: " +
          (environments.empty() ? std::string("none") : json(environments).dump()));
    }
    json result{{"version", info.version},
                {"repository",
                 {{"url", info.repository_url},
                  {"description", info.repository_description},
                  {"default_branch", info.default_branch},
                  {"forge", info.forge}}},
                {"environments", environments},
                {"caller",
                 {{"subject", call.principal.subject},
                  {"scopes", call.principal.scopes},
                  {"no_auth", call.principal.no_auth}}},
                {"protocol_versions", {"2025-11-25", "2025-06-18", "2025-03-26"}}};
    if (!env.empty())
      result["environment"] = {{"name", env}, {"default_branch", info.default_branch}};
    std::string text =
        "DataMCP " + info.version + " managing " + info.repository_url + " (" +
        info.repository_description + ", default branch " + info.default_branch +
        ")\nEnvironments: " +
        (environments.empty() ? std::string("none yet (the repository is not "
                                            "ready; retry shortly)")
                              : Join(environments)) +
        "\nYou are " + call.principal.subject + " with scopes: " +
        (call.principal.scopes.empty() ? std::string("none") : Join(call.principal.scopes));
    result["limits"] = Limits(info, call.principal.subject, &text);
    return ToolResult::Structured(std::move(result), text);
  };
  return registry.Register(std::move(tool));
}

}  // namespace datamcp::bot::mcp
