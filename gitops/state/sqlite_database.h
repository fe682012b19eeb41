#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gitops/state/database.h"
#include "gitops/state/sqlite_checkpointer.h"

struct sqlite3;
struct sqlite3_stmt;

namespace datamcp::state {

class SqliteConnection;

struct SqliteOptions {
  std::string path;  // the database file; its directory must exist
  // true: every commit is fsynced (synchronous=FULL). false: WAL with synchronous=NORMAL,
  // which survives kill -9 of the process and loses at most the last commits on power loss.
  bool sync_commits = false;
  // How long a writer waits for another process (the admin CLI) holding the write lock.
  std::chrono::milliseconds busy_timeout{5000};
  WalCheckpointOptions checkpoints;
};

// SQLite in WAL mode: the embedded default. One write connection, write transactions
// serialized in the process; other processes on the same file (the admin CLI) wait up to
// busy_timeout. Read transactions run on a second, read-only connection and never wait for
// a writer (WAL readers see the last commit). Each connection keeps its statements prepared.
// Commits only append to the WAL: a WalCheckpointer on a connection of its own copies it back
// into the database, so no commit waits for a checkpoint, and restarts it before it grows
// large.
// Group commit: write transactions that arrive while one is being written wait for it, then
// run together in the next one, each in a savepoint of its own (so each still commits or rolls
// back alone, in arrival order), with one BEGIN/COMMIT, one WAL write of the pages they share
// and one fsync (synchronous=FULL) for all of them. Under load that is where a commit's cost
// goes; alone, a transaction runs as before.
class SqliteDatabase final : public Database {
 public:
  // Errors: Unavailable naming the path when the file cannot be opened or set up.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const SqliteOptions& options);
  ~SqliteDatabase() override;

  Dialect dialect() const override { return Dialect::kSqlite; }

  std::string Describe() const override { return "sqlite:" + path_; }

 protected:
  Status DoTransact(const std::function<Status(Tx&)>& fn) override;
  Status DoRead(const std::function<Status(Tx&)>& fn) override;

 private:
  explicit SqliteDatabase(std::string path);
  struct PendingWrite;
  Status Run(SqliteConnection& conn, const char* begin, const std::function<Status(Tx&)>& fn);
  // Runs the write transactions of `group` in one transaction; sets each one's outcome.
  void CommitGroup(const std::vector<PendingWrite*>& group);
  // Runs fn with no write transaction of this process running or starting.
  void WithWritesPaused(const std::function<void()>& fn);

  const std::string path_;
  // Write transactions waiting for the next group; the caller that finds no group being
  // written leads: it writes the waiting ones (its own included) while the others wait.
  std::mutex group_mu_;
  std::vector<PendingWrite*> waiting_;
  bool writing_ = false;
  bool pausing_ = false;                      // WithWritesPaused waits: no new group starts
  std::condition_variable writes_idle_;       // a group ended while pausing_
  std::unique_ptr<SqliteConnection> writer_;  // used only by the leader
  std::mutex read_mu_;                        // held for a whole read transaction
  std::unique_ptr<SqliteConnection> reader_;
  // Last: stopped first, while what it pauses is still there.
  std::unique_ptr<WalCheckpointer> checkpointer_;
};

}  // namespace datamcp::state
