#pragma once

#include <memory>

#include "bot/app/gitops_stack.h"
#include "bot/auth/principal.h"
#include "bot/mcp/mcp_server.h"
#include "bot/mcp/tool_registry.h"
#include "bot/tools/tool_support.h"

namespace datamcp::bot {

// The MCP side of the process: the authenticator chosen by configuration, and every tool
// (get_server_info plus the GitOps tools) registered in one registry.
struct McpParts {
  std::unique_ptr<Authenticator> authenticator;
  std::unique_ptr<tools::GitopsToolDeps> deps;
  mcp::ToolRegistry registry;
  std::unique_ptr<mcp::McpServer> server;
};

// Errors name the configuration key at fault (exit code 2).
Result<std::unique_ptr<McpParts>> BuildMcp(const config::Config& config, GitopsStack& stack,
                                           Clock& clock);

}  // namespace datamcp::bot
