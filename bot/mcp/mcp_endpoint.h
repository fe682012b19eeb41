#pragma once

#include <string>
#include <vector>

#include "bot/auth/principal.h"
#include "bot/mcp/http_transport.h"
#include "bot/mcp/mcp_server.h"
#include "bot/mcp/session_manager.h"
#include "bot/mcp/tool_registry.h"
#include "gitops/common/clock.h"
#include "gitops/config/config.h"

namespace httplib {
class Server;
}

namespace datamcp::bot::mcp {

// The MCP endpoint as main() wires it: the shared tool registry, the sessions and the
// server, with one call to put /mcp on the HTTP front.
//
//   McpEndpoint mcp(SystemClock::Instance(), {.version = kVersion});
//   RegisterServerInfoTool(mcp.registry(), info);   // and the other parts' tools
//   front.Bind();
//   mcp.Serve(front.server(), McpHttpOptionsFromConfig(config, front.port(),
//             mcp.registry().StaticScopes()), authenticator);
//   ... front.Run(); then mcp.Shutdown() before front.Stop() returns (ends GET streams).
class McpEndpoint {
 public:
  McpEndpoint(Clock& clock, McpServerOptions server_options,
              SessionManagerOptions session_options = {});

  ToolRegistry& registry() { return registry_; }
  const McpServer& server() const { return server_; }
  SessionManager& sessions() { return sessions_; }

  // Registers the /mcp routes and RFC 9728 metadata on `http`. `authenticator` must
  // outlive the HTTP server.
  void Serve(httplib::Server& http, const McpHttpOptions& options,
             const Authenticator& authenticator);
  // Ends every session so open SSE streams return; call before stopping the HTTP server.
  void Shutdown() { sessions_.CloseAll(); }

 private:
  ToolRegistry registry_;
  SessionManager sessions_;
  McpServer server_;
};

// The transport options from the configuration: public URL (server.public_url, or
// http://<bind>:<bound_port>), allowed hosts and origins, authorization servers.
McpHttpOptions McpHttpOptionsFromConfig(const config::Config& config, int bound_port,
                                        std::vector<std::string> scopes_supported);

}  // namespace datamcp::bot::mcp
