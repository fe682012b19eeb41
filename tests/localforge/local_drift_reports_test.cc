// The local forge's drift reports: records on the forge ref beside the pull requests, one per
// project, written only when what they say changes.
#include "gitops/localforge/local_drift_reports.h"

#include <gtest/gtest.h>

#include "gitops/localforge/local_forge.h"
#include "gitops/localforge/local_pr_store.h"
#include "tests/support/git_fixture.h"

namespace datamcp::localforge {
namespace {

using test::GitFixture;

const std::string kTip = "0123456789abcdef0123456789abcdef01234567";
const std::string kNext = "89abcdef0123456789abcdef0123456789abcdef";
const std::string kDev = "infra/terraform/envs/dev";

forge::DriftReport Dev(std::vector<forge::DriftedAddress> resources,
                       const std::string& tip = kTip) {
  return {.project = kDev,
          .environment = "dev",
          .commit = tip,
          .resources = std::move(resources),
          .checked_at = 1800000000};
}

class LocalDriftReportsTest : public ::testing::Test {
 protected:
  int ForgeCommits() {
    std::string log = fx_.BareOut("rev-list --count refs/datamcp/forge");
    return log.empty() ? 0 : std::stoi(log);
  }
  GitFixture fx_;
  ManualClock clock_;
  LocalPrStore store_{fx_.bare(), clock_, {}};
  LocalForge forge_{store_};
  LocalDriftReports reports_{fx_.bare(), clock_, "DataMCP", "datamcp@localhost"};
};

TEST_F(LocalDriftReportsTest, OpensOneRecordEditsItOnChangeAndResolvesIt) {
  auto where = forge_.UpsertDriftReport(Dev({{"a.b", "create"}}));
  ASSERT_TRUE(where.ok()) << where.status().ToString();
  EXPECT_EQ(*where, "datamcp prs");
  auto open = reports_.List(true);
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->at(0).project, kDev);
  EXPECT_EQ(open->at(0).environment, "dev");
  EXPECT_EQ(open->at(0).commit, kTip);
  EXPECT_EQ(open->at(0).resources, (std::vector<forge::DriftedAddress>{{"a.b", "create"}}));
  EXPECT_EQ(ForgeCommits(), 1);

  ASSERT_TRUE(forge_.UpsertDriftReport(Dev({{"a.b", "create"}})).ok());
  EXPECT_EQ(ForgeCommits(), 1) << "the same drift is not written again";

  ASSERT_TRUE(forge_.UpsertDriftReport(Dev({{"a.b", "create"}, {"c.d", "delete"}}, kNext)).ok());
  open = reports_.List(true);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->at(0).resources.size(), 2u);
  EXPECT_EQ(open->at(0).commit, kNext);
  EXPECT_EQ(open->at(0).edits, 1);

  auto resolved = forge_.ResolveDriftReport(kDev, kNext);
  ASSERT_TRUE(resolved.ok());
  EXPECT_TRUE(*resolved);
  EXPECT_TRUE(reports_.List(true)->empty());
  auto all = reports_.List(false);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->at(0).state, "resolved");
  EXPECT_EQ(all->at(0).resolved_commit, kNext);
  EXPECT_FALSE(*forge_.ResolveDriftReport(kDev, kNext)) << "nothing open to resolve";
}

TEST_F(LocalDriftReportsTest, DriftAfterAResolutionOpensAFreshRecord) {
  ASSERT_TRUE(forge_.UpsertDriftReport(Dev({{"a.b", "create"}})).ok());
  ASSERT_TRUE(forge_.ResolveDriftReport(kDev, kTip).ok());
  ASSERT_TRUE(forge_.UpsertDriftReport(Dev({{"x.y", "update"}}, kNext)).ok());
  auto open = reports_.List(true);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->at(0).state, "open");
  EXPECT_EQ(open->at(0).edits, 0);
  EXPECT_EQ(open->at(0).resolved_commit, "");
  EXPECT_EQ(open->at(0).resources, (std::vector<forge::DriftedAddress>{{"x.y", "update"}}));
}

TEST_F(LocalDriftReportsTest, RecordsLiveBesideThePullRequestsWithoutDisturbingThem) {
  fx_.CommitOnBranch("datamcp/a", {{"a.txt", "a\n"}});
  ASSERT_TRUE(store_.Open("datamcp/a", "main", "Add a", "", "alice").ok());
  ASSERT_TRUE(forge_.UpsertDriftReport(Dev({{"a.b", "create"}})).ok());
  ASSERT_TRUE(store_.Update(1, "comment", [](PullRecord&) { return Status::Ok(); }).ok());
  EXPECT_EQ(store_.List(false)->size(), 1u);
  EXPECT_EQ(reports_.List(true)->size(), 1u);
  EXPECT_NE(fx_.BareOut("ls-tree -r --name-only refs/datamcp/forge").find("drift/"),
            std::string::npos);
}

TEST_F(LocalDriftReportsTest, ABadReportWritesNothing) {
  EXPECT_EQ(forge_.UpsertDriftReport(Dev({})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fx_.BareOut("for-each-ref refs/datamcp"), "");
}

}  // namespace
}  // namespace datamcp::localforge
