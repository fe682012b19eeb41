#include "gitops/state/sqlite_database.h"

#include <sqlite3.h>

#include <chrono>
#include <exception>
#include <thread>

#include "gitops/state/sqlite_connection.h"
#include "gitops/state/sqlite_wal_gather.h"

namespace datamcp::state {
namespace {

bool IsBusy(int rc) { return rc == SQLITE_BUSY || rc == SQLITE_LOCKED; }

// Leaves a cached statement ready for its next use: reset, no bindings.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ResetOnExit() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_;
};

class SqliteTx final : public Tx {
 public:
  explicit SqliteTx(SqliteConnection& conn) : conn_(conn), db_(conn.db()) {}

  Result<long long> Exec(std::string_view sql, const Params& params) override {
    DATAMCP_ASSIGN_OR_RETURN(std::vector<Row> rows, Run(sql, params));
    (void)rows;
    return static_cast<long long>(sqlite3_changes(db_));
  }
  Result<std::vector<Row>> Query(std::string_view sql, const Params& params) override {
    return Run(sql, params);
  }
  bool busy() const { return busy_; }

 private:
  Status Error(std::string_view what) {
    if (IsBusy(sqlite3_errcode(db_))) busy_ = true;
    return Unavailable(std::string(what) + ": " + sqlite3_errmsg(db_));
  }

  Status Bind(sqlite3_stmt* stmt, const Params& params) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      // $N parameters get their index by first appearance; look each one up by name.
      int index = sqlite3_bind_parameter_index(stmt, ("$" + std::to_string(i + 1)).c_str());
      if (index == 0) continue;
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(v)) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (const auto* n = std::get_if<long long>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        // Bound without a copy: the parameters outlive the statement's run.
        rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else {
        const std::string& b = std::get<Blob>(v).bytes;
        rc = sqlite3_bind_blob64(stmt, index, b.data(), b.size(), SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) return Error("binding a parameter");
    }
    return Status::Ok();
  }

