#include "gitops/common/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "gitops/common/secret.h"

namespace datamcp {
namespace {

TEST(LogTest, JsonLineHasTimeLevelEventAndFields) {
  std::string line =
      log::FormatLine(log::Format::kJson, log::Level::kWarn, "push_rejected",
                      {{"ref", "refs/heads/x"}, {"attempt", 2}}, "2026-01-01T00:00:00.000Z");
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["time"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["event"], "push_rejected");
  EXPECT_EQ(j["ref"], "refs/heads/x");
  EXPECT_EQ(j["attempt"], 2);
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LogTest, FieldsCannotOverrideReservedKeys) {
  std::string line = log::FormatLine(log::Format::kJson, log::Level::kInfo, "e",
                                     {{"event", "forged"}, {"level", "error"}}, "t");
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["event"], "e");
  EXPECT_EQ(j["level"], "info");
}

TEST(LogTest, TextLineIsReadable) {
  std::string line = log::FormatLine(log::Format::kText, log::Level::kInfo, "started",
                                     {{"port", 8080}, {"bind", "127.0.0.1"}}, "T");
  EXPECT_EQ(line, "T INFO started bind=127.0.0.1 port=8080");
}

TEST(LogTest, InvalidUtf8FromNetworkDoesNotThrow) {
  std::string bad = "a\xff\xfe";
  std::string line = log::FormatLine(log::Format::kJson, log::Level::kInfo, "x", {{"v", bad}}, "t");
  EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded());
}

TEST(LogTest, EventsGoToConfiguredSinkAndRespectLevel) {
  std::ostringstream out;
  log::SetSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  log::SetLevel(log::Level::kInfo);
  log::Debug("hidden");
  log::Info("shown", {{"k", "v"}});
  std::string s = out.str();
  EXPECT_EQ(s.find("hidden"), std::string::npos);
  EXPECT_NE(s.find("\"event\":\"shown\""), std::string::npos);
}

TEST(SecretTest, PrintsRedacted) {
  Secret secret("ghp_supersecret");
  std::ostringstream out;
  out << secret;
  EXPECT_EQ(out.str(), "<redacted>");
  EXPECT_EQ(secret.Reveal(), "ghp_supersecret");
}

}  // namespace
}  // namespace datamcp
