#include "gitops/state/lease_table.h"

#include <vector>

namespace datamcp::state {

Result<std::optional<std::string>> LeaseTable::TryAcquire(const std::string& name,
                                                          const std::string& holder,
                                                          std::chrono::milliseconds ttl) {
  std::optional<std::string> value;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    const long long now = clock_.UnixMillis();
    value.reset();
    DATAMCP_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO leases (name, holder, until_ms) VALUES ($1, '', 0) "
                "ON CONFLICT (name) DO NOTHING",
                {name})
            .status());
    // One statement decides: of replicas racing for an expired lease, one updates the row and
    // the others (re-checking after the winner's commit) see it held.
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("UPDATE leases SET holder = $2, until_ms = $3 WHERE name = $1 AND "
                 "(holder = $2 OR holder = '' OR until_ms < $4) RETURNING value",
                 {name, holder, now + ttl.count(), now}));
    if (!rows.empty()) value = TextAt(rows[0], 0);
    return Status::Ok();
  }));
  return value;
}

Status LeaseTable::SetValue(const std::string& name, const std::string& holder,
                            const std::string& value) {
  long long changed = 0;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(changed,
                             tx.Exec("UPDATE leases SET value = $3 WHERE name = $1 AND holder = $2",
                                     {name, holder, value}));
    return Status::Ok();
  }));
  if (changed == 0) {
    return FailedPrecondition("lease " + name + " is no longer held by " + holder);
  }
  return Status::Ok();
}

Status LeaseTable::Release(const std::string& name, const std::string& holder) {
  return db_.Transact([&](Tx& tx) -> Status {
    return tx
        .Exec("UPDATE leases SET holder = '', until_ms = 0 WHERE name = $1 AND holder = $2",
              {name, holder})
        .status();
  });
}

Result<long long> LeaseTable::RenewAll(const std::string& holder, std::chrono::milliseconds ttl) {
  long long renewed = 0;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(renewed, tx.Exec("UPDATE leases SET until_ms = $2 WHERE holder = $1",
                                              {holder, clock_.UnixMillis() + ttl.count()}));
    return Status::Ok();
  }));
  return renewed;
}

Status LeaseTable::ReleaseAll(const std::string& holder) {
  return db_.Transact([&](Tx& tx) -> Status {
    return tx.Exec("UPDATE leases SET holder = '', until_ms = 0 WHERE holder = $1", {holder})
        .status();
  });
}

Result<std::string> LeaseTable::Holder(const std::string& name) const {
  std::string holder;
  DATAMCP_RETURN_IF_ERROR(db_.Read([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT holder FROM leases WHERE name = $1 AND until_ms >= $2",
                 {name, clock_.UnixMillis()}));
    holder = rows.empty() ? "" : TextAt(rows[0], 0);
    return Status::Ok();
  }));
  return holder;
}

}  // namespace datamcp::state
