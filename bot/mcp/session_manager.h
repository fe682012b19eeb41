#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "bot/mcp/session.h"
#include "gitops/common/clock.h"
#include "gitops/common/result.h"

namespace datamcp::bot::mcp {

struct SessionManagerOptions {
  std::size_t max_sessions = 1024;
  std::size_t max_sessions_per_subject = 64;  // one caller cannot take every slot
  std::chrono::seconds idle_timeout{3600};
};

// Owns the MCP sessions of the HTTP transport. Session ids are RandomHex(32): 32 bytes from
// OpenSSL's CSPRNG, hex-encoded. A session not used for idle_timeout (and with no stream
// attached and no request in flight) expires. Thread-safe.
class SessionManager {
 public:
  SessionManager(Clock& clock, SessionManagerOptions options);

  // ResourceExhausted when max_sessions live sessions exist, or max_sessions_per_subject
  // of `subject`; Internal when the random generator fails.
  Result<std::shared_ptr<Session>> Create(const std::string& subject);
  // The live session with this id (refreshing its idle timer), or nullptr when unknown,
  // ended or expired.
  std::shared_ptr<Session> Find(const std::string& id);
  // Ends and forgets the session; false when unknown.
  bool Remove(const std::string& id);
  // Ends every session (wakes their streams): call before stopping the HTTP server.
  void CloseAll();
  std::size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<Session> session;
    std::chrono::steady_clock::time_point last_used;
  };
  bool Expired(const Entry& e, std::chrono::steady_clock::time_point now) const;
  void PurgeExpiredLocked(std::chrono::steady_clock::time_point now);

  Clock& clock_;
  const SessionManagerOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> sessions_;
};

}  // namespace datamcp::bot::mcp
