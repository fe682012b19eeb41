#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "gitops/common/result.h"
#include "gitops/common/secret.h"

// SHA-256 and HMAC-SHA-256 (OpenSSL EVP): the one home for both, for fingerprints, ids,
// webhook signatures and HS256 tokens.
namespace datamcp {

inline constexpr std::size_t kSha256Bytes = 32;

// The raw 32-byte SHA-256 of `data`.
std::string Sha256(std::string_view data);

// Lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// The raw 32-byte HMAC-SHA-256 of `data` under `key`. Internal if OpenSSL fails.
Result<std::string> HmacSha256Of(const Secret& key, std::string_view data);

// Whether `a` and `b` are equal, in time that depends only on their sizes (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// HMAC-SHA-256 under one key, for many messages. The keyed state is set up once and copied
// for each message: OpenSSL's one-shot HMAC() looks the algorithm up in the provider store on
// every call, which cost the webhook intake about a third as much as hashing a 20 KB body.
// Thread-safe (the keyed state is only read).
class HmacSha256 {
 public:
  explicit HmacSha256(const Secret& key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  // False when OpenSSL could not set up the key or compute the MAC.
  [[nodiscard]] bool MacInto(std::string_view data,
                             std::array<unsigned char, kSha256Bytes>& out) const;

 private:
  struct State;
  std::unique_ptr<State> state_;  // null when OpenSSL could not set it up: nothing is signed
};

}  // namespace datamcp
