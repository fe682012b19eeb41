// GithubForge::UpsertCheckRun against the fake GitHub (every request and answer checked
// against @octokit/openapi, which caps each output field at 65,535 characters).
#include <gtest/gtest.h>

#include "gitops/forge/check_text.h"
#include "gitops/forge/github_forge.h"
#include "tests/forge/github_test_util.h"

namespace datamcp::forge::testing {
namespace {

using nlohmann::json;

const std::string kSha = "0123456789abcdef0123456789abcdef01234567";

class GithubChecksTest : public GithubFakeTest {
 protected:
  std::vector<json> Runs() { return State()["checkRuns"].get<std::vector<json>>(); }
};

CheckRun PlanCheck(CheckConclusion conclusion, const std::string& summary,
                   const std::string& text) {
  return {"datamcp/plan: infra/terraform/envs/dev", conclusion, "creates 1, deletes 0", summary,
          text};
}

TEST_F(GithubChecksTest, CreatesThenUpdatesTheSameCheckRun) {
  auto forge = TokenForge();
  auto first =
      forge->UpsertCheckRun(kSha, PlanCheck(CheckConclusion::kSuccess, "v1", "Plan: 1 to add"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_NE(first->find("/runs/"), std::string::npos) << *first;
  auto second =
      forge->UpsertCheckRun(kSha, PlanCheck(CheckConclusion::kFailure, "v2", "Error: bad plan"));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*second, *first) << "the same check run";

  auto runs = Runs();
  ASSERT_EQ(runs.size(), 1u) << "updated, not multiplied";
  EXPECT_EQ(runs[0]["head_sha"], kSha);
  EXPECT_EQ(runs[0]["updates"], 1);
  EXPECT_EQ(runs[0]["status"], "completed");
  EXPECT_EQ(runs[0]["conclusion"], "failure");
  EXPECT_EQ(runs[0]["output"]["title"], "creates 1, deletes 0");
  EXPECT_EQ(runs[0]["output"]["summary"], "v2");
  EXPECT_EQ(runs[0]["output"]["text"], "```\nError: bad plan\n```\n");
  EXPECT_EQ(Requests("POST", "/check-runs").size(), 1u);
  EXPECT_EQ(Requests("PATCH", "/check-runs/").size(), 1u);

  // Another project is another check run on the same commit.
  CheckRun other = PlanCheck(CheckConclusion::kNeutral, "blocked", "");
  other.name = "datamcp/plan: infra/terraform/envs/prod";
  ASSERT_TRUE(forge->UpsertCheckRun(kSha, other).ok());
  EXPECT_EQ(Runs().size(), 2u);
}

TEST_F(GithubChecksTest, PlanLongerThanTheCapKeepsItsSummaryAndTheTextIsCutWithANote) {
  auto forge = TokenForge();
  std::string plan;
  for (int i = 0; plan.size() <= 2 * kMaxCheckOutputBytes; ++i) {
    plan += "  # terraform_data.item[" + std::to_string(i) + "] will be created\n";
  }
  std::string summary = "**`infra/terraform/envs/dev`** creates 3000, deletes 0\n";
  auto url = forge->UpsertCheckRun(kSha, PlanCheck(CheckConclusion::kSuccess, summary, plan));
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto runs = Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["output"]["summary"], summary) << "the summary is never cut";
  std::string text = runs[0]["output"]["text"];
  EXPECT_LE(text.size(), kMaxCheckOutputBytes);
  EXPECT_GT(text.size(), kMaxCheckOutputBytes - 1024) << "cut near the cap, not far below";
  EXPECT_EQ(text.rfind("```\n  # terraform_data.item[0] will be created\n", 0), 0u);
  EXPECT_NE(text.find(std::string(kCheckTextCutNote)), std::string::npos) << "says it was cut";
  EXPECT_NE(text.find(" of " + std::to_string(plan.size()) + " bytes are shown"),
            std::string::npos);
  // Cut at a line end: the last fenced line is a whole one.
  std::string fenced = text.substr(0, text.rfind("\n```\n"));
  std::string last_line = fenced.substr(fenced.rfind('\n') + 1);
  EXPECT_TRUE(last_line.ends_with("will be created")) << last_line;
}

TEST_F(GithubChecksTest, ForbiddenChecksArePermissionDeniedAndCreateNothing) {
  Control("config", {{"checksForbidden", true}});
  auto forge = TokenForge();
  auto url = forge->UpsertCheckRun(kSha, PlanCheck(CheckConclusion::kSuccess, "s", "t"));
  EXPECT_EQ(url.status().code(), StatusCode::kPermissionDenied) << url.status().ToString();
  EXPECT_TRUE(Runs().empty());
}

TEST_F(GithubChecksTest, RefusesBadInputWithoutRequests) {
  auto forge = TokenForge();
  EXPECT_EQ(
      forge->UpsertCheckRun("HEAD", PlanCheck(CheckConclusion::kSuccess, "s", "t")).status().code(),
      StatusCode::kInvalidArgument);
  CheckRun unnamed = PlanCheck(CheckConclusion::kSuccess, "s", "t");
  unnamed.name = "";
  EXPECT_EQ(forge->UpsertCheckRun(kSha, unnamed).status().code(), StatusCode::kInvalidArgument);
  CheckRun huge =
      PlanCheck(CheckConclusion::kSuccess, std::string(kMaxCheckOutputBytes + 1, 's'), "t");
  EXPECT_EQ(forge->UpsertCheckRun(kSha, huge).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(State()["requests"].empty());
}

}  // namespace
}  // namespace datamcp::forge::testing
