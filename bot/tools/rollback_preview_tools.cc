// propose_rollback and plan_preview.
#include "bot/auth/scopes.h"
#include "bot/mcp/tool_registry.h"
#include "bot/tools/tool_support.h"
#include "gitops/common/record_text.h"
#include "gitops/proposal/change_requests.h"
#include "gitops/proposal/rollback.h"

namespace datamcp::bot::tools {

namespace {

using mcp::json;

mcp::Tool Rollback(GitopsToolDeps& deps) {
  mcp::Tool tool;
  tool.name = "propose_rollback";
  tool.title = "Propose a rollback";
  tool.description =
      "Opens a pull request that reverts a merged DataMCP proposal of the environment: files "
      "it added are removed, files it changed get their earlier content back, and the commit "
      "names what it reverts (Datamcp-Rollback-Of). Refused when those files changed again "
      "since (revert by hand with propose_change), when it is already rolled back, or when "
      "another open pull request rolls it back. Applying it still needs a review and a merge; "
      "a rollback that deletes resources also needs the environment's destroy_approvals or a "
      "destroy confirmation of its plan. Use dry_run to preview.";
  tool.input_schema = {{"type", "object"},
                       {"properties",
                        {{"pull_request",
                          {{"type", "integer"},
                           {"minimum", 1},
                           {"description", "The merged pull request to revert"}}},
                         {"environment", EnvironmentProperty()},
                         {"title", TitleProperty()},
                         {"description", DescriptionProperty()},
                         {"idempotency_key", IdempotencyProperty()},
                         {"dry_run", DryRunProperty()}}},
                       {"required", {"pull_request", "environment"}},
                       {"additionalProperties", false}};
  tool.output_schema = ProposalOutputSchema();
  // Destructive: reverting an addition deletes what it created (the destroy gate holds it).
  tool.annotations = {
      .read_only = false, .destructive = true, .idempotent = false, .open_world = true};
  tool.scopes = {std::string(kScopeProposalsWrite)};
  tool.argument_scopes = [&deps](const json& a) { return EnvironmentScopes(deps.proposals, a); };
  tool.streams = true;
  tool.handler = [&deps](const mcp::ToolCall& call) {
    const json& a = call.arguments;
    int number = a["pull_request"].get<int>();
    auto pr = deps.forge.GetPullRequest(number);
    if (!pr.ok()) return ErrorAnswer(pr.status());
    if (!pr->merged || pr->merge_commit_sha.empty()) {
      return ErrorAnswer(FailedPrecondition("pull request #" + std::to_string(number) +
                                            " is not merged; close it instead of rolling back"));
    }
    std::string env = StringArg(a, "environment");
    proposal::RollbackTarget target{number, pr->merge_commit_sha, pr->head_sha};
    std::string requester = call.principal.subject;
    std::string key = StringArg(a, "idempotency_key");
    proposal::ProposalRequest request{
        "propose_rollback",
        env,
        StringArg(a, "title",
                  "Roll back #" + std::to_string(number) + ": " + FirstLineOf(pr->title)),
        StringArg(a, "description", "Reverts pull request #" + std::to_string(number) + "."),
        requester,
        NewRequestId(),
        key,
        [&deps, target, env, requester, key](
            git::Repository& repo, const std::string& base,
            const repo::RepoConfig& config) -> Result<git::ChangeSet> {
          DATAMCP_ASSIGN_OR_RETURN(
              git::ChangeSet changes,
              proposal::RollbackChanges(repo, base, deps.default_branch, env, target));
          DATAMCP_RETURN_IF_ERROR(
              proposal::CheckNoOpenRollback(deps.forge, repo, target.merge_commit, requester, key));
          return proposal::RawChanges(config, env, changes);
        }};
    request.trailers = proposal::RollbackTrailers(target);
    return ProposeOrPreview(deps, call, request);
  };
  return tool;
}

mcp::Tool Preview(GitopsToolDeps& deps) {
  mcp::Tool tool;
  tool.name = "plan_preview";
  tool.title = "Preview a plan (dry run)";
  tool.description =
      "Plans file changes in one environment exactly as propose_change would (Terraform "
      "plan, Helm render and diff, Argo CD diff) without creating a branch, a commit on any "
      "branch, or a pull request. Use it to check a change before proposing it.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"environment", EnvironmentProperty()}, {"files", FilesProperty(deps.max_request_bytes)}}},
      {"required", {"environment", "files"}},
      {"additionalProperties", false}};
  tool.output_schema = PlanOutcomeSchema();
  tool.annotations = {
      .read_only = true, .destructive = false, .idempotent = true, .open_world = true};
  tool.scopes = {std::string(kScopePlansRead)};
  tool.argument_scopes = [&deps](const json& a) { return EnvironmentScopes(deps.proposals, a); };
  tool.rate_limited = true;  // runs the planners like a proposal does
  tool.handler = [&deps](const mcp::ToolCall& call) {
    auto files = ParseFileChanges(call.arguments["files"]);
    if (!files.ok()) return ErrorAnswer(files.status());
    std::string env = StringArg(call.arguments, "environment");
    proposal::ProposalRequest request{"plan_preview",
                                      env,
                                      "plan preview",
                                      "",
                                      call.principal.subject,
                                      NewRequestId(),
                                      "",
                                      [files = *files, env](git::Repository&, const std::string&,
                                                            const repo::RepoConfig& config) {
                                        return proposal::RawChanges(config, env, files);
                                      }};
    auto outcome = deps.proposals.Preview(request);
    if (!outcome.ok()) return ErrorAnswer(outcome.status());
    mcp::ToolResult answer = DryRunAnswer(*outcome);
    answer.structured = proposal::ToJson(*outcome);  // plan_preview answers the plan itself
    return answer;
  };
  return tool;
}

}  // namespace

Status RegisterRollbackAndPreview(mcp::ToolRegistry& registry, GitopsToolDeps& deps) {
  DATAMCP_RETURN_IF_ERROR(registry.Register(Rollback(deps)));
  return registry.Register(Preview(deps));
}

}  // namespace datamcp::bot::tools
