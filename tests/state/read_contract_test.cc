// Read transactions on every backend: they see what was committed, never what a write
// transaction has not committed yet, do not wait for that writer, and cannot write.
#include <chrono>
#include <future>
#include <thread>

#include "tests/state/state_contract.h"
#include "tests/support/state_db.h"

namespace datamcp::state::testing {
namespace {

class ReadContractTest : public StateContractTest {};

const char* const kInsert =
    "INSERT INTO locks (project, pull_request, head_sha, since) VALUES ($1, 7, 'abc', 1)";

Result<long long> CountLocks(Database& db) {
  long long n = -1;
  DATAMCP_RETURN_IF_ERROR(db.Read([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query("SELECT COUNT(*) FROM locks"));
    n = IntAt(rows.at(0), 0);
    return Status::Ok();
  }));
  return n;
}

TEST_P(ReadContractTest, ReadDoesNotWaitForAnOpenWriteAndSeesOnlyCommits) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(
      db->Transact([](Tx& tx) { return tx.Exec(kInsert, {std::string("a")}).status(); }).ok());
  std::promise<void> inserted;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread writer([&] {
    Status s = db->Transact([&](Tx& tx) -> Status {
      DATAMCP_RETURN_IF_ERROR(tx.Exec(kInsert, {std::string("b")}).status());
      inserted.set_value();
      released.wait();
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  });
  inserted.get_future().wait();
  // The writer holds its transaction open: a read neither waits for it nor sees its row.
  auto reading = std::async(std::launch::async, [&] { return CountLocks(*db); });
  const bool finished = reading.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  release.set_value();
  writer.join();
  ASSERT_TRUE(finished) << "a read waited for an open write transaction";
  EXPECT_EQ(test::ValueOrFail(reading.get()), 1);
  EXPECT_EQ(test::ValueOrFail(CountLocks(*db)), 2);
}

TEST_P(ReadContractTest, WriteInAReadTransactionFailsAndChangesNothing) {
  auto db = Open();
  ASSERT_TRUE(db);
  Status s = db->Read([](Tx& tx) { return tx.Exec(kInsert, {std::string("a")}).status(); });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(test::ValueOrFail(CountLocks(*db)), 0);
}

TEST_P(ReadContractTest, RepeatedStatementsKeepReturningFreshResults) {
  // Statements are prepared once and reused: each run binds its own parameters.
  auto db = Open();
  ASSERT_TRUE(db);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(db->Transact([&](Tx& tx) {
                    return tx.Exec(kInsert, {"p" + std::to_string(i)}).status();
                  }).ok());
    std::string head;
    ASSERT_TRUE(db->Read([&](Tx& tx) -> Status {
                    DATAMCP_ASSIGN_OR_RETURN(
                        std::vector<Row> rows,
                        tx.Query("SELECT project FROM locks WHERE project = $1",
                                 {"p" + std::to_string(i)}));
                    if (rows.size() != 1) return Internal("expected one row");
                    head = TextAt(rows[0], 0);
                    return Status::Ok();
                  }).ok());
    EXPECT_EQ(head, "p" + std::to_string(i));
    EXPECT_EQ(test::ValueOrFail(CountLocks(*db)), i + 1);
  }
}

DATAMCP_STATE_CONTRACT(ReadContractTest);

}  // namespace
}  // namespace datamcp::state::testing
