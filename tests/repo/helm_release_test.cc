#include "gitops/repo/helm_release.h"

#include <gtest/gtest.h>

#include "gitops/argocd/app/application.h"
#include "gitops/common/safe_yaml.h"
#include "gitops/repo/json_yaml.h"
#include "tests/repo/test_process.h"

namespace datamcp::repo {
namespace {

using nlohmann::json;

RepoConfig Config() {
  Result<RepoConfig> config =
      ParseRepoConfig(testing::ReadFile(testing::SourceDir() + "/repo-template/datamcp.yaml"));
  EXPECT_TRUE(config.ok());
  return config.ok() ? *config : RepoConfig{};
}

TEST(JsonYamlTest, RoundTripsValuesKeepingTypes) {
  json values = {
      {"replicaCount", 2},
      {"flags", {{"on", "yes"}, {"version", "1.10"}, {"empty", ""}, {"nothing", nullptr}}},
      {"list", {"a", true, 1.5}},
      {"text", "line one\nline: two"},
      {"emptyMap", json::object()}};
  std::string yaml = JsonToYaml(values, "header");
  EXPECT_EQ(yaml.rfind("# header\n", 0), 0u) << yaml;
  EXPECT_NE(yaml.find("replicaCount: 2\n"), std::string::npos) << yaml;
  Result<YAML::Node> node = LoadSingleYamlDocument(yaml, "values");
  ASSERT_TRUE(node.ok()) << node.status().ToString() << yaml;
  EXPECT_EQ(YamlToJson(*node), values) << yaml;
}

TEST(HelmReleaseTest, InRepoChartGetsValuesFileAndSingleSourceApplication) {
  HelmReleaseRequest req;
  req.release = "api";
  req.env = "dev";
  req.chart_path = "helm/charts/example-data-app";
  req.values = {{"replicaCount", 2}, {"config", {{"logLevel", "debug"}}}};
  Result<HelmReleaseFiles> files = RenderHelmRelease(Config(), req);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->values.path, "helm/values/dev/api.yaml");
  EXPECT_EQ(files->values.content,
            "# Values for Helm release api in dev.\nconfig:\n  logLevel: debug\nreplicaCount: 2\n");
  EXPECT_EQ(files->application.path, "argocd/apps/dev/api.yaml");
  EXPECT_TRUE(argocd::ValidateApplication(files->application.content).ok());
  Result<YAML::Node> app = LoadSingleYamlDocument(files->application.content, "app");
  ASSERT_TRUE(app.ok());
  EXPECT_EQ((*app)["metadata"]["name"].Scalar(), "api-dev");
  EXPECT_EQ((*app)["spec"]["project"].Scalar(), "data-apps");
  EXPECT_EQ((*app)["spec"]["source"]["path"].Scalar(), "helm/charts/example-data-app");
  EXPECT_EQ((*app)["spec"]["source"]["helm"]["valueFiles"][0].Scalar(),
            "../../values/dev/api.yaml");
  EXPECT_EQ((*app)["spec"]["destination"]["namespace"].Scalar(), "data-dev");
  EXPECT_EQ((*app)["spec"]["syncPolicy"]["automated"]["prune"].Scalar(), "true");
}

TEST(HelmReleaseTest, RepositoryChartUsesValuesRefAndProdSyncsByHand) {
  HelmReleaseRequest req;
  req.release = "redis";
  req.env = "prod";
  req.namespace_ = "cache";
  req.chart_repo_url = "https://charts.bitnami.com/bitnami";
  req.chart = "redis";
  req.chart_version = "19.6.0";
  Result<HelmReleaseFiles> files = RenderHelmRelease(Config(), req);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  Result<YAML::Node> app = LoadSingleYamlDocument(files->application.content, "app");
  ASSERT_TRUE(app.ok());
  YAML::Node sources = (*app)["spec"]["sources"];
  ASSERT_EQ(sources.size(), 2u) << files->application.content;
  EXPECT_EQ(sources[0]["chart"].Scalar(), "redis");
  EXPECT_EQ(sources[0]["targetRevision"].Scalar(), "19.6.0");
  EXPECT_EQ(sources[0]["helm"]["valueFiles"][0].Scalar(), "$values/helm/values/prod/redis.yaml");
  EXPECT_EQ(sources[1]["ref"].Scalar(), "values");
  EXPECT_EQ(sources[1]["repoURL"].Scalar(), "https://github.com/acme/gitops.git");
  EXPECT_FALSE((*app)["spec"]["syncPolicy"]["automated"].IsDefined());
  EXPECT_EQ(files->values.content, "# Values for Helm release redis in prod.\n{}\n");
}

TEST(HelmReleaseTest, RejectsBadRequestsNamingTheField) {
  auto error = [](HelmReleaseRequest req) {
    Result<HelmReleaseFiles> r = RenderHelmRelease(Config(), req);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  HelmReleaseRequest base;
  base.release = "api";
  base.env = "dev";
  base.chart_path = "helm/charts/example-data-app";
  HelmReleaseRequest r = base;
  r.release = "API_1";
  EXPECT_NE(error(r).find("release: 'API_1' must be a DNS-1123 label"), std::string::npos);
  r = base;
  r.chart = "redis";
  EXPECT_EQ(error(r).rfind("chart: give either chart_path", 0), 0u);
  r = base;
  r.chart_path = "";
  r.chart_repo_url = "https://x";
  r.chart = "redis";
  EXPECT_EQ(error(r), "chart_version: missing; pin the chart version for reviewable changes");
  r = base;
  r.chart_path = "../outside";
  EXPECT_NE(error(r).find("chart_path: '../outside' is not a valid repository path"),
            std::string::npos);
  r = base;
  r.values = json::array({1});
  EXPECT_EQ(error(r), "values: must be a JSON object, got array");
  r = base;
  r.namespace_ = "Bad_NS";
  EXPECT_EQ(error(r), "namespace: 'Bad_NS' is not a DNS-1123 label");
}

}  // namespace
}  // namespace datamcp::repo
