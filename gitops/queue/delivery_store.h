#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/queue/delivery.h"

namespace datamcp::queue {

struct DeliveryStoreOptions {
  std::string dir;  // created if missing; holds deliveries.log and LOCK
  // true: Append returns only after fdatasync (group commit: concurrent appends share one
  // sync). false: Append returns after write(), which survives kill -9 of the process (the
  // page cache belongs to the kernel); a background thread syncs every
  // background_sync_interval, so a power loss loses at most that much.
  bool sync_writes = false;
  std::chrono::milliseconds background_sync_interval{1000};  // 0: no background sync
  // Compaction runs (inside MarkDone) when the log is at least this big and more than half
  // of it is done deliveries. It copies the live records to a new file without holding the
  // lock appends take; only the records appended meanwhile are copied under it.
  std::uint64_t compact_min_bytes = 64u << 20;
  // Done delivery ids are remembered (for deduplication) at least this long after they were
  // received. GitHub lets users redeliver for 3 days.
  std::chrono::hours dedup_window{72};
};

// A durable, deduplicating record of webhook deliveries: an append-only log file with an
// in-memory index (id -> offset). Each delivery is appended once (by id); MarkDone appends a
// done marker; on Open the log is replayed, a torn tail (a record cut short or failing its
// CRC, as kill -9 or a power loss leaves it) is truncated, and deliveries without a done
// marker are pending again. Bodies stay on disk; the index holds ids and offsets.
//
// Only one process may open a directory (flock on dir/LOCK). Thread-safe.
class DeliveryStore {
 public:
  enum class AppendOutcome { kAccepted, kDuplicate };
  struct Stats {
    std::size_t pending = 0;
    std::size_t remembered = 0;  // ids known for deduplication (pending + done)
    std::uint64_t log_bytes = 0;
    std::uint64_t truncated_bytes_on_open = 0;
    std::uint64_t compactions = 0;
  };

  // Errors: InvalidArgument (empty dir), FailedPrecondition (another process holds the
  // store), Unavailable (I/O errors, with the path and errno text).
  static Result<std::unique_ptr<DeliveryStore>> Open(DeliveryStoreOptions options, Clock& clock);
  ~DeliveryStore();
  DeliveryStore(const DeliveryStore&) = delete;
  DeliveryStore& operator=(const DeliveryStore&) = delete;

  // Records `d` unless its id was seen before (kDuplicate; nothing is written). When it
  // returns kAccepted the record has been written (and synced if sync_writes).
  // Errors: InvalidArgument (empty id), Unavailable (write or sync failed; nothing recorded).
  Result<AppendOutcome> Append(const Delivery& d);

  // Pending delivery ids, oldest first.
  std::vector<std::string> PendingIds() const;
  // Reads one delivery (pending or not yet compacted away). NotFound when unknown.
  Result<Delivery> Read(std::string_view id) const;
  // Every pending delivery with its body, oldest first.
  Result<std::vector<Delivery>> Pending() const;
  // Marks a delivery done (idempotent). NotFound when the id was never appended.
  Status MarkDone(std::string_view id);

  // Changes whenever a delivery is appended or Wake() is called.
  std::uint64_t generation() const;
  // Blocks until generation() != seen or `timeout` passes; returns the new generation.
  std::uint64_t WaitForChange(std::uint64_t seen, std::chrono::milliseconds timeout) const;
  void Wake();

  Status Sync();  // fdatasync everything written so far
  // Rewrites the log with pending deliveries and the done ids still inside the dedup window.
  Status Compact();
  Stats stats() const;

 private:
  struct Entry {
    std::uint64_t offset = 0;  // of the delivery record (meaningless once done)
    std::uint32_t length = 0;  // header + payload
    std::int64_t received_unix_ms = 0;
    bool done = false;
  };

  DeliveryStore(DeliveryStoreOptions options, Clock& clock);
  Status OpenFiles();
  Status Replay();
  Status ApplyRecord(std::uint64_t offset, std::uint32_t length, std::string_view payload);
  Status WriteLocked(const std::string& record);  // requires mu_
  Status SyncUpTo(std::uint64_t seq);
  // Compaction (delivery_store_compaction.cc).
  struct CompactionSnapshot;
  struct CompactedFile;
  Status MaybeCompact();
  CompactionSnapshot SnapshotForCompaction() const;
  Status WriteCompacted(const CompactionSnapshot& snap, CompactedFile* out) const;
  Status SwapInCompacted(const CompactionSnapshot& snap, CompactedFile* file);
  Result<Delivery> ReadLocked(const Entry& e) const;
  void BackgroundSyncLoop();

  const DeliveryStoreOptions options_;
  Clock& clock_;
  std::string log_path_;
  int lock_fd_ = -1;

  std::mutex compact_mu_;       // one compaction at a time; taken before sync_mu_
  mutable std::mutex sync_mu_;  // taken before mu_; guards fd_ replacement and syncing
  std::uint64_t synced_seq_ = 0;

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t dead_bytes_ = 0;
  std::uint64_t generation_ = 0;
  Status broken_;  // set when a failed write could not be rolled back
  std::unordered_map<std::string, Entry> index_;
  std::map<std::uint64_t, std::string> pending_;  // offset -> id, oldest first
  std::uint64_t truncated_bytes_ = 0;
  std::uint64_t compactions_ = 0;
  std::atomic<std::uint64_t> written_seq_{0};

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stopping_ = false;
  std::thread bg_thread_;
};

}  // namespace datamcp::queue
