#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gitops/state/database.h"

struct sqlite3;

namespace datamcp::state {

struct SqliteOptions {
  std::string path;  // the database file; its directory must exist
  // true: every commit is fsynced (synchronous=FULL). false: WAL with synchronous=NORMAL,
  // which survives kill -9 of the process and loses at most the last commits on power loss.
  bool sync_commits = false;
  // How long a writer waits for another process (the admin CLI) holding the write lock.
  std::chrono::milliseconds busy_timeout{5000};
};

// SQLite in WAL mode: the embedded default. One connection, transactions serialized in
// the process; other processes on the same file (the admin CLI) wait up to busy_timeout.
// Commits only append to the WAL: a background thread on a second connection copies it back
// into the database (a passive checkpoint, with its fsyncs) every second, so no commit waits
// for one.
class SqliteDatabase final : public Database {
 public:
  // Errors: Unavailable naming the path when the file cannot be opened or set up.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const SqliteOptions& options);
  ~SqliteDatabase() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  Status Transact(const std::function<Status(Tx&)>& fn) override;
  std::string Describe() const override { return "sqlite:" + path_; }

 private:
  SqliteDatabase(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void CheckpointLoop(sqlite3* checkpointer);

  std::mutex mu_;
  sqlite3* db_;
  const std::string path_;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread checkpointer_;
};

}  // namespace datamcp::state
