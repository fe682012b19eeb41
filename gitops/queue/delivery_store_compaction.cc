// DeliveryStore compaction, in three steps so appends are not held up by the bulk of it:
//   1. under mu_: snapshot the pending entries, the done ids to keep and the log size;
//   2. without locks: copy those records to deliveries.log.compact and fdatasync it (only
//      compaction replaces fd_, and compact_mu_ serializes compactions, so fd_ stays valid);
//   3. under sync_mu_ and mu_: append the bytes logged since the snapshot (verbatim: they are
//      whole records), fdatasync when sync_writes, rename over the log, remap the index.
// The directory is fsynced after the locks are released.
#include <fcntl.h>
#include <unistd.h>

#include <unordered_set>

#include "gitops/common/log.h"
#include "gitops/queue/delivery_store.h"
#include "gitops/queue/file_io.h"
#include "gitops/queue/record_codec.h"

namespace datamcp::queue {
namespace {

constexpr char kCompactName[] = "deliveries.log.compact";

using fileio::CopyRange;
using fileio::ErrnoStatus;
using fileio::SyncDir;
using fileio::WriteAll;

}  // namespace

struct DeliveryStore::CompactionSnapshot {
  std::vector<std::pair<std::string, Entry>> pending;  // oldest first
  std::vector<std::pair<std::string, std::int64_t>> keep_done;
  std::unordered_set<std::string> drop_done;  // done and older than the dedup window
  std::uint64_t size = 0;
  int fd = -1;
};

struct DeliveryStore::CompactedFile {
  std::string path;
  int fd = -1;
  std::uint64_t size = 0;
  std::unordered_map<std::string, std::uint64_t> offsets;  // pending id -> new offset
  int replaced_fd = -1;  // the old log, closed after the locks are released
};

Status DeliveryStore::MaybeCompact() {
  {
    std::lock_guard lock(mu_);
    if (size_ < options_.compact_min_bytes || dead_bytes_ * 2 <= size_) return Status::Ok();
  }
  return Compact();
}

Status DeliveryStore::Compact() {
  std::lock_guard compact_lock(compact_mu_);
  const CompactionSnapshot snap = SnapshotForCompaction();
  CompactedFile file;
  file.path = options_.dir + "/" + kCompactName;
  Status status = WriteCompacted(snap, &file);
  if (status.ok()) status = SwapInCompacted(snap, &file);
  // Dropping the last reference to the old log frees its pages: not under the lock.
  if (file.replaced_fd >= 0) ::close(file.replaced_fd);
  if (!status.ok()) {
    if (file.fd >= 0) ::close(file.fd);
    ::unlink(file.path.c_str());
    log::Error("delivery_store.compaction_failed", {{"error", status.message()}});
    return status;
  }
  return SyncDir(options_.dir);
}

DeliveryStore::CompactionSnapshot DeliveryStore::SnapshotForCompaction() const {
  std::lock_guard lock(mu_);
  CompactionSnapshot snap;
  snap.size = size_;
  snap.fd = fd_;
  const std::int64_t keep_after =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
          .count() -
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.dedup_window).count();
  for (const auto& [offset, id] : pending_) snap.pending.emplace_back(id, index_.at(id));
  for (const auto& [id, e] : index_) {
    if (!e.done) continue;
    if (e.received_unix_ms >= keep_after) {
      snap.keep_done.emplace_back(id, e.received_unix_ms);
    } else {
      snap.drop_done.insert(id);
    }
  }
  return snap;
}

Status DeliveryStore::WriteCompacted(const CompactionSnapshot& snap, CompactedFile* out) const {
  out->fd = ::open(out->path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (out->fd < 0) return ErrnoStatus("cannot create", out->path);
  for (const auto& [id, e] : snap.pending) {
    if (!CopyRange(snap.fd, e.offset, e.offset + e.length, out->fd)) {
      return ErrnoStatus("cannot copy a pending delivery to", out->path);
    }
    out->offsets[id] = out->size;
    out->size += e.length;
  }
  std::string records;
  for (const auto& [id, received] : snap.keep_done) records += codec::EncodeDone(id, received);
  if (!WriteAll(out->fd, records)) return ErrnoStatus("cannot write", out->path);
  out->size += records.size();
  if (::fdatasync(out->fd) != 0) return ErrnoStatus("cannot fdatasync", out->path);
  return Status::Ok();
}

Status DeliveryStore::SwapInCompacted(const CompactionSnapshot& snap, CompactedFile* file) {
  std::lock_guard sync_lock(sync_mu_);
  std::lock_guard lock(mu_);
  const std::uint64_t tail_base = file->size;
  if (!CopyRange(fd_, snap.size, size_, file->fd)) {
    return ErrnoStatus("cannot copy recent records to", file->path);
  }
  if (options_.sync_writes && ::fdatasync(file->fd) != 0) {
    return ErrnoStatus("cannot fdatasync", file->path);
  }
  if (::rename(file->path.c_str(), log_path_.c_str()) != 0) {
    return ErrnoStatus("cannot rename " + file->path + " to", log_path_);
  }
  file->replaced_fd = fd_;
  fd_ = file->fd;
  file->fd = -1;
  size_ = tail_base + (size_ - snap.size);
  dead_bytes_ = 0;
  pending_.clear();
  for (auto it = index_.begin(); it != index_.end();) {
    Entry& e = it->second;
    if (e.length > 0 && e.offset >= snap.size) {
      e.offset = tail_base + (e.offset - snap.size);  // appended during compaction
    } else if (auto moved = file->offsets.find(it->first); moved != file->offsets.end()) {
      e.offset = moved->second;  // pending at the snapshot (maybe done since)
    } else if (snap.drop_done.count(it->first)) {
      it = index_.erase(it);
      continue;
    } else {
      e.offset = 0;  // a done id kept for deduplication; its body is gone
      e.length = 0;
    }
    if (!e.done) pending_[e.offset] = it->first;
    if (e.done) dead_bytes_ += e.length;
    ++it;
  }
  synced_seq_ = options_.sync_writes ? written_seq_.load() : 0;  // 0: the next sync covers it
  ++compactions_;
  log::Info("delivery_store.compacted", {{"path", log_path_},
                                         {"bytes", size_},
                                         {"pending", pending_.size()},
                                         {"remembered", index_.size()}});
  return Status::Ok();
}

}  // namespace datamcp::queue
