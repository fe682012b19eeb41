#pragma once

#include "bot/mcp/tool_registry.h"
#include "bot/tools/tool_support.h"

namespace datamcp::bot::tools {

// Read-only tools: get_proposal, list_proposals, list_environments (plans:read), list_locks
// (locks:read) and get_audit_log (audit:read). They read the forge and the repository only.
Status RegisterReadTools(mcp::ToolRegistry& registry, GitopsToolDeps& deps);

// Live status, read-only, plans:read plus the environment's scope (status_tools.cc):
// get_app_status (an Argo CD Application's sync, health, revision and last operation) and
// get_environment_status (open proposals, last apply per project, locks, drift when Argo CD
// knows it).
Status RegisterStatusTools(mcp::ToolRegistry& registry, GitopsToolDeps& deps);

// get_drift (drift_tool.cc), read-only, plans:read plus the environment's scope: the last
// drift check of each of the environment's projects (drifted?, resources with their actions,
// when, at which commit).
Status RegisterDriftTool(mcp::ToolRegistry& registry, GitopsToolDeps& deps);

// list_pipelines and get_pipeline (pipeline_tools.cc), read-only, plans:read plus the
// environment's scope: the data pipelines the default branch defines, and one pipeline's
// definition with its version history (the audit log of its definition file).
Status RegisterPipelineReadTools(mcp::ToolRegistry& registry, GitopsToolDeps& deps);

}  // namespace datamcp::bot::tools
