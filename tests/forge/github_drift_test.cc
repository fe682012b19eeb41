// GithubForge's drift reports against the fake GitHub (every request and answer checked
// against @octokit/openapi): one issue per project, edited in place, found again by a new
// forge (a restart), closed with a comment, and never confused with someone else's issue.
#include <gtest/gtest.h>

#include "gitops/forge/drift_issue_text.h"
#include "gitops/forge/github_forge.h"
#include "tests/forge/github_test_util.h"

namespace datamcp::forge::testing {
namespace {

using nlohmann::json;

const std::string kTip = "0123456789abcdef0123456789abcdef01234567";
const std::string kNext = "89abcdef0123456789abcdef0123456789abcdef";
const std::string kDev = "infra/terraform/envs/dev";

class GithubDriftTest : public GithubFakeTest {
 protected:
  std::vector<json> Issues() { return State()["issues"].get<std::vector<json>>(); }
  std::vector<json> CommentsOn(int number) {
    std::vector<json> out;
    json state = State();  // kept: a range-for over a temporary's member would dangle
    for (const auto& c : state["comments"]) {
      if (c["issue"] == number) out.push_back(c);
    }
    return out;
  }
};

DriftReport Dev(std::vector<DriftedAddress> resources, const std::string& tip = kTip) {
  return {.project = kDev,
          .environment = "dev",
          .commit = tip,
          .resources = std::move(resources),
          .checked_at = 1800000000};
}

TEST_F(GithubDriftTest, OpensOneIssueThenLeavesItThenEditsItWhenTheDriftChanges) {
  auto forge = TokenForge();
  auto url = forge->UpsertDriftReport(Dev({{"aws_s3_bucket.logs", "update"}}));
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto issues = Issues();
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(*url, "https://github.example/octo/gitops/issues/" +
                      std::to_string(issues[0]["number"].get<int>()));
  EXPECT_EQ(issues[0]["title"], "Drift detected: dev (infra/terraform/envs/dev)");
  EXPECT_EQ(issues[0]["labels"], json::array({"datamcp-drift"}));
  EXPECT_EQ(issues[0]["login"], "datamcp-bot");
  std::string body = issues[0]["body"];
  EXPECT_TRUE(IsDriftIssueBodyOf(body, kDev)) << body;
  EXPECT_NE(body.find("`update` `aws_s3_bucket.logs`"), std::string::npos) << body;

  // The same drift again, from a new forge (a restart): found by its label and marker.
  auto again = TokenForge()->UpsertDriftReport(Dev({{"aws_s3_bucket.logs", "update"}}));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *url);
  EXPECT_EQ(Issues().size(), 1u);
  EXPECT_EQ(Requests("PATCH", "/issues/").size(), 0u) << "unchanged: not edited";

  // More drift: the same issue, edited.
  ASSERT_TRUE(forge
                  ->UpsertDriftReport(
                      Dev({{"aws_s3_bucket.logs", "update"}, {"aws_iam_role.ci", "delete"}}, kNext))
                  .ok());
  issues = Issues();
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0]["edits"], 1);
  body = issues[0]["body"];
  EXPECT_NE(body.find("`delete` `aws_iam_role.ci`"), std::string::npos) << body;
  EXPECT_NE(body.find(kNext), std::string::npos);
  EXPECT_EQ(Requests("POST", "/issues").size(), 1u);
  EXPECT_EQ(Requests("GET", "/user").size(), 2u) << "the bot's login is asked once per forge";
}

TEST_F(GithubDriftTest, ResolveCommentsAndClosesAndThenHasNothingToClose) {
  auto forge = TokenForge();
  ASSERT_TRUE(forge->UpsertDriftReport(Dev({{"a.b", "create"}})).ok());
  int number = Issues()[0]["number"];
  auto closed = TokenForge()->ResolveDriftReport(kDev, kNext);
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_TRUE(*closed);
  auto issues = Issues();
  EXPECT_EQ(issues[0]["state"], "closed");
  EXPECT_EQ(issues[0]["state_reason"], "completed");
  auto comments = CommentsOn(number);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_NE(comments[0]["body"].get<std::string>().find("found no drift"), std::string::npos);
  EXPECT_NE(comments[0]["body"].get<std::string>().find(kNext), std::string::npos);

  auto none = forge->ResolveDriftReport(kDev, kNext);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  // Drift again: a new issue, not the closed one reopened.
  ASSERT_TRUE(forge->UpsertDriftReport(Dev({{"a.b", "create"}})).ok());
  EXPECT_EQ(Issues().size(), 2u);
}

