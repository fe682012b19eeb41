#pragma once

#include <memory>
#include <string>

#include "bot/app/startup.h"
#include "bot/auth/principal.h"
#include "bot/mcp/mcp_server.h"
#include "bot/mcp/server_info_tool.h"

namespace datamcp::bot {

// The authenticator auth.mode asks for: JWT verification (auth.algorithm and keys), or the
// loopback-only no-auth development mode (config validation refuses it elsewhere).
Result<std::unique_ptr<Authenticator>> MakeAuthenticator(const config::Config& config);

// Server name, version and instructions shared by `serve` and `mcp`.
mcp::McpServerOptions DefaultMcpServerOptions();

// What get_server_info reports for this configuration; `repo_path` is the local repository
// (the embedded one, or the mirror of repository.url).
mcp::ServerInfo ServerInfoFromConfig(const config::Config& config, const std::string& repo_path);

// `datamcp mcp`: MCP over stdio for agents that launch the bot locally. JSON-RPC on stdin
// and stdout, logs on stderr. The caller's credentials come from the environment:
// DATAMCP_TOKEN (a bearer JWT), or nothing in auth.mode none. Returns the exit code
// (2 for configuration or credential errors).
int RunMcpStdio(const CommonOptions& options);

}  // namespace datamcp::bot
