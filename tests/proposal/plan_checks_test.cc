#include "gitops/proposal/plan_checks.h"

#include <gtest/gtest.h>

namespace datamcp::proposal {
namespace {

ProjectPlan Planned() {
  ProjectPlan p;
  p.project = {ProjectKind::kTerraform, "infra/terraform/envs/prod", "prod"};
  p.ok = true;
  p.summary = "Plan: 1 to add, 0 to change, 1 to destroy.";
  p.fingerprint = std::string(64, 'a');
  p.changes.creates = 1;
  p.changes.deletes = 1;
  p.changes.deleted = {"terraform_data.old"};
  p.text = "  # terraform_data.old will be destroyed\n";
  return p;
}

TEST(PlanChecksTest, DestructivePlanSaysSoFirstAndNamesWhatItDeletes) {
  auto run = BuildProjectCheck(Planned(), {}, {3, {{"prod", 2}}, {}});
  EXPECT_EQ(run.name, "datamcp/plan: infra/terraform/envs/prod");
  EXPECT_EQ(run.conclusion, forge::CheckConclusion::kSuccess);
  EXPECT_EQ(run.title, "DESTRUCTIVE · creates 1, updates 0, deletes 1, replaces 0");
  EXPECT_NE(run.summary.find("**Destructive**: deletes terraform_data.old"), std::string::npos)
      << run.summary;
  EXPECT_NE(run.summary.find("`destroy_approvals` (2)"), std::string::npos) << run.summary;
  EXPECT_NE(run.summary.find("fingerprint `aaaaaaaaaaaa`"), std::string::npos);
  EXPECT_EQ(run.text, Planned().text);
}

TEST(PlanChecksTest, FailedOrDeniedPlansFailTheCheckAndBlockedOnesAreNeutral) {
  ProjectPlan failed = Planned();
  failed.ok = false;
  failed.error = "Error: Unsupported argument\n  on main.tf line 3";
  auto run = BuildProjectCheck(failed, {});
  EXPECT_EQ(run.conclusion, forge::CheckConclusion::kFailure);
  EXPECT_EQ(run.title, "Plan failed: Error: Unsupported argument");
  EXPECT_EQ(run.text, failed.error);

  ProjectPlan denied = Planned();
  denied.policy.denied = {"environments[0].policies[0]: deny delete of terraform_data"};
  run = BuildProjectCheck(denied, {});
  EXPECT_EQ(run.conclusion, forge::CheckConclusion::kFailure);
  EXPECT_EQ(run.title.rfind("DENIED by policy · DESTRUCTIVE · ", 0), 0u) << run.title;
  EXPECT_NE(run.summary.find("> - environments[0].policies[0]: deny delete"), std::string::npos);

  run = BuildProjectCheck(Planned(), {{"infra/terraform/envs/prod", "locked by #3"}});
  EXPECT_EQ(run.conclusion, forge::CheckConclusion::kNeutral);
  EXPECT_NE(run.title.find("blocked: locked by #3"), std::string::npos);
}

TEST(PlanChecksTest, CommentIsOnlyTheTableWhenEveryProjectHasACheckPage) {
  PlanRun run;
  run.head = std::string(40, 'b');
  run.plans = {Planned()};
  CheckLinks links = {{"infra/terraform/envs/prod", "https://github.example/o/r/runs/7"}};
  auto compact = BuildPlanComment(run, {}, {}, links);
  EXPECT_TRUE(compact.sections.empty());
  EXPECT_NE(compact.summary.find("| +1 ~0 -1 | **yes** | ok | "
                                 "[details](https://github.example/o/r/runs/7) |"),
            std::string::npos)
      << compact.summary;
  // A check without a page (the local forge) keeps the plan text in the comment.
  links["infra/terraform/envs/prod"] = "";
  auto full = BuildPlanComment(run, {}, {}, links);
  ASSERT_EQ(full.sections.size(), 1u);
  EXPECT_EQ(full.sections[0].body, Planned().text);
}

}  // namespace
}  // namespace datamcp::proposal
