#pragma once

#include <memory>
#include <string>

#include "gitops/common/secret.h"
#include "gitops/state/database.h"

namespace datamcp::state {

struct StateOptions {
  std::string work_dir;  // SQLite lives in work_dir/state.db
  Secret postgres_url;   // set: PostgreSQL instead of SQLite
  int postgres_connections = 4;
  bool sync_commits = false;  // SQLite: fsync every commit
};

// Opens the state database the configuration names and brings its schema up to date.
// Refuses (FailedPrecondition, saying what to do) a work directory that still holds the
// file-based state of DataMCP before the database, and a schema newer than this build.
Result<std::unique_ptr<Database>> OpenStateDatabase(const StateOptions& options);

}  // namespace datamcp::state
