#include "gitops/common/random.h"

#include <gtest/gtest.h>

namespace datamcp {
namespace {

TEST(RandomHexTest, GivesTwoLowerCaseHexDigitsPerByte) {
  auto id = RandomHex(16);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->size(), 32u);
  EXPECT_EQ(id->find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(RandomHexTest, DoesNotRepeat) { EXPECT_NE(RandomHex(16).value(), RandomHex(16).value()); }

}  // namespace
}  // namespace datamcp
