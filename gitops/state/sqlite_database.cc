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
  DATAMCP_RETURN_IF_ERROR(SetUp(
      out->writer_->db(), options,
      "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384; " + sync +
          "PRAGMA journal_size_limit=" + std::to_string(options.checkpoints.restart_bytes) + ";"));
  // Reads: a connection of their own that cannot write (query_only), in WAL mode already.
  DATAMCP_ASSIGN_OR_RETURN(out->reader_, SqliteConnection::Open(options.path, /*create=*/false));
  DATAMCP_RETURN_IF_ERROR(
      SetUp(out->reader_->db(), options, "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"));
  sqlite3_wal_autocheckpoint(out->reader_->db(), 0);
  // Checkpoints: a connection of their own, never inside a commit.
  sqlite3* checkpoints = nullptr;
  if (sqlite3_open_v2(options.path.c_str(), &checkpoints,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      WalGatheringVfs()) != SQLITE_OK) {
    std::string why = checkpoints ? sqlite3_errmsg(checkpoints) : "out of memory";
    sqlite3_close(checkpoints);
    return Unavailable("cannot open the state database " + options.path + ": " + why);
  }
  // A connection checkpoints only once it knows the file is in WAL mode, which it learns by
  // reading it: until it had, each checkpoint was a no-op and the WAL only grew.
  if (Status set_up = SetUp(checkpoints, options, "PRAGMA journal_mode=WAL;"); !set_up.ok()) {
    sqlite3_close(checkpoints);
    return set_up;
  }
  SqliteDatabase* self = out.get();
  out->checkpointer_ = std::make_unique<WalCheckpointer>(
      checkpoints, options.checkpoints,
      [self](const std::function<void()>& fn) { self->WithWritesPaused(fn); });
  // In place of SQLite's auto-checkpoint, which would run inside the commit.
  out->checkpointer_->Watch(out->writer_->db());
  return out;
}

SqliteDatabase::~SqliteDatabase() {
  checkpointer_.reset();
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
  mine.wake.wait(
      lock, [&] { return mine.done || (!writing_ && !pausing_ && waiting_.front() == &mine); });
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
    if (pausing_) {
      writes_idle_.notify_one();
    } else if (!waiting_.empty()) {
      waiting_.front()->wake.notify_one();
    }
  }
  if (mine.thrown) std::rethrow_exception(mine.thrown);
  return mine.status;
}

void SqliteDatabase::WithWritesPaused(const std::function<void()>& fn) {
  std::unique_lock lock(group_mu_);
  pausing_ = true;
  writes_idle_.wait(lock, [&] { return !writing_; });
  writing_ = true;
  pausing_ = false;
  lock.unlock();
  fn();
  lock.lock();
  writing_ = false;
  if (!waiting_.empty()) waiting_.front()->wake.notify_one();
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
