#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "bot/auth/principal.h"
#include "bot/mcp/mcp_server.h"
#include "bot/mcp/session_manager.h"

namespace httplib {
class Server;
}

namespace datamcp::bot::mcp {

struct McpHttpOptions {
  std::string path = "/mcp";
  // Canonical base URL clients use, without a trailing slash (config Config::PublicUrl()).
  // The protected resource is public_url + path.
  std::string public_url;
  int port = 0;  // the bound port, for the default Host/Origin allowlist
  std::vector<std::string> allowed_hosts;
  std::vector<std::string> allowed_origins;
  std::vector<std::string> authorization_servers;      // RFC 9728 authorization_servers
  std::vector<std::string> scopes_supported;           // RFC 9728 scopes_supported
  bool enable_get_stream = true;                       // false: GET answers 405
  std::size_t max_get_streams = 4;                     // each holds an HTTP worker thread
  std::chrono::milliseconds keepalive_interval{5000};  // SSE comment on idle GET streams
  std::size_t max_body_bytes = 1 << 20;                // server.max_body_bytes (413 above)
};

// Serves MCP's Streamable HTTP transport on `options.path`:
//  POST: one JSON-RPC message (a batch only for 2025-03-26 sessions); answers
//        application/json, or an SSE stream for tool calls that report progress;
//        202 for notifications and responses.
//  GET:  the session's standalone SSE stream (405 when disabled).
//  DELETE: ends the session.
// and the RFC 9728 metadata at /.well-known/oauth-protected-resource[/<path>].
// Every /mcp request passes, in order: Host/Origin allowlist (403), bearer authentication
// (401 with WWW-Authenticate), Accept/Content-Type (406/415), MCP-Protocol-Version (400),
// session (400 missing, 404 unknown/ended/another subject's). A tools/call refused for a
// missing scope answers 403 with WWW-Authenticate: Bearer error="insufficient_scope".
// All references must outlive the server. Call sessions.CloseAll() before server.stop()
// so open streams end.
void RegisterMcpRoutes(httplib::Server& server, const McpHttpOptions& options,
                       SessionManager& sessions, const McpServer& mcp,
                       const Authenticator& authenticator);

}  // namespace datamcp::bot::mcp
