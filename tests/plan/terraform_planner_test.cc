#include "gitops/plan/terraform_planner.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "gitops/process/posix_process_runner.h"
#include "tests/plan/temp_dir.h"
#include "tests/support/test_sandbox.h"

namespace datamcp::plan {
namespace {

using testing::ReadFile;
using testing::Snapshot;
using testing::TempDir;
using testing::WriteFile;

const std::string kToken = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";

// A terraform_data project whose state lives in the test's temp dir (local backend), so
// plans in different work dirs see the same state, as they would with a remote backend.
std::string ProjectTf(const std::string& state, const std::string& input,
                      const std::string& trigger = "t1") {
  return "terraform {\n  backend \"local\" { path = \"" + state + "\" }\n}\n" +
         "variable \"input\" { default = \"" + input + "\" }\n" +
         "resource \"terraform_data\" \"app\" { input = var.input }\n" +
         "resource \"terraform_data\" \"worker\" {\n  input = \"fixed\"\n" +
         "  triggers_replace = [\"" + trigger + "\"]\n}\n" +
         "output \"app\" { value = terraform_data.app.output }\n";
}

class TerraformPlannerTest : public ::testing::Test {
 protected:
  TerraformPlannerTest() : planner_(runner_, masker_, Options()) {}

  TerraformPlannerOptions Options() {
    TerraformPlannerOptions o;
    o.terraform_bin = "terraform";
    o.plugin_cache_dir = tmp_.Sub("plugin-cache");
    o.state_dir = tmp_.Sub("state");  // the sandbox lets terraform reach this directory only
    o.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", tmp_.path()}};
    o.timeout = std::chrono::seconds(120);
    return o;
  }

  // Writes the project into a fresh exported tree and returns the tree's path.
  std::string Tree(const std::string& tf) {
    std::string tree = tmp_.Sub("tree" + std::to_string(++trees_));
    WriteFile(tree + "/envs/dev/main.tf", tf);
    return tree;
  }

  Result<TerraformPlan> PlanTree(const std::string& tree, const std::string& project = "envs/dev") {
    return planner_.Plan({tree, project, tmp_.Sub("work" + std::to_string(++works_))});
  }

  std::string State() const { return tmp_.Sub("state/dev.tfstate"); }

