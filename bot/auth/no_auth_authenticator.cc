#include "bot/auth/no_auth_authenticator.h"

namespace datamcp::bot {

Result<Principal> NoAuthAuthenticator::Authenticate(const std::string&) const {
  Principal principal;
  principal.subject = "anonymous";
  principal.no_auth = true;
  return principal;
}

}  // namespace datamcp::bot
