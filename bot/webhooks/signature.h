#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gitops/common/digest.h"
#include "gitops/common/secret.h"

// GitHub webhook signatures: X-Hub-Signature-256 is "sha256=" followed by the lowercase hex
// HMAC-SHA256 of the raw request body, keyed with the webhook secret.
namespace datamcp::bot {

// Signs and verifies with one secret, keyed once (HmacSha256). Thread-safe.
class WebhookSignature {
 public:
  explicit WebhookSignature(const Secret& secret) : mac_(secret) {}

  // "sha256=<64 hex digits>" for `body`; empty if OpenSSL fails.
  std::string Sign(std::string_view body) const;
  // True when `header` is a well-formed "sha256=<hex>" (either hex case) whose digest
  // matches the HMAC of `body`. The digest comparison is constant-time (CRYPTO_memcmp).
  bool Verify(std::string_view body, std::string_view header) const {
    return VerifiedMac(body, header).has_value();
  }
  // The same check; when it passes, the HMAC as lowercase hex (what a replayed body repeats,
  // so the intake records it as the body's digest without hashing the body a second time).
  std::optional<std::string> VerifiedMac(std::string_view body, std::string_view header) const;

 private:
  HmacSha256 mac_;  // nothing verifies when OpenSSL could not set it up
};

// One-off forms of the above (tests, tools).
std::string SignSha256(const Secret& secret, std::string_view body);
bool VerifySha256(const Secret& secret, std::string_view body, std::string_view header);

}  // namespace datamcp::bot
