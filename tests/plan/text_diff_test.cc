#include "gitops/plan/text_diff.h"

#include <gtest/gtest.h>

namespace datamcp::plan {
namespace {

std::string Lines(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += "l" + std::to_string(i) + "\n";
  return s;
}

TEST(TextDiffTest, EqualTextsHaveNoDiff) {
  EXPECT_EQ(UnifiedDiff("a\nb\n", "a\nb\n", "x", "y"), "");
}

TEST(TextDiffTest, OneChangedLineWithContext) {
  std::string before = Lines(1, 10);
  std::string after = before;
  after.replace(after.find("l5\n"), 3, "five\n");
  EXPECT_EQ(UnifiedDiff(before, after, "base/x", "head/x"),
            "--- base/x\n+++ head/x\n@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+five\n l6\n l7\n l8\n");
}

TEST(TextDiffTest, AddedAndRemovedWholeTexts) {
  EXPECT_EQ(UnifiedDiff("", "a\nb\n", "/dev/null", "head/x"),
            "--- /dev/null\n+++ head/x\n@@ -0,0 +1,2 @@\n+a\n+b\n");
  EXPECT_EQ(UnifiedDiff("a\n", "", "base/x", "/dev/null"),
            "--- base/x\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n");
}

TEST(TextDiffTest, DistantChangesMakeSeparateHunks) {
  std::string before = Lines(1, 30);
  std::string after = "l0\n" + before + "l31\n";
  EXPECT_EQ(UnifiedDiff(before, after, "a", "b"),
            "--- a\n+++ b\n@@ -1,3 +1,4 @@\n+l0\n l1\n l2\n l3\n"
            "@@ -28,3 +29,4 @@\n l28\n l29\n l30\n+l31\n");
}

TEST(TextDiffTest, HugeRewritesFallBackToRemoveAllAddAll) {
  std::string before, after;
  for (int i = 0; i < 3000; ++i) {
    before += "a" + std::to_string(i) + "\n";
    after += "b" + std::to_string(i) + "\n";
  }
  std::string diff = UnifiedDiff(before, after, "a", "b");
  EXPECT_NE(diff.find("@@ -1,3000 +1,3000 @@\n-a0\n"), std::string::npos);
  EXPECT_NE(diff.find("-a2999\n+b0\n"), std::string::npos);
}

}  // namespace
}  // namespace datamcp::plan
