// The WAL-gathering VFS (gitops/state/sqlite_wal_gather.h): a commit's frames reach the file
// in one write, and every commit is in the file by the time another connection (through the
// default VFS, as another process would) can see it, and by the time COMMIT returns (a
// kill -9 right after loses nothing).
#include "gitops/state/sqlite_wal_gather.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "tests/webhooks/temp_dir.h"

namespace datamcp::state {
namespace {

// Rows of 300 bytes: the 40 rows every statement below touches span several 4 KiB pages.
constexpr int kRows = 40;

sqlite3* OpenDb(const std::string& path, const char* vfs) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
            SQLITE_OK);
  return db;
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (err ? err : "");
  sqlite3_free(err);
}

long long QueryInt(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  long long v = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) v = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return v;
}

// A WAL database with kRows rows, each version 0, written through the gathering VFS with
// checkpoints left to the test.
sqlite3* OpenWriter(const std::string& path) {
  sqlite3* db = OpenDb(path, WalGatheringVfs());
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  sqlite3_wal_autocheckpoint(db, 0);
  Exec(db, "CREATE TABLE t (k INTEGER PRIMARY KEY, version INTEGER NOT NULL, pad TEXT NOT NULL)");
  Exec(db, "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < " +
               std::to_string(kRows) + ") INSERT INTO t SELECT k, 0, printf('%.300c', 'x') FROM n");
  return db;
}

// Sets every row to `version` in one transaction (and changes each row's bytes, so every
// page is written again).
void WriteVersion(sqlite3* db, int version) {
  Exec(db, "UPDATE t SET version = " + std::to_string(version) + ", pad = printf('%.300c', '" +
               std::string(1, static_cast<char>('a' + version % 26)) + "')");
}

TEST(SqliteWalGatherTest, ACommitOfManyPagesIsOneWrite) {
  testing::TempDir dir;
  sqlite3* db = OpenWriter(dir / "state.db");
  const WalWriteCounts before = WalWrites();
  WriteVersion(db, 1);
  const WalWriteCounts after = WalWrites();
  // At least three pages of rows, each frame a header and a page.
  EXPECT_GE(after.requested - before.requested, 6u);
  EXPECT_EQ(after.made - before.made, 1u);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM t WHERE version = 1"), kRows);
  sqlite3_close(db);
}

TEST(SqliteWalGatherTest, EveryCommitIsInTheFileWhenAnotherConnectionSeesIt) {
  testing::TempDir dir;
  sqlite3* writer = OpenWriter(dir / "state.db");
  // The default VFS reads the file itself, as another process would: a frame SQLite
  // published before it was written would read short or stale here.
  sqlite3* reader = OpenDb(dir / "state.db", nullptr);
  for (int version = 1; version <= 300; ++version) {
    WriteVersion(writer, version);
    ASSERT_EQ(QueryInt(reader, "SELECT count(*) FROM t WHERE version = " + std::to_string(version) +
                                   " AND pad = printf('%.300c', '" +
                                   std::string(1, static_cast<char>('a' + version % 26)) + "')"),
              kRows)
        << "after commit " << version;
    // Start the WAL over now and then (frames then overwrite older ones in the file) or
    // empty it (frames then extend it).
    if (version % 25 == 0) Exec(reader, "PRAGMA wal_checkpoint(RESTART)");
    if (version % 60 == 0) Exec(reader, "PRAGMA wal_checkpoint(TRUNCATE)");
  }
  EXPECT_EQ(QueryInt(reader,
                     "SELECT count(*) FROM pragma_integrity_check WHERE "
                     "integrity_check != 'ok'"),
            0);
  sqlite3_close(reader);
  sqlite3_close(writer);
}

// Forks a writer that commits `sql` (with %d for the version, 1, 2, ...) through the
// gathering VFS with a page cache of `cache_pages`, reporting each version after its COMMIT
// returned; kills it with SIGKILL after `reports` reports. Returns the last version reported.
int KillWriterAfter(const std::string& path, const std::string& sql, int cache_pages, int reports) {
  int report[2];
  EXPECT_EQ(pipe(report), 0);
  const pid_t child = fork();
  if (child == 0) {
    close(report[0]);
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, WalGatheringVfs()) != SQLITE_OK)
      _exit(2);
    const std::string pragmas =
        "PRAGMA synchronous=NORMAL; PRAGMA cache_size=" + std::to_string(cache_pages);
    sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, nullptr);
    sqlite3_wal_autocheckpoint(db, 0);
    for (int version = 1;; ++version) {
      char* text = sqlite3_mprintf(sql.c_str(), version, version);
      if (sqlite3_exec(db, text, nullptr, nullptr, nullptr) != SQLITE_OK) _exit(3);
      sqlite3_free(text);
      if (write(report[1], &version, sizeof version) != sizeof version) _exit(4);
    }
  }
  close(report[1]);
  int last = 0;
  for (int got = 0; got < reports; ++got) {
    if (read(report[0], &last, sizeof last) != static_cast<ssize_t>(sizeof last)) break;
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the writer stopped before it was killed: " << status;
  close(report[0]);
  return last;
}

TEST(SqliteWalGatherTest, ACommitThatReturnedSurvivesKillNine) {
  testing::TempDir dir;
  const std::string path = dir / "state.db";
  sqlite3_close(OpenWriter(path));
  const int last = KillWriterAfter(path, "UPDATE t SET version = %d", 2000, 200);
  ASSERT_EQ(last, 200);
  // Recovery reads the WAL as left: every reported commit is there (later ones may be too).
  sqlite3* db = OpenDb(path, nullptr);
  EXPECT_GE(QueryInt(db, "SELECT min(version) FROM t"), last);
  EXPECT_EQ(QueryInt(db, "SELECT count(DISTINCT version) FROM t"), 1) << "a commit half-applied";
  sqlite3_close(db);
}

// A transaction larger than the page cache spills frames to the WAL before its commit; pages
// it changes again are then overwritten in place, and at the commit SQLite rewrites the
// checksums of the frames from there on, the commit frame's header last: that header, written
// alone after the commit frame, must reach the file too, or recovery stops before the commit.
TEST(SqliteWalGatherTest, ASpilledTransactionRewrittenInPlaceSurvivesKillNine) {
  testing::TempDir dir;
  const std::string path = dir / "state.db";
  sqlite3* db = OpenWriter(path);
  Exec(db,
       "WITH RECURSIVE n(k) AS (SELECT 41 UNION ALL SELECT k + 1 FROM n WHERE k < 600) "
       "INSERT INTO t SELECT k, 0, printf('%.300c', 'x') FROM n");
  sqlite3_close(db);
  const int last = KillWriterAfter(
      path,
      "BEGIN; UPDATE t SET version = -1, pad = printf('%%.300c', 'y'); "
      "UPDATE t SET version = %d, pad = printf('%%.300c', 'z') WHERE k <= 300; "
      "UPDATE t SET version = %d, pad = printf('%%.300c', 'z') WHERE k > 300; COMMIT",
      10, 20);
  ASSERT_EQ(last, 20);
  db = OpenDb(path, nullptr);
  EXPECT_GE(QueryInt(db, "SELECT min(version) FROM t"), last);
  EXPECT_EQ(QueryInt(db, "SELECT count(DISTINCT version) FROM t"), 1) << "a commit half-applied";
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM t WHERE pad != printf('%.300c', 'z')"), 0);
  EXPECT_EQ(QueryInt(db,
                     "SELECT count(*) FROM pragma_integrity_check WHERE "
                     "integrity_check != 'ok'"),
            0);
  sqlite3_close(db);
}

}  // namespace
}  // namespace datamcp::state
