#include "bot/webhooks/signature.h"

#include <array>

#include "gitops/common/encoding.h"

namespace datamcp::bot {
namespace {

constexpr std::string_view kPrefix = "sha256=";

std::string_view AsText(const std::array<unsigned char, kSha256Bytes>& bytes) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

std::string WebhookSignature::Sign(std::string_view body) const {
  std::array<unsigned char, kSha256Bytes> digest{};
  if (!mac_.MacInto(body, digest)) return "";
  return std::string(kPrefix) + HexEncode(AsText(digest));
}

bool WebhookSignature::Verify(std::string_view body, std::string_view header) const {
  if (header.size() != kPrefix.size() + 2 * kSha256Bytes || !header.starts_with(kPrefix)) {
    return false;
  }
  auto given = HexDecode(header.substr(kPrefix.size()));
  if (!given.ok()) return false;
  std::array<unsigned char, kSha256Bytes> expected{};
  if (!mac_.MacInto(body, expected)) return false;
  return ConstantTimeEquals(*given, AsText(expected));
}

std::string SignSha256(const Secret& secret, std::string_view body) {
  return WebhookSignature(secret).Sign(body);
}

bool VerifySha256(const Secret& secret, std::string_view body, std::string_view header) {
  return WebhookSignature(secret).Verify(body, header);
}

}  // namespace datamcp::bot
