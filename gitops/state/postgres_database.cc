#include "gitops/state/postgres_database.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <thread>

namespace datamcp::state {
namespace {

constexpr unsigned kByteaOid = 17;

struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultFree>;

// libpq's message on one line (it spreads a hint over several, indented with tabs): errors
// end up in one log line, or the one line a failed start-up prints.
std::string OneLine(std::string_view m) {
  std::string out;
  for (char c : m) {
    const bool space = c == '\n' || c == '\t' || c == '\r' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string ConnError(const PGconn* conn) {
  return OneLine(conn ? PQerrorMessage(conn) : "out of memory");
}

class PostgresTx final : public Tx {
 public:
  PostgresTx(PGconn* conn, const std::string& where) : conn_(conn), where_(where) {}

  Result<long long> Exec(std::string_view sql, const Params& params) override {
    DATAMCP_ASSIGN_OR_RETURN(PgResult r, Run(sql, params));
    return std::strtoll(PQcmdTuples(r.get()), nullptr, 10);
  }

  Result<std::vector<Row>> Query(std::string_view sql, const Params& params) override {
    DATAMCP_ASSIGN_OR_RETURN(PgResult r, Run(sql, params));
    std::vector<Row> rows(PQntuples(r.get()));
    int cols = PQnfields(r.get());
    for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
      rows[i].resize(cols);
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(r.get(), i, c)) continue;
        const char* text = PQgetvalue(r.get(), i, c);
        if (PQftype(r.get(), c) != kByteaOid) {
          rows[i][c] = std::string(text, PQgetlength(r.get(), i, c));
          continue;
        }
        std::size_t len = 0;
        unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &len);
        if (!bytes) return Internal("cannot decode a bytea column from " + where_);
        rows[i][c] = std::string(reinterpret_cast<char*>(bytes), len);
        PQfreemem(bytes);
      }
    }
    return rows;
  }

  // SQLSTATE of the last failure ("" when none).
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  Result<PgResult> Run(std::string_view sql, const Params& params) {
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<int> lengths(params.size(), 0);
    std::vector<int> formats(params.size(), 0);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (std::holds_alternative<std::nullptr_t>(v)) continue;
      if (const auto* n = std::get_if<long long>(&v)) {
        text[i] = std::to_string(*n);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        text[i] = *s;
      } else {
        text[i] = std::get<Blob>(v).bytes;
        formats[i] = 1;  // binary: sent as is, no escaping
      }
      values[i] = text[i].data();
      lengths[i] = static_cast<int>(text[i].size());
    }
    std::string statement(sql);
    PgResult r(PQexecParams(conn_, statement.c_str(), static_cast<int>(params.size()), nullptr,
                            values.data(), lengths.data(), formats.data(), 0));
    ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
    const char* code = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
    sqlstate_ = code ? code : "";
    std::string message = r ? OneLine(PQresultErrorMessage(r.get())) : ConnError(conn_);
    return Unavailable("state database " + where_ + ": " + message);
  }

  PGconn* conn_;
  const std::string& where_;
  std::string sqlstate_;
};

bool IsRetryable(const std::string& sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";  // serialization failure, deadlock
}

// "postgres://host:port/db" from a connection string, dropping the user and password.
Result<std::string> Where(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (!opts) {
    std::string why = OneLine(err ? err : "cannot parse");
    PQfreemem(err);
    return InvalidArgument("state.postgres_url is not a valid PostgreSQL connection string (" +
                           why + "); expected postgresql://user@host:5432/dbname");
  }
  std::string host = "localhost", port = "5432", db;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    if (std::strcmp(o->keyword, "host") == 0) host = o->val;
    if (std::strcmp(o->keyword, "port") == 0) port = o->val;
    if (std::strcmp(o->keyword, "dbname") == 0) db = o->val;
  }
  PQconninfoFree(opts);
  return "postgres://" + host + ":" + port + "/" + db;
}

}  // namespace

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(const PostgresOptions& options) {
  DATAMCP_ASSIGN_OR_RETURN(std::string where, Where(options.url.Reveal()));
  std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(options, where));
  DATAMCP_ASSIGN_OR_RETURN(PGconn * conn, db->Connect());
  db->open_ = 1;
  db->Give(conn);
  return db;
}

