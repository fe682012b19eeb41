// Checks repo-template/ itself with the real tools: it is what users start from.
#include <gtest/gtest.h>

#include <filesystem>

#include "gitops/argocd/app/application.h"
#include "gitops/common/safe_yaml.h"
#include "gitops/repo/repo_config.h"
#include "tests/repo/test_process.h"

namespace datamcp::repo {
namespace {

namespace fs = std::filesystem;

std::string Template() { return testing::SourceDir() + "/repo-template"; }

std::vector<std::string> TerraformEnv(const std::string& dir) {
  testing::WriteFile(dir + "/empty.tfrc", "");
  return {"PATH=/usr/bin:/bin", "HOME=" + dir, "TF_CLI_CONFIG_FILE=" + dir + "/empty.tfrc",
          "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"};
}

TEST(RepoTemplateTest, LocalEnvironmentInitsPlansAndAppliesOffline) {
  testing::TempDir tmp;
  fs::copy(Template() + "/infra", tmp.path() + "/infra", fs::copy_options::recursive);
  std::string root = tmp.path() + "/infra/terraform/envs/local";
  auto env = TerraformEnv(tmp.path());
  const std::string tf = "/usr/local/bin/terraform";
  auto init = testing::RunProcess({tf, "init", "-input=false", "-no-color"}, root, env);
  ASSERT_EQ(init.exit_code, 0) << init.output;
  auto plan = testing::RunProcess(
      {tf, "plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=plan.bin"}, root, env);
  EXPECT_EQ(plan.exit_code, 2) << plan.output;  // 2: succeeded with changes
  EXPECT_NE(plan.output.find("module.events.terraform_data.dataset will be created"),
            std::string::npos)
      << plan.output;
  auto apply =
      testing::RunProcess({tf, "apply", "-input=false", "-no-color", "plan.bin"}, root, env);
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  auto again = testing::RunProcess({tf, "plan", "-input=false", "-no-color", "-detailed-exitcode"},
                                   root, env);
  EXPECT_EQ(again.exit_code, 0) << again.output;  // 0: nothing left to change
}

TEST(RepoTemplateTest, TerraformIsFormatted) {
  testing::TempDir tmp;
  auto fmt = testing::RunProcess(
      {"/usr/local/bin/terraform", "fmt", "-check", "-recursive", "-diff", Template() + "/infra"},
      tmp.path(), TerraformEnv(tmp.path()));
  EXPECT_EQ(fmt.exit_code, 0) << fmt.output;
}

TEST(RepoTemplateTest, EveryModuleHasItsFilesAndPinsProviders) {
  int modules = 0;
  for (const auto& m : fs::directory_iterator(Template() + "/infra/terraform/modules")) {
    ++modules;
    for (const char* f : {"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"}) {
      EXPECT_TRUE(fs::is_regular_file(m.path() / f)) << m.path() << "/" << f;
    }
    std::string versions = testing::ReadFile((m.path() / "versions.tf").string());
    EXPECT_NE(versions.find("required_version"), std::string::npos) << m.path();
    if (m.path().filename() != "local-data") {
      EXPECT_NE(versions.find("required_providers"), std::string::npos) << m.path();
      EXPECT_NE(versions.find("version = \""), std::string::npos) << m.path();
    }
  }
  EXPECT_EQ(modules, 10);
}

TEST(RepoTemplateTest, ConfigMatchesTheTreeAndManifestsValidate) {
  Result<RepoConfig> config = ParseRepoConfig(testing::ReadFile(Template() + "/datamcp.yaml"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  for (const Environment& env : config->environments) {
    EXPECT_TRUE(fs::is_directory(Template() + "/" + env.terraform_root)) << env.terraform_root;
    if (env.argocd.app.empty()) continue;  // Terraform only (aws-dev, aws-prod)
    std::string app = Template() + "/" + config->ArgoAppPath(env.name, "example-data-app");
    EXPECT_TRUE(argocd::ValidateApplication(testing::ReadFile(app)).ok()) << app;
    std::string values = Template() + "/" + config->HelmValuesPath(env.name, "example-data-app");
    EXPECT_TRUE(fs::is_regular_file(values)) << values;
    std::string bootstrap = Template() + "/argocd/bootstrap/" + env.argocd.app + ".yaml";
    EXPECT_TRUE(argocd::ValidateApplication(testing::ReadFile(bootstrap)).ok()) << bootstrap;
  }
}

TEST(RepoTemplateTest, AwsEnvironmentsUseTheVpcModuleAndS3StateWithLockFile) {
  for (const char* env : {"aws-dev", "aws-prod"}) {
    std::string root = Template() + "/infra/terraform/envs/" + env;
    std::string versions = testing::ReadFile(root + "/versions.tf");
    EXPECT_NE(versions.find("backend \"s3\""), std::string::npos) << env;
    EXPECT_NE(versions.find("use_lockfile = true"), std::string::npos) << env;
    EXPECT_EQ(versions.find("dynamodb_table"), std::string::npos) << env;
    std::string main = testing::ReadFile(root + "/main.tf");
    EXPECT_NE(main.find("source = \"../../modules/aws-vpc\""), std::string::npos) << env;
    EXPECT_NE(main.find("module.vpc.private_subnet_ids"), std::string::npos) << env;
  }
}

TEST(RepoTemplateTest, PullRequestWorkflowChecksFormattingAndLint) {
  std::string text = testing::ReadFile(Template() + "/.github/workflows/pr-checks.yml");
  Result<YAML::Node> workflow = LoadSingleYamlDocument(text, "pr-checks.yml");
  ASSERT_TRUE(workflow.ok()) << workflow.status().ToString();
  EXPECT_TRUE((*workflow)["on"]["pull_request"].IsDefined());
  EXPECT_NE(text.find("terraform fmt -check -recursive"), std::string::npos);
  EXPECT_NE(text.find("helm lint --strict"), std::string::npos);
}

TEST(RepoTemplateTest, StaysSmall) {
  std::uintmax_t total = 0;
  for (const auto& f : fs::recursive_directory_iterator(Template())) {
    if (f.is_regular_file()) total += f.file_size();
  }
  EXPECT_LT(total, 200u * 1024u);
}

}  // namespace
}  // namespace datamcp::repo
