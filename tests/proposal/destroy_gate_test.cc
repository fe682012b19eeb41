#include "gitops/proposal/destroy_gate.h"

#include <gtest/gtest.h>

#include "gitops/proposal/plan_report.h"

namespace datamcp::proposal {
namespace {

using nlohmann::json;

const std::string kDev = "infra/terraform/envs/dev";
const std::string kFingerprint(64, 'f');

plan::Classification Deleting(const std::string& address) {
  plan::Classification c;
  c.AddTerraformActions(address, json::array({"delete"}));
  return c;
}

PlanRun DestructiveRun() {
  PlanRun run;
  run.base = std::string(40, 'a');
  run.head = std::string(40, 'b');
  ProjectPlan p;
  p.project = {ProjectKind::kTerraform, kDev, "dev"};
  p.ok = true;
  p.summary = "Plan: 1 to add, 0 to change, 2 to destroy.";
  p.fingerprint = kFingerprint;
  p.changes = Deleting("terraform_data.gone");
  p.changes.AddTerraformActions("terraform_data.worker", json::array({"delete", "create"}));
  run.plans.push_back(p);
  ProjectPlan q = p;
  q.project = {ProjectKind::kArgoApp, "argocd/apps/dev/web.yaml", "dev"};
  q.summary = "1 Application field(s) changed";
  q.changes = {};
  q.changes.updates = 1;
  run.plans.push_back(q);
  return run;
}

std::string Confirmation(int pr, const std::string& project, const std::string& fingerprint,
                         const std::string& by = "dora") {
  return json{{"type", kDestroyConfirmationType},
              {"pull_request", pr},
              {"by", by},
              {"at", 1700000000},
              {"via", "cli"},
              {"projects", {{{"project", project}, {"fingerprint", fingerprint}}}}}
      .dump();
}

TEST(DestroyGateTest, CommentStatusAndNoteSayDestructiveFirstAndListTheResources) {
  PlanRun run = DestructiveRun();
  auto comment = BuildPlanComment(run, {}, {7, {{"dev", 2}}});
  std::size_t banner = comment.summary.find("**Destructive plan**");
  ASSERT_NE(banner, std::string::npos) << comment.summary;
  EXPECT_LT(banner, comment.summary.find("| project |"));
  EXPECT_NE(comment.summary.find("delete `terraform_data.gone`; replace `terraform_data.worker`"),
            std::string::npos)
      << comment.summary;
  EXPECT_NE(comment.summary.find("needs 2 approval(s) (`destroy_approvals`)"), std::string::npos);
  EXPECT_NE(comment.summary.find("`datamcp review 7 --confirm-destroy`"), std::string::npos);
  EXPECT_NE(comment.summary.find("`/datamcp confirm-destroy`"), std::string::npos);
  EXPECT_NE(comment.summary.find("| **yes** | ok | below |"), std::string::npos) << comment.summary;

  auto status = BuildPlanStatus(run, {});
  EXPECT_EQ(status.state, forge::CommitStateKind::kSuccess);
  EXPECT_EQ(status.description.rfind("DESTRUCTIVE: dev deletes terraform_data.gone; replaces "
                                     "terraform_data.worker",
                                     0),
            0u)
      << status.description;

  json note = BuildPlanNote(run, 7, 100);
  EXPECT_EQ(note["destructive"], true);
  EXPECT_EQ(note["projects"][0]["changes"]["deleted"], json::array({"terraform_data.gone"}));
  auto planned = NewestPlan({note.dump()});
  ASSERT_EQ(planned.size(), 2u);
  EXPECT_EQ(planned[0].changes, run.plans[0].changes);
  EXPECT_EQ(planned[0].env, "dev");
  EXPECT_FALSE(planned[1].changes.Destructive());
}

TEST(DestroyGateTest, AnAdditivePlanHasNoBanner) {
  PlanRun run = DestructiveRun();
  run.plans.erase(run.plans.begin());
  EXPECT_EQ(BuildPlanComment(run, {}).summary.find("Destructive"), std::string::npos);
  EXPECT_EQ(BuildPlanStatus(run, {}).description.find("DESTRUCTIVE"), std::string::npos);
  EXPECT_EQ(BuildPlanNote(run, 1, 1)["destructive"], false);
}

TEST(DestroyGateTest, RefusedWithoutApprovalsOrAConfirmationSayingWhatIsMissing) {
  auto d = DecideDestroy(Deleting("terraform_data.gone"), kDev, kFingerprint, 1, 2, {}, 7,
                         "`datamcp review 7 --confirm-destroy`");
  EXPECT_TRUE(d.destructive);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.why, "the plan of " + kDev +
                       " deletes terraform_data.gone: it needs 2 approval(s) (destroy_approvals; "
                       "it has 1) or a destroy confirmation of plan ffffffffffff (`datamcp review "
                       "7 --confirm-destroy`)");
  EXPECT_EQ(d.ToJson()["confirmation"], nullptr);
}

TEST(DestroyGateTest, EnoughApprovalsAllowIt) {
  auto d = DecideDestroy(Deleting("x"), kDev, kFingerprint, 2, 2, {}, 7, "");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.why, "2 of 2 destroy approval(s) (destroy_approvals)");
}

TEST(DestroyGateTest, AConfirmationCountsOnlyForItsFingerprintPullRequestAndProject) {
  std::vector<std::string> notes = {"not json", R"({"type":"destroy-confirmation","by":5})",
                                    Confirmation(8, kDev, kFingerprint),
                                    Confirmation(7, kDev, std::string(64, 'e')),
                                    Confirmation(7, "infra/terraform/envs/prod", kFingerprint)};
  auto refused = DecideDestroy(Deleting("x"), kDev, kFingerprint, 0, 2, notes, 7, "");
  EXPECT_FALSE(refused.allowed);

  notes.push_back(Confirmation(7, kDev, kFingerprint, "dora"));
  auto allowed = DecideDestroy(Deleting("x"), kDev, kFingerprint, 0, 2, notes, 7, "");
  EXPECT_TRUE(allowed.allowed);
  ASSERT_TRUE(allowed.confirmation);
  EXPECT_EQ(allowed.confirmation->by, "dora");
  EXPECT_EQ(allowed.confirmation->at, 1700000000);
  EXPECT_EQ(allowed.why, "destroy confirmed by dora for plan ffffffffffff");
  json recorded = allowed.ToJson();
  EXPECT_EQ(recorded["confirmation"]["by"], "dora");
  EXPECT_EQ(recorded["confirmation"]["fingerprint"], kFingerprint);
}

TEST(DestroyGateTest, ANonDestructivePlanPassesWithoutAnything) {
  plan::Classification c;
  c.creates = 3;
  auto d = DecideDestroy(c, kDev, kFingerprint, 0, 5, {}, 7, "");
  EXPECT_FALSE(d.destructive);
  EXPECT_TRUE(d.allowed);
}

}  // namespace
}  // namespace datamcp::proposal
