// proposal::PublishPlan on GitHub (the fake): check runs and a compact comment when the App
// may write checks; the commit status and the full comment when it may not (403).
#include "gitops/proposal/plan_publish.h"

#include <gtest/gtest.h>

#include "gitops/proposal/plan_checks.h"
#include "tests/forge/github_test_util.h"

namespace datamcp::forge::testing {
namespace {

using nlohmann::json;
using proposal::PlanRun;
using proposal::ProjectPlan;

const std::string kSha = "89abcdef0123456789abcdef0123456789abcdef";

ProjectPlan Plan(const std::string& path, const std::string& env, int creates, int deletes) {
  ProjectPlan p;
  p.project = {proposal::ProjectKind::kTerraform, path, env};
  p.ok = true;
  p.summary = "Plan: " + std::to_string(creates) + " to add, 0 to change, " +
              std::to_string(deletes) + " to destroy.";
  p.fingerprint = std::string(64, 'f');
  p.changes.creates = creates;
  p.changes.deletes = deletes;
  for (int i = 0; i < deletes; ++i)
    p.changes.deleted.push_back("terraform_data.old" + std::to_string(i));
  p.text = "  # terraform_data.new will be created\n" + p.summary + "\n";
  return p;
}

class PlanPublishTest : public GithubFakeTest {
 protected:
  void SetUp() override {
    GithubFakeTest::SetUp();
    forge_ = TokenForge();
    auto opened = forge_->OpenOrReusePullRequest({"datamcp/p-1", "main", "Add data", "why"});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    number_ = opened->pull_request.number;
    run_.head = kSha;
    run_.plans = {Plan("infra/terraform/envs/dev", "dev", 1, 0),
                  Plan("infra/terraform/envs/prod", "prod", 0, 1)};
  }
  json PlanComment() {
    json found;
    for (const json& c : State()["comments"]) {
      if (c["body"].get<std::string>().find("datamcp:plan") != std::string::npos) {
        EXPECT_TRUE(found.is_null()) << "one plan comment";
        found = c;
      }
    }
    return found;
  }
  std::vector<json> Statuses() { return State()["statuses"].get<std::vector<json>>(); }

  std::unique_ptr<GithubForge> forge_;
  int number_ = 0;
  PlanRun run_;
};

TEST_F(PlanPublishTest, ChecksHoldThePlansAndTheCommentIsACompactTableLinkingToThem) {
  ASSERT_TRUE(proposal::PublishPlan(*forge_, number_, run_, {}, {}).ok());
  auto runs = State()["checkRuns"];
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["name"], "datamcp/plan: infra/terraform/envs/dev");
  EXPECT_EQ(runs[0]["conclusion"], "success");
  EXPECT_EQ(runs[1]["output"]["title"],
            "DESTRUCTIVE · creates 0, updates 0, deletes 1, replaces 0");
  EXPECT_NE(runs[1]["output"]["summary"].get<std::string>().find("deletes terraform_data.old0"),
            std::string::npos);
  EXPECT_NE(runs[0]["output"]["text"].get<std::string>().find("will be created"),
            std::string::npos);

  std::string body = PlanComment()["body"];
  EXPECT_NE(body.find("| project | result | +/~/- | destructive | policy | check |"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("| +1 ~0 -0 | no | ok | [details](" + runs[0]["html_url"].get<std::string>() +
                      ") |"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("| +0 ~0 -1 | **yes** |"), std::string::npos) << body;
  EXPECT_EQ(body.find("will be created"), std::string::npos) << "the plan text is in the checks";

  auto statuses = Statuses();
  ASSERT_EQ(statuses.size(), 1u) << "the aggregate status gates merge as before";
  EXPECT_EQ(statuses[0]["context"], "datamcp/plan");
  EXPECT_EQ(statuses[0]["state"], "success");

  // A re-plan edits the comment and updates the checks: nothing is multiplied.
  run_.plans[0].policy.denied = {"environments[0].policies[0]: deny create of terraform_data"};
  ASSERT_TRUE(proposal::PublishPlan(*forge_, number_, run_, {}, {}).ok());
  runs = State()["checkRuns"];
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["conclusion"], "failure") << "a policy denial fails the check";
  EXPECT_EQ(runs[0]["updates"], 1);
  EXPECT_EQ(PlanComment()["edits"], 1);
}

TEST_F(PlanPublishTest, WithoutChecksPermissionTheStatusAndTheFullCommentRemain) {
  Control("config", {{"checksForbidden", true}});
  ASSERT_TRUE(proposal::PublishPlan(*forge_, number_, run_, {}, {}).ok());
  EXPECT_TRUE(State()["checkRuns"].empty());
  EXPECT_EQ(Requests("GET", "/check-runs").size() + Requests("POST", "/check-runs").size(), 1u)
      << "one refusal, not one per project";

  auto statuses = Statuses();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0]["sha"], kSha);
  EXPECT_EQ(statuses[0]["context"], "datamcp/plan");
  EXPECT_EQ(statuses[0]["state"], "success");
  EXPECT_NE(statuses[0]["description"].get<std::string>().find("DESTRUCTIVE: prod deletes"),
            std::string::npos);

  std::string body = PlanComment()["body"];
  EXPECT_NE(body.find("| +1 ~0 -0 | no | ok | below |"), std::string::npos) << body;
  EXPECT_NE(body.find("terraform: infra/terraform/envs/dev"), std::string::npos) << body;
  EXPECT_NE(body.find("# terraform_data.new will be created"), std::string::npos)
      << "the plan text stays in the comment";
}

}  // namespace
}  // namespace datamcp::forge::testing
