#pragma once

#include <string>
#include <string_view>

#include "gitops/common/secret.h"

// GitHub webhook signatures: X-Hub-Signature-256 is "sha256=" followed by the lowercase hex
// HMAC-SHA256 of the raw request body, keyed with the webhook secret.
namespace datamcp::bot {

// "sha256=<64 hex digits>" for `body`.
std::string SignSha256(const Secret& secret, std::string_view body);

// True when `header` is a well-formed "sha256=<hex>" (either hex case) whose digest matches
// the HMAC of `body`. The digest comparison is constant-time (CRYPTO_memcmp).
bool VerifySha256(const Secret& secret, std::string_view body, std::string_view header);

}  // namespace datamcp::bot
