#include "gitops/common/json_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace datamcp {
namespace {

std::string Nested(int depth, std::string_view inner = "1") {
  return std::string(depth, '[') + std::string(inner) + std::string(depth, ']');
}

TEST(JsonParseTest, CountsNestingOutsideStringsOnly) {
  EXPECT_EQ(JsonNestingDepth("1"), 0);
  EXPECT_EQ(JsonNestingDepth(R"({"a":[1,{"b":[]}]})"), 4);
  EXPECT_EQ(JsonNestingDepth(R"({"a":"[[[[{{{{"})"), 1);
  EXPECT_EQ(JsonNestingDepth(R"(["\"[[[", "\\", [2]])"), 2);
  EXPECT_EQ(JsonNestingDepth("[][][][]"), 1);
  EXPECT_EQ(JsonNestingDepth(Nested(1000), 10), 10);  // stops counting at the bound
}

TEST(JsonParseTest, AcceptsTheLimitAndRefusesOneLevelMore) {
  auto at_limit = ParseJson(Nested(kMaxJsonDepth), "the body");
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().ToString();
  auto over = ParseJson(Nested(kMaxJsonDepth + 1), "the body");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(over.status().message(),
            "the body nests arrays/objects deeper than 64 levels, which is the limit; send a "
            "flatter document");
}

TEST(JsonParseTest, RefusesAHugelyNestedDocumentWithoutBuildingIt) {
  // 200,000 levels: copying or dumping such a value overflows the stack.
  auto r = ParseJson(Nested(200000), "the line");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(ParseJsonOrDiscarded(Nested(200000)).is_discarded());
  EXPECT_TRUE(ParseJsonOrDiscarded(std::string(200000, '{')).is_discarded());
}

TEST(JsonParseTest, SaysWhereInvalidJsonIsWrong) {
  auto r = ParseJson(R"({"a":)", "the body");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("the body is not valid JSON: "), std::string::npos);
  EXPECT_NE(r.status().message().find("column 6"), std::string::npos) << r.status().message();
  EXPECT_TRUE(ParseJsonOrDiscarded("nope").is_discarded());
  EXPECT_EQ(ParseJsonOrDiscarded(R"({"a":[1]})")["a"][0], 1);
}

}  // namespace
}  // namespace datamcp
