#include "bot/mcp/schema_validator.h"

#include <gtest/gtest.h>

namespace datamcp::bot::mcp {
namespace {

using json = nlohmann::json;

SchemaValidator Compile(const json& schema) {
  auto v = SchemaValidator::Compile(schema);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return std::move(v).value();
}

const json kProposal = {
    {"type", "object"},
    {"properties",
     {{"environment", {{"type", "string"}, {"enum", {"dev", "prod"}}}},
      {"title", {{"type", "string"}, {"minLength", 3}, {"maxLength", 10}}},
      {"branch", {{"type", "string"}, {"pattern", "^[a-z0-9-]+$"}, {"maxLength", 64}}},
      {"replicas", {{"type", "integer"}, {"minimum", 1}, {"maximum", 5}}},
      {"files",
       {{"type", "array"}, {"maxItems", 2}, {"items", {{"type", "string"}, {"minLength", 1}}}}},
      {"note", {{"type", {"string", "null"}}}}}},
    {"required", {"environment"}},
    {"additionalProperties", false}};

TEST(SchemaValidatorTest, AcceptsConformingArguments) {
  auto v = Compile(kProposal);
  EXPECT_EQ(v.Validate({{"environment", "dev"},
                        {"title", "hello"},
                        {"branch", "feat-1"},
                        {"replicas", 3},
                        {"files", {"a"}},
                        {"note", nullptr}}),
            std::nullopt);
}

TEST(SchemaValidatorTest, ReportsPreciseViolations) {
  auto v = Compile(kProposal);
  EXPECT_EQ(v.Validate({{"environment", "qa"}}), "arguments.environment: must be one of dev, prod");
  EXPECT_EQ(v.Validate(json::object()), "arguments.environment: is required");
  EXPECT_EQ(v.Validate({{"environment", "dev"}, {"x", 1}}),
            "arguments.x: is not an allowed property (allowed: branch, environment, files, note, "
            "replicas, title)");
  EXPECT_EQ(v.Validate({{"environment", 7}}), "arguments.environment: must be a string");
  EXPECT_EQ(v.Validate({{"environment", "dev"}, {"title", "ab"}}),
            "arguments.title: must be at least 3 characters");
  EXPECT_EQ(v.Validate({{"environment", "dev"}, {"title", "abcdefghijk"}}),
            "arguments.title: must be at most 10 characters");
  EXPECT_EQ(v.Validate({{"environment", "dev"}, {"branch", "Bad Branch"}}),
            "arguments.branch: must match the pattern ^[a-z0-9-]+$");
  EXPECT_EQ(v.Validate({{"environment", "dev"}, {"replicas", 0}}),
            "arguments.replicas: must be >= 1");
  EXPECT_EQ(v.Validate({{"environment", "dev"}, {"replicas", 2.5}}),
            "arguments.replicas: must be an integer");
  EXPECT_EQ(v.Validate({{"environment", "dev"}, {"files", {"a", "b", "c"}}}),
            "arguments.files: must have at most 2 items");
  EXPECT_EQ(v.Validate({{"environment", "dev"}, {"files", {"a", ""}}}),
            "arguments.files[1]: must be at least 1 characters");
  EXPECT_EQ(v.Validate({{"environment", "dev"}, {"note", 1}}),
            "arguments.note: must be one of types string, null");
  EXPECT_EQ(v.Validate(json::array()), "arguments: must be an object");
}

TEST(SchemaValidatorTest, CountsCodePointsNotBytes) {
  auto v = Compile({{"type", "string"}, {"maxLength", 3}});
  EXPECT_EQ(v.Validate("\xC3\xA9\xC3\xA9\xC3\xA9"), std::nullopt);  // "ééé"
  EXPECT_NE(v.Validate("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"), std::nullopt);
}

TEST(SchemaValidatorTest, ChecksLengthBeforeRunningPattern) {
  // A pattern prone to catastrophic backtracking never sees input past maxLength.
  auto v = Compile({{"type", "string"}, {"pattern", "^(a+)+$"}, {"maxLength", 20}});
  std::string evil(100000, 'a');
  evil += "!";
  EXPECT_EQ(v.Validate(evil), "arguments: must be at most 20 characters");
}

TEST(SchemaValidatorTest, RefusesUnsupportedOrUnsafeSchemas) {
  auto one_of = SchemaValidator::Compile({{"type", "object"}, {"oneOf", json::array()}});
  ASSERT_FALSE(one_of.ok());
  EXPECT_NE(one_of.status().message().find("\"oneOf\" is not supported"), std::string::npos);
  EXPECT_FALSE(SchemaValidator::Compile({{"type", "string"}, {"pattern", "a+"}}).ok());
  EXPECT_FALSE(SchemaValidator::Compile({{"type", "string"},
                                         {
                                             "pattern",
                                             "(",
                                         },
                                         {"maxLength", 5}})
                   .ok());
  EXPECT_FALSE(SchemaValidator::Compile({{"type", "strng"}}).ok());
  EXPECT_FALSE(SchemaValidator::Compile({{"type", "string"}, {"maxLength", -1}}).ok());
}

TEST(SchemaValidatorTest, AdditionalPropertiesSchemaAppliesToUnknownKeys) {
  auto v = Compile({{"type", "object"}, {"additionalProperties", {{"type", "integer"}}}});
  EXPECT_EQ(v.Validate({{"a", 1}}), std::nullopt);
  EXPECT_EQ(v.Validate({{"a", "x"}}), "arguments.a: must be an integer");
}

}  // namespace
}  // namespace datamcp::bot::mcp
