// A bearer token (JWS compact form, header and claims) through the real JwtAuthenticator,
// and the same bytes as a JWKS document.
#include "bot/auth/jwt_authenticator.h"
#include "bot/auth/jwt_keys.h"
#include "tests/fuzz/fuzz_util.h"

using namespace datamcp;
using namespace datamcp::bot;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  static ManualClock clock;
  static const JwtAuthenticator* auth = [] {
    JwtOptions o;
    o.hs256_secret = Secret("fuzz-secret-that-is-at-least-32-bytes-long");
    o.audiences = {"http://127.0.0.1:8080"};
    o.max_lifetime_seconds = 90 * 24 * 3600;
    return JwtAuthenticator::Create(std::move(o), clock).value().release();
  }();
  std::string token(AsText(data, size));
  Result<Principal> p = auth->Authenticate(token);
  // Nobody can forge the HMAC: every fuzzed token must be refused, with a reason.
  FUZZ_ASSERT(!p.ok());
  FUZZ_ASSERT(p.status().code() == StatusCode::kUnauthenticated);
  FUZZ_ASSERT(p.status().message().find(token.size() > 16 ? token : "\x01\x02") ==
              std::string::npos);
  for (JwsAlgorithm alg : {JwsAlgorithm::kRs256, JwsAlgorithm::kEs256}) {
    (void)ParseJwks(AsText(data, size), alg);
  }
  return 0;
}
