#include "gitops/state/state_database.h"

#include <filesystem>
#include <vector>

#include "gitops/state/postgres_database.h"
#include "gitops/state/schema.h"
#include "gitops/state/sqlite_database.h"

namespace datamcp::state {
namespace {

namespace fs = std::filesystem;

// Files DataMCP kept its state in before the state database.
Status RefuseLegacyState(const std::string& work_dir) {
  std::vector<std::string> found;
  for (const char* name : {"webhooks/deliveries.log", "jobs", "locks.json"}) {
    const fs::path path = fs::path(work_dir) / name;
    std::error_code ec;
    if (!fs::exists(path, ec) || (fs::is_directory(path, ec) && fs::is_empty(path, ec))) continue;
    found.push_back(path.string());
  }
  if (found.empty()) return Status::Ok();
  std::string list;
  for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
  return FailedPrecondition(
      "found state written by an older DataMCP (" + list +
      "); it is not migrated. Let the older version finish its work (no pending webhook "
      "deliveries, no running apply), stop it, then remove those paths: merged changes are "
      "caught up from git by the reconciler, and open pull requests are planned again on their "
      "next push or `/datamcp plan`");
}

}  // namespace

Result<std::unique_ptr<Database>> OpenStateDatabase(const StateOptions& options) {
  DATAMCP_RETURN_IF_ERROR(RefuseLegacyState(options.work_dir));
  std::unique_ptr<Database> db;
  if (!options.postgres_url.empty()) {
    DATAMCP_ASSIGN_OR_RETURN(
        db, PostgresDatabase::Open(
                {.url = options.postgres_url, .connections = options.postgres_connections}));
  } else {
    std::error_code ec;
    fs::create_directories(options.work_dir, ec);
    if (ec) return Unavailable("cannot create " + options.work_dir + ": " + ec.message());
    DATAMCP_ASSIGN_OR_RETURN(
        db, SqliteDatabase::Open({.path = (fs::path(options.work_dir) / "state.db").string(),
                                  .sync_commits = options.sync_commits}));
  }
  if (Status migrated = Migrate(*db); !migrated.ok()) {
    // Start-up stops here with one line: name the setting that chose this database.
    const std::string key = options.postgres_url.empty() ? "work_dir" : "state.postgres_url";
    return Status(migrated.code(), key + ": " + migrated.message());
  }
  return db;
}

}  // namespace datamcp::state
