#pragma once

#include <string>
#include <vector>

// Request checks of the Streamable HTTP transport, as pure functions (unit-tested alone).
namespace datamcp::bot::mcp {

// Which Host and Origin header values /mcp accepts (DNS-rebinding protection).
// By default: localhost, 127.0.0.1 and [::1] on `port`, plus the host of `public_url`.
// Configured hosts without a port match any port.
class OriginPolicy {
 public:
  OriginPolicy(int port, const std::string& public_url, std::vector<std::string> allowed_hosts,
               std::vector<std::string> allowed_origins);

  bool HostAllowed(const std::string& host) const;
  // An absent Origin (non-browser clients) is allowed.
  bool OriginAllowed(const std::string& origin) const;

 private:
  std::vector<std::string> hosts_;    // lower-case "host" or "host:port"
  std::vector<std::string> origins_;  // lower-case "scheme://host[:port]"
};

// True when the Accept header lists `media_type` (or a wildcard covering it).
bool Accepts(const std::string& accept_header, const std::string& media_type);

// Extracts the token of "Authorization: Bearer <token>". Returns false when the header is
// present but not a Bearer credential. An absent header gives true with an empty token.
bool BearerToken(const std::string& authorization_header, std::string* token);

}  // namespace datamcp::bot::mcp
