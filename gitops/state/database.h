#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/common/status.h"

namespace datamcp::state {

// Bytes that are stored as such (BLOB / BYTEA), not as text.
struct Blob {
  std::string bytes;
};

// A statement parameter. Statements name parameters $1, $2, ... in both dialects.
using Value = std::variant<std::nullptr_t, long long, std::string, Blob>;
using Params = std::vector<Value>;

// One result row: each column as text (integers in decimal, blobs as their raw bytes),
// nullopt for SQL NULL.
using Row = std::vector<std::optional<std::string>>;

enum class Dialect { kSqlite, kPostgres };

// The statements of one transaction, on one connection. Valid only inside Transact.
class Tx {
 public:
  virtual ~Tx() = default;
  // Runs a statement; returns the number of rows it changed.
  virtual Result<long long> Exec(std::string_view sql, const Params& params = {}) = 0;
  virtual Result<std::vector<Row>> Query(std::string_view sql, const Params& params = {}) = 0;
};

// The state database (SQLite embedded, or PostgreSQL shared by replicas). Holds only what
// is still to do and who is doing it; git holds what happened. Thread-safe.
class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;

  // Runs `fn` in one transaction: commits when it returns OK, rolls back otherwise (the
  // error is returned). A transaction the database aborts for a conflict with another one
  // (SQLITE_BUSY, PostgreSQL serialization failure or deadlock) is retried, a few times,
  // so `fn` must not have effects outside the transaction. Errors: Unavailable when the
  // database cannot be reached or written (the message names it, never the password).
  Status Transact(const std::function<Status(Tx&)>& fn) { return Counted(DoTransact(fn)); }

  // Runs `fn` in one read-only transaction: a consistent snapshot of what was committed,
  // without taking the write lock, so readers do not wait for writers nor writers for
  // readers. `fn` must only read (a write fails). Retried like Transact; same errors.
  Status Read(const std::function<Status(Tx&)>& fn) { return Counted(DoRead(fn)); }

  // Transactions that failed Unavailable (the database unreachable or not writable), for
  // the datamcp_state_errors_total metric.
  std::uint64_t unavailable() const { return unavailable_.load(std::memory_order_relaxed); }

  // Where the database is, without credentials: "sqlite:/path", "postgres://host:port/db".
  virtual std::string Describe() const = 0;

  // Is the database reachable right now (a trivial query)?
  Status Ping();

 protected:
  virtual Status DoTransact(const std::function<Status(Tx&)>& fn) = 0;
  virtual Status DoRead(const std::function<Status(Tx&)>& fn) = 0;

 private:
  Status Counted(Status s) {
    if (s.code() == StatusCode::kUnavailable) unavailable_.fetch_add(1, std::memory_order_relaxed);
    return s;
  }
  std::atomic<std::uint64_t> unavailable_{0};
};

// Reads column `i` of `row` as an integer (0 for NULL).
long long IntAt(const Row& row, std::size_t i);
// Reads column `i` of `row` as text ("" for NULL).
std::string TextAt(const Row& row, std::size_t i);

}  // namespace datamcp::state