PostgresDatabase::~PostgresDatabase() {
  for (PGconn* c : idle_) PQfinish(c);
}

Result<PGconn*> PostgresDatabase::Connect() const {
  std::string timeout = std::to_string(options_.connect_timeout_seconds);
  // TCP keepalives and a user timeout: a server that vanished from the network (a partition,
  // not a restart, which closes the socket) fails the statement waiting on it within about
  // half a minute instead of holding the connection, and its caller, for the kernel's hours.
  const char* keys[] = {"dbname",           "connect_timeout",  "application_name",
                        "keepalives",       "keepalives_idle",  "keepalives_interval",
                        "keepalives_count", "tcp_user_timeout", nullptr};
  const char* values[] = {options_.url.Reveal().c_str(),
                          timeout.c_str(),
                          "datamcp",
                          "1",
                          "10",
                          "5",
                          "3",
                          "30000",
                          nullptr};
  // expand_dbname=1: the URL is expanded in place of dbname; the keys after it override it.
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = ConnError(conn);
    PQfinish(conn);
    return Unavailable("cannot connect to the state database " + where_ +
                       " (state.postgres_url): " + why);
  }
  // libpq prints server notices ("relation already exists, skipping") to stderr by default;
  // they are not errors and have no place in the server's structured log.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return conn;
}

Result<PGconn*> PostgresDatabase::Take() {
  {
    std::unique_lock lock(mu_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < options_.connections; });
    if (!idle_.empty()) {
      PGconn* conn = idle_.back();
      idle_.pop_back();
      if (PQstatus(conn) == CONNECTION_OK) return conn;
      lock.unlock();
      PQreset(conn);  // the server restarted or the network dropped
      if (PQstatus(conn) == CONNECTION_OK) return conn;
      std::string why = ConnError(conn);
      Give(conn);
      return Unavailable("state database " + where_ + " is unreachable: " + why);
    }
    ++open_;
  }
  Result<PGconn*> conn = Connect();
  if (!conn.ok()) {
    std::lock_guard lock(mu_);
    --open_;
    available_.notify_one();
  }
  return conn;
}

void PostgresDatabase::Give(PGconn* conn) {
  std::lock_guard lock(mu_);
  idle_.push_back(conn);
  available_.notify_one();
}

Status PostgresDatabase::DoTransact(const std::function<Status(Tx&)>& fn) {
  return Run("BEGIN", fn);
}

Status PostgresDatabase::DoRead(const std::function<Status(Tx&)>& fn) {
  return Run("BEGIN READ ONLY", fn);
}

Status PostgresDatabase::Run(const char* begin, const std::function<Status(Tx&)>& fn) {
  constexpr int kAttempts = 5;
  Status last;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    DATAMCP_ASSIGN_OR_RETURN(PGconn * conn, Take());
    PostgresTx tx(conn, where_);
    Tx& statements = tx;
    Status s = statements.Exec(begin).status();
    if (s.ok()) {
      try {
        s = fn(tx);
      } catch (...) {
        // The transaction goes, the connection goes back to the pool; the caller gets what
        // fn threw.
        if (PQstatus(conn) != CONNECTION_BAD) PgResult(PQexec(conn, "ROLLBACK"));
        Give(conn);
        throw;
      }
    }
    bool committing = false;
    if (s.ok()) {
      committing = true;
      s = statements.Exec("COMMIT").status();
    }
    // A connection cut before COMMIT was sent (the server restarted while it sat in the
    // pool, a proxy dropped it) took its transaction with it: run it again on a fresh one
    // rather than fail the caller. Cut during COMMIT, the outcome is unknown: report it.
    const bool lost = !s.ok() && PQstatus(conn) == CONNECTION_BAD;
    if (!s.ok() && !lost) PgResult(PQexec(conn, "ROLLBACK"));
    Give(conn);
    if (s.ok()) return s;
    if (lost && !committing) {
      last = s;
      continue;
    }
    if (!IsRetryable(tx.sqlstate())) return s;
    last = s;
    std::this_thread::sleep_for(std::chrono::milliseconds(5 << attempt));
  }
  return last;
}

}  // namespace datamcp::state
