#include "bot/mcp/mcp_endpoint.h"

namespace datamcp::bot::mcp {

McpEndpoint::McpEndpoint(Clock& clock, McpServerOptions server_options,
                         SessionManagerOptions session_options)
    : sessions_(clock, session_options), server_(registry_, std::move(server_options)) {}

void McpEndpoint::Serve(httplib::Server& http, const McpHttpOptions& options,
                        const Authenticator& authenticator) {
  RegisterMcpRoutes(http, options, sessions_, server_, authenticator);
}

McpHttpOptions McpHttpOptionsFromConfig(const config::Config& config, int bound_port,
                                        std::vector<std::string> scopes_supported) {
  config::Config bound = config;
  bound.server.port = bound_port;
  McpHttpOptions o;
  o.public_url = bound.PublicUrl();
  o.port = bound_port;
  o.allowed_hosts = config.server.allowed_hosts;
  o.allowed_origins = config.server.allowed_origins;
  o.authorization_servers = config.auth.authorization_servers;
  o.scopes_supported = std::move(scopes_supported);
  o.max_body_bytes = config.server.max_body_bytes;
  // Keep at most a quarter of the workers for standalone GET streams.
  o.max_get_streams = static_cast<std::size_t>(std::max(1, config.server.threads / 4));
  return o;
}

}  // namespace datamcp::bot::mcp
