#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "bot/mcp/session.h"
#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/state/session_store.h"

namespace datamcp::bot::mcp {

struct SessionManagerOptions {
  std::size_t max_sessions = 1024;
  std::size_t max_sessions_per_subject = 64;  // one caller cannot take every slot
  std::chrono::seconds idle_timeout{3600};
};

// Owns the MCP sessions of the HTTP transport. Session ids are RandomHex(32): 32 bytes from
// OpenSSL's CSPRNG, hex-encoded. A session not used for idle_timeout (and with no stream
// attached and no request in flight) expires. With a `store` (several replicas share the
// state database), initialized sessions are also rows there: a session created on one replica
// is found on any other, and ending it on one ends it on all. Thread-safe.
class SessionManager {
 public:
  SessionManager(Clock& clock, SessionManagerOptions options, state::SessionStore* store = nullptr);

  // Records an initialized session in the store (no-op without one), so other replicas
  // find it. Errors are logged: the session still works on this replica.
  void Persist(const Session& session);

  // ResourceExhausted when max_sessions live sessions exist, or max_sessions_per_subject
  // of `subject`; Internal when the random generator fails.
  Result<std::shared_ptr<Session>> Create(const std::string& subject);
  // The live session with this id (refreshing its idle timer), or nullptr when unknown,
  // ended or expired. Unavailable when this replica does not know the session and the store
  // cannot be read: the session may well exist, so the caller must not say it ended.
  Result<std::shared_ptr<Session>> Find(const std::string& id);
  // Ends and forgets the session; false when unknown.
  bool Remove(const std::string& id);
  // Ends every session (wakes their streams): call once the HTTP server has stopped.
  void CloseAll();
  // Ends every standalone stream but keeps the sessions and their requests: call when the
  // server starts draining, so its long-lived GET streams do not hold the shutdown up.
  void EndStreams();
  std::size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<Session> session;
    std::chrono::steady_clock::time_point last_used;
  };
  bool Expired(const Entry& e, std::chrono::steady_clock::time_point now) const;
  // Asks the store about `id`: whether it still exists (ended on another replica?) and, when
  // this replica does not know it, builds it. Without a store, or when the database cannot be
  // read and this replica knows the session, the local answer stands.
  Result<std::shared_ptr<Session>> FindInStore(const std::string& id,
                                               std::shared_ptr<Session> local);
  void PurgeExpiredLocked(std::chrono::steady_clock::time_point now);

  Clock& clock_;
  const SessionManagerOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> sessions_;
  state::SessionStore* store_;
};

}  // namespace datamcp::bot::mcp
