#include "gitops/proposal/projects.h"

#include <gtest/gtest.h>

#include "gitops/proposal/change_requests.h"

namespace datamcp::proposal {
namespace {

repo::RepoConfig Config() {
  auto c = repo::ParseRepoConfig(R"(version: 1
repo_url: https://example.com/gitops.git
allowed_roots: [infra/terraform/envs, helm/values, helm/charts, argocd/apps]
environments:
  - name: dev
    terraform_root: infra/terraform/envs/dev
  - name: prod
    terraform_root: infra/terraform/envs/prod
)");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

TEST(MatchPatternTest, FillsPlaceholdersWithinOneSegment) {
  std::map<std::string, std::string> v;
  ASSERT_TRUE(MatchPattern("helm/values/{env}/{release}.yaml", "helm/values/dev/api.yaml", &v));
  EXPECT_EQ(v["env"], "dev");
  EXPECT_EQ(v["release"], "api");
  EXPECT_FALSE(MatchPattern("helm/values/{env}/{release}.yaml", "helm/values/dev/x/api.yaml", &v));
  EXPECT_FALSE(MatchPattern("helm/values/{env}/{release}.yaml", "helm/values/dev/api.yml", &v));
  EXPECT_FALSE(MatchPattern("argocd/apps/{env}/{app}.yaml", "argocd/apps//x.yaml", &v));
}

TEST(AffectedProjectsTest, MapsPathsToTerraformRootsAndApplications) {
  auto projects =
      AffectedProjects(Config(), {"infra/terraform/envs/dev/a.tf", "infra/terraform/envs/dev/b.tf",
                                  "helm/values/prod/api.yaml", "argocd/apps/dev/web.yaml",
                                  "infra/terraform/modules/gcs/main.tf", "README.md"});
  ASSERT_EQ(projects.size(), 3u);
  EXPECT_EQ(projects[0].path, "argocd/apps/dev/web.yaml");
  EXPECT_EQ(projects[0].kind, ProjectKind::kArgoApp);
  EXPECT_EQ(projects[1].path, "argocd/apps/prod/api.yaml");  // the release's Application
  EXPECT_EQ(projects[1].env, "prod");
  EXPECT_EQ(projects[2].path, "infra/terraform/envs/dev");
  EXPECT_EQ(projects[2].kind, ProjectKind::kTerraform);
}

TEST(AffectedProjectsTest, PathsUnderADependentsDirectoryPlanItsProject) {
  Dependents deps = {
      {"infra/terraform/modules/gcs", {ProjectKind::kTerraform, "infra/terraform/envs/dev", "dev"}},
      {"infra/terraform/modules/gcs",
       {ProjectKind::kTerraform, "infra/terraform/envs/prod", "prod"}},
      {"helm/charts/web", {ProjectKind::kArgoApp, "argocd/apps/dev/web.yaml", "dev"}}};
  auto projects = AffectedProjects(
      Config(), {"infra/terraform/modules/gcs/main.tf", "helm/charts/web/templates/a.yaml"}, deps);
  ASSERT_EQ(projects.size(), 3u);
  EXPECT_EQ(projects[0].path, "argocd/apps/dev/web.yaml");
  EXPECT_EQ(projects[1].path, "infra/terraform/envs/dev");
  EXPECT_EQ(projects[2].path, "infra/terraform/envs/prod");
  EXPECT_TRUE(AffectedProjects(
                  Config(), {"infra/terraform/modules/gcs2/main.tf", "helm/charts/webapp/x"}, deps)
                  .empty());
  EXPECT_FALSE(PlansDirectly(Config(), "infra/terraform/modules/gcs/main.tf"));
  EXPECT_TRUE(PlansDirectly(Config(), "infra/terraform/envs/dev/main.tf"));
  EXPECT_TRUE(PlansDirectly(Config(), "helm/values/dev/web.yaml"));
}

TEST(RawChangesTest, RefusesPathsOfAnotherEnvironment) {
  git::ChangeSet files = {{"infra/terraform/envs/prod/x.tf", "", git::FileMode::kRegular}};
  auto r = RawChanges(Config(), "dev", files);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("belongs to environment 'prod'"), std::string::npos);
}

TEST(RawChangesTest, RefusesUnsafePathsAndUnknownEnvironments) {
  EXPECT_FALSE(RawChanges(Config(), "dev", {{"../x", "", git::FileMode::kRegular}}).ok());
  EXPECT_FALSE(RawChanges(Config(), "dev", {{"README.md", "", git::FileMode::kRegular}}).ok());
  auto unknown = RawChanges(Config(), "staging",
                            {{"infra/terraform/envs/dev/x.tf", "", git::FileMode::kRegular}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("staging"), std::string::npos);
  EXPECT_TRUE(
      RawChanges(Config(), "dev", {{"infra/terraform/envs/dev/x.tf", "", git::FileMode::kRegular}})
          .ok());
}

}  // namespace
}  // namespace datamcp::proposal
