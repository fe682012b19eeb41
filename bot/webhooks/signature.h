#pragma once

#include <openssl/types.h>

#include <string>
#include <string_view>

#include "gitops/common/secret.h"

// GitHub webhook signatures: X-Hub-Signature-256 is "sha256=" followed by the lowercase hex
// HMAC-SHA256 of the raw request body, keyed with the webhook secret.
namespace datamcp::bot {

// Signs and verifies with one secret. The keyed HMAC state is set up once and copied for
// each body: OpenSSL's one-shot HMAC() looks the algorithm up in the provider store on every
// call, which cost the intake about a third as much as hashing a 20 KB body.
// Thread-safe (the keyed state is only read).
class WebhookSignature {
 public:
  explicit WebhookSignature(const Secret& secret);
  ~WebhookSignature();
  WebhookSignature(const WebhookSignature&) = delete;
  WebhookSignature& operator=(const WebhookSignature&) = delete;

  // "sha256=<64 hex digits>" for `body`; empty if OpenSSL fails.
  std::string Sign(std::string_view body) const;
  // True when `header` is a well-formed "sha256=<hex>" (either hex case) whose digest
  // matches the HMAC of `body`. The digest comparison is constant-time (CRYPTO_memcmp).
  bool Verify(std::string_view body, std::string_view header) const;

 private:
  bool Digest(std::string_view body, unsigned char out[32]) const;

  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* keyed_ = nullptr;  // null when OpenSSL could not set it up: nothing verifies
};

// One-off forms of the above (tests, tools).
std::string SignSha256(const Secret& secret, std::string_view body);
bool VerifySha256(const Secret& secret, std::string_view body, std::string_view header);

}  // namespace datamcp::bot
