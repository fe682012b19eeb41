// The drift issue's text (drift_issue_text.h): what it lists, and that no resource or project
// name can forge the bot's marker, end its code span or add markdown structure.
#include "gitops/forge/drift_issue_text.h"

#include <gtest/gtest.h>

namespace datamcp::forge {
namespace {

const std::string kTip = "0123456789abcdef0123456789abcdef01234567";

DriftReport Report(std::vector<DriftedAddress> resources) {
  return {.project = "infra/terraform/envs/dev",
          .environment = "dev",
          .commit = kTip,
          .resources = std::move(resources),
          .checked_at = 1800000000};
}

TEST(DriftIssueTextTest, BodyStartsWithTheMarkerAndListsEachResourceTheTipAndTheRunbook) {
  std::string body = DriftIssueBody(Report(
      {{"aws_s3_bucket.logs", "update"}, {"module.orders.terraform_data.dataset", "create"}}));
  EXPECT_TRUE(IsDriftIssueBodyOf(body, "infra/terraform/envs/dev")) << body;
  EXPECT_FALSE(IsDriftIssueBodyOf(body, "infra/terraform/envs/prod"));
  EXPECT_EQ(body.rfind("<!-- datamcp:drift project=infra%2Fterraform%2Fenvs%2Fdev -->\n", 0), 0u);
  EXPECT_NE(body.find("- `update` `aws_s3_bucket.logs`\n"), std::string::npos) << body;
  EXPECT_NE(body.find("- `create` `module.orders.terraform_data.dataset`\n"), std::string::npos);
  EXPECT_NE(body.find("`" + kTip + "`"), std::string::npos);
  EXPECT_NE(body.find("found 2 resources"), std::string::npos);
  EXPECT_NE(body.find("propose_rollback"), std::string::npos) << "the runbook: roll back";
  EXPECT_NE(body.find("propose_change"), std::string::npos) << "the runbook: propose the fix";
  EXPECT_EQ(DriftIssueTitle(Report({{"a.b", "delete"}})),
            "Drift detected: dev (infra/terraform/envs/dev)");
}

TEST(DriftIssueTextTest, TheSameDriftRendersTheSameBodySoNothingIsEdited) {
  DriftReport a = Report({{"a.b", "delete"}});
  DriftReport b = a;
  b.checked_at += 600;  // a later pass, same drift
  EXPECT_EQ(DriftIssueBody(a), DriftIssueBody(b));
}

TEST(DriftIssueTextTest, AHostileAddressStaysInsideItsCodeSpan) {
  // A for_each key can hold anything: a marker, a line end, backticks, markdown, HTML.
  std::string hostile =
      "module.x[\"`` <!-- datamcp:drift project=infra%2Fterraform%2Fenvs%2Fprod -->\n"
      "### Resolved [click](https://evil.example) | <img src=x>\"]";
  std::string body = DriftIssueBody(Report({{hostile, "create"}}));
  EXPECT_TRUE(IsDriftIssueBodyOf(body, "infra/terraform/envs/dev"));
  EXPECT_FALSE(IsDriftIssueBodyOf(body, "infra/terraform/envs/prod"));
  std::string line = MarkdownCode(hostile);
  EXPECT_EQ(line.find('\n'), std::string::npos) << "a line end would start a heading";
  EXPECT_EQ(line.rfind("```", 0), 0u) << "a fence longer than the `` run inside: " << line;
  EXPECT_NE(line.find("\xEF\xBF\xBD### Resolved"), std::string::npos);
  // The only line starting with the marker prefix is the first.
  std::size_t at = body.find("\n<!-- datamcp:drift");
  EXPECT_EQ(at, std::string::npos) << body;
  EXPECT_EQ(body.find("\n### Resolved"), std::string::npos) << body;
}

TEST(DriftIssueTextTest, CodeSpansPadBackticksAtTheEdges) {
  EXPECT_EQ(MarkdownCode("a.b"), "`a.b`");
  EXPECT_EQ(MarkdownCode("`x"), "`` `x ``");
  EXPECT_EQ(MarkdownCode("a``b"), "```a``b```");
  EXPECT_EQ(MarkdownCode("a\rb\x7f"),
            "`a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD`");
}

TEST(DriftIssueTextTest, ManyResourcesAreCutToTheLimitSayingHowManyMore) {
  std::vector<DriftedAddress> many;
  for (int i = 0; i < 5000; ++i)
    many.push_back({"module.m.terraform_data.r" + std::to_string(i), "create"});
  std::string body = DriftIssueBody(Report(many), 8192);
  EXPECT_LE(body.size(), 8192u);
  EXPECT_NE(body.find(" more (`datamcp drift` lists them all)"), std::string::npos);
  EXPECT_NE(body.find("propose_rollback"), std::string::npos) << "the runbook survives the cut";
  EXPECT_NE(body.find("found 5000 resources"), std::string::npos);
}

TEST(DriftIssueTextTest, TitleIsOneLine) {
  DriftReport r = Report({{"a.b", "delete"}});
  r.environment = "dev\nInjected";
  EXPECT_EQ(DriftIssueTitle(r).find('\n'), std::string::npos);
}

TEST(DriftIssueTextTest, ReportsWithoutResourcesOrWithABadCommitAreRefused) {
  EXPECT_TRUE(CheckDriftReport(Report({{"a.b", "delete"}})).ok());
  EXPECT_EQ(CheckDriftReport(Report({})).code(), StatusCode::kInvalidArgument);
  DriftReport bad = Report({{"a.b", "delete"}});
  bad.commit = "main";
  EXPECT_EQ(CheckDriftReport(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckDriftReport(Report({{"", "delete"}})).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace datamcp::forge
