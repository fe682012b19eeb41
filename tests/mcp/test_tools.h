#pragma once

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "bot/mcp/tool_registry.h"

namespace datamcp::bot::mcp::testing {

// Tools exercising each path of the protocol, registered in this order:
// echo (no scope), audit_log (audit:read), propose (proposals:write + env:<environment>),
// slow (streams; runs until cancelled or `steps` done, reporting progress), boom (throws),
// reject (business error).
inline void RegisterTestTools(ToolRegistry& registry, std::atomic<int>* slow_started = nullptr) {
  auto ok = [](Status s) {
    if (!s.ok()) throw std::runtime_error(s.ToString());
  };
  Tool echo;
  echo.name = "echo";
  echo.title = "Echo";
  echo.description = "Returns its text.";
  echo.input_schema = {{"type", "object"},
                       {"properties", {{"text", {{"type", "string"}, {"maxLength", 100}}}}},
                       {"additionalProperties", false}};
  echo.output_schema = {{"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}};
  echo.annotations = {true, false, true, false};
  echo.handler = [](const ToolCall& c) {
    return ToolResult::Structured({{"text", c.arguments.value("text", "")}});
  };
  ok(registry.Register(echo));

  Tool audit = echo;
  audit.name = "audit_log";
  audit.description = "Reads the audit log.";
  audit.scopes = {"audit:read"};
  ok(registry.Register(audit));

  Tool propose;
  propose.name = "propose";
  propose.description = "Proposes a change to an environment.";
  propose.input_schema = {
      {"type", "object"},
      {"properties", {{"environment", {{"type", "string"}, {"enum", {"dev", "prod"}}}}}},
      {"required", {"environment"}},
      {"additionalProperties", false}};
  propose.annotations = {false, false, false, false};
  propose.scopes = {"proposals:write"};
  propose.argument_scopes = [](const json& a) {
    return std::vector<std::string>{"env:" + a["environment"].get<std::string>()};
  };
  propose.handler = [](const ToolCall& c) {
    c.Log(LogLevel::kInfo, "proposing");
    c.Log(LogLevel::kError, "something odd");
    return ToolResult::Structured({{"environment", c.arguments["environment"]}});
  };
  ok(registry.Register(propose));

  Tool slow;
  slow.name = "slow";
  slow.description = "Counts to `steps`, reporting progress, until cancelled.";
  slow.input_schema = {{"type", "object"},
                       {"properties", {{"steps", {{"type", "integer"}, {"minimum", 1}}}}}};
  slow.annotations = {true, false, true, false};
  slow.streams = true;
  slow.handler = [slow_started](const ToolCall& c) {
    if (slow_started != nullptr) ++*slow_started;
    int steps = c.arguments.value("steps", 1000000);
    for (int i = 1; i <= steps; ++i) {
      if (c.Cancelled()) return ToolResult::Error("cancelled");
      c.Progress(i, steps, "step " + std::to_string(i));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return ToolResult::Structured({{"steps", steps}});
  };
  ok(registry.Register(slow));

  Tool boom = echo;
  boom.name = "boom";
  boom.description = "Throws.";
  boom.handler = [](const ToolCall&) -> ToolResult { throw std::runtime_error("kaboom"); };
  ok(registry.Register(boom));

  Tool reject = echo;
  reject.name = "reject";
  reject.description = "Always refuses.";
  reject.handler = [](const ToolCall&) {
    return ToolResult::FromStatus(FailedPrecondition("environment prod is locked; retry later"));
  };
  ok(registry.Register(reject));
}

}  // namespace datamcp::bot::mcp::testing
