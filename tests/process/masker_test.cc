#include "gitops/process/masker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "gitops/common/encoding.h"

namespace datamcp::process {
namespace {

const std::string kGhp = "ghp_" + std::string("aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5");

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

TEST(MaskerTest, MasksConfiguredSecretValuesByName) {
  auto m = Masker::Create({{"TF_VAR_db_password", Secret("hunter2-long")}, {"EMPTY", Secret()}});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Mask("pw=hunter2-long; again hunter2-long."),
            "pw=[MASKED:TF_VAR_db_password]; again [MASKED:TF_VAR_db_password].");
}

TEST(MaskerTest, RejectsTooShortSecretsWithoutPrintingThem) {
  auto m = Masker::Create({{"SHORT_ONE", Secret("ab")}});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("SHORT_ONE"), std::string::npos);
  EXPECT_EQ(m.status().message().find("'ab'"), std::string::npos);
}

TEST(MaskerTest, ForEnvironmentMasksTheNamedVariables) {
  std::map<std::string, std::string> env = {{"DB_PASSWORD", "pa55word!"}, {"OTHER", "visible"}};
  auto m = Masker::ForEnvironment({"DB_PASSWORD", "UNSET_VAR"}, env,
                                  {{"repository.token", Secret("tok-12345")}});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Mask("pa55word! visible tok-12345"),
            "[MASKED:DB_PASSWORD] visible [MASKED:repository.token]");
  env["DB_PASSWORD"] = "x";
  auto short_value = Masker::ForEnvironment({"DB_PASSWORD"}, env);
  ASSERT_FALSE(short_value.ok());
  EXPECT_NE(short_value.status().message().find("DB_PASSWORD"), std::string::npos);
}

TEST(MaskerTest, MasksGithubTokens) {
  Masker m;
  for (std::string prefix : {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}) {
    std::string token = prefix + kGhp.substr(4);
    EXPECT_EQ(m.Mask("token: " + token + "\n"), "token: [MASKED:github_token]\n") << prefix;
  }
  std::string pat = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH";
  EXPECT_EQ(m.Mask("x=" + pat), "x=[MASKED:github_token]");
  EXPECT_EQ(m.Mask("ghp_short and ghx_" + kGhp.substr(4)), "ghp_short and ghx_" + kGhp.substr(4));
}

TEST(MaskerTest, MasksAwsAccessKeyIdsButNotLongerWords) {
  Masker m;
  EXPECT_EQ(m.Mask("id AKIAIOSFODNN7EXAMPLE ok"), "id [MASKED:aws_access_key] ok");
  EXPECT_EQ(m.Mask("\"ASIAY34FZKBOKMUTVV7A\""), "\"[MASKED:aws_access_key]\"");
  EXPECT_EQ(m.Mask("AKIAIOSFODNN7EXAMPLEXX"), "AKIAIOSFODNN7EXAMPLEXX");
  EXPECT_EQ(m.Mask("AKIA_short"), "AKIA_short");
}

TEST(MaskerTest, MasksAwsSecretAccessKeyValues) {
  Masker m;
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  EXPECT_EQ(m.Mask("aws_secret_access_key = " + secret + "\n"),
            "aws_secret_access_key = [MASKED:aws_secret_key]\n");
  EXPECT_EQ(m.Mask("AWS_SECRET_ACCESS_KEY=" + secret),
            "AWS_SECRET_ACCESS_KEY=[MASKED:aws_secret_key]");
  EXPECT_EQ(m.Mask("{\"SecretAccessKey\": \"" + secret + "\"}"),
            "{\"SecretAccessKey\": \"[MASKED:aws_secret_key]\"}");
  EXPECT_EQ(m.Mask("aws_secret_access_key is documented"), "aws_secret_access_key is documented");
}

TEST(MaskerTest, MasksPemPrivateKeyBlocksIncludingTruncatedOnes) {
  Masker m;
  std::string key =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc=\n-----END RSA PRIVATE KEY-----";
  EXPECT_EQ(m.Mask("before\n" + key + "\nafter"), "before\n[MASKED:private_key]\nafter");
  std::string escaped =
      "\"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3Blbn\\n-----END OPENSSH PRIVATE KEY-----\\n\"";
  EXPECT_EQ(m.Mask(escaped), "\"[MASKED:private_key]\\n\"");
  EXPECT_EQ(m.Mask("x -----BEGIN PRIVATE KEY-----\nMIIE..."), "x [MASKED:private_key]");
  std::string cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
  EXPECT_EQ(m.Mask(cert), cert);
}

TEST(MaskerTest, MasksJwts) {
  Masker m;
  std::string jwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
      "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  EXPECT_EQ(m.Mask("Authorization: Bearer " + jwt + "\n"), "Authorization: Bearer [MASKED:jwt]\n");
  EXPECT_EQ(m.Mask("eyJhbGciOiJIUzI1NiJ9 alone"), "eyJhbGciOiJIUzI1NiJ9 alone");
}

