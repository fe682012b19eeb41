#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/mcp/tool.h"

namespace datamcp::bot::mcp {

// The state of one MCP session: negotiated version, log level, requests in flight (for
// notifications/cancelled) and the queue of server messages for the standalone GET stream.
// Thread-safe: several HTTP workers may serve the same session at once.
class Session {
 public:
  Session(std::string id, std::string subject) : id_(std::move(id)), subject_(std::move(subject)) {}

  const std::string& id() const { return id_; }
  // The subject that created the session; requests from another subject are refused.
  const std::string& subject() const { return subject_; }

  std::string protocol_version() const;  // empty until initialize succeeded
  void set_protocol_version(std::string version);
  bool initialized() const { return initialized_.load(); }
  void set_initialized() { initialized_.store(true); }
  LogLevel log_level() const { return static_cast<LogLevel>(log_level_.load()); }
  void set_log_level(LogLevel level) { log_level_.store(static_cast<int>(level)); }

  // Registers request `id` as in flight and returns its cancellation flag. The flag is
  // set by Cancel or Close. EndRequest forgets it.
  std::shared_ptr<std::atomic<bool>> BeginRequest(const nlohmann::json& id);
  void EndRequest(const nlohmann::json& id);
  // Sets the flag of in-flight request `id`; false when no such request runs.
  bool Cancel(const nlohmann::json& id);
  std::size_t in_flight() const;

  // The standalone stream (HTTP GET). At most one is attached; messages pushed while none
  // is attached are dropped (nothing in MCP requires them to be delivered later).
  bool AttachStream();
  void DetachStream();
  bool HasStream() const;
  void PushStandalone(nlohmann::json message);
  // Waits up to `timeout` for messages (or Close); moves them into `out`.
  void WaitStandalone(std::chrono::milliseconds timeout, std::vector<nlohmann::json>* out);

  // Ends the standalone stream (the server is shutting down; the client reconnects it,
  // possibly to another replica) and keeps the session and its requests. Idempotent.
  void EndStream();
  bool stream_ending() const { return stream_ending_.load(); }

  // Ends the session: cancels requests in flight and wakes the stream. Idempotent.
  void Close();
  bool closed() const { return closed_.load(); }

 private:
  const std::string id_;
  const std::string subject_;
  std::atomic<bool> initialized_{false};
  std::atomic<int> log_level_{static_cast<int>(LogLevel::kInfo)};
  std::atomic<bool> closed_{false};
  std::atomic<bool> stream_ending_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string protocol_version_;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> in_flight_;
  bool stream_attached_ = false;
  std::deque<nlohmann::json> standalone_;
};

}  // namespace datamcp::bot::mcp
