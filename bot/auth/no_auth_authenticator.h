#pragma once

#include <string>

#include "bot/auth/principal.h"

namespace datamcp::bot {

// The documented loopback no-auth development mode (auth.mode: none): every request, with or
// without a token, is Principal{"anonymous", {}, no_auth=true}, which holds every scope.
// The server must refuse this mode unless it is bound to a loopback address.
class NoAuthAuthenticator final : public Authenticator {
 public:
  Result<Principal> Authenticate(const std::string& bearer_token) const override;
};

}  // namespace datamcp::bot