  Result<std::vector<Row>> Run(std::string_view sql, const Params& params) {
    sqlite3_stmt* stmt = conn_.Prepare(sql);
    if (stmt == nullptr) return Error("preparing a statement");
    ResetOnExit reset(stmt);
    DATAMCP_RETURN_IF_ERROR(Bind(stmt, params));
    std::vector<Row> rows;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Error("running a statement");
      Row row(sqlite3_column_count(stmt));
      for (int c = 0; c < static_cast<int>(row.size()); ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) continue;
        const void* data = sqlite3_column_blob(stmt, c);
        int len = sqlite3_column_bytes(stmt, c);
        row[c] = std::string(static_cast<const char*>(data), static_cast<std::size_t>(len));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  SqliteConnection& conn_;
  sqlite3* db_;
  bool busy_ = false;
};

// Runs `pragmas` (idempotent) on a new connection. Connections opening a new file together
// race to switch it to WAL, and SQLite answers the loser SQLITE_BUSY without calling the busy
// handler (waiting could deadlock), so a busy set-up is run again until busy_timeout passes.
Status SetUp(sqlite3* db, const SqliteOptions& options, const std::string& pragmas) {
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  const auto give_up = std::chrono::steady_clock::now() + options.busy_timeout;
  for (;;) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string why = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    if (!IsBusy(rc) || std::chrono::steady_clock::now() >= give_up) {
      return Unavailable("cannot set up the state database " + options.path + ": " + why);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

SqliteDatabase::SqliteDatabase(std::string path) : path_(std::move(path)) {}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const SqliteOptions& options) {
  std::unique_ptr<SqliteDatabase> out(new SqliteDatabase(options.path));
  DATAMCP_ASSIGN_OR_RETURN(out->writer_, SqliteConnection::Open(options.path, /*create=*/true));
  const std::string sync =
      options.sync_commits ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  // A 16 MiB page cache (SQLite's default is 2 MiB): deliveries are inserted at random leaves
  // of the id and digest indexes, which a busy repository's 72 hours of deliveries make larger
  // than the default; cached, an insert reads no page. Taken only as pages are used.
  DATAMCP_RETURN_IF_ERROR(
      SetUp(out->writer_->db(), options,
            "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384; " + sync));
  // Checkpoints run on their own connection (below), never inside a commit.
  sqlite3_wal_autocheckpoint(out->writer_->db(), 0);
  // Reads: a connection of their own that cannot write (query_only), in WAL mode already.
  DATAMCP_ASSIGN_OR_RETURN(out->reader_, SqliteConnection::Open(options.path, /*create=*/false));
  DATAMCP_RETURN_IF_ERROR(
      SetUp(out->reader_->db(), options, "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"));
  sqlite3_wal_autocheckpoint(out->reader_->db(), 0);
  sqlite3* checkpointer = nullptr;
  if (sqlite3_open_v2(options.path.c_str(), &checkpointer,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      WalGatheringVfs()) != SQLITE_OK) {
    std::string why = checkpointer ? sqlite3_errmsg(checkpointer) : "out of memory";
    sqlite3_close(checkpointer);
    return Unavailable("cannot open the state database " + options.path + ": " + why);
  }
  sqlite3_busy_timeout(checkpointer, static_cast<int>(options.busy_timeout.count()));
  SqliteDatabase* self = out.get();
  out->checkpointer_ = std::thread([self, checkpointer] { self->CheckpointLoop(checkpointer); });
  return out;
}

void SqliteDatabase::CheckpointLoop(sqlite3* checkpointer) {
  std::unique_lock lock(stop_mu_);
  for (;;) {
    stop_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    const bool last = stopping_;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, without blocking writers; a later pass
    // copies the rest. At close the remaining WAL is checkpointed by sqlite3_close.
    sqlite3_wal_checkpoint_v2(checkpointer, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    if (last) break;
  }
  sqlite3_close(checkpointer);
}

SqliteDatabase::~SqliteDatabase() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  reader_.reset();
  writer_.reset();
}

// One caller's write transaction while it waits in a group. Each has its own condition
// variable, so that finishing a group wakes only its members and the next leader, not every
// caller waiting for the group after it.
struct SqliteDatabase::PendingWrite {
  const std::function<Status(Tx&)>* fn;
  Status status;
  std::exception_ptr thrown;  // what fn threw, rethrown on its caller's thread
  bool done = false;
  std::condition_variable wake;
};

Status SqliteDatabase::DoTransact(const std::function<Status(Tx&)>& fn) {
  PendingWrite mine{&fn};
  std::unique_lock lock(group_mu_);
  waiting_.push_back(&mine);
  // Written by a leader, or first in line while no group is being written: then lead.
  mine.wake.wait(lock, [&] { return mine.done || (!writing_ && waiting_.front() == &mine); });
  if (!mine.done) {
    // Lead: write everything waiting now, this caller's transaction among it.
    writing_ = true;
    std::vector<PendingWrite*> group;
    group.swap(waiting_);
    lock.unlock();
    CommitGroup(group);
    lock.lock();
    // Notified under the lock: a member may return, and its PendingWrite go, once it is done.
    for (PendingWrite* w : group) {
      w->done = true;
      if (w != &mine) w->wake.notify_one();
    }
    writing_ = false;
    if (!waiting_.empty()) waiting_.front()->wake.notify_one();
  }
  if (mine.thrown) std::rethrow_exception(mine.thrown);
  return mine.status;
}

void SqliteDatabase::CommitGroup(const std::vector<PendingWrite*>& group) {
  if (group.size() == 1) {
    PendingWrite& only = *group[0];
    try {
      // IMMEDIATE takes the write lock up front, so a transaction never fails half-way
      // because another process started writing after it read.
      only.status = Run(*writer_, "BEGIN IMMEDIATE", *only.fn);
    } catch (...) {
      only.thrown = std::current_exception();
      if (!sqlite3_get_autocommit(writer_->db())) writer_->Step("ROLLBACK");
    }
    return;
  }
  sqlite3* db = writer_->db();
  Status group_status = Run(*writer_, "BEGIN IMMEDIATE", [&](Tx& tx) -> Status {
    for (PendingWrite* w : group) {
      w->thrown = nullptr;  // a retried group runs every member again
      if (writer_->Step("SAVEPOINT member") != SQLITE_OK) {
        return Unavailable(std::string("cannot start a savepoint: ") + sqlite3_errmsg(db));
      }
      try {
        w->status = (*w->fn)(tx);
      } catch (...) {
        w->thrown = std::current_exception();
        w->status = Internal("the transaction threw");
      }
      if (!w->status.ok()) {
        // Undo this member only, unless SQLite already rolled the whole transaction back
        // (an I/O error, a full disk): then the group fails as one.
        if (sqlite3_get_autocommit(db)) return w->status;
        writer_->Step("ROLLBACK TO member");
      }
      writer_->Step("RELEASE member");
    }
    return Status::Ok();
  });
  if (group_status.ok()) return;
  // Nothing was committed: a member that succeeded inside the group did not either.
  for (PendingWrite* w : group) {
    if (w->status.ok()) w->status = group_status;
  }
}

Status SqliteDatabase::DoRead(const std::function<Status(Tx&)>& fn) {
  std::lock_guard lock(read_mu_);
  // Deferred: the first read takes a WAL snapshot; no write lock, so no writer waits.
  return Run(*reader_, "BEGIN", fn);
}

Status SqliteDatabase::Run(SqliteConnection& conn, const char* begin,
                           const std::function<Status(Tx&)>& fn) {
  sqlite3* db = conn.db();
  constexpr int kAttempts = 5;
  Status last;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (conn.Step(begin) != SQLITE_OK) {
      last = Unavailable("state database " + path_ + " is busy: " + sqlite3_errmsg(db));
      if (!IsBusy(sqlite3_errcode(db))) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
      continue;
    }
    SqliteTx tx(conn);
    Status s = fn(tx);
    if (s.ok() && conn.Step("COMMIT") == SQLITE_OK) return Status::Ok();
    const bool busy = tx.busy() || IsBusy(sqlite3_errcode(db));
    if (s.ok()) s = Unavailable("cannot commit to " + path_ + ": " + sqlite3_errmsg(db));
    if (!sqlite3_get_autocommit(db)) conn.Step("ROLLBACK");
    if (!busy) return s;
    last = s;
  }
  return last;
}

}  // namespace datamcp::state
