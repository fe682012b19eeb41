// Drift detection's pieces without terraform: which roots a pass plans, how a result is
// judged and how a record is written and read back (tests/e2e/drift.test.mjs plans for real).
#include <gtest/gtest.h>

#include "gitops/apply/apply_note.h"
#include "gitops/apply/drift_pass.h"
#include "gitops/apply/drift_record.h"
#include "gitops/apply/drift_select.h"

namespace datamcp::apply {
namespace {

repo::RepoConfig TwoEnvironments() {
  repo::RepoConfig config;
  config.environments.push_back({.name = "dev", .terraform_root = "infra/terraform/envs/dev"});
  config.environments.push_back({.name = "prod", .terraform_root = "infra/terraform/envs/prod"});
  config.environments.push_back({.name = "apps", .terraform_root = ""});
  return config;
}

TEST(DriftSelectTest, PlansEveryTerraformRootWhenNothingIsBusy) {
  DriftSelection s = SelectDriftProjects(TwoEnvironments(), {}, {});
  ASSERT_EQ(s.to_plan.size(), 2u);
  EXPECT_EQ(s.to_plan[0].path, "infra/terraform/envs/dev");
  EXPECT_EQ(s.to_plan[0].env, "dev");
  EXPECT_EQ(s.to_plan[1].path, "infra/terraform/envs/prod");
  EXPECT_TRUE(s.skipped.empty());
}

TEST(DriftSelectTest, SkipsARootALockHolds) {
  jobs::Lock lock{.project = "infra/terraform/envs/prod", .pull_request = 7};
  DriftSelection s = SelectDriftProjects(TwoEnvironments(), {lock}, {});
  ASSERT_EQ(s.to_plan.size(), 1u);
  EXPECT_EQ(s.to_plan[0].path, "infra/terraform/envs/dev");
  EXPECT_EQ(s.skipped, std::vector<std::string>{"infra/terraform/envs/prod: locked by #7"});
}

TEST(DriftSelectTest, SkipsARootWithAnApplyQueuedOrRunningButNotFinished) {
  jobs::Job running{.project = "infra/terraform/envs/dev", .state = "running"};
  jobs::Job done{.project = "infra/terraform/envs/prod", .state = "succeeded"};
  DriftSelection s = SelectDriftProjects(TwoEnvironments(), {}, {running, done});
  ASSERT_EQ(s.to_plan.size(), 1u);
  EXPECT_EQ(s.to_plan[0].path, "infra/terraform/envs/prod");
  EXPECT_EQ(s.skipped, std::vector<std::string>{"infra/terraform/envs/dev: apply running"});
}

TEST(DriftRecordTest, ResultIsDriftedCleanResolvedOrFailed) {
  std::vector<DriftedResource> some = {{"terraform_data.x", "create"}};
  EXPECT_EQ(DriftResult(true, some, ""), "drifted");
  EXPECT_EQ(DriftResult(true, some, "drifted"), "drifted");
  EXPECT_EQ(DriftResult(true, {}, ""), "clean");
  EXPECT_EQ(DriftResult(true, {}, "clean"), "clean");
  EXPECT_EQ(DriftResult(true, {}, "drifted"), "resolved");
  EXPECT_EQ(DriftResult(true, {}, "resolved"), "clean");
  EXPECT_EQ(DriftResult(false, {}, "drifted"), "failed");
}

TEST(DriftRecordTest, ResourcesComeFromTheClassificationWithTheirActions) {
  plan::Classification c;
  c.AddTerraformActions("module.b.terraform_data.this", nlohmann::json::array({"create"}));
  c.AddTerraformActions("terraform_data.a", nlohmann::json::array({"delete", "create"}));
  c.AddTerraformActions("terraform_data.c", nlohmann::json::array({"update"}));
  c.AddTerraformActions("terraform_data.d", nlohmann::json::array({"no-op"}));
  EXPECT_EQ(DriftedResources(c),
            (std::vector<DriftedResource>{{"module.b.terraform_data.this", "create"},
                                          {"terraform_data.a", "replace"},
                                          {"terraform_data.c", "update"}}));
}

DriftRecord Drifted() {
  return {.project = "infra/terraform/envs/dev",
          .env = "dev",
          .commit = "abc123",
          .result = "drifted",
          .resources = {{"terraform_data.x", "create"}},
          .summary = "+1 ~0 -0",
          .error = "",
          .checked_at = 1700000000};
}

TEST(DriftRecordTest, RoundTripsThroughANoteAndApplyReadersSkipIt) {
  nlohmann::json j = ToJson(Drifted());
  EXPECT_EQ(j["type"], "drift");
  EXPECT_FALSE(j.contains("error"));
  auto back = FindDriftRecord({j.dump()}, "abc123", "infra/terraform/envs/dev");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->resources, Drifted().resources);
  EXPECT_EQ(back->checked_at, 1700000000);
  EXPECT_TRUE(back->drifted());
  // An apply reader sees no apply record in it.
  EXPECT_FALSE(IsApplyRecord(j, "abc123"));
  EXPECT_FALSE(FindApplyNote({j.dump()}, "abc123", "infra/terraform/envs/dev").has_value());
}

TEST(DriftRecordTest, NewestRecordOfTheProjectWins) {
  DriftRecord resolved = Drifted();
  resolved.result = "resolved";
  resolved.resources.clear();
  auto found = FindDriftRecord({ToJson(Drifted()).dump(), "not json", ToJson(resolved).dump()},
                               "abc123", "infra/terraform/envs/dev");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->result, "resolved");
}

TEST(DriftRecordTest, MalformedOrCopiedDocumentsAreNotRecords) {
  nlohmann::json j = ToJson(Drifted());
  EXPECT_FALSE(ParseDriftRecord(j, "other-commit").has_value());  // copied from another commit
  nlohmann::json bad_resources = j;
  bad_resources["resources"] = nlohmann::json::array({{{"address", 1}, {"action", "create"}}});
  EXPECT_FALSE(ParseDriftRecord(bad_resources, "abc123").has_value());
  nlohmann::json no_project = j;
  no_project.erase("project");
  EXPECT_FALSE(ParseDriftRecord(no_project, "abc123").has_value());
  EXPECT_FALSE(ParseDriftRecord(nlohmann::json::array(), "abc123").has_value());
}

TEST(DriftRecordTest, LatestRecordsRoundTripThroughTheLeaseValue) {
  std::map<std::string, DriftRecord> latest = {{Drifted().project, Drifted()}};
  auto back = DecodeLatest(EncodeLatest(latest));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back.begin()->second.resources, Drifted().resources);
  EXPECT_TRUE(DecodeLatest("garbage").empty());
  EXPECT_TRUE(DecodeLatest("").empty());
}

}  // namespace
}  // namespace datamcp::apply
