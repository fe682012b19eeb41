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

// The trigger is written directly (not through nlohmann/json): every kind of scalar, escapes,
// arrays of objects, and members that lead to nothing left out.
TEST(PayloadFieldsTest, WritesTheTriggerAsJsonTheHandlerReadsBack) {
  PayloadFields f;
  ASSERT_TRUE(ExtractPayloadFields(R"({"action":"a\u0001\"\\\n/\u00e9\ud83d\ude00",
    "number":2.0,"ref":1e300,"before":-0.0,"after":12345678901234567890,
    "repository":{"full_name":null,"id":1},"sender":{"login":[1]},
    "pull_request":{"head":{"repo":{}}},"issue":{"number":7,"pull_request":{"url":"u"}},
    "check_run":{"pull_requests":[1,{"number":3},{"x":1},{"number":{"a":1}},{"number":false}]},
    "workflow_run":{"id":-9223372036854775808,"name":1.5e-7,"conclusion":true}})",
                                   &f));
  EXPECT_EQ(f.trigger,
            R"({"action":"a\u0001\"\\\n/é😀","after":12345678901234567890,)"
            R"("before":-0.0,"check_run":{"pull_requests":[{"number":3},{"number":false}]},)"
            R"("issue":{"number":7,"pull_request":{"url":"u"}},"number":2.0,"ref":1e+300,)"
            R"("repository":{"full_name":null},)"
            R"("workflow_run":{"conclusion":true,"id":-9223372036854775808,"name":1.5e-07}})");
  nlohmann::json trigger = nlohmann::json::parse(f.trigger);
  EXPECT_EQ(trigger["action"], "a\x01\"\\\n/\u00e9\U0001F600");
  EXPECT_TRUE(trigger["number"].is_number_float());
  EXPECT_EQ(f.action, trigger["action"]);
  EXPECT_EQ(f.repository, "") << "full_name is not a string";

  PayloadFields again;  // the trigger is its own trigger
  ASSERT_TRUE(ExtractPayloadFields(f.trigger, &again));
  EXPECT_EQ(again.trigger, f.trigger);
}

TEST(PayloadFieldsTest, AnEmptyArrayIsKeptAndAnObjectWithNoKeptPathIsNot) {
  PayloadFields f;
  ASSERT_TRUE(ExtractPayloadFields(
      R"({"check_run":{"pull_requests":[]},"comment":{"user":{}},"x":{"action":"y"}})", &f));
  EXPECT_EQ(f.trigger, R"({"check_run":{"pull_requests":[]}})");
  ASSERT_TRUE(ExtractPayloadFields(R"({"check_run":{"pull_requests":{}}})", &f));
  EXPECT_EQ(f.trigger, "{}");
}

TEST(PayloadFieldsTest, LongStringsAreCutAtACharacterBoundary) {
  std::string body = R"({"comment":{"body":")";
  for (std::size_t i = 0; i < kMaxTriggerString; ++i) body += "\u00e9";  // 2 bytes each
  body += R"("}})";
  PayloadFields f;
  ASSERT_TRUE(ExtractPayloadFields(body, &f));
  const std::string kept = nlohmann::json::parse(f.trigger)["comment"]["body"];
  EXPECT_EQ(kept.size(), kMaxTriggerString);
  EXPECT_EQ(kept.substr(0, 2), "\u00e9");
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
