#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "bot/auth/principal.h"
#include "bot/mcp/schema_validator.h"
#include "bot/mcp/tool.h"
#include "gitops/common/result.h"

namespace datamcp::bot::mcp {

// A tool after registration: its definition and its compiled argument validator.
struct RegisteredTool {
  Tool tool;
  SchemaValidator validator;

  // Scopes `principal` lacks to see the tool (empty: visible).
  std::vector<std::string> MissingScopes(const Principal& principal) const;
  // Scopes `principal` lacks for this call (static scopes plus argument_scopes).
  std::vector<std::string> MissingScopes(const Principal& principal, const json& args) const;
  // The tools/list entry for a client speaking `protocol_version`.
  json Describe(const std::string& protocol_version) const;
};

// The shared set of MCP tools. Parts register their tools at start-up; lookups are
// thread-safe and may run concurrently with late registrations. Tools are listed in
// registration order.
class ToolRegistry {
 public:
  // InvalidArgument when the definition is incomplete (no description, no handler, bad
  // name, schema not of type object or using unsupported keywords) or the name is taken.
  Status Register(Tool tool);

  // nullptr when no tool has that name. The pointer stays valid for the registry's life.
  const RegisteredTool* Find(const std::string& name) const;

  struct Page {
    std::vector<const RegisteredTool*> tools;
    std::string next_cursor;  // empty on the last page
  };
  // The tools `principal` may see, `page_size` at a time, after the opaque `cursor` (empty:
  // from the start). InvalidArgument for a cursor this registry did not issue.
  Result<Page> List(const Principal& principal, const std::string& cursor,
                    std::size_t page_size) const;

  // Every scope any tool names statically (for scopes_supported in resource metadata).
  std::vector<std::string> StaticScopes() const;

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::unique_ptr<RegisteredTool>> tools_;
};

// Opaque cursor encoding (base64url), exposed for tests.
std::string EncodeCursor(const std::string& plain);
bool DecodeCursor(const std::string& cursor, std::string* plain);

}  // namespace datamcp::bot::mcp
