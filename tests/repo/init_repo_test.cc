#include "gitops/repo/init_repo.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/repo/test_process.h"

namespace datamcp::repo {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> GitEnv(const std::string& home) {
  return {"PATH=/usr/bin:/bin", "HOME=" + home, "GIT_CONFIG_NOSYSTEM=1"};
}

std::string Git(const std::string& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/git", "-C", dir});
  testing::ProcessOutput out = testing::RunProcess(args, dir, GitEnv(dir));
  EXPECT_EQ(out.exit_code, 0) << out.output;
  return out.output;
}

std::vector<std::string> Siblings(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(InitRepoTest, CopiesTheTemplateIntoOneBotCommitOnMain) {
  testing::TempDir tmp;
  std::string dest = tmp.path() + "/gitops";
  ManualClock clock;
  InitRepoOptions options;
  options.clock = &clock;
  Status s = InitRepo(testing::SourceDir() + "/repo-template", dest, options);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Git(dest, {"symbolic-ref", "HEAD"}), "refs/heads/main\n");
  EXPECT_EQ(Git(dest, {"log", "--format=%an <%ae>|%cn|%at|%s"}),
            "DataMCP <datamcp@localhost>|DataMCP|1700000000|chore: bootstrap GitOps repository "
            "from the DataMCP template\n");
  std::string files = Git(dest, {"ls-tree", "-r", "--name-only", "HEAD"});
  for (const char* f :
       {"datamcp.yaml", "README.md", ".github/workflows/pr-checks.yml",
        "infra/terraform/envs/local/main.tf", "helm/charts/example-data-app/values.schema.json",
        "argocd/apps/project.yaml"}) {
    EXPECT_NE(files.find(std::string(f) + "\n"), std::string::npos) << f;
  }
  EXPECT_EQ(Git(dest, {"status", "--porcelain"}), "");  // everything copied was committed
  EXPECT_EQ(Siblings(tmp.path()), std::vector<std::string>{"gitops"});
}

TEST(InitRepoTest, AcceptsAnEmptyDestinationDirectory) {
  testing::TempDir tmp;
  fs::create_directory(tmp.path() + "/empty");
  ASSERT_TRUE(InitRepo(testing::SourceDir() + "/repo-template", tmp.path() + "/empty").ok());
  EXPECT_TRUE(fs::is_regular_file(tmp.path() + "/empty/datamcp.yaml"));
}

TEST(InitRepoTest, RefusesANonEmptyDestinationAndTouchesNothing) {
  testing::TempDir tmp;
  testing::WriteFile(tmp.path() + "/busy/notes.txt", "mine");
  Status s = InitRepo(testing::SourceDir() + "/repo-template", tmp.path() + "/busy");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(), "init-repo: '" + tmp.path() +
                             "/busy' exists and is not an empty directory; choose a new path");
  EXPECT_EQ(Siblings(tmp.path() + "/busy"), std::vector<std::string>{"notes.txt"});
  EXPECT_EQ(Siblings(tmp.path()), std::vector<std::string>{"busy"});
}

TEST(InitRepoTest, FailureLeavesNoPartialState) {
  testing::TempDir tmp;
  std::string tmpl = tmp.path() + "/template";
  testing::WriteFile(tmpl + "/a/file.txt", "x");
  testing::WriteFile(tmpl + "/z/file.txt", "x");
  fs::create_symlink("/etc/passwd", tmpl + "/z/link");
  Status s = InitRepo(tmpl, tmp.path() + "/out");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("is a symlink"), std::string::npos) << s.message();
  EXPECT_EQ(Siblings(tmp.path()), std::vector<std::string>{"template"});
}

TEST(InitRepoTest, SkipsLocalTerraformStateInTheTemplate) {
  testing::TempDir tmp;
  std::string tmpl = tmp.path() + "/template";
  testing::WriteFile(tmpl + "/env/main.tf", "# ok\n");
  testing::WriteFile(tmpl + "/env/terraform.tfstate", "{}");
  testing::WriteFile(tmpl + "/env/.terraform/modules/modules.json", "{}");
  ASSERT_TRUE(InitRepo(tmpl, tmp.path() + "/out").ok());
  EXPECT_EQ(Siblings(tmp.path() + "/out/env"), std::vector<std::string>{"main.tf"});
}

TEST(InitRepoTest, MissingTemplateOrParentIsNotFound) {
  testing::TempDir tmp;
  EXPECT_EQ(InitRepo(tmp.path() + "/nope", tmp.path() + "/out").code(), StatusCode::kNotFound);
  EXPECT_EQ(InitRepo(testing::SourceDir() + "/repo-template", tmp.path() + "/no/such/out").code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace datamcp::repo
