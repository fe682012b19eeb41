#include "gitops/jobs/lock_table.h"

#include <set>

namespace datamcp::jobs {
namespace {

using state::IntAt;
using state::Params;
using state::Row;
using state::TextAt;
using state::Tx;

// Deletes the waiters of `project` and adds them to `woken`.
Status TakeWaiters(Tx& tx, const std::string& project, std::set<int>& woken) {
  DATAMCP_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT pull_request FROM lock_waiters WHERE project = $1", {project}));
  for (const Row& r : rows) woken.insert(static_cast<int>(IntAt(r, 0)));
  return tx.Exec("DELETE FROM lock_waiters WHERE project = $1", {project}).status();
}

}  // namespace

Status LockTable::Acquire(const std::string& project, int pr, const std::string& head_sha) {
  int holder = 0;  // another pull request holding the lock; the waiter row must commit too
  Status s = db_.Transact([&](Tx& tx) -> Status {
    holder = 0;
    // Insert first: with replicas racing for one project, the database picks the holder.
    DATAMCP_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO locks (project, pull_request, head_sha, since) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (project) DO NOTHING",
                {project, static_cast<long long>(pr), head_sha, clock_.UnixSeconds()})
            .status());
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT pull_request FROM locks WHERE project = $1", {project}));
    const Params waiter{project, static_cast<long long>(pr)};
    if (rows.empty()) return Internal("lock row of " + project + " vanished in its transaction");
    if (IntAt(rows[0], 0) != pr) {
      holder = static_cast<int>(IntAt(rows[0], 0));
      return tx
          .Exec(
              "INSERT INTO lock_waiters (project, pull_request) VALUES ($1, $2) "
              "ON CONFLICT DO NOTHING",
              waiter)
          .status();
    }
    DATAMCP_RETURN_IF_ERROR(
        tx.Exec("UPDATE locks SET head_sha = $2 WHERE project = $1", {project, head_sha}).status());
    return tx.Exec("DELETE FROM lock_waiters WHERE project = $1 AND pull_request = $2", waiter)
        .status();
  });
  if (!s.ok()) return s;
  if (holder != 0) {
    return FailedPrecondition(project + " is locked by #" + std::to_string(holder) +
                              "; this pull request is planned again when that one is merged "
                              "or closed");
  }
  return Status::Ok();
}

Result<std::vector<int>> LockTable::ReleaseAll(int pr) {
  std::set<int> woken;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    woken.clear();
    const Params number{static_cast<long long>(pr)};
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<Row> held,
        tx.Query("SELECT project FROM locks WHERE pull_request = $1 ORDER BY project", number));
    for (const Row& r : held) DATAMCP_RETURN_IF_ERROR(TakeWaiters(tx, TextAt(r, 0), woken));
    DATAMCP_RETURN_IF_ERROR(tx.Exec("DELETE FROM locks WHERE pull_request = $1", number).status());
    return tx.Exec("DELETE FROM lock_waiters WHERE pull_request = $1", number).status();
  }));
  woken.erase(pr);
  return std::vector<int>(woken.begin(), woken.end());
}

Result<std::vector<int>> LockTable::Release(const std::string& project) {
  std::set<int> woken;
  bool found = false;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    woken.clear();
    DATAMCP_ASSIGN_OR_RETURN(long long deleted,
                             tx.Exec("DELETE FROM locks WHERE project = $1", {project}));
    found = deleted > 0;
    return found ? TakeWaiters(tx, project, woken) : Status::Ok();
  }));
  if (!found) return NotFound(project + " is not locked");
  return std::vector<int>(woken.begin(), woken.end());
}

Result<std::vector<Lock>> LockTable::List() {
  std::vector<Lock> out;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT project, pull_request, head_sha, since FROM locks ORDER BY project"));
    out.clear();
    for (const Row& r : rows) {
      out.push_back(Lock{TextAt(r, 0), static_cast<int>(IntAt(r, 1)), TextAt(r, 2), IntAt(r, 3)});
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace datamcp::jobs
