#include "gitops/common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include "gitops/common/utc_time.h"

namespace datamcp::log {
namespace {

struct State {
  std::mutex mu;
  std::shared_ptr<spdlog::logger> logger;
  Format format = Format::kJson;
  std::atomic<int> level{static_cast<int>(Level::kInfo)};
};

State& GetState() {
  static State state;
  return state;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

void Install(std::shared_ptr<spdlog::sinks::sink> sink, Format format) {
  auto logger = std::make_shared<spdlog::logger>("datamcp", std::move(sink));
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  State& s = GetState();
  std::lock_guard lock(s.mu);
  s.logger = std::move(logger);
  s.format = format;
}

}  // namespace

std::string FormatLine(Format format, Level level, std::string_view event,
                       const nlohmann::json& fields, std::string_view time_iso8601) {
  if (format == Format::kText) {
    std::string line(time_iso8601);
    line += ' ';
    std::string lvl(LevelName(level));
    for (char& c : lvl) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    line += lvl;
    line += ' ';
    line += event;
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) {
        line += ' ';
        line += key;
        line += '=';
        line += value.is_string() ? value.get<std::string>() : value.dump();
      }
    }
    return line;
  }
  nlohmann::ordered_json out;
  out["time"] = time_iso8601;
  out["level"] = LevelName(level);
  out["event"] = event;
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      if (key != "time" && key != "level" && key != "event") out[key] = value;
    }
  }
  // Replace invalid UTF-8 rather than throwing: log input can come from the network.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Init(Level level, Format format) {
  if (format == Format::kAuto) format = isatty(STDERR_FILENO) ? Format::kText : Format::kJson;
  Install(std::make_shared<spdlog::sinks::stderr_sink_mt>(), format);
  SetLevel(level);
}

void SetSink(std::shared_ptr<spdlog::sinks::sink> sink, Format format) {
  Install(std::move(sink), format == Format::kAuto ? Format::kJson : format);
}

void SetLevel(Level level) { GetState().level = static_cast<int>(level); }

bool ParseLevel(std::string_view name, Level* out) {
  static constexpr std::pair<std::string_view, Level> kLevels[] = {{"debug", Level::kDebug},
                                                                   {"info", Level::kInfo},
                                                                   {"warn", Level::kWarn},
                                                                   {"warning", Level::kWarn},
                                                                   {"error", Level::kError}};
  for (const auto& [n, l] : kLevels) {
    if (n == name) {
      *out = l;
      return true;
    }
  }
  return false;
}

bool ParseFormat(std::string_view name, Format* out) {
  if (name == "auto")
    *out = Format::kAuto;
  else if (name == "json")
    *out = Format::kJson;
  else if (name == "text")
    *out = Format::kText;
  else
    return false;
  return true;
}

bool Enabled(Level level) { return static_cast<int>(level) >= GetState().level.load(); }

void Event(Level level, std::string_view event, const nlohmann::json& fields) {
  State& s = GetState();
  if (static_cast<int>(level) < s.level.load()) return;
  std::shared_ptr<spdlog::logger> logger;
  Format format;
  {
    std::lock_guard lock(s.mu);
    if (!s.logger) {
      s.logger = std::make_shared<spdlog::logger>(
          "datamcp", std::make_shared<spdlog::sinks::stderr_sink_mt>());
      s.logger->set_pattern("%v");
      s.logger->set_level(spdlog::level::trace);
    }
    logger = s.logger;
    format = s.format;
  }
  logger->info(FormatLine(format, level, event, fields,
                          FormatUtcIso8601Millis(std::chrono::system_clock::now())));
}

}  // namespace datamcp::log
