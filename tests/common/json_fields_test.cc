#include "gitops/common/json_fields.h"

#include <gtest/gtest.h>

namespace datamcp::json_fields {
namespace {

using nlohmann::json;

const json kNote = json::parse(R"({"type": "apply", "pull_request": 7, "big": 18446744073709551615,
  "merged": true, "approvers": ["ann"], "plan": {"fingerprint": "f"}, "neg": -3})");

TEST(JsonFieldsTest, ReadsFieldsOfTheRightType) {
  EXPECT_EQ(String(kNote, "type"), "apply");
  EXPECT_EQ(Int(kNote, "pull_request"), 7);
  EXPECT_EQ(Int(kNote, "neg"), -3);
  EXPECT_TRUE(Bool(kNote, "merged"));
  EXPECT_EQ(Array(kNote, "approvers"), json::array({"ann"}));
  EXPECT_EQ(String(Object(kNote, "plan"), "fingerprint"), "f");
}

TEST(JsonFieldsTest, WrongTypesAndMissingFieldsReadAsFallbackWithoutThrowing) {
  EXPECT_EQ(String(kNote, "pull_request", "none"), "none");
  EXPECT_EQ(String(kNote, "missing"), "");
  EXPECT_EQ(Int(kNote, "type", -1), -1);
  EXPECT_EQ(Int(kNote, "big", -1), -1);  // does not fit in int64
  EXPECT_FALSE(Bool(kNote, "type"));
  EXPECT_TRUE(Array(kNote, "plan").empty());
  EXPECT_TRUE(Object(kNote, "approvers").empty());
}

TEST(JsonFieldsTest, NonObjectDocumentsHaveNoFields) {
  for (const json& doc : {json::array({1, 2}), json("text"), json(5), json(nullptr)}) {
    EXPECT_EQ(String(doc, "type", "x"), "x") << doc;
    EXPECT_EQ(Int(doc, "type", 9), 9) << doc;
    EXPECT_TRUE(Array(doc, "type").is_array()) << doc;
    EXPECT_TRUE(Object(doc, "type").is_object()) << doc;
  }
}

TEST(JsonFieldsTest, HasTellsAnEmptyFieldFromAMissingOrMistypedOne) {
  const json j = json::parse(R"({"s": "", "a": [], "n": 1})");
  EXPECT_TRUE(HasString(j, "s"));
  EXPECT_FALSE(HasString(j, "n"));
  EXPECT_FALSE(HasString(j, "missing"));
  EXPECT_TRUE(HasArray(j, "a"));
  EXPECT_FALSE(HasArray(j, "s"));
  EXPECT_FALSE(HasString(json::array({"s"}), "s"));
  EXPECT_FALSE(HasArray(json("a"), "a"));
}

}  // namespace
}  // namespace datamcp::json_fields
