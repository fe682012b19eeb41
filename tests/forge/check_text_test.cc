#include "gitops/forge/check_text.h"

#include <gtest/gtest.h>

namespace datamcp::forge {
namespace {

TEST(FenceCheckTextTest, ShortTextIsFencedWhole) {
  EXPECT_EQ(FenceCheckText("Plan: 1 to add\n"), "```\nPlan: 1 to add\n```\n");
  EXPECT_EQ(FenceCheckText("no newline"), "```\nno newline\n```\n");
  EXPECT_EQ(FenceCheckText(""), "");
}

TEST(FenceCheckTextTest, BackticksInsideCannotCloseTheFence) {
  std::string text = FenceCheckText("a ```` b\n");
  EXPECT_EQ(text, "`````\na ```` b\n`````\n");
}

TEST(FenceCheckTextTest, OneLongLineIsCutAtACharacterBoundaryWithinTheLimit) {
  std::string line;
  while (line.size() < 10000) line += "é€";  // 2- and 3-byte characters, no newline
  std::string text = FenceCheckText(line, 4096);
  EXPECT_LE(text.size(), 4096u);
  EXPECT_NE(text.find(std::string(kCheckTextCutNote)), std::string::npos);
  std::string fenced = text.substr(4, text.find("\n```\n") - 4);
  ASSERT_FALSE(fenced.empty());
  EXPECT_EQ(line.rfind(fenced, 0), 0u) << "a prefix of the text";
  EXPECT_TRUE(fenced.ends_with("é") || fenced.ends_with("€")) << "whole characters only";
}

TEST(FenceCheckTextTest, TextThatFitsExactlyIsNotCut) {
  std::string body(4096 - 8 - 1, 'x');  // "```\n" + body + "\n```\n" is 4096 bytes
  std::string text = FenceCheckText(body, 4096);
  EXPECT_EQ(text.size(), 4096u);
  EXPECT_EQ(text.find(std::string(kCheckTextCutNote)), std::string::npos);
}

}  // namespace
}  // namespace datamcp::forge
