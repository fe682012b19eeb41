#include "gitops/common/digest.h"

#include <gtest/gtest.h>

#include "gitops/common/encoding.h"

namespace datamcp {
namespace {

std::string Hex(const std::array<unsigned char, kSha256Bytes>& bytes) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

TEST(Sha256Test, MatchesFips180Vectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), kSha256Bytes);
  EXPECT_EQ(HexEncode(Sha256("abc")), Sha256Hex("abc"));
}

// RFC 4231 test cases 1 and 2.
TEST(HmacSha256Test, MatchesRfc4231Vectors) {
  EXPECT_EQ(HexEncode(HmacSha256Of(Secret(std::string(20, '\x0b')), "Hi There").value()),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexEncode(HmacSha256Of(Secret("Jefe"), "what do ya want for nothing?").value()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Test, KeyedOnceAgreesWithOneShotForEveryMessage) {
  HmacSha256 mac(Secret("Jefe"));
  for (const std::string& message :
       {std::string(), std::string("what do ya want for nothing?"), std::string(20000, 'x')}) {
    std::array<unsigned char, kSha256Bytes> out{};
    ASSERT_TRUE(mac.MacInto(message, out));
    EXPECT_EQ(Hex(out), HexEncode(HmacSha256Of(Secret("Jefe"), message).value()));
  }
}

TEST(HmacSha256Test, DifferentKeysGiveDifferentMacs) {
  EXPECT_NE(HmacSha256Of(Secret("one"), "body").value(),
            HmacSha256Of(Secret("two"), "body").value());
}

TEST(ConstantTimeEqualsTest, ComparesContentAndSize) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace datamcp
