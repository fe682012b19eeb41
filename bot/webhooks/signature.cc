#include "bot/webhooks/signature.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>

namespace datamcp::bot {
namespace {

constexpr std::string_view kPrefix = "sha256=";
constexpr std::size_t kDigestBytes = 32;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

WebhookSignature::WebhookSignature(const Secret& secret) {
  mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac_ == nullptr) return;
  keyed_ = EVP_MAC_CTX_new(mac_);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  const std::string& key = secret.Reveal();
  if (keyed_ != nullptr && EVP_MAC_init(keyed_, reinterpret_cast<const unsigned char*>(key.data()),
                                        key.size(), params) != 1) {
    EVP_MAC_CTX_free(keyed_);
    keyed_ = nullptr;
  }
}

WebhookSignature::~WebhookSignature() {
  EVP_MAC_CTX_free(keyed_);
  EVP_MAC_free(mac_);
}

bool WebhookSignature::Digest(std::string_view body, unsigned char out[kDigestBytes]) const {
  if (keyed_ == nullptr) return false;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(keyed_);
  if (ctx == nullptr) return false;
  std::size_t len = 0;
  const bool ok =
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size()) == 1 &&
      EVP_MAC_final(ctx, out, &len, kDigestBytes) == 1 && len == kDigestBytes;
  EVP_MAC_CTX_free(ctx);
  return ok;
}

std::string WebhookSignature::Sign(std::string_view body) const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<unsigned char, kDigestBytes> digest{};
  if (!Digest(body, digest.data())) return "";
  std::string out(kPrefix);
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

bool WebhookSignature::Verify(std::string_view body, std::string_view header) const {
  if (header.size() != kPrefix.size() + 2 * kDigestBytes || !header.starts_with(kPrefix)) {
    return false;
  }
  header.remove_prefix(kPrefix.size());
  std::array<unsigned char, kDigestBytes> given{};
  for (std::size_t i = 0; i < kDigestBytes; ++i) {
    int hi = HexValue(header[2 * i]), lo = HexValue(header[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    given[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  std::array<unsigned char, kDigestBytes> expected{};
  if (!Digest(body, expected.data())) return false;
  return CRYPTO_memcmp(given.data(), expected.data(), kDigestBytes) == 0;
}

std::string SignSha256(const Secret& secret, std::string_view body) {
  return WebhookSignature(secret).Sign(body);
}

bool VerifySha256(const Secret& secret, std::string_view body, std::string_view header) {
  return WebhookSignature(secret).Verify(body, header);
}

}  // namespace datamcp::bot
