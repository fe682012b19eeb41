// refresh_proposal: a proposal's branch rebuilt on the current default branch, and re-planned.
#include "bot/auth/scopes.h"
#include "bot/mcp/tool_registry.h"
#include "bot/tools/tool_support.h"

namespace datamcp::bot::tools {
namespace {

using mcp::json;

json RefreshOutputSchema() {
  json strings = {{"type", "array"}, {"items", {{"type", "string"}}}};
  return {{"type", "object"},
          {"properties",
           {{"pull_request", {{"type", "integer"}}},
            {"branch", {{"type", "string"}}},
            {"old_head", {{"type", "string"}}},
            {"head", {{"type", "string"}}},
            {"base", {{"type", "string"}}},
            {"rebuilt", {{"type", "boolean"}}},
            {"conflicts", strings},
            {"advice", {{"type", "string"}}},
            {"plan", PlanOutcomeSchema()}}},
          {"required", {"pull_request", "branch", "head", "base", "rebuilt", "conflicts"}}};
}

}  // namespace

mcp::Tool RefreshProposalTool(GitopsToolDeps& deps) {
  mcp::Tool tool;
  tool.name = "refresh_proposal";
  tool.title = "Refresh a proposal on the default branch";
  tool.description =
      "Rebuilds an open proposal's branch on the current default branch (its change "
      "re-applied on top, as one commit keeping its message and trailers) and plans it again. "
      "Use it when the plan says the proposal conflicts with the default branch or was made "
      "before other changes merged. When both sides changed the same files nothing is "
      "pushed: the answer lists the paths and what to do. Merges nothing.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"pull_request",
         {{"type", "integer"}, {"minimum", 1}, {"description", "The open proposal to refresh"}}},
        {"environment", EnvironmentProperty()}}},
      {"required", {"pull_request", "environment"}},
      {"additionalProperties", false}};
  tool.output_schema = RefreshOutputSchema();
  // Rewrites only the proposal's own branch (a pull request, not the default branch).
  tool.annotations = {
      .read_only = false, .destructive = false, .idempotent = true, .open_world = true};
  tool.scopes = {std::string(kScopeProposalsWrite)};
  tool.argument_scopes = [&deps](const json& a) { return EnvironmentScopes(deps.proposals, a); };
  tool.streams = true;
  tool.handler = [&deps](const mcp::ToolCall& call) {
    int number = call.arguments["pull_request"].get<int>();
    call.Progress(1, 2, "rebuild");
    auto refreshed = deps.proposals.Refresh(number, StringArg(call.arguments, "environment"),
                                            call.principal.subject);
    if (!refreshed.ok()) return ErrorAnswer(refreshed.status());
    call.Progress(2, 2, "planned");
    mcp::ToolResult answer = mcp::ToolResult::Structured(proposal::ToJson(*refreshed),
                                                         proposal::RefreshSummary(*refreshed));
    answer.is_error = !refreshed->conflicts.empty();
    return answer;
  };
  return tool;
}

}  // namespace datamcp::bot::tools
