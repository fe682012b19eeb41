#include "gitops/common/repo_path.h"

#include <gtest/gtest.h>

namespace datamcp::repo {
namespace {

const std::vector<std::string> kRoots = {"envs/dev", "modules"};

void ExpectRejected(const std::string& path, const std::string& why) {
  Status s = ValidateChangePath(path, kRoots);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "path accepted: " << path;
  EXPECT_NE(s.message().find(why), std::string::npos) << s.message();
}

TEST(ChangePathTest, AcceptsPathsUnderAllowedRoots) {
  EXPECT_TRUE(ValidateChangePath("envs/dev/main.tf", kRoots).ok());
  EXPECT_TRUE(ValidateChangePath("envs/dev", kRoots).ok());
  EXPECT_TRUE(ValidateChangePath("modules/vpc/.terraform.lock.hcl", kRoots).ok());
  EXPECT_TRUE(ValidateChangePath("anything/at/all.yaml", {}).ok());
  EXPECT_TRUE(ValidateChangePath("a/.gitignore", {}).ok());
  EXPECT_TRUE(ValidateChangePath("a/..b/c", {}).ok());
}

TEST(ChangePathTest, RejectsAbsolutePaths) { ExpectRejected("/etc/passwd", "absolute"); }

TEST(ChangePathTest, RejectsDotDotComponents) {
  ExpectRejected("envs/dev/../prod/main.tf", "'..'");
  ExpectRejected("..", "'..'");
  ExpectRejected("envs/dev/./x", "'.'");
}

TEST(ChangePathTest, RejectsGitComponentsInAnyCase) {
  ExpectRejected(".git/config", ".git");
  ExpectRejected("envs/dev/.git/hooks/pre-commit", ".git");
  ExpectRejected("envs/dev/.GIT/config", ".git");
  ExpectRejected("envs/dev/.git./config", ".git");
  ExpectRejected("envs/dev/GIT~1/config", ".git");
}

TEST(ChangePathTest, RejectsNulAndControlCharacters) {
  ExpectRejected(std::string("envs/dev/a\0b", 12), "control character");
  ExpectRejected("envs/dev/a\nb", "control character");
  ExpectRejected("envs/dev/a\x7f", "control character");
  Status s = ValidateChangePath(std::string("envs/dev/a\0b", 12), kRoots);
  EXPECT_NE(s.message().find("a\\x00b"), std::string::npos) << s.message();
}

TEST(ChangePathTest, RejectsEmptyComponentsAndBackslashes) {
  ExpectRejected("", "empty");
  ExpectRejected("envs//dev/x", "empty segment");
  ExpectRejected("envs/dev/", "empty segment");
  ExpectRejected("envs\\dev\\x", "separator");
}

TEST(ChangePathTest, RejectsPathsOutsideRootsNamingThePath) {
  Status s = ValidateChangePath("envs/prod/main.tf", kRoots);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'envs/prod/main.tf'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("outside the allowed roots"), std::string::npos) << s.message();
  ExpectRejected("envs/development/x", "outside");  // a prefix is not a root
}

// Finding 8 of issue #11: the two validators disagreed (".git:x" passed one, ".git  " the
// other). Every name git's verify_path refuses with core.protectNTFS/protectHFS, through
// both entry points.
TEST(RepoPathTest, RefusesEveryAliasOfTheGitDirectory) {
  const std::string kZwnj = "\xE2\x80\x8C", kZwj = "\xE2\x80\x8D", kLrm = "\xE2\x80\x8E",
                    kRlm = "\xE2\x80\x8F", kLre = "\xE2\x80\xAA", kRlo = "\xE2\x80\xAE",
                    kIss = "\xE2\x81\xAA", kNads = "\xE2\x81\xAF", kBom = "\xEF\xBB\xBF";
  const std::vector<std::string> aliases = {
      ".git",
      ".GIT",
      ".Git",
      ".gIT",
      ".git.",
      ".git..",
      ".git ",
      ".git  ",
      ".git . .",
      ".GIT. ",  // Windows drops these
      "git~1",
      "GIT~1",
      "Git~1",
      "git~1.",
      "GIT~1 ",  // NTFS 8.3 short name
      ".git:fdv",
      ".git:fdv/sf",
      ".git::$INDEX_ALLOCATION",
      ".git.:x",  // alternate streams
      ".git :$DATA",
      "git~1:stream",
      "." + kZwnj + "git",
      ".g" + kZwj + "it",
      ".gi" + kLrm + "t",
      ".git" + kRlm,  // HFS+
      kLre + ".git",
      ".g" + kRlo + "IT",
      ".git" + kIss,
      kNads + ".git",
      kBom + ".GIT",
      "." + kZwnj + "G" + kBom + "it" + kZwj,
  };
  for (const std::string& alias : aliases) {
    EXPECT_TRUE(IsGitDirAlias(alias)) << alias;
    for (const std::string& path : {alias, alias + "/config", "envs/dev/" + alias + "/hooks/x"}) {
      Status change = ValidateChangePath(path, {});
      EXPECT_EQ(change.code(), StatusCode::kInvalidArgument) << "accepted: " << path;
      EXPECT_NE(change.message().find("'.git' is not writable"), std::string::npos)
          << change.message();
      Status config = ValidateRepoPath(path, "p");
      EXPECT_EQ(config.code(), StatusCode::kInvalidArgument) << "accepted: " << path;
      EXPECT_EQ(change.ok(), config.ok()) << path;  // one validator, one answer
    }
  }
}

TEST(RepoPathTest, AcceptsNamesThatOnlyLookLikeGit) {
  for (std::string_view name :
       {".gitignore", ".gitmodules", ".git-blame-ignore-revs", "git", "a.git", ".gitx", "git~2",
        "git~10", "gi~1", ".git~1", "..git", ".g it", "git~1x", ".git.x", ".git x"}) {
    EXPECT_FALSE(IsGitDirAlias(name)) << name;
    EXPECT_TRUE(ValidateChangePath("envs/" + std::string(name), {}).ok()) << name;
    EXPECT_TRUE(ValidateRepoPath("envs/" + std::string(name), "p").ok()) << name;
  }
}

TEST(ChangePathTest, RejectsOverlongPaths) { ExpectRejected(std::string(5000, 'a'), "4096"); }

}  // namespace
}  // namespace datamcp::repo
