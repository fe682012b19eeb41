#include "gitops/repo/provider_policy.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "gitops/common/durable_file.h"
#include "tests/plan/temp_dir.h"

namespace datamcp::repo {
namespace {

using plan::testing::TempDir;
using plan::testing::WriteFile;

class ProviderPolicyTest : public ::testing::Test {
 protected:
  Status Check(const std::string& tf, const std::string& module_tf = "") {
    WriteFile(tmp_.Sub("envs/dev/main.tf"), tf);
    if (!module_tf.empty()) WriteFile(tmp_.Sub("modules/m/main.tf"), module_tf);
    return CheckTerraformSources(tmp_.path(), "envs/dev", PlanPolicy{});
  }
  TempDir tmp_;
};

TEST_F(ProviderPolicyTest, AllowsTheDefaultProvidersAndLocalModules) {
  EXPECT_TRUE(Check("resource \"terraform_data\" \"a\" {}\n"
                    "resource \"aws_s3_bucket\" \"b\" {}\n"
                    "data \"google_project\" \"p\" {}\n"
                    "module \"m\" {\n  source = \"../../modules/m\"\n}\n",
                    "resource \"terraform_data\" \"x\" {}\n")
                  .ok());
}

TEST_F(ProviderPolicyTest, RefusesExternalAndHttpNamingTheRule) {
  for (const char* tf : {"data \"external\" \"x\" {\n  program = [\"sh\"]\n}\n",
                         "data \"http\" \"x\" {\n  url = \"http://127.0.0.1/\"\n}\n",
                         "resource \"null_resource\" \"x\" {}\n"}) {
    Status s = Check(tf);
    ASSERT_FALSE(s.ok()) << tf;
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
    EXPECT_NE(s.message().find("plan.allowed_providers"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("envs/dev/main.tf line 1"), std::string::npos) << s.message();
  }
}

TEST_F(ProviderPolicyTest, FollowsLocalModulesAndRefusesRemoteSources) {
  Status inner =
      Check("module \"m\" {\n  source = \"../../modules/m\"\n}\n", "data \"external\" \"x\" {}\n");
  EXPECT_NE(inner.message().find("modules/m/main.tf"), std::string::npos) << inner.message();
  Status remote = Check("module \"m\" {\n  source = \"git::https://example.com/m.git\"\n}\n");
  EXPECT_EQ(remote.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(remote.message().find("plan.allowed_module_sources"), std::string::npos);
  PlanPolicy listed;
  listed.allowed_module_sources = {"git::https://example.com/m.git"};
  EXPECT_TRUE(CheckTerraformSources(tmp_.path(), "envs/dev", listed).ok());
}

TEST_F(ProviderPolicyTest, TheTemplateConfigListsItsAllowLists) {
  const char* src = std::getenv("DATAMCP_SOURCE_DIR");
  ASSERT_NE(src, nullptr) << "ctest sets DATAMCP_SOURCE_DIR";
  auto text = ReadWholeFile(std::string(src) + "/repo-template/datamcp.yaml");
  ASSERT_TRUE(text.ok());
  auto config = ParseRepoConfig(*text);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->plan.allowed_providers,
            (std::vector<std::string>{"terraform", "hashicorp/aws", "hashicorp/google",
                                      "hashicorp/tls"}));
  EXPECT_TRUE(config->plan.allowed_module_sources.empty());
}

}  // namespace
}  // namespace datamcp::repo
