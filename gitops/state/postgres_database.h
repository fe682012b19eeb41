#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gitops/common/secret.h"
#include "gitops/state/database.h"

struct pg_conn;

namespace datamcp::state {

struct PostgresOptions {
  Secret url;  // a libpq connection URI or key=value string; may hold a password
  int connections = 4;
  int connect_timeout_seconds = 5;
};

// PostgreSQL through libpq, shared by every replica. A small pool of connections; a broken
// connection is reset on its next use, so the server outlives a database restart.
class PostgresDatabase final : public Database {
 public:
  // Connects once to check the URL. Errors: InvalidArgument for a malformed URL,
  // Unavailable when the server cannot be reached (both name state.postgres_url, never
  // its password).
  static Result<std::unique_ptr<PostgresDatabase>> Open(const PostgresOptions& options);
  ~PostgresDatabase() override;

  Dialect dialect() const override { return Dialect::kPostgres; }

  std::string Describe() const override { return where_; }

 protected:
  Status DoTransact(const std::function<Status(Tx&)>& fn) override;
  Status DoRead(const std::function<Status(Tx&)>& fn) override;

 private:
  PostgresDatabase(PostgresOptions options, std::string where)
      : options_(std::move(options)), where_(std::move(where)) {}
  Status Run(const char* begin, const std::function<Status(Tx&)>& fn);
  Result<pg_conn*> Take();
  void Give(pg_conn* conn);
  Result<pg_conn*> Connect() const;

  const PostgresOptions options_;
  const std::string where_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<pg_conn*> idle_;
  int open_ = 0;
};

}  // namespace datamcp::state
