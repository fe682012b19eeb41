#include "gitops/proposal/approvals.h"

#include <gtest/gtest.h>

#include <map>

namespace datamcp::proposal {
namespace {

using forge::Review;
using forge::ReviewState;
using nlohmann::json;

const std::string kDev = "infra/terraform/envs/dev";
const std::string kH1(40, '1');
const std::string kH2(40, '2');
const std::string kF1(64, 'a');
const std::string kF2(64, 'b');

std::string PlanNote(const std::string& fingerprint, long long at, bool ok = true) {
  return json{
      {"type", "plan"},
      {"at", at},
      {"projects", json::array({{{"project", kDev}, {"ok", ok}, {"fingerprint", fingerprint}}})}}
      .dump();
}

// The notes of each commit, as git would return them (oldest first).
struct Notes {
  std::map<std::string, std::vector<std::string>> by_commit;
  int reads = 0;
  NotesOf Reader() {
    return [this](const std::string& sha) -> Result<std::vector<std::string>> {
      ++reads;
      return by_commit[sha];
    };
  }
};

Review Approved(const std::string& user, const std::string& commit, long long at = 0) {
  return {user, ReviewState::kApproved, commit, at, {}};
}

TEST(BindApprovals, ApprovalOfTheSamePlanOnAnotherCommitCounts) {
  Notes notes;
  notes.by_commit[kH1] = {PlanNote(kF1, 100)};
  notes.by_commit[kH2] = {PlanNote(kF1, 200)};  // a comment pushed: same plan
  auto b = BindApprovals({Approved("carol", kH1, 150)}, "agent", kDev, kF1, notes.Reader());
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->current, std::vector<std::string>{"carol"});
  EXPECT_TRUE(b->stale.empty());
}

TEST(BindApprovals, ApprovalOfAnEarlierPlanIsStale) {
  Notes notes;
  notes.by_commit[kH1] = {PlanNote(kF1, 100)};
  auto b = BindApprovals({Approved("carol", kH1, 150)}, "agent", kDev, kF2, notes.Reader());
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->current.empty());
  ASSERT_EQ(b->stale.size(), 1u);
  EXPECT_EQ(b->stale[0].user, "carol");
  EXPECT_EQ(b->stale[0].commit, kH1);
  EXPECT_EQ(b->stale[0].fingerprint, kF1);
  EXPECT_EQ(b->DescribeStale(),
            "carol approved plan aaaaaaaaaaaa (commit 111111111111), not this one");
  EXPECT_EQ(b->StaleJson(), json::parse(R"([{"user":"carol","commit":")" + kH1 +
                                        R"(","fingerprint":")" + kF1 + R"("}])"));
}

TEST(BindApprovals, TheSameHeadReplannedAfterTheApprovalMakesItStale) {
  // The default branch moved: the head was planned again, to another plan, after carol
  // approved it. Her approval is bound to the plan shown when she gave it.
  Notes notes;
  notes.by_commit[kH1] = {PlanNote(kF1, 100), PlanNote(kF2, 300)};
  auto b = BindApprovals({Approved("carol", kH1, 200), Approved("dora", kH1, 400)}, "agent", kDev,
                         kF2, notes.Reader());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->current, std::vector<std::string>{"dora"});
  ASSERT_EQ(b->stale.size(), 1u);
  EXPECT_EQ(b->stale[0].user, "carol");
  EXPECT_EQ(notes.reads, 1) << "the notes of a commit are read once";
}

TEST(BindApprovals, ApprovalBeforeTheFirstPlanBindsToThatCommitsFirstPlan) {
  Notes notes;
  notes.by_commit[kH1] = {PlanNote(kF1, 100), PlanNote(kF2, 300)};
  auto b = BindApprovals({Approved("carol", kH1, 50)}, "agent", kDev, kF1, notes.Reader());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->current, std::vector<std::string>{"carol"});
}

TEST(BindApprovals, RecordedFingerprintsWinOverTheCommitsNotes) {
  Notes notes;
  notes.by_commit[kH1] = {PlanNote(kF2, 100)};
  Review r = Approved("carol", kH1, 150);
  r.fingerprints[kDev] = kF1;
  auto b = BindApprovals({r}, "agent", kDev, kF1, notes.Reader());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->current, std::vector<std::string>{"carol"});
  EXPECT_EQ(notes.reads, 0);
}

TEST(BindApprovals, AuthorCommentsAndLaterReviewsAreHandled) {
  Notes notes;
  notes.by_commit[kH1] = {PlanNote(kF1, 100)};
  std::vector<Review> reviews = {
      Approved("agent", kH1),                               // the author: never counts
      Approved("bob", kH1),                                 // then changes requested
      {"bob", ReviewState::kChangesRequested, kH1, 0, {}},  //
      Approved("carol", kH1),                               //
      {"carol", ReviewState::kCommented, kH1, 0, {}},       // a comment changes nothing
  };
  auto b = BindApprovals(reviews, "agent", kDev, kF1, notes.Reader());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->current, std::vector<std::string>{"carol"});
  EXPECT_TRUE(b->stale.empty());
}

TEST(BindApprovals, NothingCountsWithoutAPlanToBindTo) {
  Notes notes;
  notes.by_commit[kH1] = {PlanNote(kF1, 100, /*ok=*/false), "not json", R"({"type":"plan"})"};
  auto none = BindApprovals({Approved("carol", kH1)}, "agent", kDev, kF1, notes.Reader());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->current.empty()) << "a failed or malformed plan is no plan";
  EXPECT_EQ(none->stale.at(0).fingerprint, "");
  EXPECT_EQ(none->DescribeStale(), "carol approved plan none (commit 111111111111), not this one");
  auto empty = BindApprovals({Approved("carol", kH1)}, "agent", kDev, "", notes.Reader());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->current.empty());
}

TEST(BindApprovals, UnreadableNotesAreAnError) {
  NotesOf failing = [](const std::string&) -> Result<std::vector<std::string>> {
    return Unavailable("remote down");
  };
  auto b = BindApprovals({Approved("carol", kH1)}, "agent", kDev, kF1, failing);
  EXPECT_EQ(b.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace datamcp::proposal
