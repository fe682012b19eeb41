#include "gitops/proposal/policy_check.h"

#include <gtest/gtest.h>

namespace datamcp::proposal {
namespace {

using nlohmann::json;
using repo::PlanRule;

PlanRule Deny(std::vector<std::string> actions, std::vector<std::string> types,
              std::string message = "") {
  PlanRule r;
  r.kind = PlanRule::Kind::kDeny;
  r.actions = std::move(actions);
  r.resource_types = std::move(types);
  r.message = std::move(message);
  r.where = "environments[2].policies[0]";
  return r;
}

plan::Classification Plan() {
  plan::Classification c;
  c.AddTerraformActions("google_storage_bucket.logs", json::array({"delete"}));
  c.AddTerraformActions("module.db[\"a.b\"].google_sql_database_instance.main[0]",
                        json::array({"update"}));
  c.AddTerraformActions("terraform_data.x", json::array({"create"}));
  c.AddTerraformActions("terraform_data.y", json::array({"delete", "create"}));
  return c;
}

TEST(ResourceTypeTest, ReadsTheTypeOutOfAddressesAndKeys) {
  EXPECT_EQ(ResourceType("aws_s3_bucket.b"), "aws_s3_bucket");
  EXPECT_EQ(ResourceType("module.a[\"x.y\"].module.b.aws_s3_bucket.b[0]"), "aws_s3_bucket");
  EXPECT_EQ(ResourceType("data.aws_iam_policy.p"), "aws_iam_policy");
  EXPECT_EQ(ResourceType("Deployment/data-dev/web"), "Deployment");
  EXPECT_EQ(ResourceType("Application argocd/apps/dev/web.yaml"), "Application");
}

TEST(EvaluatePoliciesTest, DenyNamesTheRuleTheResourcesAndTheMessage) {
  auto v = EvaluatePolicies({Deny({"delete"}, {"google_storage_bucket"}, "never in prod")}, Plan());
  ASSERT_TRUE(v.Denied());
  EXPECT_EQ(v.denied, std::vector<std::string>{
                          "environments[2].policies[0]: deny delete of google_storage_bucket: "
                          "delete google_storage_bucket.logs (never in prod)"});
}

TEST(EvaluatePoliciesTest, DenyDeleteCoversReplace) {
  auto v = EvaluatePolicies({Deny({"delete"}, {"terraform_data"})}, Plan());
  ASSERT_EQ(v.denied.size(), 1u);
  EXPECT_NE(v.denied[0].find(": delete terraform_data.y"), std::string::npos) << v.denied[0];
}

TEST(EvaluatePoliciesTest, AnAllowedChangePasses) {
  EXPECT_FALSE(EvaluatePolicies({Deny({"delete"}, {"aws_s3_bucket"})}, Plan()).Denied());
  EXPECT_FALSE(EvaluatePolicies({Deny({"create"}, {"google_storage_bucket"})}, Plan()).Denied());
  EXPECT_FALSE(EvaluatePolicies({}, Plan()).Denied());
}

TEST(EvaluatePoliciesTest, EveryActionAndAnyTypeCanBeDenied) {
  auto v = EvaluatePolicies({Deny({"replace", "update"}, {})}, Plan());
  ASSERT_EQ(v.denied.size(), 1u);
  EXPECT_NE(v.denied[0].find("replace terraform_data.y, update module.db"), std::string::npos)
      << v.denied[0];
}

TEST(EvaluatePoliciesTest, MaxChangesCountsEveryResource) {
  PlanRule r;
  r.kind = PlanRule::Kind::kMaxChanges;
  r.limit = 3;
  r.where = "environments[0].policies[1]";
  auto v = EvaluatePolicies({r}, Plan());
  EXPECT_EQ(v.denied, std::vector<std::string>{"environments[0].policies[1]: at most 3 resource(s) "
                                               "changed at once; this plan changes 4"});
  r.limit = 4;
  EXPECT_FALSE(EvaluatePolicies({r}, Plan()).Denied());
}

TEST(EvaluatePoliciesTest, RequireApprovalsAppliesWhenItsTypesAreTouched) {
  PlanRule db;
  db.kind = PlanRule::Kind::kRequireApprovals;
  db.limit = 3;
  db.resource_types = {"google_sql_database_instance"};
  db.where = "environments[0].policies[2]";
  PlanRule other = db;
  other.limit = 5;
  other.resource_types = {"aws_db_instance"};
  auto v = EvaluatePolicies({db, other}, Plan());
  EXPECT_FALSE(v.Denied());
  EXPECT_EQ(v.approvals, 3);
  ASSERT_EQ(v.requirements.size(), 1u);
  EXPECT_NE(v.requirements[0].find("3 approval(s) for changes of google_sql_database_instance"),
            std::string::npos);
  // The verdict survives the plan note.
  auto back = PolicyVerdictFromJson(v.ToJson());
  EXPECT_EQ(back.approvals, 3);
  EXPECT_EQ(back.requirements, v.requirements);
  EXPECT_EQ(PolicyVerdictFromJson(json("junk")).approvals, 0);
}

}  // namespace
}  // namespace datamcp::proposal
