#pragma once

#include <functional>
#include <string>
#include <vector>

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
};

// Registers get_server_info (read-only, no scope needed): the version, the GitOps
// repository, the environments and the caller's subject and scopes. With the optional
// `environment` argument it also describes that environment, which needs env:<name>.
Status RegisterServerInfoTool(ToolRegistry& registry, ServerInfo info);

}  // namespace datamcp::bot::mcp
