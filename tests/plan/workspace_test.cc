#include "gitops/plan/workspace.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/plan/temp_dir.h"

namespace datamcp::plan {
namespace {

TEST(WorkspaceTest, CheckRelativePathAcceptsOnlyNormalizedRelativePaths) {
  EXPECT_TRUE(CheckRelativePath("envs/prod", "project").ok());
  EXPECT_TRUE(CheckRelativePath("a", "project").ok());
  for (const char* bad : {"", "/etc", "a/../b", "..", "./a", "a//b", "a/", ".git/x", "a/.git"}) {
    Status s = CheckRelativePath(bad, "project");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("project"), std::string::npos) << bad;
  }
}

TEST(WorkspaceTest, CopyTreeCopiesSymlinksAsLinks) {
  testing::TempDir tmp;
  testing::WriteFile(tmp.Sub("src/a/b.txt"), "hello");
  std::filesystem::create_symlink("/etc/passwd", tmp.Sub("src/a/link"));
  ASSERT_TRUE(CopyTree(tmp.Sub("src"), tmp.Sub("dst/copy")).ok());
  EXPECT_EQ(testing::ReadFile(tmp.Sub("dst/copy/a/b.txt")), "hello");
  EXPECT_TRUE(std::filesystem::is_symlink(tmp.Sub("dst/copy/a/link")));
  EXPECT_EQ(CopyTree(tmp.Sub("src"), tmp.Sub("dst/copy")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(CopyTree(tmp.Sub("nope"), tmp.Sub("dst/x")).code(), StatusCode::kNotFound);
}

TEST(WorkspaceTest, TailKeepsTheEndOfLongOutput) {
  EXPECT_EQ(Tail("short\n\n"), "short");
  EXPECT_EQ(Tail("0123456789", 4), "...\n6789");
}

}  // namespace
}  // namespace datamcp::plan
