#include "gitops/queue/delivery_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "gitops/common/log.h"
#include "gitops/queue/file_io.h"
#include "gitops/queue/record_codec.h"

namespace datamcp::queue {
namespace {

constexpr char kLogName[] = "deliveries.log";
constexpr char kCompactName[] = "deliveries.log.compact";
constexpr char kLockName[] = "LOCK";

using fileio::ErrnoStatus;
using fileio::PreadAll;
using fileio::SyncDir;
using fileio::WriteAll;

}  // namespace

DeliveryStore::DeliveryStore(DeliveryStoreOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock), log_path_(options_.dir + "/" + kLogName) {}

Result<std::unique_ptr<DeliveryStore>> DeliveryStore::Open(DeliveryStoreOptions options,
                                                           Clock& clock) {
  if (options.dir.empty()) {
    return InvalidArgument("delivery store: no directory given; set the store directory");
  }
  std::unique_ptr<DeliveryStore> store(new DeliveryStore(std::move(options), clock));
  DATAMCP_RETURN_IF_ERROR(store->OpenFiles());
  DATAMCP_RETURN_IF_ERROR(store->Replay());
  if (!store->options_.sync_writes && store->options_.background_sync_interval.count() > 0) {
    store->bg_thread_ = std::thread([s = store.get()] { s->BackgroundSyncLoop(); });
  }
  return store;
}

DeliveryStore::~DeliveryStore() {
  {
    std::lock_guard lock(bg_mu_);
    stopping_ = true;
  }
  bg_cv_.notify_all();
  if (bg_thread_.joinable()) bg_thread_.join();
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Status DeliveryStore::OpenFiles() {
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec)
    return Unavailable("cannot create delivery store directory " + options_.dir + ": " +
                       ec.message());
  std::string lock_path = options_.dir + "/" + kLockName;
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) return ErrnoStatus("cannot open", lock_path);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return FailedPrecondition("delivery store " + options_.dir +
                              " is in use by another process; stop it or use another directory");
  }
  std::filesystem::remove(options_.dir + "/" + kCompactName, ec);  // an interrupted compaction
  fd_ = ::open(log_path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return ErrnoStatus("cannot open", log_path_);
  return SyncDir(options_.dir);
}

Status DeliveryStore::Replay() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return ErrnoStatus("cannot stat", log_path_);
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  std::uint64_t offset = 0;
  std::string header, payload;
  while (offset + codec::kHeaderBytes <= file_size) {
    std::uint32_t length = 0, crc = 0;
    if (!PreadAll(fd_, offset, codec::kHeaderBytes, &header)) break;
    codec::DecodeHeader(header, &length, &crc);
    if (length > codec::kMaxPayloadBytes || offset + codec::kHeaderBytes + length > file_size)
      break;
    if (!PreadAll(fd_, offset + codec::kHeaderBytes, length, &payload)) break;
    if (codec::Crc32c(payload) != crc) break;
    if (!ApplyRecord(offset, codec::kHeaderBytes + length, payload).ok()) break;
    offset += codec::kHeaderBytes + length;
  }
  size_ = offset;
  if (offset < file_size) {
    truncated_bytes_ = file_size - offset;
    log::Warn(
        "delivery_store.torn_tail_truncated",
        {{"path", log_path_}, {"valid_bytes", offset}, {"truncated_bytes", truncated_bytes_}});
    if (::ftruncate(fd_, static_cast<off_t>(offset)) != 0 || ::fdatasync(fd_) != 0) {
      return ErrnoStatus("cannot truncate the torn tail of", log_path_);
    }
  }
  log::Info("delivery_store.opened",
            {{"path", log_path_}, {"pending", pending_.size()}, {"remembered", index_.size()}});
  return Status::Ok();
}

Status DeliveryStore::ApplyRecord(std::uint64_t offset, std::uint32_t length,
                                  std::string_view payload) {
  codec::Decoded rec;
  if (!codec::DecodePayload(payload, /*with_body=*/false, &rec)) {
    return Internal("malformed record at offset " + std::to_string(offset));
  }
  const std::string& id = rec.delivery.id;
  if (rec.kind == codec::Kind::kDelivery) {
    if (index_.count(id)) {  // cannot happen through Append; keep the first
      dead_bytes_ += length;
      return Status::Ok();
    }
    index_[id] = Entry{offset, length, rec.delivery.received_unix_ms, false};
    pending_[offset] = id;
    return Status::Ok();
  }
  auto it = index_.find(id);
  if (it == index_.end()) {  // a compacted done id: remembered for deduplication only
    index_[id] = Entry{0, 0, rec.delivery.received_unix_ms, true};
    return Status::Ok();
  }
  dead_bytes_ += length;
  if (!it->second.done) {
    pending_.erase(it->second.offset);
    dead_bytes_ += it->second.length;
    it->second.done = true;
  }
  return Status::Ok();
}

