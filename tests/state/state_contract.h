#pragma once

// The contract every state database backend keeps (deliveries, jobs, locks, the schema),
// one suite run against each backend: SQLite in a temp dir, and a real PostgreSQL server
// (tests/support/postgres_server.h) started once for the test binary, with a fresh database
// per test. Opening the backend again is a restart, or another replica on the same data.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gitops/common/clock.h"
#include "gitops/jobs/job_store.h"
#include "gitops/state/database.h"
#include "tests/support/postgres_server.h"

namespace datamcp::state::testing {

enum class Backend { kSqlite, kPostgres };

// The PostgreSQL server of this test binary, started by the first test that asks for it and
// stopped when the binary ends. Null (with *error set) when it cannot start.
test::PostgresServer* SharedPostgres(std::string* error);

class StateContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Opens the state database (creating and migrating it) as `datamcp serve` does. Each call
  // is a new process or replica on the same data. Fails the test and returns null on error.
  std::unique_ptr<Database> Open();
  // The same, returning what OpenStateDatabase said (for tests of refusals).
  Result<std::unique_ptr<Database>> TryOpen();
  // The database as a DataMCP of schema `version` left it (for tests of the migrations after
  // it): created and migrated only that far.
  std::unique_ptr<Database> OpenAtVersion(int version);

  std::string dir_;  // the work directory (SQLite's state.db lives here)
  std::string url_;  // state.postgres_url for the PostgreSQL backend, "" for SQLite
  ManualClock clock_;
};

std::string BackendName(const ::testing::TestParamInfo<Backend>& info);

// An apply job of pull request 4 for (merge commit `sha`, `project`), as the job and lease
// contracts enqueue them.
inline jobs::Job MakeJob(const std::string& sha, const std::string& project) {
  return jobs::Job{.project = project, .kind = "terraform", .pull_request = 4, .merge_sha = sha};
}

}  // namespace datamcp::state::testing

// Runs `suite` (a TEST_P suite deriving StateContractTest) against every backend.
#define DATAMCP_STATE_CONTRACT(suite)                                                        \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                                  \
                           ::testing::Values(::datamcp::state::testing::Backend::kSqlite,    \
                                             ::datamcp::state::testing::Backend::kPostgres), \
                           ::datamcp::state::testing::BackendName)
