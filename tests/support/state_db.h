#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "gitops/common/result.h"
#include "gitops/state/database.h"
#include "gitops/state/state_database.h"

namespace datamcp::test {

// Opens the embedded state database in `work_dir` (work_dir/state.db, created and migrated),
// as `datamcp serve` does without state.postgres_url. Opening the same directory again is a
// restart: the rows are still there. Fails the test (and returns null) when it cannot open.
inline std::unique_ptr<state::Database> OpenSqliteState(const std::string& work_dir) {
  auto db = state::OpenStateDatabase({.work_dir = work_dir});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

// Deletes the embedded state database of `work_dir` (as an operator who lost the volume).
inline void RemoveSqliteState(const std::string& work_dir) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(std::filesystem::path(work_dir) / ("state.db" + std::string(suffix)));
  }
}

// The value of a store read, failing the test when the read failed (then a default value).
template <typename T>
T ValueOrFail(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : T{};
}

}  // namespace datamcp::test
