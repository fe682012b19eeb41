#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/queue/delivery.h"
#include "gitops/state/database.h"

namespace datamcp::queue {

struct DeliveryStoreOptions {
  // Handled delivery ids are remembered (for deduplication) at least this long after they
  // were received. GitHub lets users redeliver for 3 days.
  std::chrono::hours dedup_window{72};
};

// A durable, deduplicating record of webhook deliveries: rows in the state database. Each
// delivery is recorded once (by id, enforced by the database, so replicas receiving the same
// delivery record it once); MarkDone marks it handled; deliveries not marked done are
// pending, across restarts. Handled ids older than the dedup window are pruned.
// Thread-safe; several processes may share the database.
class DeliveryStore {
 public:
  // kDuplicate: the id was recorded before (GitHub redelivers with the same id). kReplay: a
  // delivery with another id had the same body digest (a captured body sent again).
  enum class AppendOutcome { kAccepted, kDuplicate, kReplay };
  struct Stats {
    std::size_t pending = 0;
    std::size_t remembered = 0;       // ids known for deduplication (pending + done)
    long long oldest_pending_ms = 0;  // received_unix_ms of the oldest pending; 0: none
  };

  DeliveryStore(state::Database& db, Clock& clock, DeliveryStoreOptions options = {});
  DeliveryStore(const DeliveryStore&) = delete;
  DeliveryStore& operator=(const DeliveryStore&) = delete;

  // Records `d` unless its id was seen before (kDuplicate) or, when d.digest is set, another
  // delivery had the same digest (kReplay); then nothing is written. Both are remembered for
  // the dedup window. When it returns kAccepted the row is committed.
  // Errors: InvalidArgument (empty id), Unavailable (the database; nothing recorded).
  Result<AppendOutcome> Append(const Delivery& d);
  // Append of each delivery, in order, in one transaction (a batch costs one commit): one
  // outcome each, as if appended one after another. On an error nothing is recorded.
  Result<std::vector<AppendOutcome>> AppendAll(std::span<const Delivery> deliveries);

  // Pending delivery ids, oldest first.
  Result<std::vector<std::string>> PendingIds() const;
  // Reads one delivery (pending or remembered; a remembered one, marked done, has an empty
  // body). NotFound when unknown.
  Result<Delivery> Read(std::string_view id) const;
  // Every pending delivery with its body, oldest first.
  Result<std::vector<Delivery>> Pending() const;
  // Up to `limit` pending deliveries with their bodies, oldest first, recorded after the
  // page position `after` (0: from the oldest); `next` is the position after this page.
  struct Page {
    std::vector<Delivery> deliveries;
    long long next = 0;
  };
  Result<Page> PendingPage(long long after, std::size_t limit) const;
  // Claims up to `limit` pending deliveries recorded after `after` for `holder` until
  // `lease` from now, oldest first, and returns them: those no one holds, those `holder`
  // holds already, and those whose holder's lease has passed (it died). Replicas claiming at
  // once get different deliveries (PostgreSQL: FOR UPDATE SKIP LOCKED). A handled delivery
  // keeps its holder (who handled it).
  Result<Page> ClaimPage(const std::string& holder, long long after, std::size_t limit,
                         std::chrono::milliseconds lease);
  // Extends `holder`'s claims on pending deliveries; returns how many it holds.
  Result<long long> RenewClaims(const std::string& holder, std::chrono::milliseconds lease);
  // Gives up `holder`'s claims on pending deliveries (graceful shutdown): another replica
  // takes them at once.
  Status ReleaseClaims(const std::string& holder);
  // Marks a delivery done (idempotent) and drops its body. NotFound when the id was never
  // appended.
  Status MarkDone(std::string_view id);
  // Marks several deliveries done in one transaction (idempotent); ids not recorded (pruned
  // meanwhile) are skipped.
  Status MarkAllDone(const std::vector<std::string>& ids);
  // Forgets handled deliveries received before the dedup window: reads only the rows it
  // deletes (the deliveries_handled index), so it may run often.
  Status Prune();
  // Prune's statement ($1: the cutoff in Unix ms), for the test that checks its plan.
  static constexpr std::string_view kPruneStatement =
      "DELETE FROM deliveries WHERE done_ms IS NOT NULL AND received_ms < $1";

  // Changes whenever this process appends a delivery or calls Wake(). Deliveries another
  // replica records are seen when a waiter's timeout passes.
  std::uint64_t generation() const;
  // Blocks until generation() != seen or `timeout` passes; returns the new generation.
  std::uint64_t WaitForChange(std::uint64_t seen, std::chrono::milliseconds timeout) const;
  void Wake();

  Result<Stats> stats() const;

 private:
  Result<std::vector<Delivery>> Select(const std::string& where, const state::Params& params) const;
  // The WHERE clause of an UPDATE of holder $1's pending deliveries.
  std::string HeldRows() const;
  void Bump();
  void CountMarks(std::size_t n);

  state::Database& db_;
  Clock& clock_;
  const DeliveryStoreOptions options_;

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::uint64_t generation_ = 0;
  std::uint64_t marks_ = 0;  // MarkDone calls, to prune every so often
};

}  // namespace datamcp::queue
