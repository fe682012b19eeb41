#pragma once

#include "bot/mcp/tool_registry.h"
#include "bot/tools/tool_support.h"

namespace datamcp::bot::tools {

// propose_change, propose_terraform_module, propose_helm_release, propose_argocd_app,
// propose_terraform_destroy and propose_helm_uninstall (destructiveHint: their plans delete,
// so the destroy gate holds their apply), propose_rollback (scope proposals:write plus the
// environment's scope) and plan_preview
// (plans:read plus the environment's scope). None of them merges or applies anything.
// `deps` must outlive the registry.
// Also refresh_proposal (proposals:write plus the environment's scope): rebuilds an open
// proposal's branch on the current default branch and re-plans it.
Status RegisterProposalTools(mcp::ToolRegistry& registry, GitopsToolDeps& deps);

mcp::Tool RefreshProposalTool(GitopsToolDeps& deps);

// The common shape of a propose_* tool: `properties` plus environment, description,
// idempotency_key, dry_run and title; scopes proposals:write and the environment's.
mcp::Tool ProposeTool(GitopsToolDeps& deps, std::string name, std::string title,
                      std::string description, mcp::json properties,
                      std::vector<std::string> required);

// propose_image_update: a new image tag or digest for a Helm release (image_tools.cc).
mcp::Tool ProposeImageUpdate(GitopsToolDeps& deps);

// propose_pipeline: a data pipeline's definition from a template; propose_pipeline_uninstall:
// its removal (pipeline_tools.cc).
mcp::Tool ProposePipeline(GitopsToolDeps& deps);
mcp::Tool ProposePipelineUninstall(GitopsToolDeps& deps);

// Marks a propose_* tool whose change removes things (destructiveHint: true).
void MarkDestructive(mcp::Tool& tool);

// A pipeline template's values.schema.json checked with the validator the tool arguments use
// (for proposal::CheckPipelineTemplate); InvalidArgument naming the definition's field
// ("schedule: is required"), FailedPrecondition for a schema using unsupported keywords.
Status CheckTemplateSchema(const mcp::json& schema, const mcp::json& values);

// Runs a propose_* call: a ProposalRequest from the call's common arguments (environment,
// title or `default_title`, description, idempotency_key; the caller as requester) and
// `build`, proposed or, with dry_run, only planned.
mcp::ToolResult Propose(GitopsToolDeps& deps, const mcp::ToolCall& call, const std::string& tool,
                        const std::string& default_title, proposal::ChangeBuilder build);

}  // namespace datamcp::bot::tools
