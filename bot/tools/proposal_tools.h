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
Status RegisterProposalTools(mcp::ToolRegistry& registry, GitopsToolDeps& deps);

}  // namespace datamcp::bot::tools
