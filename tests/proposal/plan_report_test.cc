#include "gitops/proposal/plan_report.h"

#include <gtest/gtest.h>

namespace datamcp::proposal {
namespace {

PlanRun MakeRun(bool ok) {
  PlanRun run;
  run.base = std::string(40, 'a');
  run.head = std::string(40, 'b');
  ProjectPlan p;
  p.project = {ProjectKind::kTerraform, "infra/terraform/envs/dev", "dev"};
  p.ok = ok;
  p.summary = ok ? "Plan: 1 to add, 0 to change, 0 to destroy." : "plan failed";
  p.error = ok ? "" : "Error: bad | pipe";
  p.fingerprint = ok ? std::string(64, 'f') : "";
  p.text = "+ terraform_data.x";
  run.plans.push_back(p);
  return run;
}

TEST(PlanReportTest, SuccessStatusSummarizesEachEnvironment) {
  auto state = BuildPlanStatus(MakeRun(true), {});
  EXPECT_EQ(state.state, forge::CommitStateKind::kSuccess);
  EXPECT_EQ(state.context, "datamcp/plan");
  EXPECT_EQ(state.description, "dev: Plan: 1 to add, 0 to change, 0 to destroy.");
}

TEST(PlanReportTest, LockedProjectFailsTheStatusNamingTheHolder) {
  auto state = BuildPlanStatus(MakeRun(true), {{"infra/terraform/envs/dev", "locked by #3"}});
  EXPECT_EQ(state.state, forge::CommitStateKind::kFailure);
  EXPECT_NE(state.description.find("locked by #3"), std::string::npos);
  auto comment = BuildPlanComment(MakeRun(true), {{"infra/terraform/envs/dev", "locked by #3"}});
  EXPECT_NE(comment.summary.find("**blocked**: locked by #3"), std::string::npos);
}

TEST(PlanReportTest, StaleApprovalsAreSaidInTheCommentAndTheStatus) {
  DestroyHint hint;
  hint.approvals["infra/terraform/envs/dev"] = {1, {}, "carol approved plan aaaa (commit 1111)"};
  auto comment = BuildPlanComment(MakeRun(true), {}, hint);
  EXPECT_NE(comment.summary.find("**Approvals are stale**"), std::string::npos);
  EXPECT_NE(comment.summary.find("- `infra/terraform/envs/dev`: 0 of 1 approval(s) of this plan; "
                                 "stale: carol approved plan aaaa (commit 1111)"),
            std::string::npos)
      << comment.summary;
  auto state = BuildPlanStatus(MakeRun(true), {}, hint);
  EXPECT_EQ(state.state, forge::CommitStateKind::kSuccess);
  EXPECT_EQ(state.description.rfind("re-approve: stale approvals: infra/terraform/envs/dev 0 of 1 "
                                    "(carol approved plan aaaa (commit 1111)); dev: Plan",
                                    0),
            0u)
      << state.description;
  // Enough current approvals: a stale one is not worth a word.
  hint.approvals["infra/terraform/envs/dev"].current = {"dora"};
  EXPECT_EQ(BuildPlanComment(MakeRun(true), {}, hint).summary.find("stale"), std::string::npos);
  EXPECT_EQ(BuildPlanStatus(MakeRun(true), {}, hint).description.find("re-approve"),
            std::string::npos);
}

TEST(PlanReportTest, CommentTableSurvivesPipesInErrors) {
  auto comment = BuildPlanComment(MakeRun(false), {});
  EXPECT_NE(comment.summary.find("Error: bad   pipe"), std::string::npos);
  ASSERT_EQ(comment.sections.size(), 1u);
  EXPECT_EQ(comment.sections[0].body, "Error: bad | pipe");  // verbatim in the code block
}

TEST(PlanReportTest, RecordedFingerprintIsTheNewestSuccessfulPlan) {
  auto older = BuildPlanNote(MakeRun(true), 1, 100);
  auto newer = older;
  newer["projects"][0]["fingerprint"] = std::string(64, 'e');
  auto failed = BuildPlanNote(MakeRun(false), 1, 300);
  std::vector<std::string> notes = {older.dump(), R"({"type":"ci"})", newer.dump(), failed.dump()};
  EXPECT_EQ(RecordedFingerprint(notes, "infra/terraform/envs/dev"), std::string(64, 'e'));
  EXPECT_EQ(RecordedFingerprint(notes, "infra/terraform/envs/prod"), "");
  EXPECT_EQ(RecordedFingerprint({"not json"}, "infra/terraform/envs/dev"), "");
}

TEST(PlanReportTest, RecordedFingerprintSkipsMalformedPlanNotesWithoutThrowing) {
  auto good = BuildPlanNote(MakeRun(true), 1, 100);
  std::vector<std::string> notes = {
      good.dump(),
      R"({"type":5})",
      R"([1])",
      R"("text")",
      R"({"type":"plan","projects":7})",
      R"({"type":"plan","projects":[1,"x",null]})",
      R"({"type":"plan","projects":[{"project":7,"ok":true,"fingerprint":"f"}]})",
      R"({"type":"plan","projects":[{"project":"infra/terraform/envs/dev","ok":"yes","fingerprint":"f"}]})",
      R"({"type":"plan","projects":[{"project":"infra/terraform/envs/dev","ok":true,"fingerprint":9}]})",
      R"({"type":"plan","projects":[{"project":"infra/terraform/envs/dev","ok":true}]})",
  };
  std::string fingerprint;
  ASSERT_NO_THROW(fingerprint = RecordedFingerprint(notes, "infra/terraform/envs/dev"));
  EXPECT_EQ(fingerprint, std::string(64, 'f'));  // the newest well-formed successful plan
  EXPECT_EQ(RecordedFingerprint({notes.begin() + 1, notes.end()}, "infra/terraform/envs/dev"), "");
}

}  // namespace
}  // namespace datamcp::proposal
