#include "gitops/repo/argocd_app.h"

#include <gtest/gtest.h>

#include "gitops/argocd/app/application_diff.h"
#include "tests/repo/test_process.h"

namespace datamcp::repo {
namespace {

RepoConfig Config() {
  Result<RepoConfig> config =
      ParseRepoConfig(testing::ReadFile(testing::SourceDir() + "/repo-template/datamcp.yaml"));
  EXPECT_TRUE(config.ok());
  return config.ok() ? *config : RepoConfig{};
}

TEST(ArgoAppTest, FillsEnvironmentDefaults) {
  ArgoAppRequest req;
  req.name = "example-data-app-dev";
  req.env = "dev";
  req.path = "helm/charts/example-data-app";
  req.target_revision = "main";
  req.prune = true;
  Result<GeneratedFile> file = RenderArgoApp(Config(), req);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->path, "argocd/apps/dev/example-data-app-dev.yaml");
  // Compared with the template's hand-written manifest, only the helm settings, labels and
  // (absent) valueFiles differ: destination, project, repo and sync policy match.
  std::string hand = testing::ReadFile(testing::SourceDir() +
                                       "/repo-template/argocd/apps/dev/example-data-app.yaml");
  Result<std::vector<argocd::FieldChange>> diff = argocd::DiffApplications(hand, file->content);
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  EXPECT_EQ(argocd::FormatChanges(*diff),
            "- metadata.labels.app.kubernetes.io/part-of: example-data-app\n"
            "- spec.source.helm: {releaseName: example-data-app, valueFiles: "
            "[../../values/dev/example-data-app.yaml]}\n");
}

TEST(ArgoAppTest, ProdIsNotAutomatedAndErrorsNameTheField) {
  ArgoAppRequest req;
  req.name = "api";
  req.env = "prod";
  req.path = "apps/api";
  Result<GeneratedFile> file = RenderArgoApp(Config(), req);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->content.find("automated"), std::string::npos) << file->content;

  req.name = "API";
  EXPECT_NE(RenderArgoApp(Config(), req).status().message().find("name: 'API' must be a DNS-1123"),
            std::string::npos);
  req.name = "api";
  req.path = "";
  EXPECT_EQ(RenderArgoApp(Config(), req).status().message(),
            "Application spec.source: needs path (a directory in the git repository) or chart "
            "(a Helm chart)");
  req.path = "apps/api";
  req.destination_namespace = "Not_A_Label";
  EXPECT_EQ(RenderArgoApp(Config(), req).status().message(),
            "Application spec.destination.namespace: 'Not_A_Label' is not a DNS-1123 label");
}

}  // namespace
}  // namespace datamcp::repo
