#pragma once

#include <string>
#include <vector>

#include "bot/mcp/tool.h"
#include "gitops/apply/drift_pass.h"
#include "gitops/argocd/api/argocd.h"
#include "gitops/proposal/proposal_service.h"

namespace datamcp::bot::tools {

// What the GitOps tools need from the rest of the process.
struct GitopsToolDeps {
  proposal::ProposalService& proposals;
  forge::Forge& forge;
  git::Repository& repo;
  jobs::LockTable& locks;
  std::string default_branch = "main";
  // server.max_body_bytes: a request larger than this is refused with 413, so the schema's
  // content limit leaves room for the JSON-RPC envelope.
  std::size_t max_request_bytes = 1 << 20;
  // The Argo CD client for the status tools; null without argocd.url.
  argocd::ArgoCd* argocd = nullptr;
  // The drift detector for get_drift; null: drift was never checked here.
  apply::DriftDetector* drift = nullptr;
};

// JSON Schema fragments shared by the tools.
mcp::json EnvironmentProperty();
mcp::json TitleProperty();
mcp::json DescriptionProperty();
mcp::json IdempotencyProperty();
// The dry_run argument every propose_* tool takes.
mcp::json DryRunProperty();
// The structuredContent schema of every propose_* tool (a dry run has only plan and dry_run).
mcp::json ProposalOutputSchema();
mcp::json PlanOutcomeSchema();

// The scope an environment needs: its required_scope in datamcp.yaml (cached from the last
// read of the default branch), else env:<name>.
std::vector<std::string> EnvironmentScopes(proposal::ProposalService& proposals,
                                           const mcp::json& arguments);

// A fresh request id for the Datamcp-Request-Id trailer.
std::string NewRequestId();

// Turns a proposal into the tool's answer: a short text for the agent plus the structure.
mcp::ToolResult ProposalAnswer(const proposal::ProposalResult& result);
// Runs a propose_* call: with arguments.dry_run true, only plans it (no branch, no commit
// on any branch, no pull request) and answers with the plan; otherwise proposes it. The
// call's arguments are recorded with the proposal unless `request` names its own.
mcp::ToolResult ProposeOrPreview(GitopsToolDeps& deps, const mcp::ToolCall& call,
                                 proposal::ProposalRequest request);
// The answer of a dry run (plan_preview, or a propose_* tool with dry_run).
mcp::ToolResult DryRunAnswer(const proposal::PlanOutcome& outcome);
// A failure the agent can act on; the status code becomes a word, the message is kept.
mcp::ToolResult ErrorAnswer(const Status& status);

// The `files` argument of propose_change and plan_preview: its schema, and the change set
// (each file needs exactly one of content and delete: true).
// `max_request_bytes`: the HTTP body limit; a file's content.maxLength stays below it.
mcp::json FilesProperty(std::size_t max_request_bytes);
Result<git::ChangeSet> ParseFileChanges(const mcp::json& files);

std::string StringArg(const mcp::json& args, const char* name, const std::string& fallback = "");

}  // namespace datamcp::bot::tools
