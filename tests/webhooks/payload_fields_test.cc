#include "bot/webhooks/payload_fields.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace datamcp::bot {
namespace {

TEST(PayloadFieldsTest, ReadsTopLevelActionAndRepositoryFullName) {
  PayloadFields f;
  ASSERT_TRUE(ExtractPayloadFields(
      R"({"action":"opened","number":1,"repository":{"id":5,"full_name":"a/b"},"sender":{}})", &f));
  EXPECT_EQ(f.action, "opened");
  EXPECT_EQ(f.repository, "a/b");
}

TEST(PayloadFieldsTest, IgnoresNestedLookalikes) {
  PayloadFields f;
  ASSERT_TRUE(ExtractPayloadFields(R"({
    "pull_request": {"action": "closed", "repository": {"full_name": "evil/nested"},
                     "head": {"repo": {"full_name": "fork/repo"}}},
    "action": "synchronize",
    "list": [{"action": "x"}, "action", {"repository": {"full_name": "evil/array"}}],
    "repository": {"owner": {"full_name": "evil/owner"}, "topics": ["full_name"],
                   "full_name": "datamcp-test/gitops"}
  })",
                                   &f));
  EXPECT_EQ(f.action, "synchronize");
  EXPECT_EQ(f.repository, "datamcp-test/gitops");
}

TEST(PayloadFieldsTest, MissingOrNonStringFieldsAreEmpty) {
  PayloadFields f;
  ASSERT_TRUE(
      ExtractPayloadFields(R"({"action":7,"repository":"a/b","ref":"refs/heads/main"})", &f));
  EXPECT_EQ(f.action, "");
  EXPECT_EQ(f.repository, "");
}

TEST(PayloadFieldsTest, KeepsTheCommentIdAsAnInteger) {
  PayloadFields f;
  ASSERT_TRUE(ExtractPayloadFields(R"({"action":"created","comment":{"id":9876543210123,
    "body":"/datamcp plan","user":{"login":"carol","id":7}},"issue":{"number":3}})",
                                   &f));
  nlohmann::json trigger = nlohmann::json::parse(f.trigger);
  EXPECT_EQ(trigger["comment"]["id"], 9876543210123LL) << f.trigger;
  EXPECT_EQ(trigger["comment"]["body"], "/datamcp plan");
  EXPECT_FALSE(trigger["comment"]["user"].contains("id")) << "only the listed paths are kept";
}

TEST(PayloadFieldsTest, RejectsNonObjectsAndBrokenJson) {
  PayloadFields f;
  for (const char* body : {"", "[]", "\"s\"", "42", "null", "{\"a\":", "{\"a\":1} trailing",
                           "{\"action\":\"opened\"", "{} {}", "{\"a\":\"\xff\"}"}) {
    EXPECT_FALSE(ExtractPayloadFields(body, &f)) << body;
  }
  EXPECT_TRUE(f.action.empty());
}

}  // namespace
}  // namespace datamcp::bot
