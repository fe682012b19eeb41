#include "gitops/argocd/api/application_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

namespace datamcp::argocd {
namespace {

TEST(ApplicationJsonTest, ReadsStatusFields) {
  auto s = ParseApplication(R"({"status":{"sync":{"status":"Synced","revision":"abc"},
      "health":{"status":"Healthy"},"operationState":{"phase":"Succeeded","message":"ok",
      "operation":{"sync":{"revision":"abc"}}}}})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->sync_status, "Synced");
  EXPECT_EQ(s->sync_revision, "abc");
  EXPECT_EQ(s->health_status, "Healthy");
  EXPECT_EQ(s->operation_phase, "Succeeded");
  EXPECT_EQ(s->operation_message, "ok");
  EXPECT_EQ(s->operation_revision, "abc");
}

TEST(ApplicationJsonTest, MissingStatusLeavesFieldsEmpty) {
  auto s = ParseApplication(R"({"metadata":{"name":"web"}})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->sync_status, "");
  EXPECT_EQ(s->operation_phase, "");
}

TEST(ApplicationJsonTest, RejectsNonJsonAndWrongTypes) {
  EXPECT_EQ(ParseApplication("<html>").status().code(), StatusCode::kInternal);
  auto s = ParseApplication(R"({"status":{"sync":{"revision":7}}})");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("status.sync.revision"), std::string::npos);
}

TEST(ApplicationJsonTest, SyncBodyUsesApplicationSyncRequestFieldNames) {
  auto body = nlohmann::json::parse(SyncRequestBody("web", "team-a", "abc"));
  EXPECT_EQ(body, nlohmann::json::parse(R"({"name":"web","revision":"abc","prune":false,
      "dryRun":false,"appNamespace":"team-a"})"));
  body = nlohmann::json::parse(SyncRequestBody("web", "", "abc"));
  EXPECT_FALSE(body.contains("appNamespace"));
}

TEST(ApplicationJsonTest, ErrorMessageOfGrpcGatewayBody) {
  EXPECT_EQ(ErrorMessageOf(R"({"error":"x","code":16,"message":"invalid session"})"),
            "invalid session");
  EXPECT_EQ(ErrorMessageOf("plain text"), "plain text");
}

TEST(ValidateObjectNameTest, AcceptsKubernetesNamesOnly) {
  EXPECT_TRUE(ValidateObjectName("web-1.prod", "app").ok());
  for (const std::string& bad :
       std::vector<std::string>{"", "Web", "-web", "web/../x", "web?x=1", std::string(254, 'a')}) {
    EXPECT_EQ(ValidateObjectName(bad, "app").code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace datamcp::argocd