  TempDir tmp_;
  process::PosixProcessRunner runner_{&test_support::TestSandbox()};
  process::Masker masker_;
  TerraformPlanner planner_;
  int trees_ = 0, works_ = 0;
};

TEST_F(TerraformPlannerTest, PlansAProjectWithoutWritingTheExportedTree) {
  std::string tree = Tree(ProjectTf(State(), "one"));
  std::string before = Snapshot(tree);
  auto plan = PlanTree(tree);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->project, "envs/dev");
  EXPECT_EQ(plan->summary.add, 2);
  EXPECT_EQ(plan->summary.change, 0);
  EXPECT_EQ(plan->summary.destroy, 0);
  EXPECT_EQ(plan->fingerprint.size(), 64u);
  EXPECT_NE(plan->text.find("terraform_data.app will be created"), std::string::npos) << plan->text;
  EXPECT_TRUE(std::filesystem::is_regular_file(plan->plan_file));
  EXPECT_EQ(Snapshot(tree), before);
  EXPECT_FALSE(std::filesystem::exists(State())) << "a plan must not write state";
}

TEST_F(TerraformPlannerTest, SameInputsGiveTheSameFingerprint) {
  auto a = PlanTree(Tree(ProjectTf(State(), "one")));
  auto b = PlanTree(Tree(ProjectTf(State(), "one")));
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  EXPECT_EQ(a->fingerprint, b->fingerprint);
}

TEST_F(TerraformPlannerTest, ChangedInputChangesTheFingerprint) {
  auto a = PlanTree(Tree(ProjectTf(State(), "one")));
  auto b = PlanTree(Tree(ProjectTf(State(), "two")));
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  EXPECT_NE(a->fingerprint, b->fingerprint);
  EXPECT_EQ(a->summary, b->summary);
}

TEST_F(TerraformPlannerTest, StateChangedBetweenPlanAndReplanChangesTheFingerprint) {
  auto first = PlanTree(Tree(ProjectTf(State(), "one")));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(planner_.Apply(*first)->succeeded);
  std::string reviewed_tree = Tree(ProjectTf(State(), "two"));
  auto reviewed = PlanTree(reviewed_tree);
  ASSERT_TRUE(reviewed.ok()) << reviewed.status().ToString();
  EXPECT_EQ(reviewed->summary.change, 1);

  // Someone else applies in between: same config, other state.
  auto other = PlanTree(Tree(ProjectTf(State(), "three")));
  ASSERT_TRUE(other.ok());
  auto applied = planner_.Apply(*other);
  ASSERT_TRUE(applied.ok() && applied->succeeded) << applied->output;

  auto replan = PlanTree(reviewed_tree);
  ASSERT_TRUE(replan.ok()) << replan.status().ToString();
  EXPECT_EQ(replan->summary, reviewed->summary);
  EXPECT_NE(replan->fingerprint, reviewed->fingerprint);

  // And the stale reviewed plan cannot be applied any more.
  auto stale = planner_.Apply(*reviewed);
  ASSERT_TRUE(stale.ok()) << stale.status().ToString();
  EXPECT_FALSE(stale->succeeded);
  EXPECT_NE(stale->output.find("stale"), std::string::npos) << stale->output;
}

TEST_F(TerraformPlannerTest, ApplyAppliesExactlyTheSavedPlan) {
  auto plan = PlanTree(Tree(ProjectTf(State(), "one")));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto applied = planner_.Apply(*plan);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_TRUE(applied->succeeded) << applied->output;
  EXPECT_EQ(applied->exit_code, 0);
  EXPECT_NE(applied->output.find("2 added, 0 changed, 0 destroyed"), std::string::npos)
      << applied->output;
  EXPECT_NE(ReadFile(State()).find("\"one\""), std::string::npos);
  auto again = PlanTree(Tree(ProjectTf(State(), "one")));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->summary.NoChanges());

  std::filesystem::remove(plan->plan_file);
  auto gone = planner_.Apply(*plan);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_NE(gone.status().message().find("plan again"), std::string::npos);
}

TEST_F(TerraformPlannerTest, ReportsReplacedAddresses) {
  auto first = PlanTree(Tree(ProjectTf(State(), "one", "t1")));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(planner_.Apply(*first)->succeeded);
  auto plan = PlanTree(Tree(ProjectTf(State(), "one", "t2")));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->summary.replaced, std::vector<std::string>{"terraform_data.worker"});
  EXPECT_EQ(plan->summary.add, 1);
  EXPECT_EQ(plan->summary.destroy, 1);
}

TEST_F(TerraformPlannerTest, MasksSecretsInThePlanText) {
  auto plan = PlanTree(Tree(ProjectTf(State(), kToken)));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->text.find(kToken), std::string::npos);
  EXPECT_NE(plan->text.find("[MASKED:github_token]"), std::string::npos) << plan->text;
}

TEST_F(TerraformPlannerTest, FailedPlanQuotesTerraformsMaskedError) {
  auto plan = PlanTree(
      Tree("resource \"terraform_data\" \"x\" {\n  input = var.missing_" + kToken + "\n}\n"));
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(plan.status().message().find("project 'envs/dev'"), std::string::npos);
  EXPECT_NE(plan.status().message().find("Reference to undeclared input variable"),
            std::string::npos)
      << plan.status().message();
  EXPECT_EQ(plan.status().message().find(kToken), std::string::npos);
}

TEST_F(TerraformPlannerTest, MissingTerraformNamesTheConfigKey) {
  TerraformPlannerOptions o = Options();
  o.terraform_bin = "/nonexistent/bin/terraform";
  TerraformPlanner planner(runner_, masker_, o);
  auto plan = planner.Plan({Tree(ProjectTf(State(), "one")), "envs/dev", tmp_.Sub("w")});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kNotFound);
  EXPECT_NE(plan.status().message().find("plan.terraform_bin"), std::string::npos);
  EXPECT_NE(plan.status().message().find("/nonexistent/bin/terraform"), std::string::npos);
}

