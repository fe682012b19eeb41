#include "gitops/plan/helm_objects.h"

#include <gtest/gtest.h>

namespace datamcp::plan {
namespace {

using nlohmann::json;

constexpr char kManifests[] = R"(---
# Source: demo/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
  namespace: apps
data:
  count: 3
  ratio: 0.5
  enabled: true
  quoted: "true"
  none: ~
  text: hello
---
# Source: demo/templates/empty.yaml
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
)";

TEST(HelmObjectsTest, ParsesDocumentsIntoKeyedTypedObjects) {
  auto objects = ParseRenderedObjects(kManifests);
  ASSERT_TRUE(objects.ok()) << objects.status().ToString();
  ASSERT_EQ(objects->size(), 2u);
  ASSERT_TRUE(objects->count("ConfigMap/apps/demo"));
  ASSERT_TRUE(objects->count("ClusterRole//reader"));
  const json& data = objects->at("ConfigMap/apps/demo")["data"];
  EXPECT_EQ(data["count"], 3);
  EXPECT_EQ(data["ratio"], 0.5);
  EXPECT_EQ(data["enabled"], true);
  EXPECT_EQ(data["quoted"], "true");
  EXPECT_TRUE(data["none"].is_null());
  EXPECT_EQ(data["text"], "hello");
}

TEST(HelmObjectsTest, RejectsWhatIsNotAnObjectList) {
  EXPECT_EQ(ParseRenderedObjects("a: [1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRenderedObjects("- 1\n").status().code(), StatusCode::kInvalidArgument);
  auto no_name = ParseRenderedObjects("kind: ConfigMap\nmetadata: {}\n");
  EXPECT_NE(no_name.status().message().find("metadata.name"), std::string::npos);
  auto dup =
      ParseRenderedObjects("kind: A\nmetadata: {name: x}\n---\nkind: A\nmetadata: {name: x}\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("A//x"), std::string::npos);
  std::string deep =
      "kind: A\nmetadata: {name: x}\nd: " + std::string(300, '[') + std::string(300, ']') + "\n";
  EXPECT_EQ(ParseRenderedObjects(deep).status().code(), StatusCode::kInvalidArgument);
}

TEST(HelmObjectsTest, ObjectYamlRoundTripsTypes) {
  auto objects = ParseRenderedObjects(kManifests);
  ASSERT_TRUE(objects.ok());
  const json& cm = objects->at("ConfigMap/apps/demo");
  auto again = ParseRenderedObjects(ObjectYaml(cm));
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << ObjectYaml(cm);
  EXPECT_EQ(again->at("ConfigMap/apps/demo"), cm);
}

TEST(HelmObjectsTest, FingerprintDependsOnContentNotOrder) {
  auto a = ParseRenderedObjects(kManifests);
  auto b = ParseRenderedObjects(
      "kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: reader}\n"
      "rules: []\n---\n" +
      std::string(kManifests).substr(0, std::string(kManifests).find("---\napiVersion: rbac")));
  ASSERT_TRUE(a.ok() && b.ok()) << b.status().ToString();
  EXPECT_EQ(FingerprintObjects(*a), FingerprintObjects(*b));
  (*b)["ClusterRole//reader"]["rules"] = json::array({"x"});
  EXPECT_NE(FingerprintObjects(*a), FingerprintObjects(*b));
}

TEST(HelmObjectsTest, DiffListsAddedRemovedChangedAndHidesSecretValues) {
  RenderedObjects base = {
      {"ConfigMap/a/keep", {{"kind", "ConfigMap"}, {"data", {{"k", "1"}}}}},
      {"ConfigMap/a/gone", {{"kind", "ConfigMap"}}},
      {"Secret/a/s", {{"kind", "Secret"}, {"stringData", {{"pw", "old-pass"}, {"u", "same"}}}}}};
  RenderedObjects head = base;
  head.erase("ConfigMap/a/gone");
  head["ConfigMap/a/new"] = {{"kind", "ConfigMap"}};
  head["Secret/a/s"]["stringData"]["pw"] = "new-pass";
  auto changes = DiffObjects(base, head);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].key, "ConfigMap/a/gone");
  EXPECT_EQ(changes[0].type, ObjectChange::Type::kRemoved);
  EXPECT_EQ(changes[1].key, "ConfigMap/a/new");
  EXPECT_EQ(changes[1].type, ObjectChange::Type::kAdded);
  EXPECT_EQ(changes[2].type, ObjectChange::Type::kChanged);
  const std::string& d = changes[2].diff;
  EXPECT_NE(d.find("-  pw: \"[MASKED]\"\n+  pw: \"[MASKED:changed]\"\n"), std::string::npos) << d;
  EXPECT_NE(d.find("   u: \"[MASKED]\"\n"), std::string::npos) << d;
  EXPECT_EQ(d.find("pass"), std::string::npos);
  EXPECT_EQ(d.find("same"), std::string::npos);
}

}  // namespace
}  // namespace datamcp::plan
