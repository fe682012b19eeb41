#include "bot/auth/mint.h"

#include <nlohmann/json.hpp>

#include "bot/auth/scopes.h"
#include "gitops/common/jwt_sign.h"

namespace datamcp::bot {
namespace {

constexpr std::chrono::seconds kMaxTtl = std::chrono::hours(24 * 366);

// Minted claims are printable ASCII: they end up in commit trailers and logs.
Status CheckPrintable(const std::string& value, const char* what) {
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) {
      return InvalidArgument(std::string(what) + ": use printable ASCII characters only");
    }
  }
  if (value.size() > 256) return InvalidArgument(std::string(what) + ": at most 256 characters");
  return Status::Ok();
}

Status CheckMintOptions(const Secret& secret, const MintOptions& o) {
  if (secret.Reveal().size() < 32) {
    return InvalidArgument("auth.hs256_secret: must be at least 32 bytes to mint HS256 tokens");
  }
  if (o.subject.empty()) return InvalidArgument("--sub: a subject is required");
  DATAMCP_RETURN_IF_ERROR(CheckPrintable(o.subject, "--sub"));
  DATAMCP_RETURN_IF_ERROR(CheckPrintable(o.issuer, "auth.issuer"));
  DATAMCP_RETURN_IF_ERROR(CheckPrintable(o.audience, "auth.audience"));
  for (const auto& scope : o.scopes) {
    if (!IsValidScopeToken(scope)) {
      return InvalidArgument("--scopes: '" + scope +
                             "' is not a scope (printable ASCII, no space, quote or backslash)");
    }
  }
  if (o.ttl.count() <= 0 || o.ttl > kMaxTtl) {
    return InvalidArgument("--ttl: must be between 1s and 366d");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> MintHs256(const Secret& secret, const MintOptions& options,
                              const Clock& clock) {
  DATAMCP_RETURN_IF_ERROR(CheckMintOptions(secret, options));
  long long now = clock.UnixSeconds();
  nlohmann::json claims = {{"sub", options.subject},
                           {"scope", JoinScopes(options.scopes)},
                           {"iat", now},
                           {"exp", now + options.ttl.count()}};
  if (!options.issuer.empty()) claims["iss"] = options.issuer;
  if (!options.audience.empty()) claims["aud"] = options.audience;
  return SignJwtHs256(claims, secret);
}

Result<std::chrono::seconds> ParseTtl(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("--ttl: '" + std::string(text) +
                           "' is not a lifetime; use digits and a unit s, m, h or d (e.g. 1h)");
  };
  if (text.size() < 2 || text.size() > 12) return bad();
  long long n = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return bad();
    n = n * 10 + (c - '0');
  }
  long long unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return bad();
  }
  std::chrono::seconds ttl(n * unit);
  if (n == 0 || ttl > kMaxTtl) {
    return InvalidArgument("--ttl: '" + std::string(text) + "' must be between 1s and 366d");
  }
  return ttl;
}

}  // namespace datamcp::bot
