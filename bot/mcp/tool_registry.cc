#include "bot/mcp/tool_registry.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

#include "bot/mcp/json_rpc.h"
#include "gitops/common/encoding.h"

namespace datamcp::bot::mcp {

namespace {

constexpr char kCursorPrefix[] = "tools/after:";

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

std::vector<std::string> Missing(const Principal& principal,
                                 const std::vector<std::string>& needed) {
  std::vector<std::string> missing;
  for (const auto& s : needed) {
    if (!principal.HasScope(s)) missing.push_back(s);
  }
  return missing;
}

Status CheckOutputSchema(const Tool& tool) {
  if (tool.output_schema.is_null()) return Status::Ok();
  if (!tool.output_schema.is_object() || StringField(tool.output_schema, "type") != "object") {
    return InvalidArgument("tool " + tool.name + ": outputSchema must have type \"object\"");
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeCursor(const std::string& plain) { return Base64UrlEncode(plain); }

bool DecodeCursor(const std::string& cursor, std::string* plain) {
  auto decoded = Base64UrlDecode(cursor);
  plain->clear();
  if (!decoded.ok()) return false;
  *plain = std::move(decoded).value();
  return true;
}

std::vector<std::string> RegisteredTool::MissingScopes(const Principal& principal) const {
  return Missing(principal, tool.scopes);
}

std::vector<std::string> RegisteredTool::MissingScopes(const Principal& principal,
                                                       const json& args) const {
  std::vector<std::string> needed = tool.scopes;
  if (tool.argument_scopes) {
    for (auto& s : tool.argument_scopes(args)) needed.push_back(std::move(s));
  }
  return Missing(principal, needed);
}

json RegisteredTool::Describe(const std::string& protocol_version) const {
  bool modern = protocol_version >= "2025-06-18";
  const ToolAnnotations& a = tool.annotations;
  json annotations{{"readOnlyHint", a.read_only},
                   {"destructiveHint", a.destructive},
                   {"idempotentHint", a.idempotent},
                   {"openWorldHint", a.open_world}};
  json out{
      {"name", tool.name}, {"description", tool.description}, {"inputSchema", tool.input_schema}};
  if (!tool.title.empty()) {
    annotations["title"] = tool.title;
    if (modern) out["title"] = tool.title;
  }
  if (modern && !tool.output_schema.is_null()) out["outputSchema"] = tool.output_schema;
  out["annotations"] = std::move(annotations);
  out["_meta"] = {{"datamcp/scopes", tool.scopes}};
  return out;
}

Status ToolRegistry::Register(Tool tool) {
  if (!ValidName(tool.name)) {
    return InvalidArgument("tool name \"" + tool.name + "\" must be 1-128 of [A-Za-z0-9_.-]");
  }
  if (tool.description.empty()) return InvalidArgument("tool " + tool.name + ": no description");
  if (!tool.handler) return InvalidArgument("tool " + tool.name + ": no handler");
  if (!tool.input_schema.is_object() || StringField(tool.input_schema, "type") != "object") {
    return InvalidArgument("tool " + tool.name + ": inputSchema must have type \"object\"");
  }
  DATAMCP_RETURN_IF_ERROR(CheckOutputSchema(tool));
  auto validator = SchemaValidator::Compile(tool.input_schema);
  if (!validator.ok()) return validator.status().WithContext("tool " + tool.name);
  if (!tool.output_schema.is_null()) {
    auto out = SchemaValidator::Compile(tool.output_schema);
    if (!out.ok()) return out.status().WithContext("tool " + tool.name + " outputSchema");
  }
  std::unique_lock lock(mu_);
  for (const auto& t : tools_) {
    if (t->tool.name == tool.name) {
      return InvalidArgument("tool " + tool.name + " is already registered");
    }
  }
  tools_.push_back(std::make_unique<RegisteredTool>(
      RegisteredTool{std::move(tool), std::move(validator).value()}));
  return Status::Ok();
}

std::string ToolRegistry::HiddenReasonLocked(const Tool& tool) const {
  if (policy_.read_only && !tool.annotations.read_only) {
    return "the server is in read-only mode (mcp.read_only) and " + tool.name +
           " writes; use a read-only tool, or ask the operator for a server that accepts writes";
  }
  const auto& allowed = policy_.allowed;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), tool.name) == allowed.end()) {
    return tool.name +
           " is not in this server's tool allow-list (mcp.tools); tools/list shows the tools "
           "you may call";
  }
  return "";
}

std::string ToolRegistry::HiddenReason(const RegisteredTool& tool) const {
  std::shared_lock lock(mu_);
  return HiddenReasonLocked(tool.tool);
}

Status ToolRegistry::SetPolicy(ToolPolicy policy) {
  std::unique_lock lock(mu_);
  for (const auto& name : policy.allowed) {
    auto it = std::find_if(tools_.begin(), tools_.end(),
                           [&](const auto& t) { return t->tool.name == name; });
    if (it == tools_.end()) {
      std::string known;
      for (const auto& t : tools_) known += (known.empty() ? "" : ", ") + t->tool.name;
      return InvalidArgument("mcp.tools: '" + name +
                             "' is not a tool of this server; the tools are " + known);
    }
    if (policy.read_only && !(*it)->tool.annotations.read_only) {
      return InvalidArgument("mcp.tools: '" + name +
                             "' writes, and mcp.read_only is true; remove it from mcp.tools or "
                             "set mcp.read_only to false");
    }
  }
  policy_ = std::move(policy);
  return Status::Ok();
}

const RegisteredTool* ToolRegistry::Find(const std::string& name) const {
  std::shared_lock lock(mu_);
  for (const auto& t : tools_) {
    if (t->tool.name == name) return t.get();
  }
  return nullptr;
}

Result<ToolRegistry::Page> ToolRegistry::List(const Principal& principal, const std::string& cursor,
                                              std::size_t page_size) const {
  std::shared_lock lock(mu_);
  std::size_t start = 0;
  if (!cursor.empty()) {
    std::string plain;
    bool found = false;
    if (DecodeCursor(cursor, &plain) && plain.rfind(kCursorPrefix, 0) == 0) {
      std::string after = plain.substr(sizeof(kCursorPrefix) - 1);
      for (; start < tools_.size() && !found; ++start) found = tools_[start]->tool.name == after;
    }
    if (!found) {
      return InvalidArgument("params.cursor: \"" + cursor.substr(0, 64) +
                             "\" is not a cursor this server issued; list again without one");
    }
  }
  Page page;
  for (std::size_t i = start; i < tools_.size(); ++i) {
    if (!tools_[i]->MissingScopes(principal).empty()) continue;
    if (!HiddenReasonLocked(tools_[i]->tool).empty()) continue;
    if (page.tools.size() == std::max<std::size_t>(page_size, 1)) {
      page.next_cursor = EncodeCursor(kCursorPrefix + page.tools.back()->tool.name);
      break;
    }
    page.tools.push_back(tools_[i].get());
  }
  return page;
}

std::vector<std::string> ToolRegistry::StaticScopes() const {
  std::shared_lock lock(mu_);
  std::set<std::string> all;
  for (const auto& t : tools_) {
    if (HiddenReasonLocked(t->tool).empty())
      all.insert(t->tool.scopes.begin(), t->tool.scopes.end());
  }
  return {all.begin(), all.end()};
}

}  // namespace datamcp::bot::mcp
