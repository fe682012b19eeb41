#include "gitops/jobs/lock_table.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "gitops/common/durable_file.h"
#include "gitops/common/json_parse.h"

namespace datamcp::jobs {

using nlohmann::json;

LockTable::LockTable(std::string file, const Clock& clock)
    : file_(std::move(file)), clock_(clock) {}

namespace {

// flock on a sibling file: held across read-modify-write, released on close.
class FileLock {
 public:
  explicit FileLock(const std::string& path)
      : fd_(open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0) flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

}  // namespace

template <typename Op>
auto LockTable::Locked(Op op) -> decltype(op()) {
  std::lock_guard lock(mu_);
  FileLock file_lock(file_);
  if (!file_lock.ok()) return Internal("cannot lock " + file_ + ".lock");
  DATAMCP_RETURN_IF_ERROR(LoadLocked());
  return op();
}

Status LockTable::Load() {
  std::lock_guard lock(mu_);
  FileLock file_lock(file_);
  return LoadLocked();
}

Status LockTable::LoadLocked() {
  locks_.clear();
  waiters_.clear();
  auto text = ReadWholeFile(file_);
  if (!text.ok()) {
    return text.status().code() == StatusCode::kNotFound ? Status::Ok() : text.status();
  }
  json j = ParseJsonOrDiscarded(*text);
  if (j.is_discarded() || !j.is_object()) return Internal("lock file " + file_ + " is corrupt");
  const json locks = j.value("locks", json::array());
  for (const auto& l : locks) {
    Lock item{l.value("project", ""), l.value("pull_request", 0), l.value("head_sha", ""),
              l.value("since", 0LL)};
    locks_[item.project] = item;
  }
  const json waiters = j.value("waiters", json::object());  // items() must not see a temporary
  for (const auto& [project, prs] : waiters.items()) {
    for (const auto& pr : prs) waiters_[project].insert(pr.get<int>());
  }
  return Status::Ok();
}

Status LockTable::SaveLocked() const {
  json locks = json::array();
  for (const auto& [project, l] : locks_) {
    locks.push_back({{"project", l.project},
                     {"pull_request", l.pull_request},
                     {"head_sha", l.head_sha},
                     {"since", l.since}});
  }
  json waiters = json::object();
  for (const auto& [project, prs] : waiters_) {
    if (!prs.empty()) waiters[project] = prs;
  }
  return WriteFileDurably(file_, json{{"locks", locks}, {"waiters", waiters}}.dump(2));
}

Status LockTable::Acquire(const std::string& project, int pr, const std::string& head_sha) {
  return Locked([&]() -> Status { return AcquireLocked(project, pr, head_sha); });
}

Status LockTable::AcquireLocked(const std::string& project, int pr, const std::string& head_sha) {
  auto it = locks_.find(project);
  if (it != locks_.end() && it->second.pull_request != pr) {
    waiters_[project].insert(pr);
    DATAMCP_RETURN_IF_ERROR(SaveLocked());
    return FailedPrecondition(project + " is locked by #" +
                              std::to_string(it->second.pull_request) +
                              "; this pull request is planned again when that one is merged "
                              "or closed");
  }
  locks_[project] =
      Lock{project, pr, head_sha, it != locks_.end() ? it->second.since : clock_.UnixSeconds()};
  waiters_[project].erase(pr);
  return SaveLocked();
}

Result<std::vector<int>> LockTable::ReleaseAll(int pr) {
  return Locked([&]() -> Result<std::vector<int>> { return ReleaseAllLocked(pr); });
}

Result<std::vector<int>> LockTable::ReleaseAllLocked(int pr) {
  std::set<int> woken;
  for (auto it = locks_.begin(); it != locks_.end();) {
    if (it->second.pull_request == pr) {
      for (int w : waiters_[it->first]) woken.insert(w);
      waiters_.erase(it->first);
      it = locks_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [project, prs] : waiters_) prs.erase(pr);
  woken.erase(pr);
  DATAMCP_RETURN_IF_ERROR(SaveLocked());
  return std::vector<int>(woken.begin(), woken.end());
}

Result<std::vector<int>> LockTable::Release(const std::string& project) {
  return Locked([&]() -> Result<std::vector<int>> { return ReleaseLocked(project); });
}

Result<std::vector<int>> LockTable::ReleaseLocked(const std::string& project) {
  if (!locks_.contains(project)) return NotFound(project + " is not locked");
  locks_.erase(project);
  std::set<int> woken = std::move(waiters_[project]);
  waiters_.erase(project);
  DATAMCP_RETURN_IF_ERROR(SaveLocked());
  return std::vector<int>(woken.begin(), woken.end());
}

std::vector<Lock> LockTable::List() {
  std::lock_guard lock(mu_);
  FileLock file_lock(file_);
  (void)LoadLocked();  // on a read error, the last known state
  std::vector<Lock> out;
  for (const auto& [project, l] : locks_) out.push_back(l);
  return out;
}

}  // namespace datamcp::jobs
