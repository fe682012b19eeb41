#include "gitops/git/path_safety.h"

#include <gtest/gtest.h>

namespace datamcp::git {
namespace {

const std::vector<std::string> kRoots = {"envs/dev", "modules"};

void ExpectRejected(const std::string& path, const std::string& why) {
  Status s = ValidateRepoPath(path, kRoots);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "path accepted: " << path;
  EXPECT_NE(s.message().find(why), std::string::npos) << s.message();
}

TEST(PathSafetyTest, AcceptsPathsUnderAllowedRoots) {
  EXPECT_TRUE(ValidateRepoPath("envs/dev/main.tf", kRoots).ok());
  EXPECT_TRUE(ValidateRepoPath("envs/dev", kRoots).ok());
  EXPECT_TRUE(ValidateRepoPath("modules/vpc/.terraform.lock.hcl", kRoots).ok());
  EXPECT_TRUE(ValidateRepoPath("anything/at/all.yaml", {}).ok());
  EXPECT_TRUE(ValidateRepoPath("a/.gitignore", {}).ok());
  EXPECT_TRUE(ValidateRepoPath("a/..b/c", {}).ok());
}

TEST(PathSafetyTest, RejectsAbsolutePaths) { ExpectRejected("/etc/passwd", "absolute"); }

TEST(PathSafetyTest, RejectsDotDotComponents) {
  ExpectRejected("envs/dev/../prod/main.tf", "'..'");
  ExpectRejected("..", "'..'");
  ExpectRejected("envs/dev/./x", "'.'");
}

TEST(PathSafetyTest, RejectsGitComponentsInAnyCase) {
  ExpectRejected(".git/config", ".git");
  ExpectRejected("envs/dev/.git/hooks/pre-commit", ".git");
  ExpectRejected("envs/dev/.GIT/config", ".git");
  ExpectRejected("envs/dev/.git./config", ".git");
  ExpectRejected("envs/dev/GIT~1/config", ".git");
}

TEST(PathSafetyTest, RejectsNulAndControlCharacters) {
  ExpectRejected(std::string("envs/dev/a\0b", 12), "control character");
  ExpectRejected("envs/dev/a\nb", "control character");
  ExpectRejected("envs/dev/a\x7f", "control character");
  Status s = ValidateRepoPath(std::string("envs/dev/a\0b", 12), kRoots);
  EXPECT_NE(s.message().find("a\\x00b"), std::string::npos) << s.message();
}

TEST(PathSafetyTest, RejectsEmptyComponentsAndBackslashes) {
  ExpectRejected("", "empty");
  ExpectRejected("envs//dev/x", "empty component");
  ExpectRejected("envs/dev/", "empty component");
  ExpectRejected("envs\\dev\\x", "backslash");
}

TEST(PathSafetyTest, RejectsPathsOutsideRootsNamingThePath) {
  Status s = ValidateRepoPath("envs/prod/main.tf", kRoots);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'envs/prod/main.tf'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("outside the allowed roots"), std::string::npos) << s.message();
  ExpectRejected("envs/development/x", "outside");  // a prefix is not a root
}

TEST(PathSafetyTest, RejectsOverlongPaths) { ExpectRejected(std::string(5000, 'a'), "4096"); }

}  // namespace
}  // namespace datamcp::git
