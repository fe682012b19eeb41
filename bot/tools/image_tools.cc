#include "bot/tools/proposal_tools.h"
#include "gitops/proposal/image_promotion.h"

namespace datamcp::bot::tools {
namespace {

using mcp::json;

proposal::ImagePromotionRequest RequestFrom(const mcp::ToolCall& call) {
  const json& a = call.arguments;
  proposal::ImagePromotionRequest r;
  r.version = {StringArg(a, "image"), StringArg(a, "tag"), StringArg(a, "digest")};
  r.release = StringArg(a, "release");
  r.env = StringArg(a, "environment");
  r.requester = call.principal.subject;
  r.request_id = NewRequestId();
  r.origin = "`" + call.principal.subject + "` (MCP)";
  r.idempotency_key = StringArg(a, "idempotency_key");
  r.description = StringArg(a, "description");
  return r;
}

json OutputSchema() {
  json schema = ProposalOutputSchema();
  schema.erase("required");
  schema["properties"]["noop"] = {{"type", "boolean"}};
  schema["properties"]["previous"] = {{"type", "string"}};
  schema["properties"]["message"] = {{"type", "string"}};
  schema["properties"]["superseded"] = {{"type", "array"}, {"items", {{"type", "integer"}}}};
  return schema;
}

}  // namespace

mcp::Tool ProposeImageUpdate(GitopsToolDeps& deps) {
  json props = {
      {"release",
       {{"type", "string"},
        {"pattern", "^[a-z0-9]([a-z0-9-]{0,51}[a-z0-9])?$"},
        {"maxLength", 53},
        {"description", "Helm release whose values file is bumped"}}},
      {"image",
       {{"type", "string"},
        {"maxLength", 255},
        {"description", "Image repository without tag, e.g. ghcr.io/acme/events-api"}}},
      {"tag", {{"type", "string"}, {"maxLength", 128}, {"description", "Image tag, e.g. v1.4.2"}}},
      {"digest",
       {{"type", "string"},
        {"pattern", "^sha256:[a-f0-9]{64}$"},
        {"maxLength", 71},
        {"description", "Image digest (pins the content); with or without tag"}}}};
  mcp::Tool tool = ProposeTool(
      deps, "propose_image_update", "Propose an image update",
      "Bumps an image's tag and/or digest in a Helm release's values file in an environment "
      "(where the values or the chart's defaults configure `repository: <image>`), renders "
      "and diffs the chart, and opens a pull request. The version already on the default "
      "branch is a no-op (nothing is created); a newer update of the same release closes the "
      "older open one with a link to the new one.",
      props, {"release", "image"});
  tool.output_schema = OutputSchema();
  tool.handler = [&deps](const mcp::ToolCall& call) {
    proposal::ImagePromotionRequest request = RequestFrom(call);
    if (call.arguments.value("dry_run", false)) {
      return ProposeOrPreview(deps, call, proposal::PromotionProposal(request));
    }
    auto result =
        proposal::PromoteImage(deps.proposals, deps.repo, deps.forge, deps.locks, request);
    if (!result.ok()) return ErrorAnswer(result.status());
    if (result->noop) {
      return mcp::ToolResult::Structured(
          {{"noop", true}, {"previous", result->previous}, {"message", result->message}},
          "No change: " + result->message + ".");
    }
    mcp::ToolResult answer = ProposalAnswer(result->proposal);
    answer.structured["noop"] = false;
    answer.structured["previous"] = result->previous;
    answer.structured["message"] = result->message;
    answer.structured["superseded"] = result->superseded;
    answer.text = result->message + ".\n" + answer.text;
    return answer;
  };
  return tool;
}

}  // namespace datamcp::bot::tools
