#include "tests/state/state_contract.h"

#include <atomic>
#include <filesystem>

#include "gitops/state/postgres_database.h"
#include "gitops/state/schema.h"
#include "gitops/state/sqlite_database.h"
#include "gitops/state/state_database.h"
#include "tests/support/run.h"

namespace datamcp::state::testing {
namespace {

test::PostgresServer* server = nullptr;
std::string server_error;

// Stops the shared server when the test binary ends.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    delete server;
    server = nullptr;
  }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

}  // namespace

test::PostgresServer* SharedPostgres(std::string* error) {
  if (!server && server_error.empty()) {
    auto started = std::make_unique<test::PostgresServer>();
    server_error = started->Start();
    if (server_error.empty()) server = started.release();
  }
  *error = server_error;
  return server;
}

void StateContractTest::SetUp() {
  dir_ = test::MakeTempDir("state-contract");
  if (GetParam() != Backend::kPostgres) return;
  std::string error;
  test::PostgresServer* pg = SharedPostgres(&error);
  ASSERT_NE(pg, nullptr) << error;
  static std::atomic<int> databases{0};
  url_ = pg->CreateDatabase("contract_" + std::to_string(++databases));
  ASSERT_FALSE(url_.empty());
}

void StateContractTest::TearDown() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<std::unique_ptr<Database>> StateContractTest::TryOpen() {
  return OpenStateDatabase({.work_dir = dir_, .postgres_url = Secret(url_)});
}

std::unique_ptr<Database> StateContractTest::OpenAtVersion(int version) {
  std::unique_ptr<Database> db;
  if (url_.empty()) {
    auto sqlite = SqliteDatabase::Open({.path = dir_ + "/state.db"});
    EXPECT_TRUE(sqlite.ok()) << sqlite.status().ToString();
    if (sqlite.ok()) db = std::move(sqlite).value();
  } else {
    auto postgres = PostgresDatabase::Open({.url = Secret(url_)});
    EXPECT_TRUE(postgres.ok()) << postgres.status().ToString();
    if (postgres.ok()) db = std::move(postgres).value();
  }
  if (!db) return nullptr;
  Status migrated = MigrateTo(*db, version);
  EXPECT_TRUE(migrated.ok()) << migrated.ToString();
  return migrated.ok() ? std::move(db) : nullptr;
}

std::unique_ptr<Database> StateContractTest::Open() {
  auto db = TryOpen();
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

}  // namespace datamcp::state::testing
