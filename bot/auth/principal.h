#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::bot {

// Who is calling and what they may do, as established by an Authenticator.
struct Principal {
  std::string subject;              // JWT `sub`, or "anonymous" in no-auth mode
  std::vector<std::string> scopes;  // e.g. "proposals:write", "env:prod"
  bool no_auth = false;             // true only in the loopback no-auth development mode

  bool HasScope(const std::string& scope) const {
    return no_auth || std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
  }
};

// Turns the bearer token of a request into a Principal. Errors are Unauthenticated with a
// message fit for the `error_description` of a 401 (never containing the token).
// Implementations are thread-safe.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // `bearer_token` is the part after "Bearer " (may be empty when no header was sent).
  virtual Result<Principal> Authenticate(const std::string& bearer_token) const = 0;
};

}  // namespace datamcp::bot
