#include "gitops/jobs/job_store.h"

#include <openssl/sha.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <tuple>

#include "gitops/common/durable_file.h"
#include "gitops/common/json_parse.h"

namespace datamcp::jobs {
namespace {

using nlohmann::json;

json ToJson(const Job& j) {
  return {{"id", j.id},
          {"project", j.project},
          {"kind", j.kind},
          {"pull_request", j.pull_request},
          {"merge_sha", j.merge_sha},
          {"state", j.state},
          {"detail", j.detail},
          {"created_at", j.created_at},
          {"updated_at", j.updated_at},
          {"seq", j.seq}};
}

Job FromJson(const json& j) {
  return Job{j.value("id", ""),          j.value("project", ""),     j.value("kind", ""),
             j.value("pull_request", 0), j.value("merge_sha", ""),   j.value("state", ""),
             j.value("detail", ""),      j.value("created_at", 0LL), j.value("updated_at", 0LL),
             j.value("seq", 0LL)};
}

}  // namespace

std::string JobId(const std::string& merge_sha, const std::string& project) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(project.data()), project.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string id = merge_sha + "-";
  for (int i = 0; i < 8; ++i) {
    id += kHex[digest[i] >> 4];
    id += kHex[digest[i] & 15];
  }
  return id;
}

JobStore::JobStore(std::string dir, const Clock& clock) : dir_(std::move(dir)), clock_(clock) {}

Status JobStore::SaveLocked(const Job& job) const {
  return WriteFileDurably((std::filesystem::path(dir_) / (job.id + ".json")).string(),
                          ToJson(job).dump(2));
}

Result<std::vector<Job>> JobStore::Load() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Internal("cannot create job directory " + dir_ + ": " + ec.message());
  std::lock_guard lock(mu_);
  std::vector<Job> interrupted;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().extension() != ".json") continue;  // skips *.tmp-* of a cut-off write
    DATAMCP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(entry.path().string()));
    json j = ParseJsonOrDiscarded(text);
    if (j.is_discarded()) return Internal("job file " + entry.path().string() + " is corrupt");
    Job job = FromJson(j);
    if (job.state == "running") {
      job.state = "interrupted";
      job.detail =
          "the bot stopped while this job was running; check the project and re-run "
          "by hand";
      job.updated_at = clock_.UnixSeconds();
      DATAMCP_RETURN_IF_ERROR(SaveLocked(job));
      interrupted.push_back(job);
    }
    next_seq_ = std::max(next_seq_, job.seq + 1);
    jobs_[job.id] = job;
  }
  return interrupted;
}

Result<bool> JobStore::Enqueue(Job job) {
  std::lock_guard lock(mu_);
  if (job.id.empty()) job.id = JobId(job.merge_sha, job.project);
  if (jobs_.contains(job.id)) return false;
  job.state = "queued";
  job.created_at = job.updated_at = clock_.UnixSeconds();
  job.seq = next_seq_++;
  DATAMCP_RETURN_IF_ERROR(SaveLocked(job));
  jobs_[job.id] = job;
  return true;
}

Status JobStore::SetState(const std::string& id, const std::string& state,
                          const std::string& detail) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return NotFound("job " + id + " does not exist");
  Job updated = it->second;
  updated.state = state;
  updated.detail = detail;
  updated.updated_at = clock_.UnixSeconds();
  DATAMCP_RETURN_IF_ERROR(SaveLocked(updated));
  it->second = updated;
  return Status::Ok();
}

std::optional<Job> JobStore::Get(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

std::vector<Job> JobStore::WithState(const std::string& state) const {
  std::lock_guard lock(mu_);
  std::vector<Job> out;
  for (const auto& [id, job] : jobs_) {
    if (job.state == state) out.push_back(job);
  }
  std::sort(out.begin(), out.end(), [](const Job& a, const Job& b) {
    return std::tie(a.created_at, a.seq) < std::tie(b.created_at, b.seq);
  });
  return out;
}

std::vector<Job> JobStore::All() const {
  std::lock_guard lock(mu_);
  std::vector<Job> out;
  for (const auto& [id, job] : jobs_) out.push_back(job);
  return out;
}

}  // namespace datamcp::jobs
