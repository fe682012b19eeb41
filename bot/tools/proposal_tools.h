#pragma once

#include "bot/mcp/tool_registry.h"
#include "bot/tools/tool_support.h"

namespace datamcp::bot::tools {

// propose_change, propose_terraform_module, propose_helm_release, propose_argocd_app,
// propose_rollback (scope proposals:write plus the environment's scope) and plan_preview
// (plans:read plus the environment's scope). None of them merges or applies anything.
// `deps` must outlive the registry.
// Also refresh_proposal (proposals:write plus the environment's scope): rebuilds an open
// proposal's branch on the current default branch and re-plans it.
Status RegisterProposalTools(mcp::ToolRegistry& registry, GitopsToolDeps& deps);

mcp::Tool RefreshProposalTool(GitopsToolDeps& deps);

}  // namespace datamcp::bot::tools
