#include "gitops/common/digest.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

#include "gitops/common/encoding.h"

namespace datamcp {
namespace {

// Fetched once, which spares OpenSSL 3's implicit fetch on every call. Process-lifetime
// objects, immutable and thread-safe.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
EVP_MAC* HmacMac() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

using MacCtx = std::unique_ptr<EVP_MAC_CTX, void (*)(EVP_MAC_CTX*)>;

// A MAC context keyed with `key` for HMAC-SHA-256; null on failure.
MacCtx KeyedContext(const Secret& key) {
  MacCtx ctx(HmacMac() ? EVP_MAC_CTX_new(HmacMac()) : nullptr, EVP_MAC_CTX_free);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  const std::string& k = key.Reveal();
  if (ctx && EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(k.data()), k.size(),
                          params) != 1) {
    ERR_clear_error();
    ctx.reset();
  }
  return ctx;
}

// Feeds `data` to a keyed context and finishes it into `out`.
bool Finish(EVP_MAC_CTX* ctx, std::string_view data, unsigned char* out) {
  std::size_t len = 0;
  bool ok =
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
      EVP_MAC_final(ctx, out, &len, kSha256Bytes) == 1 && len == kSha256Bytes;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, Sha256Md(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

Result<std::string> HmacSha256Of(const Secret& key, std::string_view data) {
  MacCtx ctx = KeyedContext(key);
  std::string out(kSha256Bytes, '\0');
  if (!ctx || !Finish(ctx.get(), data, reinterpret_cast<unsigned char*>(out.data()))) {
    return Internal("HMAC-SHA-256 failed in OpenSSL");
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct HmacSha256::State {
  MacCtx keyed{nullptr, EVP_MAC_CTX_free};
};

HmacSha256::HmacSha256(const Secret& key) {
  MacCtx ctx = KeyedContext(key);
  if (!ctx) return;
  state_ = std::make_unique<State>();
  state_->keyed = std::move(ctx);
}

HmacSha256::~HmacSha256() = default;

bool HmacSha256::MacInto(std::string_view data,
                         std::array<unsigned char, kSha256Bytes>& out) const {
  if (state_ == nullptr) return false;
  MacCtx ctx(EVP_MAC_CTX_dup(state_->keyed.get()), EVP_MAC_CTX_free);
  return ctx && Finish(ctx.get(), data, out.data());
}

}  // namespace datamcp
