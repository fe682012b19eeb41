#include "gitops/queue/delivery_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "gitops/common/log.h"

namespace datamcp::queue {
namespace {

using state::IntAt;
using state::Row;
using state::TextAt;
using state::Tx;

constexpr std::uint64_t kPruneEvery = 256;  // MarkDone calls between prunes

}  // namespace

DeliveryStore::DeliveryStore(state::Database& db, Clock& clock, DeliveryStoreOptions options)
    : db_(db), clock_(clock), options_(options) {}

Result<DeliveryStore::AppendOutcome> DeliveryStore::Append(const Delivery& d) {
  DATAMCP_ASSIGN_OR_RETURN(std::vector<AppendOutcome> outcomes, AppendAll({&d, 1}));
  return outcomes[0];
}

Result<std::vector<DeliveryStore::AppendOutcome>> DeliveryStore::AppendAll(
    std::span<const Delivery> deliveries) {
  for (const Delivery& d : deliveries) {
    if (d.id.empty()) return InvalidArgument("a delivery needs an id (X-GitHub-Delivery)");
  }
  std::vector<AppendOutcome> outcomes;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    outcomes.clear();  // a retried transaction starts again
    for (const Delivery& d : deliveries) {
      const state::Value digest =
          d.digest.empty() ? state::Value(nullptr) : state::Value(std::string(d.digest));
      // No conflict target: a clash on the id or on the digest leaves the table as it was.
      DATAMCP_ASSIGN_OR_RETURN(
          long long inserted,
          tx.Exec("INSERT INTO deliveries (id, event, action, repository, received_ms, body, "
                  "digest) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                  {d.id, d.event, d.action, d.repository,
                   static_cast<long long>(d.received_unix_ms), state::Blob{d.body}, digest}));
      if (inserted > 0) {
        outcomes.push_back(AppendOutcome::kAccepted);
        continue;
      }
      DATAMCP_ASSIGN_OR_RETURN(std::vector<Row> rows,
                               tx.Query("SELECT 1 FROM deliveries WHERE id = $1", {d.id}));
      outcomes.push_back(rows.empty() ? AppendOutcome::kReplay : AppendOutcome::kDuplicate);
    }
    return Status::Ok();
  }));
  if (std::find(outcomes.begin(), outcomes.end(), AppendOutcome::kAccepted) != outcomes.end()) {
    Bump();
  }
  return outcomes;
}

Result<std::vector<Delivery>> DeliveryStore::Select(const std::string& where,
                                                    const state::Params& params) const {
  std::vector<Delivery> out;
  DATAMCP_RETURN_IF_ERROR(db_.Read([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT id, event, action, repository, received_ms, body, digest FROM "
                 "deliveries " +
                     where + " ORDER BY seq",
                 params));
    out.clear();
    for (const Row& r : rows) {
      out.push_back(Delivery{TextAt(r, 0), TextAt(r, 1), TextAt(r, 2), TextAt(r, 3), IntAt(r, 4),
                             TextAt(r, 5), TextAt(r, 6)});
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<std::string>> DeliveryStore::PendingIds() const {
  std::vector<std::string> ids;
  DATAMCP_RETURN_IF_ERROR(db_.Read([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT id FROM deliveries WHERE done_ms IS NULL ORDER BY seq"));
    ids.clear();
    for (const Row& r : rows) ids.push_back(TextAt(r, 0));
    return Status::Ok();
  }));
  return ids;
}

Result<Delivery> DeliveryStore::Read(std::string_view id) const {
  DATAMCP_ASSIGN_OR_RETURN(std::vector<Delivery> found, Select("WHERE id = $1", {std::string(id)}));
  if (found.empty()) return NotFound("delivery " + std::string(id) + " is not recorded");
  return found[0];
}

Result<std::vector<Delivery>> DeliveryStore::Pending() const {
  return Select("WHERE done_ms IS NULL", {});
}

Result<DeliveryStore::Page> DeliveryStore::PendingPage(long long after, std::size_t limit) const {
  Page page;
  page.next = after;
  DATAMCP_RETURN_IF_ERROR(db_.Read([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT seq, id, event, action, repository, received_ms, body, digest FROM "
                 "deliveries WHERE done_ms IS NULL AND seq > $1 ORDER BY seq LIMIT $2",
                 {after, static_cast<long long>(limit)}));
    page.deliveries.clear();
    for (const Row& r : rows) {
      page.next = IntAt(r, 0);
      page.deliveries.push_back(Delivery{TextAt(r, 1), TextAt(r, 2), TextAt(r, 3), TextAt(r, 4),
                                         IntAt(r, 5), TextAt(r, 6), TextAt(r, 7)});
    }
    return Status::Ok();
  }));
  return page;
}

namespace {

// Who may claim a pending delivery: nobody holds it, `holder` ($1) does already, or its
// holder's lease passed ($4: now).
constexpr std::string_view kClaimable =
    "done_ms IS NULL AND (holder = $1 OR holder = '' OR lease_until_ms < $4)";

// The claimed rows, oldest first, from rows of seq, id, event, action, repository,
// received_ms, body.
void FillPage(std::vector<Row> rows, DeliveryStore::Page& page) {
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return IntAt(a, 0) < IntAt(b, 0); });
  page.deliveries.clear();
  for (const Row& r : rows) {
    page.next = IntAt(r, 0);
    page.deliveries.push_back(Delivery{TextAt(r, 1), TextAt(r, 2), TextAt(r, 3), TextAt(r, 4),
                                       IntAt(r, 5), TextAt(r, 6)});
  }
}

}  // namespace

