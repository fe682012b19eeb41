// The schema's contract on every backend: migrated once at start-up (also when replicas start
// together), and a database migrated by a newer DataMCP refused with what to do.
#include <atomic>
#include <thread>

#include "gitops/jobs/lock_table.h"
#include "gitops/state/schema.h"
#include "tests/state/state_contract.h"
#include "tests/support/state_db.h"

namespace datamcp::state::testing {
namespace {

class SchemaContractTest : public StateContractTest {};

long long SchemaVersion(Database& db) {
  long long version = -1;
  Status s = db.Transact([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query("SELECT version FROM datamcp_schema"));
    if (rows.size() != 1) return Internal(std::to_string(rows.size()) + " schema rows");
    version = IntAt(rows[0], 0);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return version;
}

TEST_P(SchemaContractTest, ReplicasStartingTogetherMigrateOnceAndKeepTheData) {
  std::atomic<int> errors{0};
  std::vector<std::thread> replicas;
  for (int i = 0; i < 4; ++i) {
    replicas.emplace_back([&] {
      auto db = TryOpen();
      if (!db.ok()) {
        ADD_FAILURE() << db.status().ToString();
        ++errors;
      }
    });
  }
  for (auto& r : replicas) r.join();
  EXPECT_EQ(errors.load(), 0);
  {
    auto db = Open();
    ASSERT_TRUE(db);
    EXPECT_EQ(SchemaVersion(*db), kSchemaVersion);
    jobs::LockTable locks(*db, clock_);
    ASSERT_TRUE(locks.Acquire("envs/dev", 1, "a").ok());
  }
  auto again = Open();  // migrating an up-to-date database changes nothing
  ASSERT_TRUE(again);
  EXPECT_EQ(SchemaVersion(*again), kSchemaVersion);
  EXPECT_EQ(test::ValueOrFail(jobs::LockTable(*again, clock_).List()).size(), 1u);
}

TEST_P(SchemaContractTest, RefusesASchemaNewerThanItKnows) {
  {
    auto db = Open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->Transact([](Tx& tx) {
                    return tx
                        .Exec("UPDATE datamcp_schema SET version = $1",
                              {static_cast<long long>(kSchemaVersion + 1)})
                        .status();
                  }).ok());
  }
  auto refused = TryOpen();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  const std::string& message = refused.status().message();
  EXPECT_NE(message.find("schema version " + std::to_string(kSchemaVersion + 1)), std::string::npos)
      << message;
  EXPECT_NE(message.find("newer than this DataMCP knows"), std::string::npos) << message;
}

DATAMCP_STATE_CONTRACT(SchemaContractTest);

}  // namespace
}  // namespace datamcp::state::testing
