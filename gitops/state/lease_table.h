#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/state/database.h"

namespace datamcp::state {

// Named leases in the state database: what must run on one replica at a time (the
// reconciler's scan of the default branch) is done by the replica that holds its lease. A
// lease holds until `ttl` after it was taken or renewed; a holder that dies stops renewing and
// another replica takes the lease over once it has passed. Each lease carries a value the
// holder leaves for the next one (the reconciler: the tip its open proposals were planned
// on). Thread-safe; each call is one transaction.
class LeaseTable {
 public:
  LeaseTable(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Takes lease `name` for `holder` when it is free, expired or already `holder`'s, and
  // returns its value; nullopt when another holder has it. Unavailable: the database.
  Result<std::optional<std::string>> TryAcquire(const std::string& name, const std::string& holder,
                                                std::chrono::milliseconds ttl);

  // Sets the value of a lease `holder` holds; FailedPrecondition when it no longer holds it.
  Status SetValue(const std::string& name, const std::string& holder, const std::string& value);

  // Frees lease `name` if `holder` holds it (the value stays for the next holder).
  Status Release(const std::string& name, const std::string& holder);

  // Extends every lease `holder` holds by `ttl` from now; returns how many it holds.
  Result<long long> RenewAll(const std::string& holder, std::chrono::milliseconds ttl);

  // Frees every lease `holder` holds (graceful shutdown).
  Status ReleaseAll(const std::string& holder);

  // Who holds `name` now ("" when free or expired).
  Result<std::string> Holder(const std::string& name) const;

 private:
  Database& db_;
  const Clock& clock_;
};

}  // namespace datamcp::state
