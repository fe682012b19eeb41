#pragma once

#include <memory>

#include "bot/app/gitops_stack.h"
#include "bot/auth/principal.h"
#include "bot/http/metrics.h"
#include "bot/mcp/mcp_server.h"
#include "bot/mcp/tool_registry.h"
#include "bot/tools/tool_support.h"

namespace datamcp::bot {

// The MCP side of the process: the authenticator chosen by configuration, every tool
// (get_server_info plus the GitOps tools) registered in one registry and restricted by
// mcp.read_only and mcp.tools, and the per-caller rate limiter (mcp.rate_limit_*).
struct McpParts {
  std::unique_ptr<Authenticator> authenticator;
  std::unique_ptr<tools::GitopsToolDeps> deps;
  mcp::ToolRegistry registry;
  std::unique_ptr<mcp::RateLimiter> limiter;
  std::unique_ptr<mcp::McpServer> server;
};

// Errors name the configuration key at fault (exit code 2). With `metrics`, calls refused
// by the rate limit are counted in datamcp_mcp_rate_limited_total{tool}.
Result<std::unique_ptr<McpParts>> BuildMcp(const config::Config& config, GitopsStack& stack,
                                           Clock& clock, Metrics* metrics = nullptr);

}  // namespace datamcp::bot
