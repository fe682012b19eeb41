#include "gitops/jobs/job_store.h"

#include <unistd.h>

#include "gitops/common/digest.h"
#include "gitops/common/random.h"

namespace datamcp::jobs {

std::string JobId(const std::string& merge_sha, const std::string& project) {
  // 16 hex digits of the project's SHA-256: ids stay short and free of path characters.
  return merge_sha + "-" + Sha256Hex(project).substr(0, 16);
}

JobStore::JobStore(state::Database& db, const Clock& clock, JobStoreOptions options)
    : db_(db), clock_(clock), lease_(options.lease), holder_(std::move(options.holder)) {
  if (holder_.empty())
    holder_ = "pid" + std::to_string(getpid()) + "-" + RandomHex(4).value_or("0");
}

long long JobStore::LeaseEnd() const { return clock_.UnixSeconds() + lease_.count(); }

Result<std::vector<Job>> JobStore::Select(const std::string& where,
                                          const state::Params& params) const {
  std::vector<Job> out;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](state::Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<state::Row> rows,
        tx.Query("SELECT id, project, kind, pull_request, merge_sha, state, detail, created_at, "
                 "updated_at, seq, holder, lease_until FROM jobs " +
                     where + " ORDER BY seq, created_at",
                 params));
    out.clear();
    for (const state::Row& r : rows) {
      using state::IntAt;
      using state::TextAt;
      out.push_back(Job{TextAt(r, 0), TextAt(r, 1), TextAt(r, 2), static_cast<int>(IntAt(r, 3)),
                        TextAt(r, 4), TextAt(r, 5), TextAt(r, 6), IntAt(r, 7), IntAt(r, 8),
                        IntAt(r, 9), TextAt(r, 10), IntAt(r, 11)});
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Job>> JobStore::Load() {
  const std::string detail =
      "the bot stopped while this job was running; check the project and re-run by hand";
  std::vector<Job> running;
  if (db_.dialect() == state::Dialect::kSqlite) {
    DATAMCP_ASSIGN_OR_RETURN(running, WithState("running"));
  } else {
    DATAMCP_ASSIGN_OR_RETURN(running,
                             Select("WHERE state = 'running' AND (holder = $1 OR lease_until < $2)",
                                    {holder_, clock_.UnixSeconds()}));
  }
  for (Job& job : running) {
    DATAMCP_RETURN_IF_ERROR(SetState(job.id, "interrupted", detail));
    job.state = "interrupted";
    job.detail = detail;
  }
  return running;
}

Result<bool> JobStore::Enqueue(Job job) {
  if (job.id.empty()) job.id = JobId(job.merge_sha, job.project);
  bool added = false;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](state::Tx& tx) -> Status {
    const long long now = clock_.UnixSeconds();
    DATAMCP_ASSIGN_OR_RETURN(
        long long inserted,
        tx.Exec("INSERT INTO jobs (id, seq, project, kind, pull_request, merge_sha, state, detail, "
                "created_at, updated_at) SELECT CAST($1 AS TEXT), COALESCE(MAX(seq), 0) + 1, "
                "CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS BIGINT), CAST($5 AS TEXT), "
                "'queued', CAST($6 AS TEXT), CAST($7 AS BIGINT), CAST($7 AS BIGINT) FROM jobs "
                "WHERE true ON CONFLICT (id) DO NOTHING",
                {job.id, job.project, job.kind, static_cast<long long>(job.pull_request),
                 job.merge_sha, job.detail, now}));
    added = inserted > 0;
    return Status::Ok();
  }));
  return added;
}

Status JobStore::SetState(const std::string& id, const std::string& state,
                          const std::string& detail) {
  long long changed = 0;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](state::Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        changed, tx.Exec("UPDATE jobs SET state = $2, detail = $3, updated_at = $4 WHERE id = $1",
                         {id, state, detail, clock_.UnixSeconds()}));
    return Status::Ok();
  }));
  if (changed == 0) return NotFound("job " + id + " does not exist");
  return Status::Ok();
}

Result<bool> JobStore::Finish(const std::string& id, const std::string& state,
                              const std::string& detail) {
  long long changed = 0;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](state::Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        changed, tx.Exec("UPDATE jobs SET state = $2, detail = $3, updated_at = $4 WHERE id = $1 "
                         "AND holder = $5 AND state = 'running'",
                         {id, state, detail, clock_.UnixSeconds(), holder_}));
    return Status::Ok();
  }));
  return changed > 0;
}

