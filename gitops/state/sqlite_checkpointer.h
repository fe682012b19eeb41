#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

struct sqlite3;

namespace datamcp::state {

struct WalCheckpointOptions {
  // A checkpoint at least this often.
  std::chrono::milliseconds interval{1000};
  // A commit that leaves this much of the WAL not yet copied wakes the checkpointer at once.
  // (SQLite's own auto-checkpoint runs at 4 MiB, inside the commit; larger, a page rewritten
  // by many commits is copied fewer times.)
  std::int64_t checkpoint_bytes = 16 << 20;
  // A WAL this large after a checkpoint is restarted, and its file cut back to this size.
  std::int64_t restart_bytes = 64 << 20;
};

// Copies a SQLite database's WAL back into the database file on a thread and connection of
// its own, so that no commit waits for a checkpoint, and keeps the WAL from growing without
// bound.
//
// A passive checkpoint never blocks a writer, but it never restarts the WAL either: SQLite
// restarts it only when a writer begins while every frame is copied and no reader uses one,
// which a steady stream of commits never offers (the WAL grew by 150 MB a second under the
// webhook benchmark). So a WAL past restart_bytes is restarted: a second passive pass copies
// what came in during the first, then, with this process's writes paused (`pause_writes`),
// a RESTART checkpoint copies the last few frames and waits for readers to leave the WAL;
// the next commit writes from its start. The pause is a few milliseconds, once per
// restart_bytes of commits.
class WalCheckpointer {
 public:
  // Runs its argument with no write transaction of this process running or starting.
  using PauseWrites = std::function<void(const std::function<void()>&)>;

  // Takes `connection` (open on the database, in WAL mode) and starts the thread.
  WalCheckpointer(sqlite3* connection, WalCheckpointOptions options, PauseWrites pause_writes);
  // Stops the thread after a last passive checkpoint and closes the connection.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Installs on `writer` the hook that wakes this checkpointer when a commit leaves
  // checkpoint_bytes or more of the WAL not yet copied. Replaces SQLite's auto-checkpoint on
  // that connection.
  void Watch(sqlite3* writer);

 private:
  void Loop();
  void Checkpoint(bool may_restart);
  static int OnCommit(void* self, sqlite3* db, const char* name, int wal_frames);

  sqlite3* const db_;
  const WalCheckpointOptions options_;
  const PauseWrites pause_writes_;
  const std::int64_t frame_bytes_;  // a WAL frame: its header and one page

  std::mutex mu_;
  std::condition_variable wake_;
  bool wal_large_ = false;
  std::atomic<int> copied_frames_{0};              // WAL frames the last checkpoint had copied
  std::atomic<bool> written_since_restart_{true};  // a commit of the watched writer since
  int restarted_frames_ = -1;  // the frames of the WAL last restarted (thread_ only)
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace datamcp::state
