#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gitops/common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace datamcp::state {

// One SQLite connection and the statements prepared on it, kept by SQL text so a statement
// the process runs again is not compiled again. Not thread-safe: its owner serializes use.
class SqliteConnection {
 public:
  // Opens `path` (created when `create`). Errors: Unavailable naming the path.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool create);
  ~SqliteConnection();  // finalizes the statements, then closes
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sqlite3* db() const { return db_; }
  // The prepared statement for `sql` (reset, no bindings), or nullptr when it does not
  // compile (sqlite3_errmsg says why). The caller resets it after use.
  sqlite3_stmt* Prepare(std::string_view sql);
  // Runs a statement without parameters or rows (BEGIN, COMMIT...); the SQLite result code.
  int Step(std::string_view sql);

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace datamcp::state
