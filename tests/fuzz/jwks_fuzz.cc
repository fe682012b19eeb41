// A JWK Set document as served by a CI issuer, through the key cache the CI endpoint uses
// (JwksCache over ParseJwks): it must never crash, accept only RSA keys of 2048 bits or more
// with unique kids, and refuse everything else with InvalidArgument.
#include <openssl/evp.h>

#include <set>

#include "bot/auth/jwks_cache.h"
#include "tests/fuzz/fuzz_util.h"

using namespace datamcp;
using namespace datamcp::bot;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  static ManualClock clock;
  std::string doc(AsText(data, size));
  JwksCache cache([doc] { return Result<std::string>(doc); }, clock, {});
  Status loaded = cache.Load();
  FUZZ_ASSERT(loaded.ok() || loaded.code() == StatusCode::kInvalidArgument);
  auto keys = ParseJwks(doc, JwsAlgorithm::kRs256);
  FUZZ_ASSERT(keys.ok() == loaded.ok());
  if (!keys.ok()) return 0;
  std::set<std::string> kids;
  for (const auto& key : *keys) {
    FUZZ_ASSERT(key.pkey != nullptr);
    FUZZ_ASSERT(EVP_PKEY_is_a(key.pkey.get(), "RSA"));
    FUZZ_ASSERT(EVP_PKEY_get_bits(key.pkey.get()) >= 2048);
    FUZZ_ASSERT(kids.insert(key.kid).second);
    auto found = cache.KeyFor(key.kid);
    FUZZ_ASSERT(found.ok() || keys->size() > 1);  // a kid-less key among several is ambiguous
  }
  // A kid the set does not hold is refused, and refetching is bounded by min_refresh.
  int before = cache.fetches();
  FUZZ_ASSERT(!cache.KeyFor("\x01no-such-kid").ok() || keys->size() == 1);
  FUZZ_ASSERT(cache.fetches() == before);
  return 0;
}
