#include "bot/tools/tool_support.h"

#include <algorithm>
#include <ctime>

#include "bot/auth/scopes.h"
#include "gitops/common/random.h"

namespace datamcp::bot::tools {

using mcp::json;

json EnvironmentProperty() {
  return {{"type", "string"},
          {"description", "Environment from datamcp.yaml (list_environments), e.g. dev"},
          {"pattern", "^[a-z][a-z0-9-]{0,62}$"},
          {"maxLength", 63}};
}
json TitleProperty() {
  return {{"type", "string"},
          {"minLength", 3},
          {"maxLength", 200},
          {"pattern", "^[^\\r\\n]*$"},
          {"description",
           "Pull request title: what changes and why, in one line (no line breaks; it may not "
           "read as a commit trailer such as 'Datamcp-...: value')"}};
}
json DescriptionProperty() {
  return {{"type", "string"},
          {"maxLength", 20000},
          {"description",
           "Pull request description for the reviewer (markdown). No line may read as a "
           "commit trailer DataMCP writes itself ('Datamcp-...:', 'Co-authored-by:', "
           "'Signed-off-by:')"}};
}
json IdempotencyProperty() {
  return {{"type", "string"},
          {"minLength", 1},
          {"maxLength", 128},
          {"pattern", "^[^\\r\\n]*$"},
          {"description",
           "Optional: the same key from the same caller returns the same "
           "proposal instead of opening another"}};
}

namespace {

// plan::ToJson(Classification).
json ClassificationSchema() {
  json names = {{"type", "array"}, {"items", {{"type", "string"}}}};
  return {{"type", "object"},
          {"properties",
           {{"destructive", {{"type", "boolean"}}},
            {"creates", {{"type", "integer"}}},
            {"updates", {{"type", "integer"}}},
            {"deletes", {{"type", "integer"}}},
            {"replaces", {{"type", "integer"}}},
            {"deleted", names},
            {"replaced", names},
            {"created", names},
            {"updated", names}}}};
}

// proposal::PolicyVerdict::ToJson.
json PolicySchema() {
  json lines = {{"type", "array"}, {"items", {{"type", "string"}}}};
  return {{"type", "object"},
          {"description",
           "the environment's plan policies (datamcp.yaml): denied rules (the plan is never "
           "applied) and the approvals matching require_approvals rules ask for"},
          {"properties",
           {{"denied", lines}, {"approvals", {{"type", "integer"}}}, {"requirements", lines}}}};
}

}  // namespace

json PlanOutcomeSchema() {
  json project = {{"type", "object"},
                  {"properties",
                   {{"project", {{"type", "string"}}},
                    {"kind", {{"type", "string"}}},
                    {"env", {{"type", "string"}}},
                    {"ok", {{"type", "boolean"}}},
                    {"summary", {{"type", "string"}}},
                    {"fingerprint", {{"type", "string"}}},
                    {"error", {{"type", "string"}}},
                    {"blocked", {{"type", "string"}}},
                    {"changes", ClassificationSchema()},
                    {"policy", PolicySchema()}}}};
  return {{"type", "object"},
          {"properties",
           {{"base", {{"type", "string"}}},
            {"head", {{"type", "string"}}},
            {"status", {{"type", "string"}}},
            {"destructive",
             {{"type", "boolean"},
              {"description",
               "true when a plan deletes or replaces something: applying it then needs the "
               "environment's destroy_approvals or a human's destroy confirmation"}}},
            {"status_description", {{"type", "string"}}},
            {"policy_denied",
             {{"type", "boolean"},
              {"description", "true when a plan policy of the environment denies this plan"}}},
            {"projects", {{"type", "array"}, {"items", project}}}}}};
}

json DryRunProperty() {
  return {{"type", "boolean"},
          {"description",
           "true: plan the change and return the plan without creating a branch, a commit on "
           "any branch or a pull request (a dry run, like plan_preview)"}};
}

json ProposalOutputSchema() {
  return {{"type", "object"},
          {"properties",
           {{"pull_request", {{"type", "integer"}}},
            {"url", {{"type", "string"}}},
            {"branch", {{"type", "string"}}},
            {"commit", {{"type", "string"}}},
            {"reused", {{"type", "boolean"}}},
            {"dry_run", {{"type", "boolean"}}},
            {"plan", PlanOutcomeSchema()}}},
          {"required", {"plan"}}};
}

std::vector<std::string> EnvironmentScopes(proposal::ProposalService& proposals,
                                           const json& arguments) {
  std::string env = StringArg(arguments, "environment");
  if (env.empty()) return {};
  if (auto config = proposals.CachedConfig()) {
    auto found = config->FindEnvironment(env);
    // An unknown environment needs no scope: the call fails with the list of known ones.
    if (!found.ok()) return {};
    if (!(*found)->required_scope.empty()) return {(*found)->required_scope};
  }
  return {EnvScope(env)};
}

std::string NewRequestId() {
  // A request id only correlates logs and trailers; the time is an acceptable fallback.
  return RandomHex(8).value_or("t" + std::to_string(std::time(nullptr)));
}

mcp::ToolResult ProposalAnswer(const proposal::ProposalResult& r) {
  json structured = {{"pull_request", r.number}, {"url", r.url},       {"branch", r.branch},
                     {"commit", r.commit},       {"reused", r.reused}, {"plan", ToJson(r.plan)}};
  std::string text = (r.reused ? "Reused pull request #" : "Opened pull request #") +
                     std::to_string(r.number) + " (" + r.url + ") from " + r.branch + ".\n";
  text += "Plan " + r.plan.status + ": " + r.plan.status_description + "\n";
  text += "A human reviews and merges it; DataMCP applies only after the merge.";
  return mcp::ToolResult::Structured(structured, text);
}

mcp::ToolResult DryRunAnswer(const proposal::PlanOutcome& outcome) {
  std::string text = "Plan " + outcome.status + ": " + outcome.status_description +
                     "\n(dry run: no branch or pull request was created)";
  return mcp::ToolResult::Structured({{"dry_run", true}, {"plan", proposal::ToJson(outcome)}},
                                     text);
}

mcp::ToolResult ProposeOrPreview(GitopsToolDeps& deps, const mcp::ToolCall& call,
                                 proposal::ProposalRequest request) {
  if (request.arguments.is_null()) request.arguments = call.arguments;
  if (call.arguments.value("dry_run", false)) {
    auto outcome = deps.proposals.Preview(request);
    return outcome.ok() ? DryRunAnswer(*outcome) : ErrorAnswer(outcome.status());
  }
  int step = 0;
  auto result = deps.proposals.Propose(
      request, [&](const std::string& name) { call.Progress(++step, 5, name); });
  return result.ok() ? ProposalAnswer(*result) : ErrorAnswer(result.status());
}

mcp::ToolResult ErrorAnswer(const Status& status) {
  return mcp::ToolResult::Error(status.message());
}

std::string StringArg(const json& args, const char* name, const std::string& fallback) {
  auto it = args.find(name);
  return it != args.end() && it->is_string() ? it->get<std::string>() : fallback;
}

json FilesProperty(std::size_t max_request_bytes) {
  // Room for the JSON-RPC envelope, the path and the other arguments.
  std::size_t envelope = std::min<std::size_t>(16384, max_request_bytes / 2);
  std::size_t max_content = max_request_bytes - envelope;
  json file = {{"type", "object"},
               {"properties",
                {{"path",
                  {{"type", "string"},
                   {"minLength", 1},
                   {"maxLength", 1024},
                   {"description", "Repository path under an allowed root"}}},
                 {"content",
                  {{"type", "string"},
                   {"maxLength", max_content},
                   {"description",
                    "The whole new content of the file. All files together, JSON-encoded, "
                    "must fit in one request of at most " +
                        std::to_string(max_request_bytes) +
                        " bytes (server.max_body_bytes); split larger changes"}}},
                 {"delete", {{"type", "boolean"}, {"description", "Remove the file"}}},
                 {"executable", {{"type", "boolean"}}}}},
               {"required", {"path"}},
               {"additionalProperties", false}};
  return {{"type", "array"}, {"items", file}, {"minItems", 1}, {"maxItems", 100}};
}

Result<git::ChangeSet> ParseFileChanges(const json& files) {
  git::ChangeSet out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const json& f = files[i];
    bool del = f.value("delete", false);
    bool has_content = f.contains("content");
    std::string where = "files[" + std::to_string(i) + "]";
    if (del == has_content) {
      return InvalidArgument(where + ": give either content or delete: true");
    }
    git::FileChange c{f["path"].get<std::string>(), std::nullopt, git::FileMode::kRegular};
    if (del)
      c.mode = git::FileMode::kDelete;
    else
      c.content = f["content"].get<std::string>();
    if (f.value("executable", false)) c.mode = git::FileMode::kExecutable;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace datamcp::bot::tools
