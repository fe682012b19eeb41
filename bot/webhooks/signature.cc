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

std::optional<std::string> WebhookSignature::VerifiedMac(std::string_view body,
                                                         std::string_view header) const {
  if (header.size() != kPrefix.size() + 2 * kSha256Bytes || !header.starts_with(kPrefix)) {
    return std::nullopt;
  }
  auto given = HexDecode(header.substr(kPrefix.size()));
  if (!given.ok()) return std::nullopt;
  std::array<unsigned char, kSha256Bytes> expected{};
  if (!mac_.MacInto(body, expected)) return std::nullopt;
  if (!ConstantTimeEquals(*given, AsText(expected))) return std::nullopt;
  return HexEncode(AsText(expected));
}

std::string SignSha256(const Secret& secret, std::string_view body) {
  return WebhookSignature(secret).Sign(body);
}

bool VerifySha256(const Secret& secret, std::string_view body, std::string_view header) {
  return WebhookSignature(secret).Verify(body, header);
}

}  // namespace datamcp::bot