TEST(MaskerTest, MergesOverlappingMatches) {
  auto m = Masker::Create({{"PAT", Secret(kGhp.substr(0, 10))}});
  ASSERT_TRUE(m.ok());
  std::string out = m->Mask("a " + kGhp + " b");
  EXPECT_EQ(out, "a [MASKED:PAT] b");
  EXPECT_EQ(out.find("ghp_"), std::string::npos);
}

TEST(MaskerTest, MasksEveryTokenInAFiveMegabytePlan) {
  // Correctness on a big input (time is printed, never asserted: see tests/bench/).
  std::string line =
      "  # terraform_data.app[\"x\"] will be updated in-place\n"
      "      ~ input = \"old\" -> \"new\"\n";
  std::string text;
  std::size_t tokens = 0;
  while (text.size() < (5u << 20)) {
    text += line;
    if (++tokens % 100 == 0) text += "token = \"" + kGhp + "\"\n";
  }
  auto start = std::chrono::steady_clock::now();
  std::string out = Masker().Mask(text);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start);
  std::cout << "masked " << text.size() << " bytes in " << ms.count() << " ms\n";
  EXPECT_EQ(Count(out, "[MASKED:github_token]"), tokens / 100);
  EXPECT_EQ(Count(out, "ghp_"), 0u);
}

}  // namespace
}  // namespace datamcp::process

namespace datamcp::process {
namespace {

const std::string kKey = "4f1c2a9be07d5538c1a6e2f04b9d7731a8e5c6f2d0b3947e15a2c8f6d9e0b174";

std::string B64(const std::string& s, bool url = false) { return Base64Encode(s, url); }

Masker KeyMasker() {
  auto m = Masker::Create({{"auth.hs256_secret", Secret(kKey)}});
  EXPECT_TRUE(m.ok());
  return *m;
}

void ExpectMasked(const std::string& text, const std::string& form) {
  std::string out = KeyMasker().Mask(text);
  EXPECT_EQ(out.find(form), std::string::npos) << out;
  EXPECT_NE(out.find("[MASKED:auth.hs256_secret]"), std::string::npos) << out;
}

TEST(MaskerEncodingTest, MasksBase64AtEveryAlignment) {
  // As terraform's base64encode(file(key)) prints it: the key, a newline, any prefix.
  for (const std::string prefix : {"", "a", "ab", "abc"}) {
    std::string enc = B64(prefix + kKey + "\n");
    ExpectMasked("Error: \"" + enc + "\" is not a number", enc.substr(8, 40));
  }
}

TEST(MaskerEncodingTest, MasksBase64Url) {
  for (const std::string prefix : {"", "x", "xy"}) {
    std::string enc = B64(prefix + kKey, true);
    ExpectMasked("value=" + enc, enc.substr(8, 40));
  }
}

TEST(MaskerEncodingTest, MasksHexInBothCases) {
  std::string hex = HexEncode(kKey);
  ExpectMasked("hex: " + hex + ".", hex.substr(0, 40));
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ExpectMasked("HEX: " + upper + ".", upper.substr(0, 40));
}

TEST(MaskerEncodingTest, MasksUrlEncoding) {
  auto m = Masker::Create({{"webhooks.secret", Secret("s3cr3t/with+special&chars=")}});
  ASSERT_TRUE(m.ok());
  std::string out =
      m->Mask("GET /x?q=s3cr3t%2Fwith%2Bspecial%26chars%3D and s3cr3t%2fwith%2bspecial%26chars%3d");
  EXPECT_EQ(out.find("special"), std::string::npos) << out;
  EXPECT_EQ(Count(out, "[MASKED:webhooks.secret]"), 2u) << out;
}

TEST(MaskerEncodingTest, MasksASecretSplitAcrossLines) {
  std::string split = kKey.substr(0, 30) + "\n│   " + kKey.substr(30);
  ExpectMasked("│ Error: value \"" + split + "\" is bad\n", kKey.substr(30));
  std::string enc = B64(kKey);
  std::string wrapped = enc.substr(0, 50) + "\n" + enc.substr(50);  // base64 -w 50
  ExpectMasked(wrapped, enc.substr(50, 20));
  ExpectMasked("{\"msg\":\"" + kKey.substr(0, 20) + "\\n" + kKey.substr(20) + "\"}",
               kKey.substr(20, 30));
}

TEST(MaskerEncodingTest, LeavesOrdinaryTextAlone) {
  std::string text = "Plan: 1 to add, 0 to change, 0 to destroy.\n  + input = \"orders\"\n";
  EXPECT_EQ(KeyMasker().Mask(text), text);
}

}  // namespace
}  // namespace datamcp::process
