#include "gitops/plan/classification.h"

#include <gtest/gtest.h>

#include "gitops/plan/terraform_planner.h"
#include "gitops/process/posix_process_runner.h"
#include "tests/plan/temp_dir.h"
#include "tests/support/test_sandbox.h"

namespace datamcp::plan {
namespace {

using nlohmann::json;
using testing::TempDir;
using testing::WriteFile;

// terraform_data resources with a local-backend state in the test's temp dir. `names` are
// the resources; each one's input is `input`, and `trigger` replaces "worker" when changed.
std::string ProjectTf(const std::string& state, const std::vector<std::string>& names,
                      const std::string& input, const std::string& trigger) {
  std::string tf = "terraform {\n  backend \"local\" { path = \"" + state + "\" }\n}\n";
  for (const std::string& name : names) {
    tf += "resource \"terraform_data\" \"" + name + "\" {\n  input = \"" + input + "\"\n" +
          (name == "worker" ? "  triggers_replace = [\"" + trigger + "\"]\n" : "") + "}\n";
  }
  return tf;
}

class TerraformClassificationTest : public ::testing::Test {
 protected:
  TerraformClassificationTest() : planner_(runner_, masker_, Options()) {}

  TerraformPlannerOptions Options() {
    TerraformPlannerOptions o;
    o.plugin_cache_dir = tmp_.Sub("plugin-cache");
    o.state_dir = tmp_.Sub("state");
    o.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", tmp_.path()}};
    o.timeout = std::chrono::seconds(120);
    return o;
  }

  Result<TerraformPlan> Plan(const std::string& tf) {
    std::string tree = tmp_.Sub("tree" + std::to_string(++n_));
    WriteFile(tree + "/envs/dev/main.tf", tf);
    return planner_.Plan({tree, "envs/dev", tmp_.Sub("work" + std::to_string(n_))});
  }

  std::string State() const { return tmp_.Sub("state/dev.tfstate"); }

  TempDir tmp_;
  process::PosixProcessRunner runner_{&test_support::TestSandbox()};
  process::Masker masker_;
  TerraformPlanner planner_;
  int n_ = 0;
};

// Real `terraform show -json` output, digested by the planner: one resource of each action.
TEST_F(TerraformClassificationTest, ClassifiesCreateUpdateDeleteAndReplaceFromTheJsonPlan) {
  auto first = Plan(ProjectTf(State(), {"app", "worker", "gone"}, "one", "t1"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->changes.creates, 3);
  EXPECT_FALSE(first->changes.Destructive());
  auto applied = planner_.Apply(*first);
  ASSERT_TRUE(applied.ok() && applied->succeeded) << applied->output;

  // app: input changes (update), worker: trigger changes (replace), gone: removed (delete),
  // fresh: new (create). Terraform updates `input` of app in place.
  std::string tf = ProjectTf(State(), {"worker"}, "one", "t2") +
                   "resource \"terraform_data\" \"app\" {\n  input = \"two\"\n}\n" +
                   "resource \"terraform_data\" \"fresh\" {\n  input = \"one\"\n}\n";
  auto plan = Plan(tf);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const Classification& c = plan->changes;
  EXPECT_EQ(c.creates, 1);
  EXPECT_EQ(c.updates, 1);
  EXPECT_EQ(c.deletes, 1);
  EXPECT_EQ(c.replaces, 1);
  EXPECT_EQ(c.deleted, std::vector<std::string>{"terraform_data.gone"});
  EXPECT_EQ(c.replaced, std::vector<std::string>{"terraform_data.worker"});
  EXPECT_TRUE(c.Destructive());
  EXPECT_EQ(c.DescribeDestroys(), "deletes terraform_data.gone; replaces terraform_data.worker");
  // The classification agrees with terraform's own count.
  EXPECT_EQ(plan->summary.add, c.creates + c.replaces);
  EXPECT_EQ(plan->summary.destroy, c.deletes + c.replaces);
  EXPECT_NE(plan->text.find("terraform_data.gone will be destroyed"), std::string::npos)
      << plan->text;
}

TEST_F(TerraformClassificationTest, AnUpdateOnlyPlanIsNotDestructive) {
  auto first = Plan(ProjectTf(State(), {"app"}, "one", ""));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(planner_.Apply(*first)->succeeded);
  auto plan = Plan(ProjectTf(State(), {"app"}, "two", ""));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->changes.updates, 1);
  EXPECT_FALSE(plan->changes.Destructive());
  EXPECT_EQ(plan->changes.DescribeDestroys(), "");
}

TEST(ClassificationTest, ReplaceIsEitherOrderOfDeleteAndCreate) {
  Classification c;
  c.AddTerraformActions("a.create_first", json::array({"create", "delete"}));
  c.AddTerraformActions("a.delete_first", json::array({"delete", "create"}));
  c.AddTerraformActions("a.read", json::array({"read"}));
  c.AddTerraformActions("a.noop", json::array({"no-op"}));
  c.AddTerraformActions("a.forget", json::array({"forget"}));
  c.AddTerraformActions("a.bad", json("delete"));  // not an array: not counted
  EXPECT_EQ(c.replaces, 2);
  EXPECT_EQ(c.replaced, (std::vector<std::string>{"a.create_first", "a.delete_first"}));
  EXPECT_EQ(c.creates + c.updates + c.deletes, 0);
}

TEST(ClassificationTest, JsonRoundTripsAndMalformedRecordsReadAsEmpty) {
  Classification c;
  c.AddTerraformActions("b", json::array({"delete"}));
  c.AddTerraformActions("a", json::array({"delete"}));
  c.AddTerraformActions("x", json::array({"create"}));
  json j = ToJson(c);
  EXPECT_EQ(j["destructive"], true);
  EXPECT_EQ(j["deleted"], json::array({"a", "b"}));
  EXPECT_EQ(ClassificationFromJson(j), c);
  EXPECT_EQ(ClassificationFromJson(json("nope")), Classification{});
  EXPECT_EQ(ClassificationFromJson(json{{"deletes", "many"}, {"deleted", 5}}), Classification{});
  // A record listing what it deletes is destructive even if its counts are missing.
  EXPECT_TRUE(ClassificationFromJson(json{{"replaced", {"r"}}}).Destructive());
}

TEST(ClassificationTest, DescribeDestroysCutsLongLists) {
  Classification c;
  for (int i = 0; i < 5; ++i) c.AddDeleted("r" + std::to_string(i));
  EXPECT_EQ(c.DescribeDestroys(2), "deletes r0, r1 and 3 more");
}

}  // namespace
}  // namespace datamcp::plan