Result<DeliveryStore::Page> DeliveryStore::ClaimPage(const std::string& holder, long long after,
                                                     std::size_t limit,
                                                     std::chrono::milliseconds lease) {
  const bool postgres = db_.dialect() == state::Dialect::kPostgres;
  Page page;
  page.next = after;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    const long long now = clock_.UnixMillis();
    const state::Params params{holder, now + lease.count(), after, now,
                               static_cast<long long>(limit)};
    if (postgres) {
      // Replicas claim at once: each takes the rows no other is locking, and learns which
      // it got from RETURNING.
      DATAMCP_ASSIGN_OR_RETURN(
          std::vector<Row> rows,
          tx.Query("UPDATE deliveries SET holder = $1, lease_until_ms = $2 WHERE seq IN (SELECT "
                   "seq FROM deliveries WHERE seq > $3 AND " +
                       std::string(kClaimable) +
                       " ORDER BY seq LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING seq, id, event, "
                       "action, repository, received_ms, body",
                   params));
      FillPage(std::move(rows), page);
      return Status::Ok();
    }
    // SQLite writes one transaction at a time, so the rows read here are the rows the update
    // below takes: all the claimable ones from the first to the last read. (The UPDATE ...
    // WHERE seq IN (subquery) RETURNING form above cost 30 us a row here against 6 for this.)
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT seq, id, event, action, repository, received_ms, body FROM deliveries "
                 "WHERE seq > $3 AND " +
                     std::string(kClaimable) + " ORDER BY seq LIMIT $5",
                 params));
    if (rows.empty()) return Status::Ok();
    DATAMCP_ASSIGN_OR_RETURN(
        long long claimed,
        tx.Exec("UPDATE deliveries SET holder = $1, lease_until_ms = $2 WHERE seq BETWEEN $3 AND "
                "$5 AND " +
                    std::string(kClaimable),
                {holder, now + lease.count(), IntAt(rows.front(), 0), now, IntAt(rows.back(), 0)}));
    if (claimed != static_cast<long long>(rows.size())) {
      return Internal("claimed " + std::to_string(claimed) + " deliveries of the " +
                      std::to_string(rows.size()) + " read in the same transaction");
    }
    FillPage(std::move(rows), page);
    return Status::Ok();
  }));
  return page;
}

// The rows an UPDATE of a holder's pending deliveries takes. On PostgreSQL they are locked in
// seq order first, the order ClaimPage and MarkAllDone lock them in, so that two statements
// on the same rows (the heartbeat's renewal and the dispatcher's marks run at once) never
// wait for each other in a cycle; an UPDATE alone locks them in whatever order its plan
// visits them.
std::string DeliveryStore::HeldRows() const {
  if (db_.dialect() != state::Dialect::kPostgres) return "holder = $1 AND done_ms IS NULL";
  return "seq IN (SELECT seq FROM deliveries WHERE holder = $1 AND done_ms IS NULL ORDER BY seq "
         "FOR UPDATE)";
}

Result<long long> DeliveryStore::RenewClaims(const std::string& holder,
                                             std::chrono::milliseconds lease) {
  long long renewed = 0;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        renewed, tx.Exec("UPDATE deliveries SET lease_until_ms = $2 WHERE " + HeldRows(),
                         {holder, clock_.UnixMillis() + lease.count()}));
    return Status::Ok();
  }));
  return renewed;
}

