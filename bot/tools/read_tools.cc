#include "bot/tools/read_tools.h"

#include <functional>

#include "bot/auth/scopes.h"
#include "bot/tools/read_text.h"
#include "gitops/apply/apply_note.h"
#include "gitops/audit/audit_log.h"
#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/utc_time.h"

namespace datamcp::bot::tools {
namespace {

using mcp::json;

mcp::Tool ReadTool(std::string name, std::string title, std::string description, json properties,
                   std::vector<std::string> required, std::string_view scope) {
  mcp::Tool tool;
  tool.name = std::move(name);
  tool.title = std::move(title);
  tool.description = std::move(description);
  tool.input_schema = {{"type", "object"},
                       {"properties", properties.is_null() ? json::object() : properties},
                       {"additionalProperties", false}};
  if (!required.empty()) tool.input_schema["required"] = required;
  tool.annotations = {
      .read_only = true, .destructive = false, .idempotent = true, .open_world = true};
  tool.scopes = {std::string(scope)};
  return tool;
}

json PullRequestJson(const forge::PullRequest& pr) {
  return {{"number", pr.number},
          {"title", pr.title},
          {"url", pr.html_url},
          {"branch", pr.head_ref},
          {"head", pr.head_sha},
          {"state", pr.state == forge::PullRequestState::kOpen ? "open" : "closed"},
          {"merged", pr.merged},
          {"merge_commit", pr.merge_commit_sha},
          {"author", pr.author},
          {"merged_by", pr.merged_by}};
}

// The documents among the notes of `commit` that `keep` takes. Notes are written by whoever
// can push (see apply_note.h): `keep` reads them with json_fields and never throws.
std::vector<json> NotesOf(git::Repository& repo, const std::string& commit,
                          const std::function<bool(const json&)>& keep) {
  std::vector<json> out;
  if (commit.empty()) return out;
  auto notes = repo.ReadNotes(commit);
  if (!notes.ok()) return out;
  for (const auto& n : *notes) {
    json j = ParseJsonOrDiscarded(n);
    if (keep(j)) out.push_back(std::move(j));
  }
  return out;
}

bool IsPlanNote(const json& j) { return json_fields::String(j, "type") == "plan"; }

mcp::Tool GetProposal(GitopsToolDeps& deps) {
  mcp::Tool tool = ReadTool(
      "get_proposal", "Get a proposal",
      "A proposal's pull request (state, branch, merge), the plan recorded for its head, and "
      "after a merge what was applied or synced.",
      {{"pull_request", {{"type", "integer"}, {"minimum", 1}}}}, {"pull_request"}, kScopePlansRead);
  tool.handler = [&deps](const mcp::ToolCall& call) {
    int number = call.arguments["pull_request"].get<int>();
    auto pr = deps.forge.GetPullRequest(number);
    if (!pr.ok()) return ErrorAnswer(pr.status());
    (void)deps.repo.Fetch();
    json out = PullRequestJson(*pr);
    auto plans = NotesOf(deps.repo, pr->head_sha, IsPlanNote);
    out["plan"] = plans.empty() ? json(nullptr) : plans.back();
    const std::string merge = pr->merge_commit_sha;
    out["applies"] = NotesOf(deps.repo, merge,
                             [&merge](const json& j) { return apply::IsApplyRecord(j, merge); });
    std::string text = ProposalText(out);
    return mcp::ToolResult::Structured(out, text);
  };
  return tool;
}

mcp::Tool ListProposals(GitopsToolDeps& deps) {
  mcp::Tool tool = ReadTool("list_proposals", "List open proposals",
                            "The open pull requests DataMCP proposed (its own branches).", {}, {},
                            kScopePlansRead);
  tool.handler = [&deps](const mcp::ToolCall&) {
    auto open = deps.forge.ListOpenPullRequests();
    if (!open.ok()) return ErrorAnswer(open.status());
    json list = json::array();
    for (const auto& pr : *open) {
      if (pr.head_ref.starts_with(deps.proposals.options().branch_prefix)) {
        list.push_back(PullRequestJson(pr));
      }
    }
    std::string text = ProposalsText(list);
    return mcp::ToolResult::Structured({{"proposals", list}}, text);
  };
  return tool;
}

mcp::Tool ListEnvironments(GitopsToolDeps& deps) {
  mcp::Tool tool = ReadTool("list_environments", "List environments",
                            "The environments of datamcp.yaml on the default branch: Terraform "
                            "root, the scope a caller needs, approvals needed before apply, "
                            "and the Argo CD application.",
                            {}, {}, kScopePlansRead);
  tool.handler = [&deps](const mcp::ToolCall&) {
    auto config = deps.proposals.LoadConfig();
    if (!config.ok()) return ErrorAnswer(config.status());
    json envs = json::array();
    for (const auto& e : config->environments) {
      envs.push_back({{"name", e.name},
                      {"terraform_root", e.terraform_root},
                      {"required_scope", e.required_scope},
                      {"approvals", e.approvals},
                      {"argocd_app", e.argocd.app}});
    }
    std::string text = EnvironmentsText(envs);
    return mcp::ToolResult::Structured({{"environments", envs}}, text);
  };
  return tool;
}

mcp::Tool ListLocks(GitopsToolDeps& deps) {
  mcp::Tool tool = ReadTool("list_locks", "List project locks",
                            "Projects held by an open pull request that planned them; other "
                            "pull requests touching them wait until it is merged or closed.",
                            {}, {}, kScopeLocksRead);
  tool.handler = [&deps](const mcp::ToolCall&) {
    Result<std::vector<jobs::Lock>> held = deps.locks.List();
    if (!held.ok()) return mcp::ToolResult::FromStatus(held.status());
    json locks = json::array();
    for (const auto& l : *held) {
      locks.push_back({{"project", l.project},
                       {"pull_request", l.pull_request},
                       {"head", l.head_sha},
                       {"since", l.since}});
    }
    std::string text = LocksText(locks);
    return mcp::ToolResult::Structured({{"locks", locks}}, text);
  };
  return tool;
}

mcp::Tool GetAuditLog(GitopsToolDeps& deps) {
  mcp::Tool tool = ReadTool(
      "get_audit_log", "Read the audit log",
      "The history of the default branch from the repository alone: who proposed what with "
      "which tool, the reviewed plan fingerprint, approvers, who merged, and what was "
      "applied or synced; pushes that bypassed review (unreviewed_push), their plan and "
      "whether they were applied. Each entry carries the tool's recorded arguments (masked) "
      "and, per project, the resources its plan touched; a rollback names the merge it reverts "
      "(rollback_of); `resource` keeps only the changes that touched one.",
      {{"since", {{"type", "string"}, {"description", "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"}}},
       {"environment", EnvironmentProperty()},
       {"resource",
        {{"type", "string"},
         {"minLength", 1},
         {"maxLength", 1024},
         {"description",
          "A Terraform address (terraform_data.x, module.net) or a rendered object's key: "
          "only changes whose plan created, updated, deleted or replaced it or something "
          "inside it"}}},
       {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}}},
      {}, kScopeAuditRead);
  tool.handler = [&deps](const mcp::ToolCall& call) {
    const json& a = call.arguments;
    audit::AuditFilter filter;
    if (a.contains("since")) {
      auto since = ParseUtcDateOrTime(a["since"].get<std::string>());
      if (!since.ok()) {
        return ErrorAnswer(InvalidArgument("since: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"));
      }
      filter.since = *since;
    }
    filter.env = StringArg(a, "environment");
    filter.resource = StringArg(a, "resource");
    filter.max_commits = a.value("limit", 200);
    if (Status s = deps.repo.Fetch(); !s.ok()) return ErrorAnswer(s);
    auto entries = audit::ReadAuditLog(deps.repo, deps.default_branch, filter);
    if (!entries.ok()) return ErrorAnswer(entries.status());
    json list = json::array();
    for (const auto& e : *entries) list.push_back(audit::ToJson(e));
    return mcp::ToolResult::Structured({{"entries", list}}, audit::FormatText(*entries));
  };
  return tool;
}

}  // namespace

Status RegisterReadTools(mcp::ToolRegistry& registry, GitopsToolDeps& deps) {
  for (auto make : {GetProposal, ListProposals, ListEnvironments, ListLocks, GetAuditLog}) {
    DATAMCP_RETURN_IF_ERROR(registry.Register(make(deps)));
  }
  return Status::Ok();
}

}  // namespace datamcp::bot::tools
