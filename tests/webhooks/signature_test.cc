#include "bot/webhooks/signature.h"

#include <gtest/gtest.h>

namespace datamcp::bot {
namespace {

// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
const Secret kDocSecret("It's a Secret to Everybody");
constexpr char kDocPayload[] = "Hello, World!";
constexpr char kDocSignature[] =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

TEST(SignatureTest, SignMatchesGithubDocumentedExample) {
  EXPECT_EQ(SignSha256(kDocSecret, kDocPayload), kDocSignature);
}

TEST(SignatureTest, VerifiesGithubDocumentedExample) {
  EXPECT_TRUE(VerifySha256(kDocSecret, kDocPayload, kDocSignature));
}

TEST(SignatureTest, AcceptsUppercaseHexDigest) {
  std::string upper = kDocSignature;
  for (std::size_t i = 7; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_TRUE(VerifySha256(kDocSecret, kDocPayload, upper));
}

TEST(SignatureTest, VerifiedMacIsTheDigestInLowercaseHexWhicheverCaseTheHeaderUses) {
  const WebhookSignature signature(kDocSecret);
  std::string upper = kDocSignature;
  for (std::size_t i = 7; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(signature.VerifiedMac(kDocPayload, upper), std::string(kDocSignature).substr(7));
  EXPECT_EQ(signature.VerifiedMac(kDocPayload, kDocSignature),
            std::string(kDocSignature).substr(7));
  EXPECT_EQ(signature.VerifiedMac("Hello, World?", kDocSignature), std::nullopt);
}

TEST(SignatureTest, RejectsWrongSecretOrTamperedBody) {
  EXPECT_FALSE(VerifySha256(Secret("another secret"), kDocPayload, kDocSignature));
  EXPECT_FALSE(VerifySha256(kDocSecret, "Hello, World?", kDocSignature));
  EXPECT_FALSE(VerifySha256(kDocSecret, "", kDocSignature));
}

TEST(SignatureTest, RejectsMalformedHeaders) {
  const std::string digest = std::string(kDocSignature).substr(7);
  for (const std::string& header :
       {std::string(), digest, "sha1=" + digest, "SHA256=" + digest,
        std::string(kDocSignature) + "0", std::string(kDocSignature).substr(0, 70),
        "sha256=" + std::string(64, 'g'), std::string(kDocSignature) + " "}) {
    EXPECT_FALSE(VerifySha256(kDocSecret, kDocPayload, header)) << "header: " << header;
  }
}

TEST(SignatureTest, SingleFlippedDigitFails) {
  std::string sig = kDocSignature;
  sig.back() = sig.back() == '7' ? '8' : '7';
  EXPECT_FALSE(VerifySha256(kDocSecret, kDocPayload, sig));
}

}  // namespace
}  // namespace datamcp::bot
