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

// Which registered tools the server exposes (configuration keys mcp.read_only and
// mcp.tools). A hidden tool is neither listed nor callable.
struct ToolPolicy {
  bool read_only = false;            // expose only tools annotated read-only
  std::vector<std::string> allowed;  // expose only these tools; empty: every tool
};

// The shared set of MCP tools. Parts register their tools at start-up; lookups are
// thread-safe and may run concurrently with late registrations. Tools are listed in
// registration order.
class ToolRegistry {
 public:
  // InvalidArgument when the definition is incomplete (no description, no handler, bad
  // name, schema not of type object or using unsupported keywords) or the name is taken.
  Status Register(Tool tool);

  // nullptr when no tool has that name (hidden ones included: see HiddenReason). The
  // pointer stays valid for the registry's life.
  const RegisteredTool* Find(const std::string& name) const;

  // Restricts the exposed tools. Call after registering every tool: InvalidArgument naming
  // mcp.tools when it names a tool that is not registered, or a write tool while
  // mcp.read_only is set (the policy is then left unchanged).
  Status SetPolicy(ToolPolicy policy);
  // Empty when `tool` is exposed; else why not, for the error a call of it gets.
  std::string HiddenReason(const RegisteredTool& tool) const;

  struct Page {
    std::vector<const RegisteredTool*> tools;
    std::string next_cursor;  // empty on the last page
  };
  // The exposed tools `principal` may see, `page_size` at a time, after the opaque `cursor` (empty:
  // from the start). InvalidArgument for a cursor this registry did not issue.
  Result<Page> List(const Principal& principal, const std::string& cursor,
                    std::size_t page_size) const;

  // Every scope any exposed tool names statically (for scopes_supported in resource metadata).
  std::vector<std::string> StaticScopes() const;

 private:
  std::string HiddenReasonLocked(const Tool& tool) const;

  mutable std::shared_mutex mu_;
  std::vector<std::unique_ptr<RegisteredTool>> tools_;
  ToolPolicy policy_;
};

// Opaque cursor encoding (base64url), exposed for tests.
std::string EncodeCursor(const std::string& plain);
bool DecodeCursor(const std::string& cursor, std::string* plain);

}  // namespace datamcp::bot::mcp
