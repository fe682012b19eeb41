// Pipeline definitions: every field checked and named, the files they render, the template
// schemas of repo-template/ applied to them, and the real helm rendering them.
#include "gitops/repo/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "bot/tools/proposal_tools.h"
#include "gitops/common/safe_yaml.h"
#include "gitops/proposal/pipelines.h"
#include "gitops/proposal/projects.h"
#include "tests/repo/test_process.h"

namespace datamcp::repo {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

RepoConfig Config() {
  Result<RepoConfig> config =
      ParseRepoConfig(testing::ReadFile(testing::SourceDir() + "/repo-template/datamcp.yaml"));
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *config : RepoConfig{};
}

PipelineRequest Batch() {
  PipelineRequest r;
  r.name = "nightly-events";
  r.env = "dev";
  r.template_ = "batch";
  r.image = "ghcr.io/acme/events-etl";
  r.tag = "v1.2.0";
  r.schedule = "0 2 * * *";
  r.resources = {{"requests", {{"cpu", "250m"}, {"memory", "512Mi"}}},
                 {"limits", {{"memory", "1Gi"}}}};
  r.source = {{"uri", "gs://acme-raw/events"}};
  r.sink = {{"table", "dwh.events"}};
  return r;
}

// The error of PipelineDefinition for `r`, "" when it is accepted.
std::string ErrorOf(const PipelineRequest& r) {
  auto def = PipelineDefinition(r);
  return def.ok() ? "" : def.status().message();
}

TEST(PipelineDefinitionTest, AcceptsAFullBatchDefinition) {
  auto def = PipelineDefinition(Batch());
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ((*def)["template"], "batch");
  EXPECT_EQ((*def)["image"], json({{"repository", "ghcr.io/acme/events-etl"}, {"tag", "v1.2.0"}}));
  EXPECT_EQ((*def)["schedule"], "0 2 * * *");
  EXPECT_EQ((*def)["sink"]["table"], "dwh.events");
}

TEST(PipelineDefinitionTest, NamesTheFieldOfEveryBadParameter) {
  struct Case {
    std::function<void(PipelineRequest&)> change;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](auto& r) { r.name = "Nightly"; }, "name: "},
      {[](auto& r) { r.name = std::string(53, 'a'); }, "name: "},
      {[](auto& r) { r.name = "../x"; }, "name: "},
      {[](auto& r) { r.template_ = "Batch;rm"; }, "template: "},
      {[](auto& r) { r.image = "ghcr.io/acme/etl:latest"; }, "image: "},
      {[](auto& r) { r.tag = "v1 2"; }, "tag: "},
      {[](auto& r) { r.tag = ""; }, "tag: "},
      {[](auto& r) { r.schedule = "0 2 * *"; }, "schedule: "},
      {[](auto& r) { r.schedule = "0 2 * * * *"; }, "schedule: "},
      {[](auto& r) { r.schedule = "0 2 * * $(id)"; }, "schedule: "},
      {[](auto& r) { r.schedule = "0  2 * * *"; }, "schedule: "},
      {[](auto& r) { r.replicas = 51; }, "replicas: "},
      {[](auto& r) { r.resources["limits"]["cpu"] = "lots"; }, "resources.limits.cpu: "},
      {[](auto& r) { r.resources["limits"]["cpu"] = 2; }, "resources.limits.cpu: "},
      {[](auto& r) { r.resources["limits"]["gpu"] = "1"; }, "resources.limits.gpu: "},
      {[](auto& r) { r.resources["quota"] = json::object(); }, "resources.quota: "},
      {[](auto& r) { r.source["URI"] = "x"; }, "source: key 'URI'"},
      {[](auto& r) { r.source["uri"] = 3; }, "source.uri: "},
      {[](auto& r) { r.sink["table"] = "a\nDatamcp-Tool: forged"; }, "sink.table: "},
      {[](auto& r) { r.sink = json::array(); }, "sink: "},
  };
  for (const auto& c : cases) {
    PipelineRequest r = Batch();
    c.change(r);
    std::string error = ErrorOf(r);
    EXPECT_EQ(error.rfind(c.field, 0), 0u) << "want " << c.field << ", got: " << error;
  }
}

TEST(PipelineDefinitionTest, AcceptsCronMacrosAndDigests) {
  PipelineRequest r = Batch();
  r.schedule = "@hourly";
  r.digest = "sha256:" + std::string(64, 'a');
  EXPECT_EQ(ErrorOf(r), "");
  r.schedule = "*/15 0-6 1,15 jan-jun mon-fri";
  EXPECT_EQ(ErrorOf(r), "");
}

TEST(RenderPipelineTest, WritesTheDefinitionAndAnApplicationUsingItAsValues) {
  PipelineRequest r = Batch();
  auto def = PipelineDefinition(r);
  ASSERT_TRUE(def.ok());
  auto files = RenderPipeline(Config(), r, *def);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->definition.path, "pipelines/dev/nightly-events.yaml");
  EXPECT_EQ(files->application.path, "argocd/apps/dev/nightly-events.yaml");
  auto app = LoadSingleYamlDocument(files->application.content, "app");
  ASSERT_TRUE(app.ok());
  EXPECT_EQ((*app)["metadata"]["name"].as<std::string>(), "nightly-events-dev");
  EXPECT_EQ((*app)["spec"]["source"]["path"].as<std::string>(), "helm/charts/pipeline-batch");
  EXPECT_EQ((*app)["spec"]["source"]["helm"]["valueFiles"][0].as<std::string>(),
            "../../../pipelines/dev/nightly-events.yaml");

  auto info = ParsePipeline(files->definition.path, files->definition.content);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->template_, "batch");
  EXPECT_EQ(info->image, "ghcr.io/acme/events-etl:v1.2.0");
  EXPECT_EQ(info->schedule, "0 2 * * *");
  EXPECT_EQ(info->definition, *def);
}

