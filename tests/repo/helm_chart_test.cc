// Lints repo-template's chart with the real helm (installed by scripts/install-tools into
// .tools/bin), with each environment's values and with a values file DataMCP generates.
#include <gtest/gtest.h>

#include <filesystem>

#include "gitops/repo/helm_release.h"
#include "tests/repo/test_process.h"

namespace datamcp::repo {
namespace {

namespace fs = std::filesystem;

std::string Helm() { return testing::SourceDir() + "/.tools/bin/helm"; }
std::string Chart() { return testing::SourceDir() + "/repo-template/helm/charts/example-data-app"; }

testing::ProcessOutput Lint(const std::string& values_file, const std::string& home) {
  std::vector<std::string> argv = {Helm(), "lint", "--strict", Chart()};
  if (!values_file.empty()) argv.insert(argv.end(), {"-f", values_file});
  return testing::RunProcess(
      argv, home,
      {"PATH=/usr/bin:/bin", "HOME=" + home, "HELM_CACHE_HOME=" + home + "/cache",
       "HELM_CONFIG_HOME=" + home + "/config", "HELM_DATA_HOME=" + home + "/data"});
}

TEST(HelmChartTest, ExampleChartLintsStrictWithEveryEnvironmentsValues) {
  ASSERT_TRUE(fs::exists(Helm())) << "run scripts/install-tools to install helm";
  testing::TempDir tmp;
  auto plain = Lint("", tmp.path());
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  for (const char* env : {"local", "dev", "prod"}) {
    std::string values =
        testing::SourceDir() + "/repo-template/helm/values/" + env + "/example-data-app.yaml";
    auto lint = Lint(values, tmp.path());
    EXPECT_EQ(lint.exit_code, 0) << env << ": " << lint.output;
  }
}

TEST(HelmChartTest, GeneratedValuesFileLintsAndTheSchemaRejectsBadValues) {
  ASSERT_TRUE(fs::exists(Helm())) << "run scripts/install-tools to install helm";
  Result<RepoConfig> config =
      ParseRepoConfig(testing::ReadFile(testing::SourceDir() + "/repo-template/datamcp.yaml"));
  ASSERT_TRUE(config.ok());
  HelmReleaseRequest req;
  req.release = "api";
  req.env = "dev";
  req.chart_path = "helm/charts/example-data-app";
  req.values = {
      {"replicaCount", 3},
      {"config", {{"logLevel", "warn"}, {"bucket", "gs://acme-raw"}}},
      {"serviceAccount", {{"annotations", {{"iam.gke.io/gcp-service-account", "true"}}}}}};
  Result<HelmReleaseFiles> files = RenderHelmRelease(*config, req);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  testing::TempDir tmp;
  testing::WriteFile(tmp.path() + "/good.yaml", files->values.content);
  auto good = Lint(tmp.path() + "/good.yaml", tmp.path());
  EXPECT_EQ(good.exit_code, 0) << files->values.content << good.output;

  req.values = {{"replicaCount", "three"}};
  files = RenderHelmRelease(*config, req);
  ASSERT_TRUE(files.ok());
  testing::WriteFile(tmp.path() + "/bad.yaml", files->values.content);
  auto bad = Lint(tmp.path() + "/bad.yaml", tmp.path());
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find("replicaCount"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace datamcp::repo
