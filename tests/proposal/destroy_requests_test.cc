#include "gitops/proposal/destroy_requests.h"

#include <gtest/gtest.h>

namespace datamcp::proposal {
namespace {

constexpr const char* kMain = R"(# data of the local environment
resource "terraform_data" "a" {
  input = { nested = "}" }
}

resource "terraform_data" "b" {
  input = "b" # keep
}
)";

TEST(RemoveResourceBlockTest, CutsExactlyTheNamedBlock) {
  auto cut = RemoveResourceBlock(kMain, "terraform_data", "a", "main.tf");
  ASSERT_TRUE(cut.ok()) << cut.status().message();
  EXPECT_EQ(*cut,
            "# data of the local environment\nresource \"terraform_data\" \"b\" {\n  input = "
            "\"b\" # keep\n}\n");
  auto last = RemoveResourceBlock(*cut, "terraform_data", "b", "main.tf");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, "# data of the local environment\n");
}

TEST(RemoveResourceBlockTest, MissingBlocksAndBadFilesAreErrors) {
  EXPECT_EQ(RemoveResourceBlock(kMain, "terraform_data", "c", "main.tf").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(RemoveResourceBlock(kMain, "null_resource", "a", "main.tf").status().code(),
            StatusCode::kNotFound);
  // A nested block of the same shape is not a resource of the root.
  EXPECT_EQ(RemoveResourceBlock("module \"m\" {\n  x = 1\n}\n", "terraform_data", "a", "m.tf")
                .status()
                .code(),
            StatusCode::kNotFound);
  auto open = RemoveResourceBlock("resource \"terraform_data\" \"a\" {\n", "terraform_data", "a",
                                  "main.tf");
  EXPECT_EQ(open.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(open.status().message().find("not closed"), std::string::npos);
  EXPECT_EQ(RemoveResourceBlock("x = \"unterminated\n", "t", "n", "main.tf").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace datamcp::proposal
