#include "bot/webhooks/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace datamcp::bot {
namespace {

constexpr std::string_view kPrefix = "sha256=";
constexpr std::size_t kDigestBytes = 32;
using Digest = std::array<unsigned char, kDigestBytes>;

bool Hmac(const Secret& secret, std::string_view body, Digest* out) {
  unsigned int len = 0;
  const std::string& key = secret.Reveal();
  return HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(body.data()), body.size(), out->data(),
              &len) != nullptr &&
         len == kDigestBytes;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string SignSha256(const Secret& secret, std::string_view body) {
  static constexpr char kHex[] = "0123456789abcdef";
  Digest digest{};
  if (!Hmac(secret, body, &digest)) return "";
  std::string out(kPrefix);
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

bool VerifySha256(const Secret& secret, std::string_view body, std::string_view header) {
  if (header.size() != kPrefix.size() + 2 * kDigestBytes || !header.starts_with(kPrefix)) {
    return false;
  }
  header.remove_prefix(kPrefix.size());
  Digest given{};
  for (std::size_t i = 0; i < kDigestBytes; ++i) {
    int hi = HexValue(header[2 * i]), lo = HexValue(header[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    given[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  Digest expected{};
  if (!Hmac(secret, body, &expected)) return false;
  return CRYPTO_memcmp(given.data(), expected.data(), kDigestBytes) == 0;
}

}  // namespace datamcp::bot
