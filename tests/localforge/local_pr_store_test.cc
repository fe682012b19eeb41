#include "gitops/localforge/local_pr_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "gitops/localforge/local_forge.h"
#include "tests/support/git_fixture.h"

namespace datamcp::localforge {
namespace {

using test::GitFixture;

class LocalPrStoreTest : public ::testing::Test {
 protected:
  GitFixture fx_;
  ManualClock clock_;
  LocalPrStore store_{fx_.bare(), clock_, {}};
};

TEST_F(LocalPrStoreTest, OpensNumberedPullRequestsAndReusesOpenOneForSameBranch) {
  std::string sha = fx_.CommitOnBranch("datamcp/a", {{"a.txt", "a\n"}});
  auto first = store_.Open("datamcp/a", "main", "Add a", "body", "alice");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->number, 1);
  EXPECT_EQ(first->head_sha, sha);
  auto again = store_.Open("datamcp/a", "main", "Add a (again)", "", "alice");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->number, 1);
  EXPECT_EQ(again->title, "Add a");

  fx_.CommitOnBranch("datamcp/b", {{"b.txt", "b\n"}});
  auto second = store_.Open("datamcp/b", "main", "Add b", "", "bob");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->number, 2);
  auto all = store_.List(true);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

TEST_F(LocalPrStoreTest, AnOpenPullRequestFollowsItsBranchWhenItMoves) {
  std::string first = fx_.CommitOnBranch("datamcp/a", {{"a.txt", "a\n"}});
  ASSERT_TRUE(store_.Open("datamcp/a", "main", "Add a", "", "alice").ok());
  std::string moved = fx_.CommitOnBranch("datamcp/a", {{"a.txt", "a2\n"}});  // a push, a refresh
  ASSERT_NE(moved, first);
  EXPECT_EQ(store_.Get(1)->head_sha, moved);
  auto open = store_.List(true);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->at(0).head_sha, moved);
}

TEST_F(LocalPrStoreTest, OpenFailsForMissingBranchAndLeavesNothing) {
  auto pr = store_.Open("no-such-branch", "main", "t", "", "alice");
  ASSERT_FALSE(pr.ok());
  EXPECT_NE(pr.status().message().find("no-such-branch"), std::string::npos);
  EXPECT_EQ(fx_.BareOut("for-each-ref refs/datamcp"), "");
}

TEST_F(LocalPrStoreTest, ReviewsAreKeptAndApproversComputed) {
  fx_.CommitOnBranch("datamcp/a", {{"a.txt", "a\n"}});
  ASSERT_TRUE(store_.Open("datamcp/a", "main", "t", "", "alice").ok());
  auto review = [&](const std::string& user, const std::string& state) {
    return store_.Update(1, "review", [&](PullRecord& pr) {
      pr.reviews.push_back({user, state, "", clock_.UnixSeconds()});
      return Status::Ok();
    });
  };
  ASSERT_TRUE(review("carol", "APPROVED").ok());
  ASSERT_TRUE(review("dave", "CHANGES_REQUESTED").ok());
  ASSERT_TRUE(review("dave", "COMMENTED").ok());  // a comment does not clear a verdict
  auto pr = review("erin", "APPROVED");
  ASSERT_TRUE(pr.ok());
  EXPECT_EQ(pr->Approvers(), (std::vector<std::string>{"carol", "erin"}));
  // Every change is a commit on the forge ref: the forge's own audit trail.
  EXPECT_EQ(test::Trim(fx_.BareOut("rev-list --count refs/datamcp/forge")), "5");
}

