#include "gitops/plan/terraform_plan_digest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace datamcp::plan {
namespace {

using nlohmann::json;

json Change(const std::string& address, json actions, json before, json after) {
  return {{"address", address},
          {"mode", "managed"},
          {"type", "terraform_data"},
          {"change",
           {{"actions", actions}, {"before", before}, {"after", after}, {"after_unknown", {}}}}};
}

json PlanJson(json changes) {
  return {{"format_version", "1.2"},
          {"terraform_version", "1.11.4"},
          {"timestamp", "2026-12-01T10:00:00Z"},
          {"resource_changes", changes}};
}

TEST(TerraformPlanDigestTest, CountsLikeTerraformAndListsReplacements) {
  json changes = json::array({Change("a.x", {"create"}, nullptr, {{"i", 1}}),
                              Change("a.y", {"update"}, {{"i", 1}}, {{"i", 2}}),
                              Change("a.z", {"delete", "create"}, {{"i", 1}}, {{"i", 2}}),
                              Change("a.w", {"delete"}, {{"i", 1}}, nullptr),
                              Change("a.n", {"no-op"}, {{"i", 1}}, {{"i", 1}})});
  auto d = DigestTerraformPlanJson(PlanJson(changes).dump());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->summary.add, 2);
  EXPECT_EQ(d->summary.change, 1);
  EXPECT_EQ(d->summary.destroy, 2);
  EXPECT_EQ(d->summary.replaced, std::vector<std::string>{"a.z"});
  EXPECT_EQ(d->summary.ToString(), "Plan: 2 to add, 1 to change, 2 to destroy. Replaced: a.z");
  EXPECT_EQ(d->normalized.find("a.n"), std::string::npos);
  EXPECT_EQ(d->fingerprint.size(), 64u);
}

TEST(TerraformPlanDigestTest, FingerprintIgnoresOrderTimestampsAndNoOps) {
  json a = Change("a.x", {"create"}, nullptr, {{"i", 1}});
  json b = Change("a.y", {"update"}, {{"i", 1}}, {{"i", 2}});
  json noop = Change("a.n", {"no-op"}, {{"i", 1}}, {{"i", 1}});
  json p1 = PlanJson(json::array({a, b}));
  json p2 = PlanJson(json::array({noop, b, a}));
  p2["timestamp"] = "2030-01-01T00:00:00Z";
  p2["terraform_version"] = "1.12.0";
  auto d1 = DigestTerraformPlanJson(p1.dump());
  auto d2 = DigestTerraformPlanJson(p2.dump(2));
  ASSERT_TRUE(d1.ok() && d2.ok());
  EXPECT_EQ(d1->fingerprint, d2->fingerprint);
}

TEST(TerraformPlanDigestTest, FingerprintFollowsValuesActionsAndOutputs) {
  json base = PlanJson(json::array({Change("a.y", {"update"}, {{"i", 1}}, {{"i", 2}})}));
  json other_before = PlanJson(json::array({Change("a.y", {"update"}, {{"i", 0}}, {{"i", 2}})}));
  json other_action =
      PlanJson(json::array({Change("a.y", {"delete", "create"}, {{"i", 1}}, {{"i", 2}})}));
  json with_output = base;
  with_output["output_changes"] = {{"o", {{"actions", {"create"}}, {"after", "x"}}}};
  std::string fp = DigestTerraformPlanJson(base.dump())->fingerprint;
  EXPECT_NE(fp, DigestTerraformPlanJson(other_before.dump())->fingerprint);
  EXPECT_NE(fp, DigestTerraformPlanJson(other_action.dump())->fingerprint);
  EXPECT_NE(fp, DigestTerraformPlanJson(with_output.dump())->fingerprint);
}

TEST(TerraformPlanDigestTest, RejectsWhatIsNotAPlan) {
  EXPECT_EQ(DigestTerraformPlanJson("not json").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DigestTerraformPlanJson("[1]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      DigestTerraformPlanJson(R"({"format_version":"1.2","resource_changes":{}})").status().code(),
      StatusCode::kInvalidArgument);
  auto odd = DigestTerraformPlanJson(
      R"({"format_version":"1.2","resource_changes":[{"address":5,"change":{"actions":["create"]}}]})");
  EXPECT_EQ(odd.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace datamcp::plan