TEST_F(GithubDriftTest, AnIssueSomeoneElseWroteWithTheMarkerIsNeverTakenForTheBots) {
  std::string forged = DriftIssueBody(Dev({{"nothing.to_see", "update"}}));
  Control("issues", {{"title", "Drift detected: dev"},
                     {"body", forged},
                     {"labels", json::array({"datamcp-drift"})},
                     {"login", "mallory"}});
  auto forge = TokenForge();
  ASSERT_TRUE(forge->UpsertDriftReport(Dev({{"a.b", "create"}})).ok());
  auto issues = Issues();
  ASSERT_EQ(issues.size(), 2u) << "the bot opened its own";
  EXPECT_EQ(issues[0]["body"], forged) << "mallory's issue is not edited";
  EXPECT_EQ(issues[0]["edits"], 0);
  auto closed = forge->ResolveDriftReport(kDev, kTip);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(Issues()[0]["state"], "open") << "nor closed";
  EXPECT_EQ(Issues()[1]["state"], "closed");
}

TEST_F(GithubDriftTest, EachProjectHasItsOwnIssue) {
  auto forge = TokenForge();
  ASSERT_TRUE(forge->UpsertDriftReport(Dev({{"a.b", "create"}})).ok());
  DriftReport prod = Dev({{"a.b", "create"}});
  prod.project = "infra/terraform/envs/prod";
  prod.environment = "prod";
  ASSERT_TRUE(forge->UpsertDriftReport(prod).ok());
  ASSERT_EQ(Issues().size(), 2u);
  ASSERT_TRUE(forge->ResolveDriftReport(kDev, kTip).ok());
  EXPECT_EQ(Issues()[0]["state"], "closed");
  EXPECT_EQ(Issues()[1]["state"], "open");
}

TEST_F(GithubDriftTest, AGithubAppKnowsItsIssuesByTheAppTheyWereMadeThrough) {
  auto forge = AppForge();
  ASSERT_NE(forge, nullptr);
  // Someone else's issue made through another App, with the marker.
  Control("issues", {{"body", DriftIssueBody(Dev({{"x.y", "update"}}))},
                     {"labels", json::array({"datamcp-drift"})},
                     {"login", "other-app[bot]"},
                     {"via_app", 99}});
  ASSERT_TRUE(forge->UpsertDriftReport(Dev({{"a.b", "create"}})).ok());
  ASSERT_TRUE(forge->UpsertDriftReport(Dev({{"a.b", "create"}})).ok());
  auto issues = Issues();
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[1]["login"], "datamcp-app[bot]");
  EXPECT_EQ(issues[1]["via_app"], 5);
  EXPECT_EQ(Requests("GET", "/user").size(), 0u) << "an App has no GET /user";
  auto closed = forge->ResolveDriftReport(kDev, kTip);
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_EQ(Issues()[0]["state"], "open");
  EXPECT_EQ(Issues()[1]["state"], "closed");
}

TEST_F(GithubDriftTest, WithoutItsOwnLoginTheBotEditsNothingAndOpensNoSecondIssue) {
  ASSERT_TRUE(TokenForge()->UpsertDriftReport(Dev({{"a.b", "create"}})).ok());
  // A token that may not read GET /user (GitHub's Actions token answers 403).
  Control("fail-next", {{"status", 403}, {"path", "/user"}, {"method", "GET"}});
  auto r = TokenForge()->UpsertDriftReport(Dev({{"a.b", "create"}, {"c.d", "delete"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("GET /user"), std::string::npos) << r.status().ToString();
  auto issues = Issues();
  ASSERT_EQ(issues.size(), 1u) << "no second issue";
  EXPECT_EQ(issues[0]["edits"], 0);
}

TEST_F(GithubDriftTest, ABadReportSendsNothing) {
  auto forge = TokenForge();
  EXPECT_EQ(forge->UpsertDriftReport(Dev({})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(State()["requests"].empty());
}

}  // namespace
}  // namespace datamcp::forge::testing
