#include "gitops/git/local_repository.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/git_fixture.h"

namespace datamcp::git {
namespace {

using test::GitFixture;
using test::Trim;

class LocalRepositoryTest : public ::testing::Test {
 protected:
  LocalRepository Open() {
    auto repo = LocalRepository::OpenBare(fx_.bare());
    EXPECT_TRUE(repo.ok()) << repo.status().ToString();
    return std::move(repo).value();
  }
  std::string Rev(const std::string& rev) { return Trim(fx_.BareOut("rev-parse " + rev)); }

  GitFixture fx_;
  Signature sig_{{"Forge", "forge@example.com"}, 1700000000};
};

TEST_F(LocalRepositoryTest, OpenBareNamesAMissingRepository) {
  auto repo = LocalRepository::OpenBare(fx_.root() + "/nothing-here.git");
  ASSERT_FALSE(repo.ok());
  EXPECT_NE(repo.status().message().find("nothing-here.git"), std::string::npos);
}

TEST_F(LocalRepositoryTest, UpdateRefMovesOnlyFromTheExpectedCommit) {
  LocalRepository repo = Open();
  std::string main = Rev("main");
  std::string other = fx_.CommitOnBranch("other", {{"o.txt", "o\n"}});
  EXPECT_FALSE(repo.ReadRef("refs/datamcp/test")->has_value());

  ASSERT_TRUE(repo.UpdateRef("refs/datamcp/test", main, "", "create").ok());
  EXPECT_EQ(repo.ReadRef("refs/datamcp/test")->value(), main);
  Status again = repo.UpdateRef("refs/datamcp/test", other, "", "create again");
  EXPECT_EQ(again.code(), StatusCode::kConflict) << again.ToString();
  Status stale = repo.UpdateRef("refs/datamcp/test", other, other, "from the wrong commit");
  EXPECT_EQ(stale.code(), StatusCode::kConflict) << stale.ToString();
  EXPECT_EQ(Rev("refs/datamcp/test"), main);

  ASSERT_TRUE(repo.UpdateRef("refs/datamcp/test", other, main, "move").ok());
  EXPECT_EQ(Rev("refs/datamcp/test"), other);
  Status bad = repo.UpdateRef("refs/datamcp/test", "not-an-id", other, "bad");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument) << bad.ToString();
}

TEST_F(LocalRepositoryTest, CommitChangesAndReadFilesInRoundTrip) {
  LocalRepository repo = Open();
  auto root = repo.CommitChanges("", {{"recs/1.json", "one\n"}}, "first\n", sig_);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  auto next = repo.CommitChanges(*root, {{"recs/2.json", "two\n"}}, "second\n", sig_);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(Rev(*next + "^"), *root);
  EXPECT_EQ(Trim(fx_.BareOut("log -1 --format=%an%n%ce%n%at%n%B " + *next)),
            "Forge\nforge@example.com\n1700000000\nsecond");

  auto files = repo.ReadFilesIn(*next, "recs");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(*files, (std::vector<std::pair<std::string, std::string>>{{"1.json", "one\n"},
                                                                      {"2.json", "two\n"}}));
  EXPECT_TRUE(repo.ReadFilesIn(*next, "elsewhere")->empty());
}

TEST_F(LocalRepositoryTest, MergeWritesTheTreeOrNamesTheConflicts) {
  std::string a = fx_.CommitOnBranch("a", {{"shared.txt", "from a\n"}, {"a.txt", "a\n"}});
  std::string b = fx_.CommitOnBranch("b", {{"shared.txt", "from b\n"}});
  std::string c = fx_.CommitOnBranch("c", {{"c.txt", "c\n"}});
  LocalRepository repo = Open();

  auto conflict = repo.Merge(a, b);
  ASSERT_TRUE(conflict.ok()) << conflict.status().ToString();
  EXPECT_EQ(conflict->conflicts, std::vector<std::string>{"shared.txt"});
  EXPECT_EQ(conflict->tree, "");

  auto clean = repo.Merge(a, c);
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  ASSERT_TRUE(clean->conflicts.empty());
  auto merge = repo.CommitTree(clean->tree, {a, c}, "merge c into a\n", sig_);
  ASSERT_TRUE(merge.ok()) << merge.status().ToString();
  EXPECT_EQ(Rev(*merge + "^1"), a);
  EXPECT_EQ(Rev(*merge + "^2"), c);
  EXPECT_EQ(fx_.BareOut("show " + *merge + ":c.txt"), "c\n");
  EXPECT_EQ(fx_.BareOut("show " + *merge + ":a.txt"), "a\n");
}

TEST_F(LocalRepositoryTest, ChangedPathsAreListedAsGitDiffListsThem) {
  // Names around '/' and '.' sort differently per directory than by full path.
  std::string base = fx_.CommitOnBranch("base", {{"a/x", "1\n"}, {"a.txt", "1\n"}});
  fx_.Git("rm -q README.md");
  fx_.Write("a/x", "2\n");
  fx_.Write("a-b", "new\n");
  fx_.Write("a0", "new\n");
  fx_.Write("a/y", "new\n");
  fx_.Git("add -A");
  fx_.Git("commit -q -m change");
  std::string head = Trim(fx_.GitOut("rev-parse HEAD"));
  fx_.Git("push -q origin HEAD:refs/heads/head");
  LocalRepository repo = Open();

  auto changed = repo.ChangedPaths(base, head);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  std::string listed;
  for (const auto& c : *changed) {
    listed += std::string(c.kind == ChangeKind::kAdded     ? "A"
                          : c.kind == ChangeKind::kDeleted ? "D"
                                                           : "M") +
              "\t" + c.path + "\n";
  }
  EXPECT_EQ(listed, fx_.BareOut("diff --name-status --no-renames " + base + " " + head));

  auto patch = repo.Patch(base, head);
  ASSERT_TRUE(patch.ok()) << patch.status().ToString();
  EXPECT_NE(patch->find("+++ b/a/y\n@@ -0,0 +1 @@\n+new\n"), std::string::npos) << *patch;
  EXPECT_NE(patch->find("--- a/README.md\n+++ /dev/null\n"), std::string::npos) << *patch;
  EXPECT_EQ(repo.MergeBase(base, head).value(), base);
}

}  // namespace
}  // namespace datamcp::git