TEST_F(LocalPrStoreTest, ConcurrentWritersLoseNoUpdate) {
  fx_.CommitOnBranch("datamcp/a", {{"a.txt", "a\n"}});
  ASSERT_TRUE(store_.Open("datamcp/a", "main", "t", "", "alice").ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      LocalPrStore store(fx_.bare(), clock_, {});  // another writer, as another process
      for (int i = 0; i < 5; ++i) {
        auto r = store.Update(1, "comment", [&](PullRecord& pr) {
          pr.comments.push_back({static_cast<long long>(t * 100 + i), "w", "c", 0});
          return Status::Ok();
        });
        EXPECT_TRUE(r.ok()) << r.status().ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  auto pr = store_.Get(1);
  ASSERT_TRUE(pr.ok());
  EXPECT_EQ(pr->comments.size(), 20u);
}

TEST_F(LocalPrStoreTest, MergeCreatesMergeCommitOnBaseAndMarksRecord) {
  std::string head = fx_.CommitOnBranch("datamcp/a", {{"envs/dev/a.tf", "x\n"}});
  ASSERT_TRUE(store_.Open("datamcp/a", "main", "Add a", "", "alice").ok());
  std::string old_main = test::Trim(fx_.BareOut("rev-parse main"));
  auto merged = store_.Merge(1, "carol");
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_TRUE(merged->merged);
  EXPECT_EQ(merged->state, "closed");
  EXPECT_EQ(merged->merged_by, "carol");
  std::string main = test::Trim(fx_.BareOut("rev-parse main"));
  EXPECT_EQ(merged->merge_commit_sha, main);
  EXPECT_EQ(test::Trim(fx_.BareOut("rev-parse main^1")), old_main);
  EXPECT_EQ(test::Trim(fx_.BareOut("rev-parse main^2")), head);
  EXPECT_EQ(fx_.BareOut("show main:envs/dev/a.tf"), "x\n");
  EXPECT_NE(fx_.BareOut("log -1 --format=%B main").find("Merge pull request #1 from datamcp/a"),
            std::string::npos);
  auto twice = store_.Merge(1, "carol");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(LocalPrStoreTest, MergeConflictNamesPathsAndLeavesBaseAlone) {
  fx_.CommitOnBranch("datamcp/a", {{"shared.txt", "from a\n"}});
  fx_.CommitOnBranch("datamcp/b", {{"shared.txt", "from b\n"}});
  ASSERT_TRUE(store_.Open("datamcp/a", "main", "a", "", "alice").ok());
  ASSERT_TRUE(store_.Open("datamcp/b", "main", "b", "", "bob").ok());
  ASSERT_TRUE(store_.Merge(1, "carol").ok());
  std::string main = test::Trim(fx_.BareOut("rev-parse main"));
  auto r = store_.Merge(2, "carol");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("shared.txt"), std::string::npos);
  EXPECT_EQ(test::Trim(fx_.BareOut("rev-parse main")), main);
  EXPECT_FALSE(store_.Get(2)->merged);
}

TEST(PullRecordJsonTest, FieldsOfTheWrongTypeReadAsAbsentInsteadOfThrowing) {
  // Someone with push access rewrote a record by hand.
  auto pr = PullRecordFromJson(nlohmann::json::parse(R"({"number": 3, "title": 5,
      "merged": "yes", "reviews": [{"user": ["x"], "state": "APPROVED"}, "junk"],
      "comments": {"id": 1}, "statuses": [{"sha": "abc", "state": null}]})"));
  ASSERT_TRUE(pr.ok()) << pr.status().ToString();
  EXPECT_EQ(pr->number, 3);
  EXPECT_EQ(pr->title, "");
  EXPECT_FALSE(pr->merged);
  ASSERT_EQ(pr->reviews.size(), 2u);
  EXPECT_EQ(pr->reviews[0].user, "");
  EXPECT_EQ(pr->reviews[0].state, "APPROVED");
  EXPECT_TRUE(pr->comments.empty());
  ASSERT_EQ(pr->statuses.size(), 1u);
  EXPECT_EQ(pr->statuses[0].sha, "abc");
  for (const char* bad : {R"([1])", R"({"number": "3"})", R"({"number": -1})", R"({})"}) {
    EXPECT_FALSE(PullRecordFromJson(nlohmann::json::parse(bad)).ok()) << bad;
  }
}

TEST(PullRecordJsonTest, AReviewKeepsTheHeadAndPlanItWasGivenOn) {
  PullRecord pr;
  pr.number = 4;
  pr.head_sha = std::string(40, '2');
  pr.reviews.push_back({"carol", "APPROVED", "", 100, std::string(40, '1'), {{"envs/dev", "f1"}}});
  pr.reviews.push_back({"dave", "APPROVED", "", 200, "", {}});  // written before binding
  auto back = PullRecordFromJson(ToJson(pr));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->reviews[0].head_sha, std::string(40, '1'));
  EXPECT_EQ(back->reviews[0].fingerprints,
            (std::map<std::string, std::string>{{"envs/dev", "f1"}}));
  EXPECT_FALSE(ToJson(pr)["reviews"][1].contains("fingerprints"));
  // As the forge reports them: the old review is taken to be on the record's head.
  auto reviews = ToForgeReviews(*back);
  ASSERT_EQ(reviews.size(), 2u);
  EXPECT_EQ(reviews[0].commit_sha, std::string(40, '1'));
  EXPECT_EQ(reviews[0].submitted_at, 100);
  EXPECT_EQ(reviews[0].fingerprints.at("envs/dev"), "f1");
  EXPECT_EQ(reviews[1].commit_sha, std::string(40, '2'));
  // A hand-edited record: fingerprints that are not strings are dropped.
  auto odd = PullRecordFromJson(nlohmann::json::parse(
      R"({"number": 5, "reviews": [{"user": "x", "fingerprints": {"a": 1, "b": "f"}}]})"));
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->reviews[0].fingerprints, (std::map<std::string, std::string>{{"b", "f"}}));
}

}  // namespace
}  // namespace datamcp::localforge
