#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace spdlog::sinks {
class sink;
}

// Structured logging: one event per line with time, level, event name and fields.
// JSON lines by default; human-readable text when stderr is a terminal (Format::kAuto).
// Logs always go to stderr: stdout belongs to the stdio MCP transport and CLI output.
// Never pass a Secret's revealed value as a field.
namespace datamcp::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kAuto, kJson, kText };

// Configures the process-wide logger. Safe to call again (tests, config reload).
void Init(Level level, Format format);
// Routes log lines to `sink` instead of stderr (tests capture lines this way).
void SetSink(std::shared_ptr<spdlog::sinks::sink> sink, Format format = Format::kJson);

void SetLevel(Level level);
bool ParseLevel(std::string_view name, Level* out);
bool ParseFormat(std::string_view name, Format* out);

void Event(Level level, std::string_view event,
           const nlohmann::json& fields = nlohmann::json::object());
// Whether Event at `level` writes anything: lets a hot path skip building the fields.
bool Enabled(Level level);

inline void Debug(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  Event(Level::kDebug, e, f);
}
inline void Info(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  Event(Level::kInfo, e, f);
}
inline void Warn(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  Event(Level::kWarn, e, f);
}
inline void Error(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  Event(Level::kError, e, f);
}

// Formats one line the way Event would (exposed for tests).
std::string FormatLine(Format format, Level level, std::string_view event,
                       const nlohmann::json& fields, std::string_view time_iso8601);

}  // namespace datamcp::log