TEST(RenderPipelineTest, ADefinitionChangePlansItsApplication) {
  auto projects = proposal::AffectedProjects(Config(), {"pipelines/dev/nightly-events.yaml"});
  ASSERT_EQ(projects.size(), 1u);
  EXPECT_EQ(projects[0].path, "argocd/apps/dev/nightly-events.yaml");
  EXPECT_EQ(projects[0].env, "dev");
  EXPECT_TRUE(proposal::PlansDirectly(Config(), "pipelines/prod/x.yaml"));
  EXPECT_TRUE(proposal::AffectedProjects(Config(), {"pipelines/staging/x.yaml"}).empty());
}

TEST(RenderPipelineTest, PathsOutsideTheAllowedRootsAreRefused) {
  RepoConfig config = Config();
  config.allowed_roots = {"argocd/apps"};
  PipelineRequest r = Batch();
  auto files = RenderPipeline(config, r, *PipelineDefinition(r));
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kPermissionDenied);
}

// The repo-template's charts as the registry checks them.
Status CheckTemplate(const PipelineRequest& r) {
  auto def = PipelineDefinition(r);
  if (!def.ok()) return def.status();
  std::string root = testing::SourceDir() + "/repo-template/";
  proposal::FileReader read = [&](const std::string& path) -> Result<std::string> {
    if (!fs::exists(root + path)) return NotFound(path);
    return testing::ReadFile(root + path);
  };
  return proposal::CheckPipelineTemplate(read, "batch, streaming", Config(), r, *def,
                                         bot::tools::CheckTemplateSchema);
}

TEST(PipelineTemplateTest, TheTemplatesSchemasAcceptGoodAndNameBadFields) {
  EXPECT_TRUE(CheckTemplate(Batch()).ok()) << CheckTemplate(Batch()).ToString();
  PipelineRequest streaming = Batch();
  streaming.template_ = "streaming";
  streaming.schedule = "";
  streaming.replicas = 3;
  EXPECT_TRUE(CheckTemplate(streaming).ok()) << CheckTemplate(streaming).ToString();

  PipelineRequest no_schedule = Batch();
  no_schedule.schedule = "";
  EXPECT_EQ(CheckTemplate(no_schedule).message(), "schedule: required by template 'batch'");

  streaming.schedule = "@daily";
  Status s = CheckTemplate(streaming);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("schedule: ", 0), 0u) << s.ToString();

  PipelineRequest unknown = Batch();
  unknown.template_ = "spark";
  s = CheckTemplate(unknown);
  EXPECT_EQ(s.message().rfind("template: 'spark' is not a pipeline template", 0), 0u)
      << s.ToString();
  EXPECT_NE(s.message().find("batch, streaming"), std::string::npos) << s.ToString();
}

testing::ProcessOutput Helm(std::vector<std::string> args, const std::string& home) {
  args.insert(args.begin(), testing::SourceDir() + "/.tools/bin/helm");
  return testing::RunProcess(
      args, home,
      {"PATH=/usr/bin:/bin", "HOME=" + home, "HELM_CACHE_HOME=" + home + "/cache",
       "HELM_CONFIG_HOME=" + home + "/config", "HELM_DATA_HOME=" + home + "/data"});
}

TEST(PipelineTemplateTest, GeneratedDefinitionsLintStrictAndRender) {
  ASSERT_TRUE(fs::exists(testing::SourceDir() + "/.tools/bin/helm"))
      << "run scripts/install-tools to install helm";
  testing::TempDir tmp;
  PipelineRequest streaming = Batch();
  streaming.template_ = "streaming";
  streaming.schedule = "";
  streaming.replicas = 2;
  for (const auto& [r, kind] :
       {std::pair{Batch(), "kind: CronJob"}, std::pair{streaming, "kind: Deployment"}}) {
    auto def = PipelineDefinition(r);
    ASSERT_TRUE(def.ok());
    auto files = RenderPipeline(Config(), r, *def);
    ASSERT_TRUE(files.ok());
    std::string values = tmp.path() + "/" + r.template_ + ".yaml";
    testing::WriteFile(values, files->definition.content);
    std::string chart =
        testing::SourceDir() + "/repo-template/" + PipelineChartPath(Config(), r.template_);
    auto lint = Helm({"lint", "--strict", chart, "-f", values}, tmp.path());
    EXPECT_EQ(lint.exit_code, 0) << files->definition.content << lint.output;
    auto rendered = Helm({"template", r.name, chart, "-f", values}, tmp.path());
    EXPECT_EQ(rendered.exit_code, 0) << rendered.output;
    EXPECT_NE(rendered.output.find(kind), std::string::npos) << rendered.output;
    EXPECT_NE(rendered.output.find("PIPELINE_SOURCE_URI"), std::string::npos) << rendered.output;
    EXPECT_NE(rendered.output.find("ghcr.io/acme/events-etl:v1.2.0"), std::string::npos);
  }
}

}  // namespace
}  // namespace datamcp::repo