Result<bool> JobStore::Claim(const std::string& id) {
  long long claimed = 0;
  bool exists = false;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](state::Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        claimed, tx.Exec("UPDATE jobs SET state = 'running', detail = '', updated_at = $2, "
                         "holder = $3, lease_until = $4 WHERE id = $1 AND state = 'queued' "
                         "AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.project = jobs.project "
                         "AND e.state IN ('queued', 'running') AND (e.seq < jobs.seq OR "
                         "(e.seq = jobs.seq AND e.created_at < jobs.created_at)))",
                         {id, clock_.UnixSeconds(), holder_, LeaseEnd()}));
    if (claimed > 0) return Status::Ok();
    DATAMCP_ASSIGN_OR_RETURN(std::vector<state::Row> rows,
                             tx.Query("SELECT 1 FROM jobs WHERE id = $1", {id}));
    exists = !rows.empty();
    return Status::Ok();
  }));
  if (claimed == 0 && !exists) return NotFound("job " + id + " does not exist");
  if (claimed > 0) ++claims_;
  return claimed > 0;
}

Result<std::optional<Job>> JobStore::Get(const std::string& id) const {
  DATAMCP_ASSIGN_OR_RETURN(std::vector<Job> jobs, Select("WHERE id = $1", {id}));
  if (jobs.empty()) return std::optional<Job>();
  return std::optional<Job>(jobs[0]);
}

Result<std::vector<Job>> JobStore::WithState(const std::string& state) const {
  return Select("WHERE state = $1", {state});
}

Result<std::vector<Job>> JobStore::All() const { return Select("", {}); }

Result<std::optional<Job>> JobStore::ClaimNext() {
  const bool postgres = db_.dialect() == state::Dialect::kPostgres;
  std::string id;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](state::Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<state::Row> rows,
        tx.Query(std::string("UPDATE jobs SET state = 'running', detail = '', updated_at = $1, "
                             "holder = $2, lease_until = $3 WHERE state = 'queued' AND id = "
                             "(SELECT id FROM jobs WHERE state = 'queued' ORDER BY seq, "
                             "created_at LIMIT 1") +
                     (postgres ? " FOR UPDATE SKIP LOCKED" : "") + ") RETURNING id",
                 {clock_.UnixSeconds(), holder_, LeaseEnd()}));
    id = rows.empty() ? "" : state::TextAt(rows[0], 0);
    return Status::Ok();
  }));
  if (id.empty()) return std::optional<Job>();
  ++claims_;
  return Get(id);
}

Result<bool> JobStore::Renew(const std::string& id) {
  long long renewed = 0;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](state::Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        renewed, tx.Exec("UPDATE jobs SET lease_until = $3 WHERE id = $1 AND holder = $2 AND "
                         "state = 'running'",
                         {id, holder_, LeaseEnd()}));
    return Status::Ok();
  }));
  return renewed > 0;
}

Result<long long> JobStore::RenewAll() {
  long long renewed = 0;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](state::Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        renewed, tx.Exec("UPDATE jobs SET lease_until = $2 WHERE holder = $1 AND state = 'running'",
                         {holder_, LeaseEnd()}));
    return Status::Ok();
  }));
  return renewed;
}

Result<std::vector<Job>> JobStore::ExpireLeases() {
  const std::string detail =
      "the replica running this job stopped (its lease expired); check the project and re-run "
      "by hand";
  std::vector<Job> expired;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](state::Tx& tx) -> Status {
    const long long now = clock_.UnixSeconds();
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<state::Row> rows,
        tx.Query("UPDATE jobs SET state = 'interrupted', detail = $2, updated_at = $1 "
                 "WHERE state = 'running' AND lease_until < $1 RETURNING id",
                 {now, detail}));
    expired.clear();
    for (const state::Row& r : rows) expired.push_back(Job{.id = state::TextAt(r, 0)});
    return Status::Ok();
  }));
  for (Job& job : expired) {
    DATAMCP_ASSIGN_OR_RETURN(std::optional<Job> full, Get(job.id));
    if (full) job = *full;
  }
  return expired;
}

}  // namespace datamcp::jobs
