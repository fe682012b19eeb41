#include "gitops/state/sqlite_checkpointer.h"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

namespace datamcp::state {
namespace {

constexpr std::int64_t kWalFrameHeaderBytes = 24;  // before each page in a WAL file

std::int64_t PageSize(sqlite3* db) {
  std::int64_t size = 4096;  // SQLite's default, should the pragma fail
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    size = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return size;
}

}  // namespace

WalCheckpointer::WalCheckpointer(sqlite3* connection, WalCheckpointOptions options,
                                 PauseWrites pause_writes)
    : db_(connection),
      options_(options),
      pause_writes_(std::move(pause_writes)),
      frame_bytes_(PageSize(connection) + kWalFrameHeaderBytes) {
  // How long a restart waits for another process's writer or reader (the admin CLI) while
  // this process's writes are paused; one that cannot wait is tried again next time.
  sqlite3_busy_timeout(db_, 20);
  thread_ = std::thread([this] { Loop(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sqlite3_close(db_);
}

void WalCheckpointer::Watch(sqlite3* writer) { sqlite3_wal_hook(writer, &OnCommit, this); }

int WalCheckpointer::OnCommit(void* self, sqlite3*, const char*, int wal_frames) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  checkpointer->written_since_restart_.store(true, std::memory_order_relaxed);
  // Frames not yet copied; fewer frames than were copied means the WAL was restarted since.
  const int copied = checkpointer->copied_frames_.load(std::memory_order_relaxed);
  const int fresh = wal_frames >= copied ? wal_frames - copied : wal_frames;
  if (fresh * checkpointer->frame_bytes_ < checkpointer->options_.checkpoint_bytes) {
    return SQLITE_OK;
  }
  {
    std::lock_guard lock(checkpointer->mu_);
    if (checkpointer->wal_large_) return SQLITE_OK;  // woken already
    checkpointer->wal_large_ = true;
  }
  checkpointer->wake_.notify_one();
  return SQLITE_OK;
}

void WalCheckpointer::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait_for(lock, options_.interval, [&] { return stopping_ || wal_large_; });
    const bool last = stopping_;
    wal_large_ = false;
    lock.unlock();
    Checkpoint(/*may_restart=*/!last);
    lock.lock();
    if (last) return;
  }
}

void WalCheckpointer::Checkpoint(bool may_restart) {
  // PASSIVE: copies what no reader still needs, without blocking writers; a later pass
  // copies the rest. At close the remaining WAL is checkpointed by sqlite3_close.
  int wal_frames = 0;
  int copied = 0;
  sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &copied);
  // A restarted WAL that nothing has written to since still reports the frames it had (the
  // next writer starts it over): restarting it again would pause writes for nothing, once per
  // interval for as long as the database stays idle. Written since: a commit of the watched
  // writer, or (another process's) a frame count that moved.
  const bool written =
      written_since_restart_.load(std::memory_order_relaxed) || wal_frames != restarted_frames_;
  if (may_restart && written && wal_frames * frame_bytes_ >= options_.restart_bytes) {
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    int rc = SQLITE_OK;
    pause_writes_([&] {
      written_since_restart_.store(false, std::memory_order_relaxed);
      rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_RESTART, &wal_frames, &copied);
    });
    if (rc == SQLITE_OK) {
      restarted_frames_ = wal_frames;
    } else {
      written_since_restart_.store(true, std::memory_order_relaxed);  // try again next time
    }
  }
  copied_frames_.store(std::max(copied, 0), std::memory_order_relaxed);
}

}  // namespace datamcp::state
