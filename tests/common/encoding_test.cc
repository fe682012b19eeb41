#include "gitops/common/encoding.h"

#include <gtest/gtest.h>

namespace datamcp {
namespace {

TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
  // RFC 4648 section 10 ("f" -> "Zg==", ...) with the padding removed.
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8").value(), "\xfb\xff");
}

TEST(Base64Url, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    std::string part = all.substr(0, n);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(part)).value(), part);
  }
}

TEST(Base64Url, RejectsPadding) { EXPECT_FALSE(Base64UrlDecode("Zg==").ok()); }

TEST(Base64Url, RejectsStandardAlphabetAndWhitespace) {
  EXPECT_FALSE(Base64UrlDecode("+/8").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9v Yg").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9v\nYg").ok());
  EXPECT_FALSE(Base64UrlDecode(std::string("Zm\0v", 4)).ok());
}

TEST(Base64Url, RejectsImpossibleLength) { EXPECT_FALSE(Base64UrlDecode("Zm9vY").ok()); }

TEST(Base64Url, RejectsNonZeroTrailingBits) {
  // "Zg" is canonical for "f"; "Zh" decodes to the same byte with a stray bit set.
  EXPECT_TRUE(Base64UrlDecode("Zg").ok());
  EXPECT_FALSE(Base64UrlDecode("Zh").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9").ok());
}

TEST(Base64Url, ErrorsDoNotEchoTheInput) {
  auto r = Base64UrlDecode("secret!token");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("secret"), std::string::npos);
}

TEST(Hex, EncodesLowerCaseTwoDigitsPerByte) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x0f\xab\xff", 4)), "000fabff");
}

TEST(Hex, DecodesEitherCase) {
  EXPECT_EQ(HexDecode("000fabff").value(), std::string("\x00\x0f\xab\xff", 4));
  EXPECT_EQ(HexDecode("ABff").value(), "\xab\xff");
  EXPECT_EQ(HexDecode("").value(), "");
}

TEST(Hex, RejectsOddLengthAndNonDigits) {
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
  EXPECT_FALSE(HexDecode("0x").ok());
  EXPECT_FALSE(HexDecode("a ").ok());
}

TEST(Base64, EncodesRfc4648VectorsWithPadding) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64, DecodesPaddedStandardText) {
  EXPECT_EQ(Base64Decode("Zg==").value(), "f");
  EXPECT_EQ(Base64Decode("Zm8=").value(), "fo");
  EXPECT_EQ(Base64Decode("Zm9vYmFy").value(), "foobar");
  EXPECT_EQ(Base64Decode("+/8=").value(), "\xfb\xff");
  EXPECT_EQ(Base64Decode("").value(), "");
}

TEST(Base64, RejectsMissingPaddingUrlAlphabetAndStrayBits) {
  EXPECT_FALSE(Base64Decode("Zg").ok());
  EXPECT_FALSE(Base64Decode("Zg=").ok());
  EXPECT_FALSE(Base64Decode("Z===").ok());
  EXPECT_FALSE(Base64Decode("-_8=").ok());
  EXPECT_FALSE(Base64Decode("Zh==").ok());
  EXPECT_FALSE(Base64Decode("Zm9v\nYg==").ok());
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    std::string part = all.substr(0, n);
    EXPECT_EQ(Base64Decode(Base64Encode(part)).value(), part);
  }
}

}  // namespace
}  // namespace datamcp
