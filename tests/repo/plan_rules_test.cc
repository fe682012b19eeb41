#include "gitops/repo/plan_rules.h"

#include <gtest/gtest.h>

#include "gitops/repo/repo_config.h"

namespace datamcp::repo {
namespace {

constexpr const char* kBase = R"(version: 1
allowed_roots: [infra/terraform/envs, helm/values, argocd/apps]
environments:
  - name: prod
    terraform_root: infra/terraform/envs/prod
    policies:
)";

Result<RepoConfig> Parse(const std::string& rules) { return ParseRepoConfig(kBase + rules); }

std::string ErrorOf(const std::string& rules) {
  auto r = Parse(rules);
  EXPECT_FALSE(r.ok()) << rules;
  return r.ok() ? "" : r.status().message();
}

TEST(PlanRulesTest, ParsesEachKindOfRule) {
  auto config = Parse(R"(      - deny: delete
        resource_types: [google_storage_bucket]
        message: buckets in prod are never deleted
      - deny: [replace, update]
      - max_changes: 20
      - require_approvals: 2
        resource_types: [google_sql_database_instance]
)");
  ASSERT_TRUE(config.ok()) << config.status().message();
  const auto& rules = config->environments[0].policies;
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[0].kind, PlanRule::Kind::kDeny);
  EXPECT_EQ(rules[0].actions, std::vector<std::string>{"delete"});
  EXPECT_EQ(rules[0].resource_types, std::vector<std::string>{"google_storage_bucket"});
  EXPECT_EQ(rules[0].message, "buckets in prod are never deleted");
  EXPECT_EQ(rules[0].where, "environments[0].policies[0]");
  EXPECT_EQ(rules[1].actions, (std::vector<std::string>{"replace", "update"}));
  EXPECT_TRUE(rules[1].resource_types.empty());
  EXPECT_EQ(rules[2].kind, PlanRule::Kind::kMaxChanges);
  EXPECT_EQ(rules[2].limit, 20);
  EXPECT_EQ(rules[3].kind, PlanRule::Kind::kRequireApprovals);
  EXPECT_EQ(rules[3].limit, 2);
}

TEST(PlanRulesTest, NoPoliciesIsNoRules) {
  auto config =
      ParseRepoConfig(std::string(kBase).substr(0, std::string(kBase).find("    policies")));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_TRUE(config->environments[0].policies.empty());
}

TEST(PlanRulesTest, MalformedRulesAreNamedByKeyWithWhatToDo) {
  EXPECT_EQ(ErrorOf("      - deny: remove\n"),
            "datamcp.yaml: environments[0].policies[0].deny: 'remove' is not an action; use "
            "create, update, delete or replace");
  EXPECT_NE(ErrorOf("      - resource_types: [a]\n")
                .find("environments[0].policies[0]: a rule has exactly one of deny, max_changes, "
                      "require_approvals (it has none)"),
            std::string::npos);
  EXPECT_NE(ErrorOf("      - deny: delete\n        max_changes: 3\n").find("(it has several"),
            std::string::npos);
  EXPECT_NE(ErrorOf("      - deny: delete\n        resource_type: [a]\n").find("resource_type"),
            std::string::npos);
  EXPECT_NE(ErrorOf("      - deny: []\n").find("policies[0].deny"), std::string::npos);
  EXPECT_NE(ErrorOf("      - deny: delete\n        resource_types: []\n")
                .find("policies[0].resource_types"),
            std::string::npos);
  EXPECT_NE(ErrorOf("      - max_changes: -1\n").find("policies[0].max_changes"),
            std::string::npos);
  EXPECT_NE(ErrorOf("      - max_changes: 3\n        resource_types: [a]\n")
                .find("max_changes counts every resource"),
            std::string::npos);
  EXPECT_NE(ErrorOf("      - require_approvals: 0\n").find("policies[0].require_approvals"),
            std::string::npos);
  EXPECT_NE(ErrorOf("      - require_approvals: two\n").find("policies[0].require_approvals"),
            std::string::npos);
  EXPECT_NE(ErrorOf("      - delete\n").find("policies[0]: must be a map"), std::string::npos);
  EXPECT_NE(ErrorOf("      deny: delete\n").find("policies: must be a list of rules, got a map"),
            std::string::npos);
}

}  // namespace
}  // namespace datamcp::repo
