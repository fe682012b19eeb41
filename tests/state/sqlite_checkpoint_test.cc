// The SQLite backend's checkpoints (gitops/state/sqlite_checkpointer.h): commits reach the
// database file without anyone closing it, and a steady stream of commits, with reads among
// them, does not grow the WAL without bound; no commit is lost on the way; and a database
// left idle is left alone.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gitops/state/database.h"
#include "gitops/state/sqlite_checkpointer.h"
#include "gitops/state/sqlite_database.h"
#include "tests/support/temp_dir.h"

namespace datamcp::state {
namespace {

constexpr std::size_t kRowBytes = 4096;

std::int64_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::int64_t>(size);
}

class SqliteCheckpointTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteDatabase> Open(WalCheckpointOptions checkpoints) {
    auto db = SqliteDatabase::Open({.path = path_, .checkpoints = checkpoints});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return nullptr;
    Status made = (*db)->Transact([](Tx& tx) {
      return tx.Exec("CREATE TABLE rows (k INTEGER PRIMARY KEY, pad BLOB NOT NULL)").status();
    });
    EXPECT_TRUE(made.ok()) << made.ToString();
    return std::move(*db);
  }

  static Status Insert(Database& db) {
    return db.Transact([](Tx& tx) {
      return tx.Exec("INSERT INTO rows (pad) VALUES ($1)", {Blob{std::string(kRowBytes, 'x')}})
          .status();
    });
  }

  static long long Count(Database& db) {
    long long n = -1;
    Status read = db.Read([&](Tx& tx) -> Status {
      DATAMCP_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query("SELECT count(*) FROM rows"));
      n = IntAt(rows.at(0), 0);
      return Status::Ok();
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    return n;
  }

  test::TempDir dir_{"datamcp-checkpoint"};
  const std::string path_ = dir_.path() + "/state.db";
  const std::string wal_ = path_ + "-wal";
};

// Before the checkpointer read the file once, its checkpoints did nothing: the database file
// stayed as created and every commit only ever lived in the WAL.
TEST_F(SqliteCheckpointTest, CommitsReachTheDatabaseFileWhileItIsOpen) {
  constexpr int kCommits = 300;
  auto db = Open({.interval = std::chrono::milliseconds(20)});
  ASSERT_NE(db, nullptr);
  for (int i = 0; i < kCommits; ++i) ASSERT_TRUE(Insert(*db).ok());
  const std::int64_t want = kCommits * static_cast<std::int64_t>(kRowBytes);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (FileSize(path_) < want && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(FileSize(path_), want) << "the checkpointer did not copy the WAL into " << path_;
  EXPECT_EQ(Count(*db), kCommits);
}

// Two writers commit without a gap while a reader reads: SQLite alone never restarts the
// WAL then, and the file holds every page written. With the restarts the file is cut back to
// restart_bytes again and again, however long the commits go on. The writers go on until it
// was cut back three times: how soon depends on how much of the two cores the checkpointer
// gets (a fixed burst of 20 MB sometimes ended, with another test running, before any
// restart got in), not whether.
TEST_F(SqliteCheckpointTest, SteadyCommitsKeepTheWalBounded) {
  constexpr int kWriters = 2;
  constexpr int kCuts = 3;
  constexpr std::int64_t kRestartBytes = 256 << 10;
  constexpr std::int64_t kGiveUpBytes = 128 << 20;  // never restarted: stop, and fail
  auto db = Open({.interval = std::chrono::milliseconds(10),
                  .checkpoint_bytes = 64 << 10,
                  .restart_bytes = kRestartBytes});
  ASSERT_NE(db, nullptr);
  std::atomic<int> failures{0};
  std::atomic<bool> writing{true};
  std::atomic<int> commits{0};
  std::mutex mu;
  int cuts = 0;              // times the WAL file was seen cut back
  std::int64_t peak = 0;     // its largest size since the last cut
  std::int64_t largest = 0;  // and overall
  std::thread reader([&] {
    while (writing.load()) {
      if (Count(*db) < 0) ++failures;
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&] {
      while (writing.load()) {
        if (Insert(*db).ok()) {
          ++commits;
        } else {
          ++failures;
        }
        const std::int64_t wal = FileSize(wal_);
        std::lock_guard lock(mu);
        if (wal < peak / 2) {
          ++cuts;
          peak = wal;
        }
        peak = std::max(peak, wal);
        largest = std::max(largest, wal);
        if (cuts >= kCuts || wal > kGiveUpBytes || std::chrono::steady_clock::now() > deadline) {
          writing = false;
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  reader.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count(*db), commits.load()) << "a commit was lost";
  EXPECT_GE(cuts, kCuts) << "the WAL reached " << largest << " bytes over " << commits.load()
                         << " commits of " << kRowBytes << " bytes: it was not restarted";
}

// Once a WAL is restarted, it reports the frames it had until the next commit starts it
// over. A checkpointer that took that for a large WAL paused this process's writes to restart
// it again at every interval, for as long as the database stayed idle.
TEST_F(SqliteCheckpointTest, AnIdleWalIsRestartedOnlyOnce) {
  auto open = [&](sqlite3** db) {
    ASSERT_EQ(
        sqlite3_open_v2(path_.c_str(), db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
        SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(*db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr), SQLITE_OK);
  };
  sqlite3* writer = nullptr;
  sqlite3* checkpoints = nullptr;
  open(&writer);
  open(&checkpoints);
  // The pause below does not hold this writer back: it waits out a restart instead.
  sqlite3_busy_timeout(writer, 10000);
  ASSERT_EQ(sqlite3_exec(writer, "CREATE TABLE rows (k INTEGER PRIMARY KEY, pad BLOB NOT NULL)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  std::atomic<int> pauses{0};
  {
    WalCheckpointer checkpointer(checkpoints,
                                 {.interval = std::chrono::milliseconds(10),
                                  .checkpoint_bytes = 16 << 10,
                                  .restart_bytes = 64 << 10},
                                 [&](const std::function<void()>& restart) {
                                   ++pauses;
                                   restart();
                                 });
    checkpointer.Watch(writer);
    for (int i = 0; i < 100; ++i) {  // 400 KiB of rows: several restarts' worth
      ASSERT_EQ(sqlite3_exec(writer, "INSERT INTO rows (pad) VALUES (zeroblob(4096))", nullptr,
                             nullptr, nullptr),
                SQLITE_OK);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // 30 intervals to settle
    const int settled = pauses.load();
    EXPECT_GE(settled, 1) << "the WAL was never restarted";
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // 50 idle intervals
    EXPECT_EQ(pauses.load(), settled) << "an idle WAL was restarted again and again";
  }
  sqlite3_close(writer);
}

}  // namespace
}  // namespace datamcp::state
