// Fault injection against the real state stores (issue 11): the database going away and coming
// back (a real PostgreSQL server, stopped and started again), SQLite locked by another process,
// and the disk filling up under a write (RLIMIT_FSIZE: the kernel refuses the bytes past the
// limit with EFBIG, as a full disk refuses them with ENOSPC). Each time: the caller gets an
// error it can retry, nothing half-written is left, and the retry records exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "gitops/common/durable_file.h"
#include "gitops/queue/delivery_store.h"
#include "gitops/state/sqlite_database.h"
#include "gitops/state/state_database.h"
#include "tests/support/postgres_server.h"
#include "tests/support/state_db.h"
#include "tests/webhooks/temp_dir.h"

namespace datamcp::state {
namespace {

namespace fs = std::filesystem;
using queue::Delivery;
using queue::DeliveryStore;
using Outcome = DeliveryStore::AppendOutcome;
using test::ValueOrFail;

Delivery MakeDelivery(const std::string& id, std::string body = R"({"action":"opened"})") {
  return Delivery{id,
                  "pull_request",
                  "opened",
                  "octo/gitops",
                  1'700'000'000'000,
                  std::move(body),
                  "digest-of-" + id};
}

TEST(StateFaultsTest, PostgresGoingAwayFailsFastAndTheRetryRecordsOnce) {
  test::PostgresServer pg;
  const std::string started = pg.Start();
  ASSERT_TRUE(started.empty()) << started;
  auto db = OpenStateDatabase({.work_dir = "", .postgres_url = Secret(pg.Url())});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ManualClock clock;
  DeliveryStore store(**db, clock);
  ASSERT_EQ(*store.Append(MakeDelivery("before")), Outcome::kAccepted);

  pg.Stop();  // fast shutdown: the pool's open connections are cut
  const auto t0 = std::chrono::steady_clock::now();
  auto during = store.Append(MakeDelivery("during"));
  ASSERT_FALSE(during.ok()) << "recorded with the database down";
  EXPECT_EQ(during.status().code(), StatusCode::kUnavailable) << during.status().ToString();
  EXPECT_FALSE(store.MarkDone("before").ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(15))
      << "hung on the outage";

  const std::string resumed = pg.Resume();
  ASSERT_TRUE(resumed.empty()) << resumed;
  // The pooled connection was cut by the restart: the first use after it reconnects and
  // runs the transaction again instead of failing (a redelivery must not get a 503 here).
  Result<Outcome> retried = store.Append(MakeDelivery("during"));
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(*retried, Outcome::kAccepted);
  EXPECT_EQ(*store.Append(MakeDelivery("during")), Outcome::kDuplicate);
  EXPECT_EQ(ValueOrFail(store.PendingIds()), (std::vector<std::string>{"before", "during"}));
  EXPECT_TRUE(store.MarkDone("before").ok());
  EXPECT_EQ(ValueOrFail(store.PendingIds()), std::vector<std::string>{"during"});
}

// Every connection of the pool sits cut after a restart: none of them reaches a caller.
TEST(StateFaultsTest, PostgresRestartWhileConnectionsIdleIsInvisibleToCallers) {
  test::PostgresServer pg;
  const std::string started = pg.Start();
  ASSERT_TRUE(started.empty()) << started;
  auto db = OpenStateDatabase({.work_dir = "", .postgres_url = Secret(pg.Url())});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  // Open several pooled connections: transactions that overlap each need their own.
  std::vector<std::thread> busy;
  for (int i = 0; i < 4; ++i) {
    busy.emplace_back([&] {
      EXPECT_TRUE(
          (*db)->Read([](Tx& tx) { return tx.Query("SELECT pg_sleep(0.2)").status(); }).ok());
    });
  }
  for (auto& t : busy) t.join();
  // Nothing touches the pool meanwhile: each connection still looks open to libpq.
  pg.Stop();
  const std::string resumed = pg.Resume();
  ASSERT_TRUE(resumed.empty()) << resumed;
  ManualClock clock;
  DeliveryStore store(**db, clock);
  for (int i = 0; i < 8; ++i) {
    const std::string id = "after-" + std::to_string(i);
    Result<Outcome> appended = store.Append(MakeDelivery(id));
    ASSERT_TRUE(appended.ok()) << id << ": " << appended.status().ToString();
    EXPECT_EQ(*appended, Outcome::kAccepted);
  }
  EXPECT_EQ(ValueOrFail(store.PendingIds()).size(), 8u);
}

TEST(StateFaultsTest, SqliteLockedByAnotherProcessIsUnavailableThenTheRetryRecords) {
  testing::TempDir dir;
  const std::string path = (fs::path(dir.path()) / "state.db").string();
  { ASSERT_NE(test::OpenSqliteState(dir.path()), nullptr); }  // created and migrated
  auto db = SqliteDatabase::Open({.path = path, .busy_timeout = std::chrono::milliseconds(100)});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ManualClock clock;
  DeliveryStore store(**db, clock);

  sqlite3* other = nullptr;  // another process's connection (the admin CLI, say)
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto locked = store.Append(MakeDelivery("a"));
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.status().code(), StatusCode::kUnavailable) << locked.status().ToString();
  EXPECT_NE(locked.status().message().find(path), std::string::npos) << "names the file";
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);

