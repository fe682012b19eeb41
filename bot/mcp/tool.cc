#include "bot/mcp/tool.h"

#include <array>

namespace datamcp::bot::mcp {

namespace {
constexpr std::array<std::string_view, 8> kLevelNames = {
    "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};
}  // namespace

bool ParseLogLevel(std::string_view name, LogLevel* out) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) {
      *out = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

std::string_view LogLevelName(LogLevel level) {
  return kLevelNames[static_cast<std::size_t>(level)];
}

ToolResult ToolResult::Structured(json value, std::string text) {
  ToolResult r;
  r.structured = std::move(value);
  r.text = std::move(text);
  return r;
}

ToolResult ToolResult::Error(std::string message) {
  ToolResult r;
  r.text = std::move(message);
  r.is_error = true;
  return r;
}

ToolResult ToolResult::FromStatus(const Status& status) { return Error(status.ToString()); }

}  // namespace datamcp::bot::mcp