Status DeliveryStore::ReleaseClaims(const std::string& holder) {
  return db_.Transact([&](Tx& tx) -> Status {
    return tx
        .Exec("UPDATE deliveries SET holder = '', lease_until_ms = 0 WHERE " + HeldRows(), {holder})
        .status();
  });
}

namespace {

// The body is dropped: a handled delivery is kept only for deduplication. (SQLite rewrites
// the whole row on UPDATE, so keeping a large body would write it all again.)
constexpr std::string_view kMarkDone =
    "UPDATE deliveries SET done_ms = $2, body = $3 WHERE id = $1 AND done_ms IS NULL";
// PostgreSQL: all of them ($1, a JSON array of ids) in one statement, one round trip, their
// rows locked in seq order (DeliveryStore::HeldRows says why).
constexpr std::string_view kMarkAllDonePostgres =
    "UPDATE deliveries SET done_ms = $2, body = $3 WHERE seq IN (SELECT seq FROM deliveries "
    "WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND done_ms IS NULL ORDER BY seq "
    "FOR UPDATE)";

}  // namespace

Status DeliveryStore::MarkDone(std::string_view id) {
  long long known = 0;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        known, tx.Exec(kMarkDone, {std::string(id), clock_.UnixMillis(), state::Blob{}}));
    if (known > 0) return Status::Ok();
    // Not pending: done already (idempotent) or never recorded.
    DATAMCP_ASSIGN_OR_RETURN(std::vector<Row> rows,
                             tx.Query("SELECT 1 FROM deliveries WHERE id = $1", {std::string(id)}));
    known = static_cast<long long>(rows.size());
    return Status::Ok();
  }));
  if (known == 0) return NotFound("delivery " + std::string(id) + " is not recorded");
  CountMarks(1);
  return Status::Ok();
}

Status DeliveryStore::MarkAllDone(const std::vector<std::string>& ids) {
  if (ids.empty()) return Status::Ok();
  const long long now = clock_.UnixMillis();
  const bool postgres = db_.dialect() == state::Dialect::kPostgres;
  DATAMCP_RETURN_IF_ERROR(db_.Transact([&](Tx& tx) -> Status {
    if (postgres) {
      // Ids PostgreSQL stored are valid UTF-8, so `replace` changes none of them.
      const std::string list =
          nlohmann::json(ids).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return tx.Exec(kMarkAllDonePostgres, {list, now, state::Blob{}}).status();
    }
    for (const std::string& id : ids) {
      DATAMCP_RETURN_IF_ERROR(tx.Exec(kMarkDone, {id, now, state::Blob{}}).status());
    }
    return Status::Ok();
  }));
  CountMarks(ids.size());
  return Status::Ok();
}

// Prunes every kPruneEvery marks.
void DeliveryStore::CountMarks(std::size_t n) {
  bool prune = false;
  {
    std::lock_guard lock(mu_);
    prune = (marks_ + n) / kPruneEvery != marks_ / kPruneEvery;
    marks_ += n;
  }
  if (prune) {
    Status s = Prune();
    if (!s.ok()) log::Warn("webhook.prune_failed", {{"error", s.message()}});
  }
}

Status DeliveryStore::Prune() {
  const long long cutoff =
      clock_.UnixMillis() -
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.dedup_window).count();
  return db_.Transact([&](Tx& tx) { return tx.Exec(kPruneStatement, {cutoff}).status(); });
}

void DeliveryStore::Bump() {
  std::lock_guard lock(mu_);
  ++generation_;
  changed_.notify_all();
}

void DeliveryStore::Wake() { Bump(); }

std::uint64_t DeliveryStore::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::uint64_t DeliveryStore::WaitForChange(std::uint64_t seen,
                                           std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return generation_ != seen; });
  return generation_;
}

Result<DeliveryStore::Stats> DeliveryStore::stats() const {
  Stats stats;
  DATAMCP_RETURN_IF_ERROR(db_.Read([&](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        tx.Query("SELECT COUNT(*), COALESCE(SUM(CASE WHEN done_ms IS NULL THEN 1 ELSE 0 END), 0), "
                 "COALESCE(MIN(CASE WHEN done_ms IS NULL THEN received_ms END), 0) "
                 "FROM deliveries"));
    stats.remembered = static_cast<std::size_t>(IntAt(rows.at(0), 0));
    stats.pending = static_cast<std::size_t>(IntAt(rows.at(0), 1));
    stats.oldest_pending_ms = IntAt(rows.at(0), 2);
    return Status::Ok();
  }));
  return stats;
}

}  // namespace datamcp::queue
