#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "gitops/common/result.h"

namespace datamcp::bot::mcp {

// Validates tool arguments against the subset of JSON Schema that DataMCP's tools use:
// type (string or list), properties, required, additionalProperties (false or a schema),
// enum, const, minLength/maxLength (in code points), pattern, minimum/maximum,
// items, minItems/maxItems. Annotations (title, description, default, examples, format,
// $schema) are accepted and ignored; any other keyword fails Compile, so a tool cannot
// silently rely on a check that is not made.
//
// Patterns use std::regex (ECMAScript, unanchored search as JSON Schema specifies). To
// bound its backtracking, a schema with `pattern` must also set `maxLength` (at most
// kMaxPatternInputLength); the length is checked before the pattern runs.
//
// Compile once at tool registration; Validate is const and thread-safe.
class SchemaValidator {
 public:
  static constexpr std::size_t kMaxPatternInputLength = 4096;

  // InvalidArgument naming the schema location when the schema uses something unsupported.
  static Result<SchemaValidator> Compile(const nlohmann::json& schema);

  // The first violation as "<path>: <what is wrong>", e.g.
  // "arguments.environment: must be one of dev, prod"; nullopt when `value` conforms.
  std::optional<std::string> Validate(const nlohmann::json& value,
                                      const std::string& root = "arguments") const;

  struct Node;

 private:
  explicit SchemaValidator(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

}  // namespace datamcp::bot::mcp
