#include "bot/mcp/server_info_tool.h"

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
            {"protocol_versions", strings}}},
          {"required", {"version", "repository", "environments", "caller"}}};
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
      {"type", "object"}, {"properties", json::object()}, {"additionalProperties", false}};
  tool.output_schema = OutputSchema();
  tool.annotations = ToolAnnotations{/*read_only=*/true, /*destructive=*/false,
                                     /*idempotent=*/true, /*open_world=*/false};
  tool.handler = [info = std::move(info)](const ToolCall& call) {
    json result{{"version", info.version},
                {"repository",
                 {{"url", info.repository_url},
                  {"description", info.repository_description},
                  {"default_branch", info.default_branch},
                  {"forge", info.forge}}},
                {"environments", info.environments},
                {"caller",
                 {{"subject", call.principal.subject},
                  {"scopes", call.principal.scopes},
                  {"no_auth", call.principal.no_auth}}},
                {"protocol_versions", {"2025-11-25", "2025-06-18", "2025-03-26"}}};
    return ToolResult::Structured(std::move(result));
  };
  return registry.Register(std::move(tool));
}

}  // namespace datamcp::bot::mcp