Status DeliveryStore::WriteLocked(const std::string& record) {
  if (!broken_.ok()) return broken_;
  if (WriteAll(fd_, record)) {
    size_ += record.size();
    written_seq_.fetch_add(1, std::memory_order_release);
    return Status::Ok();
  }
  Status failed = ErrnoStatus("cannot append to", log_path_);
  // A partial record in the middle would hide every later record on replay: roll it back.
  if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
    broken_ = Unavailable("delivery store " + log_path_ +
                          " could not roll back a failed write; restart the process");
    log::Error("delivery_store.broken", {{"path", log_path_}, {"error", failed.message()}});
  }
  return failed;
}

Result<DeliveryStore::AppendOutcome> DeliveryStore::Append(const Delivery& d) {
  if (d.id.empty()) {
    return InvalidArgument("delivery has no id (X-GitHub-Delivery header); cannot deduplicate");
  }
  const std::string record = codec::EncodeDelivery(d);
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(mu_);
    if (index_.count(d.id)) return AppendOutcome::kDuplicate;
    const std::uint64_t offset = size_;
    DATAMCP_RETURN_IF_ERROR(WriteLocked(record));
    seq = written_seq_.load(std::memory_order_acquire);
    index_[d.id] =
        Entry{offset, static_cast<std::uint32_t>(record.size()), d.received_unix_ms, false};
    pending_[offset] = d.id;
    ++generation_;
  }
  changed_.notify_all();
  if (options_.sync_writes) {
    Status synced = SyncUpTo(seq);
    if (!synced.ok()) return synced;  // the record may survive; a redelivery is deduplicated
  }
  return AppendOutcome::kAccepted;
}

Status DeliveryStore::SyncUpTo(std::uint64_t seq) {
  std::lock_guard lock(sync_mu_);
  if (synced_seq_ >= seq) return Status::Ok();  // another caller's sync covered this record
  const std::uint64_t target = written_seq_.load(std::memory_order_acquire);
  if (::fdatasync(fd_) != 0) return ErrnoStatus("cannot fdatasync", log_path_);
  synced_seq_ = target;
  return Status::Ok();
}

Status DeliveryStore::Sync() { return SyncUpTo(written_seq_.load(std::memory_order_acquire)); }

void DeliveryStore::BackgroundSyncLoop() {
  std::unique_lock lock(bg_mu_);
  while (!bg_cv_.wait_for(lock, options_.background_sync_interval, [&] { return stopping_; })) {
    lock.unlock();
    Status s = Sync();
    if (!s.ok()) log::Error("delivery_store.sync_failed", {{"error", s.message()}});
    lock.lock();
  }
}

std::vector<std::string> DeliveryStore::PendingIds() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> ids;
  ids.reserve(pending_.size());
  for (const auto& [offset, id] : pending_) ids.push_back(id);
  return ids;
}

Result<Delivery> DeliveryStore::ReadLocked(const Entry& e) const {
  std::string record;
  if (e.length < codec::kHeaderBytes || !PreadAll(fd_, e.offset, e.length, &record)) {
    return ErrnoStatus("cannot read a delivery from", log_path_);
  }
  codec::Decoded rec;
  if (!codec::DecodePayload(std::string_view(record).substr(codec::kHeaderBytes), true, &rec)) {
    return Internal("delivery record at offset " + std::to_string(e.offset) + " of " + log_path_ +
                    " is malformed");
  }
  return std::move(rec.delivery);
}

Result<Delivery> DeliveryStore::Read(std::string_view id) const {
  std::lock_guard lock(mu_);
  auto it = index_.find(std::string(id));
  if (it == index_.end() || it->second.length == 0) {
    return NotFound("delivery " + std::string(id) + " is not in the store");
  }
  return ReadLocked(it->second);
}

Result<std::vector<Delivery>> DeliveryStore::Pending() const {
  std::lock_guard lock(mu_);
  std::vector<Delivery> out;
  for (const auto& [offset, id] : pending_) {
    DATAMCP_ASSIGN_OR_RETURN(Delivery d, ReadLocked(index_.at(id)));
    out.push_back(std::move(d));
  }
  return out;
}

Status DeliveryStore::MarkDone(std::string_view id_view) {
  std::string id(id_view);
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(id);
    if (it == index_.end()) return NotFound("delivery " + id + " is not in the store");
    if (it->second.done) return Status::Ok();
    const std::string record = codec::EncodeDone(id, it->second.received_unix_ms);
    DATAMCP_RETURN_IF_ERROR(WriteLocked(record));
    pending_.erase(it->second.offset);
    it->second.done = true;
    dead_bytes_ += it->second.length + record.size();
  }
  return MaybeCompact();
}

std::uint64_t DeliveryStore::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::uint64_t DeliveryStore::WaitForChange(std::uint64_t seen,
                                           std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return generation_ != seen; });
  return generation_;
}

void DeliveryStore::Wake() {
  {
    std::lock_guard lock(mu_);
    ++generation_;
  }
  changed_.notify_all();
}

DeliveryStore::Stats DeliveryStore::stats() const {
  std::lock_guard lock(mu_);
  return Stats{pending_.size(), index_.size(), size_, truncated_bytes_, compactions_};
}

}  // namespace datamcp::queue
