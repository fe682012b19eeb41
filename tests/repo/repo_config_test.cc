#include "gitops/repo/repo_config.h"

#include <gtest/gtest.h>

#include "gitops/common/repo_path.h"
#include "tests/repo/test_process.h"

namespace datamcp::repo {
namespace {

constexpr const char* kMinimal = R"(version: 1
allowed_roots: [infra/terraform/envs, helm/values, argocd/apps]
environments:
  - name: dev
    terraform_root: infra/terraform/envs/dev
)";

// The config with `line` appended under the first environment or at top level.
std::string With(const std::string& extra) { return std::string(kMinimal) + extra; }

std::string ErrorOf(const std::string& yaml) {
  Result<RepoConfig> r = ParseRepoConfig(yaml);
  EXPECT_FALSE(r.ok()) << yaml;
  return r.ok() ? "" : r.status().message();
}

TEST(RepoConfigTest, ParsesTheTemplateConfig) {
  std::string text = testing::ReadFile(testing::SourceDir() + "/repo-template/datamcp.yaml");
  Result<RepoConfig> config = ParseRepoConfig(text);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->environments.size(), 5u);
  const Environment& prod = *config->FindEnvironment("prod").value();
  EXPECT_EQ(prod.terraform_root, "infra/terraform/envs/prod");
  EXPECT_EQ(prod.required_scope, "env:prod");
  EXPECT_EQ(prod.approvals, 2);
  EXPECT_EQ(prod.argocd.app, "apps-prod");
  EXPECT_EQ(prod.argocd.destination_namespace, "data-prod");
  EXPECT_EQ(config->apply.min_approvals, 1);
  EXPECT_TRUE(config->apply.require_ci_green);
  EXPECT_EQ(config->unreviewed_push, UnreviewedPushPolicy::kAlert);
  EXPECT_FALSE(config->plan_forks);
  EXPECT_EQ(config->ModulePath("gcs"), "infra/terraform/modules/gcs");
  EXPECT_EQ(config->HelmValuesPath("dev", "api"), "helm/values/dev/api.yaml");
  EXPECT_EQ(config->ArgoAppPath("dev", "api"), "argocd/apps/dev/api.yaml");
  EXPECT_EQ(config->repo_url, "https://github.com/acme/gitops.git");
}

TEST(RepoConfigTest, AppliesDefaults) {
  Result<RepoConfig> config = ParseRepoConfig(kMinimal);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const Environment& dev = config->environments[0];
  EXPECT_EQ(dev.required_scope, "env:dev");
  EXPECT_EQ(dev.approvals, 1);
  EXPECT_EQ(dev.argocd.namespace_, "argocd");
  EXPECT_EQ(dev.argocd.destination_namespace, "dev");
  EXPECT_EQ(config->module_library, "infra/terraform/modules");
  EXPECT_EQ(config->AllowedRoots().size(), 3u);
}

