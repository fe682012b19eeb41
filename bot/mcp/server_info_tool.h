#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bot/mcp/rate_limiter.h"
#include "bot/mcp/tool_registry.h"

namespace datamcp::bot::mcp {

// What get_server_info reports about this deployment; main() fills it from the config.
struct ServerInfo {
  std::string version;                 // DataMCP's version
  std::string repository_url;          // the GitOps repository (credentials stripped)
  std::string repository_description;  // e.g. "embedded local repository"
  std::string default_branch = "main";
  std::vector<std::string> environments;  // e.g. dev, staging, prod
  std::string forge;                      // "local" or "github"
  // When set, called on every get_server_info to read the environments live (the
  // repository's configuration can arrive or change after start-up); `environments` is
  // then ignored.
  std::function<std::vector<std::string>()> current_environments;
  bool read_only = false;  // mcp.read_only: write tools are hidden
  // The per-caller limit, to tell callers what they have left; null: no limit. Not owned.
  const RateLimiter* limiter = nullptr;
};

// Registers get_server_info (read-only, no scope needed): the version, the GitOps
// repository, the environments, the caller's subject and scopes, and the server's limits
// (read-only mode, the caller's remaining write calls). With the optional
// `environment` argument it also describes that environment, which needs env:<name>.
Status RegisterServerInfoTool(ToolRegistry& registry, ServerInfo info);

}  // namespace datamcp::bot::mcp
