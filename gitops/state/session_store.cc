#include "gitops/state/session_store.h"

#include <vector>

#include "gitops/common/digest.h"

namespace datamcp::state {
namespace {
constexpr long long kTouchEverySeconds = 60;
}  // namespace

Status SessionStore::Put(const std::string& id, const StoredSession& session) {
  return db_.Transact([&](Tx& tx) -> Status {
    return tx
        .Exec(
            "INSERT INTO mcp_sessions (id_hash, subject, protocol_version, log_level, "
            "last_used) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id_hash) DO UPDATE SET "
            "protocol_version = excluded.protocol_version, log_level = excluded.log_level, "
            "last_used = excluded.last_used",
            {Sha256Hex(id), session.subject, session.protocol_version,
             static_cast<long long>(session.log_level), clock_.UnixSeconds()})
        .status();
  });
}

Result<std::optional<StoredSession>> SessionStore::Get(const std::string& id,
                                                       long long idle_seconds) {
  std::optional<StoredSession> found;
  const std::string key = Sha256Hex(id);
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    const long long now = clock_.UnixSeconds();
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT subject, protocol_version, log_level, last_used FROM mcp_sessions WHERE "
                 "id_hash = $1 AND last_used >= $2",
                 {key, now - idle_seconds}));
    found.reset();
    if (rows.empty()) return Status::Ok();
    found =
        StoredSession{TextAt(rows[0], 0), TextAt(rows[0], 1), static_cast<int>(IntAt(rows[0], 2))};
    // Last use is kept to the minute: most calls only read.
    if (IntAt(rows[0], 3) > now - kTouchEverySeconds) return Status::Ok();
    return tx.Exec("UPDATE mcp_sessions SET last_used = $2 WHERE id_hash = $1", {key, now})
        .status();
  }));
  return found;
}

Status SessionStore::Remove(const std::string& id) {
  return db_.Transact([&](Tx& tx) -> Status {
    return tx.Exec("DELETE FROM mcp_sessions WHERE id_hash = $1", {Sha256Hex(id)}).status();
  });
}

Result<long long> SessionStore::Prune(long long idle_seconds) {
  long long removed = 0;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(removed, tx.Exec("DELETE FROM mcp_sessions WHERE last_used < $1",
                                              {clock_.UnixSeconds() - idle_seconds}));
    return Status::Ok();
  }));
  return removed;
}

}  // namespace datamcp::state
