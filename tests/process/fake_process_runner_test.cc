#include "tests/process/fake_process_runner.h"

#include <gtest/gtest.h>

#include "gitops/plan/terraform_planner.h"
#include "tests/plan/temp_dir.h"

namespace datamcp::process {
namespace {

TEST(FakeProcessRunnerTest, AnswersByArgvPrefixAndRecordsRequests) {
  FakeProcessRunner fake;
  fake.On({"terraform", "init"}, FakeProcessRunner::Exited(0, "ok"));
  fake.On({"terraform"}, FakeProcessRunner::Exited(1, "", "boom"));
  ProcessRequest req;
  req.argv = {"terraform", "init", "-input=false"};
  EXPECT_EQ(fake.Run(req)->stdout_text, "ok");
  req.argv = {"terraform", "plan"};
  EXPECT_EQ(fake.Run(req)->exit_code, 1);
  req.argv = {"helm"};
  EXPECT_EQ(fake.Run(req).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fake.requests().size(), 3u);
}

TEST(FakeProcessRunnerTest, DrivesThePlannerThroughAFailingPlan) {
  plan::testing::TempDir tmp;
  plan::testing::WriteFile(tmp.Sub("tree/p/main.tf"), "");
  FakeProcessRunner fake;
  fake.On({"terraform", "init"}, FakeProcessRunner::Exited(0));
  fake.On({"terraform", "plan"},
          FakeProcessRunner::Exited(1, "", "Error: token AKIAIOSFODNN7EXAMPLE"));
  Masker masker;
  plan::TerraformPlannerOptions options;
  options.plugin_cache_dir = tmp.Sub("cache");
  plan::TerraformPlanner planner(fake, masker, options);
  auto result = planner.Plan({tmp.Sub("tree"), "p", tmp.Sub("work")});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("[MASKED:aws_access_key]"), std::string::npos)
      << result.status().message();
  auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].env.at("TF_IN_AUTOMATION"), "1");
  EXPECT_EQ(requests[1].env.at("CHECKPOINT_DISABLE"), "1");
  EXPECT_EQ(requests[1].env.at("TF_CLI_CONFIG_FILE"), "/dev/null");
  EXPECT_EQ(requests[1].env.at("TF_PLUGIN_CACHE_DIR"), tmp.Sub("cache"));
}

}  // namespace
}  // namespace datamcp::process