TEST_F(TerraformPlannerTest, TimeoutIsDeadlineExceeded) {
  TerraformPlannerOptions o = Options();
  o.timeout = std::chrono::milliseconds(1);
  TerraformPlanner planner(runner_, masker_, o);
  auto plan = planner.Plan({Tree(ProjectTf(State(), "one")), "envs/dev", tmp_.Sub("w")});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(plan.status().message().find("terraform init in project 'envs/dev'"), std::string::npos)
      << plan.status().message();
}

TEST_F(TerraformPlannerTest, JsonPlanOverTheOutputCapIsResourceExhausted) {
  TerraformPlannerOptions o = Options();
  o.max_output_bytes = 1200;  // the text (~700 bytes) fits, the JSON plan (~2 KB) does not
  TerraformPlanner planner(runner_, masker_, o);
  auto plan = planner.Plan({Tree(ProjectTf(State(), "one")), "envs/dev", tmp_.Sub("w")});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(plan.status().message().find("plan.max_output_bytes"), std::string::npos);
}

TEST_F(TerraformPlannerTest, RejectsBadProjectPaths) {
  std::string tree = Tree(ProjectTf(State(), "one"));
  WriteFile(tree + "/docs/README.md", "not terraform");
  EXPECT_EQ(PlanTree(tree, "../envs/dev").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanTree(tree, "/etc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanTree(tree, "envs/prod").status().code(), StatusCode::kNotFound);
  auto docs = PlanTree(tree, "docs");
  EXPECT_EQ(docs.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(docs.status().message().find("not a Terraform project"), std::string::npos);
}

TEST_F(TerraformPlannerTest, PlanAllPlansEachProjectInOrder) {
  std::string tree = tmp_.Sub("multi");
  WriteFile(tree + "/envs/a/main.tf", ProjectTf(tmp_.Sub("state/a.tfstate"), "a"));
  WriteFile(tree + "/envs/b/main.tf", ProjectTf(tmp_.Sub("state/b.tfstate"), "b"));
  auto found = FindTerraformProjects(tree, {"envs"});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(*found, (std::vector<std::string>{"envs/a", "envs/b"}));
  auto plans = planner_.PlanAll(tree, {"envs/b", "envs/a", "envs/none"}, tmp_.Sub("work-all"));
  ASSERT_EQ(plans.size(), 3u);
  ASSERT_TRUE(plans[0].ok()) << plans[0].status().ToString();
  ASSERT_TRUE(plans[1].ok()) << plans[1].status().ToString();
  EXPECT_EQ(plans[0]->project, "envs/b");
  EXPECT_EQ(plans[1]->project, "envs/a");
  EXPECT_NE(plans[0]->plan_file, plans[1]->plan_file);
  EXPECT_NE(plans[0]->fingerprint, plans[1]->fingerprint);
  EXPECT_EQ(plans[2].status().code(), StatusCode::kNotFound);
}

TEST(FindTerraformProjectsTest, FindsDirectoriesWithTfFilesUnderRoots) {
  TempDir tmp;
  WriteFile(tmp.Sub("infra/prod/main.tf"), "");
  WriteFile(tmp.Sub("infra/prod/.terraform/modules/m/x.tf"), "");
  WriteFile(tmp.Sub("infra/modules/net/vars.tf"), "");
  WriteFile(tmp.Sub("infra/README.md"), "");
  WriteFile(tmp.Sub("apps/web/main.tf"), "");
  auto found = FindTerraformProjects(tmp.path(), {"infra", "missing"});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, (std::vector<std::string>{"infra/modules/net", "infra/prod"}));
  EXPECT_EQ(FindTerraformProjects(tmp.path(), {"../x"}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace datamcp::plan
