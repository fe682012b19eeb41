// Write transactions on every backend: each one commits, or rolls back, alone — also when many
// arrive at once (SQLite then commits those waiting in one group, each in a savepoint) and
// when one of them fails or throws.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/state/state_contract.h"
#include "tests/support/state_db.h"

namespace datamcp::state::testing {
namespace {

class WriteContractTest : public StateContractTest {};

const char* const kInsert =
    "INSERT INTO locks (project, pull_request, head_sha, since) VALUES ($1, 7, 'abc', 1)";

std::vector<std::string> Projects(Database& db) {
  std::vector<std::string> out;
  Status s = db.Read([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(std::vector<Row> rows,
                             tx.Query("SELECT project FROM locks ORDER BY project"));
    out.clear();
    for (const Row& r : rows) out.push_back(TextAt(r, 0));
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST_P(WriteContractTest, WritesArrivingTogetherEachCommitOrRollBackAlone) {
  auto db = Open();
  ASSERT_TRUE(db);
  // A first write holds the database while the others arrive, so they wait together.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  std::thread first([&] {
    Status s = db->Transact([&](Tx& tx) -> Status {
      DATAMCP_RETURN_IF_ERROR(tx.Exec(kInsert, {std::string("first")}).status());
      holding.set_value();
      released.wait();
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  });
  holding.get_future().wait();

  // Writer i (by i % 4): 0 commits, 1 writes then fails, 2 writes then throws, 3 writes the same
  // project as writer i - 3 (a unique key): of those two, exactly one commits.
  constexpr int kWriters = 12;
  std::vector<Status> outcome(kWriters);
  std::vector<std::string> thrown(kWriters);
  std::atomic<int> started{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      const std::string project = "p" + std::to_string(i % 4 == 3 ? i - 3 : i);
      ++started;
      try {
        outcome[i] = db->Transact([&](Tx& tx) -> Status {
          DATAMCP_RETURN_IF_ERROR(tx.Exec(kInsert, {project}).status());
          if (i % 4 == 1) return FailedPrecondition("writer " + std::to_string(i) + " refuses");
          if (i % 4 == 2) throw std::runtime_error("writer " + std::to_string(i) + " threw");
          return Status::Ok();
        });
      } catch (const std::runtime_error& e) {
        thrown[i] = e.what();
      }
    });
  }
  while (started.load() < kWriters) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let them reach the database
  release.set_value();
  first.join();
  for (auto& w : writers) w.join();

  std::vector<std::string> committed = {"first"};
  for (int i = 0; i < kWriters; ++i) {
    const std::string n = std::to_string(i);
    switch (i % 4) {
      case 0:
        // It and writer i + 3 wrote the same project: whichever ran first committed.
        EXPECT_NE(outcome[i].ok(), outcome[i + 3].ok()) << i << ": " << outcome[i].ToString();
        committed.push_back("p" + n);
        break;
      case 1:
        EXPECT_EQ(outcome[i].code(), StatusCode::kFailedPrecondition) << i;
        EXPECT_EQ(outcome[i].message(), "writer " + n + " refuses");
        break;
      case 2:
        EXPECT_EQ(thrown[i], "writer " + n + " threw");
        break;
    }
  }
  std::sort(committed.begin(), committed.end());
  EXPECT_EQ(Projects(*db), committed);
  // The database is usable afterwards: nothing was left open by the failures.
  ASSERT_TRUE(
      db->Transact([](Tx& tx) { return tx.Exec(kInsert, {std::string("z")}).status(); }).ok());
  EXPECT_EQ(Projects(*db).back(), "z");
}

DATAMCP_STATE_CONTRACT(WriteContractTest);

}  // namespace
}  // namespace datamcp::state::testing
