#pragma once

#include "gitops/state/database.h"

namespace datamcp::state {

// The schema version this build knows.
inline constexpr int kSchemaVersion = 5;

// Brings the database to kSchemaVersion: creates the tables on an empty database and runs
// the migrations a newer build added, in one transaction (PostgreSQL: under an advisory lock,
// so replicas starting together migrate once). FailedPrecondition when the database's schema
// is newer than this build knows (a newer replica migrated it): upgrade this one first.
Status Migrate(Database& db);
// Migrates only up to `target` (1..kSchemaVersion): for tests of a migration, which start from
// the version before it.
Status MigrateTo(Database& db, int target);

}  // namespace datamcp::state