  EXPECT_EQ(ValueOrFail(store.stats()).remembered, 0u) << "nothing half-written";
  EXPECT_EQ(*store.Append(MakeDelivery("a")), Outcome::kAccepted);
  EXPECT_EQ(*store.Append(MakeDelivery("a")), Outcome::kDuplicate);
}

// Sets the largest file this process may write (RLIMIT_FSIZE) until destroyed. SIGXFSZ is
// ignored so the write fails with EFBIG instead of killing the test.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ok_ = setrlimit(RLIMIT_FSIZE, &limit) == 0;
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, old_handler_);
  }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  sighandler_t old_handler_ = SIG_DFL;
  bool ok_ = false;
};

std::uintmax_t SizeOr0(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

TEST(StateFaultsTest, DiskFullUnderADeliveryWriteLeavesNothingAndTheRetryRecords) {
  testing::TempDir dir;
  auto db = test::OpenSqliteState(dir.path());
  ASSERT_NE(db, nullptr);
  ManualClock clock;
  DeliveryStore store(*db, clock);
  ASSERT_EQ(*store.Append(MakeDelivery("small")), Outcome::kAccepted);
  const std::string big(2 << 20, 'x');  // 2 MB: more than the room left
  {
    const auto used = std::max(SizeOr0(fs::path(dir.path()) / "state.db"),
                               SizeOr0(fs::path(dir.path()) / "state.db-wal"));
    FileSizeLimit full(used + (64 << 10));
    ASSERT_TRUE(full.ok());
    auto refused = store.Append(MakeDelivery("big", "{\"pad\":\"" + big + "\"}"));
    ASSERT_FALSE(refused.ok()) << "a 2 MB row written past the limit";
    EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();
  }
  EXPECT_EQ(ValueOrFail(store.PendingIds()), std::vector<std::string>{"small"})
      << "nothing half-written";
  auto retried = store.Append(MakeDelivery("big", "{\"pad\":\"" + big + "\"}"));
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(*retried, Outcome::kAccepted);
  EXPECT_EQ(store.Read("big")->body.size(), big.size() + 10);
  // The file is sound after the failed write: a fresh open (a restart) reads both rows.
  db.reset();
  auto reopened = test::OpenSqliteState(dir.path());
  ASSERT_NE(reopened, nullptr);
  DeliveryStore again(*reopened, clock);
  EXPECT_EQ(ValueOrFail(again.PendingIds()), (std::vector<std::string>{"small", "big"}));
}

TEST(StateFaultsTest, DiskFullUnderADurableFileWriteKeepsTheOldFile) {
  testing::TempDir dir;
  const std::string path = (fs::path(dir.path()) / "record.json").string();
  ASSERT_TRUE(WriteFileDurably(path, "old content").ok());
  {
    FileSizeLimit full(4096);
    ASSERT_TRUE(full.ok());
    Status s = WriteFileDurably(path, std::string(1 << 20, 'n'));
    EXPECT_FALSE(s.ok()) << "a 1 MB file written past a 4 KB limit";
  }
  EXPECT_EQ(ValueOrFail(ReadWholeFile(path)), "old content");
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename(), "record.json") << "a temp file was left behind";
  }
  ASSERT_TRUE(WriteFileDurably(path, "new content").ok());
  EXPECT_EQ(ValueOrFail(ReadWholeFile(path)), "new content");
}

}  // namespace
}  // namespace datamcp::state
