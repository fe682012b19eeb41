#pragma once

#include <memory>

#include "bot/app/gitops_stack.h"
#include "bot/auth/ci_token.h"
#include "bot/auth/jwks_fetch.h"
#include "bot/ci/promote_route.h"
#include "gitops/config/config.h"

namespace datamcp::bot {

// The CI promotion endpoint's parts: the key cache, the token verifier, the route's deps.
struct CiParts {
  std::unique_ptr<JwksCache> keys;
  std::unique_ptr<CiTokenVerifier> verifier;
  std::unique_ptr<PromoteRouteDeps> deps;
};

// nullptr when ci.jwks_file and ci.jwks_url are unset (the endpoint is off). A JWKS file
// that cannot be read or parsed stops start-up (InvalidArgument naming ci.jwks_file); a URL
// that cannot be fetched yet is logged and fetched again on the first token. `bound_port`:
// the port the front listens on (server.port may be 0), for the default audience.
Result<std::unique_ptr<CiParts>> BuildCi(const config::Config& config, int bound_port,
                                         GitopsStack& stack, const Clock& clock);

}  // namespace datamcp::bot
