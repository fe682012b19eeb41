#pragma once

#include <string>
#include <vector>

#include "bot/auth/principal.h"

namespace datamcp::bot {

// One authentication or authorization outcome, logged as one structured line.
struct AuthDecision {
  std::string subject;              // empty when authentication failed
  std::vector<std::string> scopes;  // the principal's scopes
  std::string tool;                 // MCP tool name or route, e.g. "propose_change", "/mcp"
  bool allowed = false;
  bool no_auth = false;    // the loopback no-auth development mode
  std::string reason;      // e.g. "token expired", "missing scope env:prod"
  std::string request_id;  // optional correlation id
};

// Logs event "auth_decision" (info when allowed, warn when denied) with the fields above.
// Never pass a token here: nothing in AuthDecision is a credential.
void LogAuthDecision(const AuthDecision& decision);

// Convenience for a decision about an authenticated principal.
AuthDecision MakeAuthDecision(const Principal& principal, std::string tool, bool allowed,
                              std::string reason);

}  // namespace datamcp::bot
