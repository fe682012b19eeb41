#include "gitops/repo/promotion_rules.h"

#include <gtest/gtest.h>

#include "gitops/repo/repo_config.h"

namespace datamcp::repo {
namespace {

const char* kConfig = R"(version: 1
allowed_roots: [helm/values, infra/terraform/envs, argocd/apps]
environments:
  - name: dev
    terraform_root: infra/terraform/envs/dev
  - name: prod
    terraform_root: infra/terraform/envs/prod
promotion:
  rules:
    - repository: acme/events-api
      workflow: acme/events-api/.github/workflows/release.yml@refs/heads/main
      ref: refs/heads/main
      images: [ghcr.io/acme/events-api]
      tags: "v*"
      releases: [events-api]
      environments: [dev]
    - repository: acme/events-api
      workflow: acme/events-api/.github/workflows/release.yml@*
      environment: production
      images: [ghcr.io/acme/*]
      releases: [events-*]
      environments: [prod]
)";

CiIdentity Ci() {
  return {"acme/events-api", "acme/events-api/.github/workflows/release.yml@refs/heads/main",
          "refs/heads/main", "",
          "octocat",         "1"};
}

PromotionTarget Target(std::string env = "dev", std::string tag = "v1.2.3") {
  return {"ghcr.io/acme/events-api", std::move(tag), "", "events-api", std::move(env)};
}

class PromotionRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = ParseRepoConfig(kConfig);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    rules_ = config->promotion_rules;
    ASSERT_EQ(rules_.size(), 2u);
  }
  std::string Denied(const CiIdentity& who, const PromotionTarget& what) {
    auto r = AuthorizePromotion(rules_, who, what);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return "";
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
    return r.status().message();
  }
  std::vector<PromotionRule> rules_;
};

TEST_F(PromotionRulesTest, ParsesRulesWithDefaults) {
  EXPECT_EQ(rules_[0].tags, "v*");
  EXPECT_EQ(rules_[0].environment, "*");
  EXPECT_EQ(rules_[1].ref, "*");
  EXPECT_EQ(rules_[1].images, std::vector<std::string>{"ghcr.io/acme/*"});
}

TEST_F(PromotionRulesTest, AllowsWhatARuleAllows) {
  auto r = AuthorizePromotion(rules_, Ci(), Target());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, 0u);
  CiIdentity prod = Ci();
  prod.environment = "production";
  r = AuthorizePromotion(rules_, prod, Target("prod"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, 1u);
}

TEST_F(PromotionRulesTest, DeniesAnotherRepositoryAndSaysWhichRuleToAdd) {
  CiIdentity other = Ci();
  other.repository = "mallory/events-api";
  std::string why = Denied(other, Target());
  EXPECT_NE(why.find("add a rule with repository: mallory/events-api"), std::string::npos) << why;
}

TEST_F(PromotionRulesTest, DeniesAnotherEnvironmentNamingTheField) {
  // prod needs the GitHub deployment environment "production": rule 1 says so.
  std::string why = Denied(Ci(), Target("prod"));
  EXPECT_NE(why.find("promotion.rules[0].environments allows [dev], not 'prod'"), std::string::npos)
      << why;
  EXPECT_NE(why.find("promotion.rules[1].environment allows 'production'"), std::string::npos)
      << why;
}

TEST_F(PromotionRulesTest, DeniesATagOutsideThePatternAndAnotherWorkflow) {
  std::string why = Denied(Ci(), Target("dev", "latest"));
  EXPECT_NE(why.find("promotion.rules[0].tags allows 'v*', not the tag 'latest'"),
            std::string::npos)
      << why;
  CiIdentity fork = Ci();
  fork.job_workflow_ref = "acme/events-api/.github/workflows/evil.yml@refs/heads/main";
  why = Denied(fork, Target());
  EXPECT_NE(why.find("promotion.rules[0].workflow"), std::string::npos) << why;
}

TEST_F(PromotionRulesTest, DeniesEverythingWithoutRules) {
  auto r = AuthorizePromotion({}, Ci(), Target());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("denied by default"), std::string::npos);
}

TEST_F(PromotionRulesTest, RefusesARuleWithoutReleases) {
  auto config = ParseRepoConfig(R"(version: 1
allowed_roots: [infra/terraform/envs, helm/values, argocd/apps]
environments: [{name: dev, terraform_root: infra/terraform/envs/dev}]
promotion:
  rules:
    - repository: acme/x
      images: [ghcr.io/acme/x]
      environments: [dev]
)");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("promotion.rules[0].releases"), std::string::npos)
      << config.status().message();
}

TEST(GlobMatchTest, StarsMatchAnyRun) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("v*", "v1.2.3"));
  EXPECT_TRUE(GlobMatch("ghcr.io/acme/*", "ghcr.io/acme/a/b"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(GlobMatch("v*", "1.2.3"));
  EXPECT_FALSE(GlobMatch("a*b", "aXbY"));
  EXPECT_FALSE(GlobMatch("events-api", "events-api2"));
}

}  // namespace
}  // namespace datamcp::repo
