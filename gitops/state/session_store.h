#pragma once

#include <optional>
#include <string>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/state/database.h"

namespace datamcp::state {

// What an MCP session needs to continue on another replica: who opened it and what was
// negotiated. Requests in flight and streams stay with the replica that serves them.
struct StoredSession {
  std::string subject;
  std::string protocol_version;
  int log_level = 0;
};

// MCP sessions as rows of the state database, so a session created on one replica works on
// any other. Rows are keyed by the SHA-256 of the session id: the table never holds an id a
// reader could present. Thread-safe; each call is one transaction.
class SessionStore {
 public:
  SessionStore(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  Status Put(const std::string& id, const StoredSession& session);
  // The session, refreshing its last use; nullopt when unknown or idle longer than
  // `idle_seconds`.
  Result<std::optional<StoredSession>> Get(const std::string& id, long long idle_seconds);
  Status Remove(const std::string& id);
  // Forgets sessions idle longer than `idle_seconds`; returns how many.
  Result<long long> Prune(long long idle_seconds);

 private:
  Database& db_;
  const Clock& clock_;
};

}  // namespace datamcp::state