TEST(RepoConfigTest, EnvironmentApprovalsDefaultToApplyMinimum) {
  Result<RepoConfig> config = ParseRepoConfig(With("apply:\n  min_approvals: 3\n"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->environments[0].approvals, 3);
}

TEST(RepoConfigTest, DestroyApprovalsDefaultToOneMoreThanApprovals) {
  Result<RepoConfig> config = ParseRepoConfig(With("    approvals: 2\n"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->environments[0].destroy_approvals, 3);
  config = ParseRepoConfig(With("    approvals: 2\n    destroy_approvals: 2\n"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->environments[0].destroy_approvals, 2);
  EXPECT_EQ(ErrorOf(With("    approvals: 2\n    destroy_approvals: 1\n")),
            "datamcp.yaml: environments[0].destroy_approvals: 1 is less than approvals (2): a "
            "plan that deletes or replaces resources needs at least as many");
}

TEST(RepoConfigTest, NamesTheMissingEnvironmentKey) {
  std::string yaml = With(R"(  - name: prod
    terraform_root: infra/terraform/envs/prod
  - terraform_root: infra/terraform/envs/x
)");
  EXPECT_EQ(ErrorOf(yaml), "datamcp.yaml: environments[2].name: missing");
}

TEST(RepoConfigTest, RejectsEachBadValueNamingTheKey) {
  EXPECT_EQ(ErrorOf("allowed_roots: [a]\nenvironments: []\n"), "datamcp.yaml: version: missing");
  EXPECT_EQ(ErrorOf(With("plan_forks: maybe\n")),
            "datamcp.yaml: plan_forks: must be true or false, got 'maybe'");
  EXPECT_EQ(ErrorOf(With("apply:\n  min_approvals: two\n")),
            "datamcp.yaml: apply.min_approvals: must be an integer from 0 to 100, got 'two'");
  EXPECT_EQ(ErrorOf(With("unreviewed_push: ignore\n")),
            "datamcp.yaml: unreviewed_push: must be 'alert' or 'apply', got 'ignore'");
  EXPECT_EQ(ErrorOf(With("paths:\n  helm_values: helm/values/{env}.yaml\n")),
            "datamcp.yaml: paths.helm_values: 'helm/values/{env}.yaml' must contain {release}");
  EXPECT_EQ(ErrorOf(With("apply:\n  approvals: 1\n")),
            "datamcp.yaml: apply.approvals: unknown key; known keys here: min_approvals, "
            "require_ci_green");
  EXPECT_EQ(ErrorOf(std::string(kMinimal).replace(0, 10, "version: 2")),
            "datamcp.yaml: version: must be an integer from 1 to 1, got '2'");
}

TEST(RepoConfigTest, RejectsUnsafeOrOutOfRootPaths) {
  EXPECT_EQ(ErrorOf("version: 1\nallowed_roots: [../etc]\nenvironments: []\n"),
            "datamcp.yaml: allowed_roots[0]: '../etc' is not a valid repository path: '.' and "
            "'..' segments are not allowed");
  EXPECT_EQ(ErrorOf("version: 1\nallowed_roots: [.git/hooks]\nenvironments: []\n"),
            "datamcp.yaml: allowed_roots[0]: '.git/hooks' is not a valid repository path: "
            "'.git' is not writable ('.git' names it)");
  std::string yaml = R"(version: 1
allowed_roots: [infra/terraform/envs, helm/values, argocd/apps]
environments:
  - name: dev
    terraform_root: infra/terraform/envs2/dev
)";
  EXPECT_EQ(ErrorOf(yaml),
            "datamcp.yaml: environments[0].terraform_root: path 'infra/terraform/envs2/dev' is "
            "outside the allowed roots of datamcp.yaml (infra/terraform/envs, helm/values, "
            "argocd/apps)");
}

TEST(RepoConfigTest, RejectsDuplicateAndBadEnvironmentNames) {
  EXPECT_EQ(ErrorOf(With("  - name: dev\n    terraform_root: infra/terraform/envs/dev2\n")),
            "datamcp.yaml: environments[1].name: 'dev' is used by an earlier environment");
  EXPECT_EQ(ErrorOf(With("  - name: Prod\n    terraform_root: infra/terraform/envs/p\n")),
            "datamcp.yaml: environments[1].name: 'Prod' must be lowercase letters, digits and "
            "'-', starting with a letter");
  EXPECT_EQ(ErrorOf(With("  - name: x\n    terraform_root: infra/terraform/envs/x\n    argocd: "
                         "{appp: a}\n")),
            "datamcp.yaml: environments[1].argocd.appp: unknown key; known keys here: app, "
            "namespace, project, server, destination_namespace");
}

TEST(RepoConfigTest, RejectsNonMapDocumentsAndGarbage) {
  EXPECT_EQ(ErrorOf("- a\n- b\n"), "datamcp.yaml: the document: must be a map, got a list");
  EXPECT_EQ(ErrorOf("# only a comment\n"), "datamcp.yaml: the document is empty");
  EXPECT_NE(ErrorOf("version: [1\n").find("datamcp.yaml: invalid YAML: line"), std::string::npos);
}

TEST(RepoConfigTest, FindEnvironmentListsKnownOnes) {
  Result<RepoConfig> config =
      ParseRepoConfig(With("  - name: prod\n    terraform_root: infra/terraform/envs/prod\n"));
  ASSERT_TRUE(config.ok());
  Result<const Environment*> env = config->FindEnvironment("staging");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.status().message(),
            "environment 'staging' is not defined in datamcp.yaml; known: dev, prod");
  EXPECT_EQ(config->EnvironmentForPath("infra/terraform/envs/prod/x.tf")->name, "prod");
  EXPECT_EQ(config->EnvironmentForPath("infra/terraform/envs/prod2/x.tf"), nullptr);
}

TEST(RepoConfigTest, CheckWritePathEnforcesRoots) {
  Result<RepoConfig> config = ParseRepoConfig(kMinimal);
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->CheckWritePath("helm/values/dev/api.yaml").ok());
  EXPECT_EQ(config->CheckWritePath("helm/valuesx/a.yaml").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(config->CheckWritePath("datamcp.yaml").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(config->CheckWritePath("helm/values/../../datamcp.yaml").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(config->CheckWritePath("/etc/passwd").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config->CheckWritePath("helm/values/.GIT/config").code(), StatusCode::kInvalidArgument);
}

TEST(RepoPathTest, ComputesRelativePathsAndRoots) {
  EXPECT_EQ(RelativePath("infra/terraform/envs/dev", "infra/terraform/modules/gcs"),
            "../../modules/gcs");
  EXPECT_EQ(RelativePath("helm/charts/app", "helm/values/dev/app.yaml"),
            "../../values/dev/app.yaml");
  EXPECT_EQ(RelativePath("a/b", "a/b"), ".");
  EXPECT_TRUE(IsUnderRoot("helm/values/", "helm/values"));
  EXPECT_FALSE(IsUnderRoot("helm/values2/x", "helm/values"));
  EXPECT_EQ(
      ValidateRepoPath("a//b", "p").message(),
      "p: 'a//b' is not a valid repository path: it has an empty segment ('//' or a trailing '/')");
  EXPECT_EQ(ValidateRepoPath("a\\b", "p").message(),
            "p: 'a\\b' is not a valid repository path: use '/' as the separator, not '\\'");
}

}  // namespace
}  // namespace datamcp::repo
