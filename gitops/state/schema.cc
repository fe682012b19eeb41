#include "gitops/state/schema.h"

#include <algorithm>
#include <string>
#include <vector>

namespace datamcp::state {
namespace {

// Statements of one migration, in both dialects where they differ.
struct Migration {
  std::vector<std::string> sqlite;
  std::vector<std::string> postgres;
};

// Only what is still to do lives here: deliveries not yet handled (and recently handled
// ids, for deduplication), apply jobs, project locks and their waiters.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      // 1: the first schema.
      {{
           "CREATE TABLE deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL "
           "UNIQUE, event TEXT NOT NULL, action TEXT NOT NULL, repository TEXT NOT NULL, "
           "received_ms BIGINT NOT NULL, body BLOB NOT NULL, done_ms BIGINT)",
           "CREATE INDEX deliveries_pending ON deliveries (seq) WHERE done_ms IS NULL",
           "CREATE TABLE jobs (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, project TEXT NOT NULL, "
           "kind TEXT NOT NULL, pull_request BIGINT NOT NULL, merge_sha TEXT NOT NULL, state "
           "TEXT NOT NULL, detail TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT "
           "NOT NULL)",
           "CREATE INDEX jobs_state ON jobs (state, created_at, seq)",
           "CREATE TABLE locks (project TEXT PRIMARY KEY, pull_request BIGINT NOT NULL, "
           "head_sha TEXT NOT NULL, since BIGINT NOT NULL)",
           "CREATE TABLE lock_waiters (project TEXT NOT NULL, pull_request BIGINT NOT NULL, "
           "PRIMARY KEY (project, pull_request))",
       },
       {
           "CREATE TABLE deliveries (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id "
           "TEXT NOT NULL UNIQUE, event TEXT NOT NULL, action TEXT NOT NULL, repository TEXT NOT "
           "NULL, received_ms BIGINT NOT NULL, body BYTEA NOT NULL, done_ms BIGINT)",
           "CREATE INDEX deliveries_pending ON deliveries (seq) WHERE done_ms IS NULL",
           "CREATE TABLE jobs (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, project TEXT NOT NULL, "
           "kind TEXT NOT NULL, pull_request BIGINT NOT NULL, merge_sha TEXT NOT NULL, state "
           "TEXT NOT NULL, detail TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT "
           "NOT NULL)",
           "CREATE INDEX jobs_state ON jobs (state, created_at, seq)",
           "CREATE TABLE locks (project TEXT PRIMARY KEY, pull_request BIGINT NOT NULL, "
           "head_sha TEXT NOT NULL, since BIGINT NOT NULL)",
           "CREATE TABLE lock_waiters (project TEXT NOT NULL, pull_request BIGINT NOT NULL, "
           "PRIMARY KEY (project, pull_request))",
       }},
      // 2: a claimed job's holder and the time its lease ends (Unix seconds).
      {{
           "ALTER TABLE jobs ADD COLUMN holder TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE jobs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0",
       },
       {
           "ALTER TABLE jobs ADD COLUMN holder TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE jobs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0",
       }},
      // 3: the SHA-256 of a delivery's signed body, so a replayed body under a new delivery
      // id is refused (NULL for rows recorded before, and for callers that do not set it).
      {{
           "ALTER TABLE deliveries ADD COLUMN digest TEXT",
           "CREATE UNIQUE INDEX deliveries_digest ON deliveries (digest)",
       },
       {
           "ALTER TABLE deliveries ADD COLUMN digest TEXT",
           "CREATE UNIQUE INDEX deliveries_digest ON deliveries (digest)",
       }},
      // 4: several replicas. A delivery is claimed by one replica (holder, lease end in Unix
      // ms) while it handles it; named leases elect who runs what must run once (the
      // reconciler's scan) and carry a value with them (the tip the open proposals were
      // planned on); MCP sessions live here so a call can land on any replica (keyed by the
      // SHA-256 of the session id: the table never holds a usable id).
      {{
           "ALTER TABLE deliveries ADD COLUMN holder TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE deliveries ADD COLUMN lease_until_ms BIGINT NOT NULL DEFAULT 0",
           "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until_ms BIGINT "
           "NOT NULL, value TEXT NOT NULL DEFAULT '')",
           "CREATE TABLE mcp_sessions (id_hash TEXT PRIMARY KEY, subject TEXT NOT NULL, "
           "protocol_version TEXT NOT NULL, log_level BIGINT NOT NULL, last_used BIGINT NOT NULL)",
       },
       {
           "ALTER TABLE deliveries ADD COLUMN holder TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE deliveries ADD COLUMN lease_until_ms BIGINT NOT NULL DEFAULT 0",
           "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until_ms BIGINT "
           "NOT NULL, value TEXT NOT NULL DEFAULT '')",
           "CREATE TABLE mcp_sessions (id_hash TEXT PRIMARY KEY, subject TEXT NOT NULL, "
           "protocol_version TEXT NOT NULL, log_level BIGINT NOT NULL, last_used BIGINT NOT NULL)",
       }},
      // 5: pruning handled deliveries reads only those it deletes. Without this index every
      // prune scanned the whole table (72 hours of deliveries) while holding the write lock.
      {{
           "CREATE INDEX deliveries_handled ON deliveries (received_ms) WHERE done_ms IS NOT NULL",
       },
       {
           "CREATE INDEX deliveries_handled ON deliveries (received_ms) WHERE done_ms IS NOT NULL",
       }},
  };
  static_assert(kSchemaVersion == 5, "add the migration to the new version here");
  return kMigrations;
}

}  // namespace

Status Migrate(Database& db) { return MigrateTo(db, kSchemaVersion); }

Status MigrateTo(Database& db, int target) {
  static_assert(kSchemaVersion >= 1);
  if (target < 1 || target > kSchemaVersion) {
    return InvalidArgument("no schema version " + std::to_string(target));
  }
  return db.Transact([&](Tx& tx) -> Status {
    if (db.dialect() == Dialect::kPostgres) {
      // Released at commit; replicas starting at once migrate one after the other.
      DATAMCP_RETURN_IF_ERROR(tx.Exec("SELECT pg_advisory_xact_lock(7306517)").status());
    }
    DATAMCP_RETURN_IF_ERROR(
        tx.Exec("CREATE TABLE IF NOT EXISTS datamcp_schema (version BIGINT NOT NULL)").status());
    DATAMCP_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query("SELECT version FROM datamcp_schema"));
    long long version = rows.empty() ? 0 : IntAt(rows[0], 0);
    if (version > kSchemaVersion) {
      return FailedPrecondition("the state database " + db.Describe() + " has schema version " +
                                std::to_string(version) + ", newer than this DataMCP knows (" +
                                std::to_string(kSchemaVersion) +
                                "): run a DataMCP at least as new as the one that migrated it");
    }
    const auto& all = Migrations();
    for (long long v = version; v < target; ++v) {
      const Migration& m = all[static_cast<std::size_t>(v)];
      for (const std::string& sql : db.dialect() == Dialect::kSqlite ? m.sqlite : m.postgres) {
        DATAMCP_RETURN_IF_ERROR(tx.Exec(sql).status());
      }
    }
    if (rows.empty()) {
      return tx
          .Exec("INSERT INTO datamcp_schema (version) VALUES ($1)",
                {static_cast<long long>(std::max<long long>(version, target))})
          .status();
    }
    return tx.Exec("UPDATE datamcp_schema SET version = $1", {std::max<long long>(version, target)})
        .status();
  });
}

}  // namespace datamcp::state
