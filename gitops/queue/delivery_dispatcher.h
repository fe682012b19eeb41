#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/common/status.h"
#include "gitops/queue/delivery.h"
#include "gitops/queue/delivery_store.h"

namespace datamcp::queue {

// What the bot does with a recorded delivery (the event processor). Handle may be called
// again for the same delivery after a crash between Handle and MarkDone, so it must be
// idempotent: it re-reads state from git and the forge rather than trusting the payload.
class DeliveryHandler {
 public:
  virtual ~DeliveryHandler() = default;
  virtual Status Handle(const Delivery& delivery) = 0;
};

struct DeliveryDispatcherOptions {
  // A failed Handle is retried after retry_delay, doubling up to max_retry_delay; after
  // max_attempts the delivery is marked done and logged as given up (reconciliation picks up
  // whatever it would have triggered). A delivery that fails only because a dependency is
  // down (Unavailable: the state database, the forge) is kept longer: it is given up only
  // once unavailable_patience has also passed since its first failure, so an outage longer
  // than a few retries does not drop a comment command.
  std::chrono::milliseconds retry_delay{1000};
  std::chrono::milliseconds max_retry_delay{60'000};
  int max_attempts = 8;
  std::chrono::milliseconds unavailable_patience{std::chrono::hours(6)};
  std::chrono::milliseconds idle_wait{1000};  // longest sleep without a new delivery
  // After a new delivery wakes the dispatcher it waits this long before taking the pending
  // ones, so a burst is handled in one pass instead of one wake-up (and context switch) per
  // delivery; the intake threads keep the CPU meanwhile. Small against any handler's work.
  std::chrono::milliseconds gather{2};
  // Pending deliveries are read this many at a time (with their bodies, one read
  // transaction), and those handled are marked done together after each page, or sooner
  // when handling them has taken mark_every: a crash re-handles at most that much.
  std::size_t batch = 64;
  std::chrono::milliseconds mark_every{100};
  // This replica's name in delivery claims (see DeliveryStore::ClaimPage); empty: a random
  // one. Deliveries are claimed a page at a time for `lease` (renewed by the replica's
  // heartbeat while it handles them), so replicas sharing the database handle each delivery
  // once, and a dead replica's claims pass to another after `lease`.
  std::string holder;
  std::chrono::milliseconds lease{60'000};
};

// One background thread that claims pending deliveries from the store, oldest first, calls
// the handler and marks each done after it succeeded (in batches, see options). Deliveries pending
// at Start (from before a restart) are processed first. The store and handler must outlive it.
// Start/Stop are not thread-safe with each other; Stop waits for the current Handle call and
// gives up the claims on deliveries not handled yet, for another replica to take.
class DeliveryDispatcher {
 public:
  DeliveryDispatcher(DeliveryStore& store, DeliveryHandler& handler, Clock& clock,
                     DeliveryDispatcherOptions options = {});
  ~DeliveryDispatcher();  // Stop()

  void Start();
  void Stop();

  std::uint64_t handled() const;  // successful Handle calls
  std::uint64_t failed() const;   // failed Handle calls
  std::uint64_t claimed() const;  // deliveries claimed (a retried one counts each time)
  const std::string& holder() const { return options_.holder; }

 private:
  struct Retry {
    int attempts = 0;
    std::chrono::steady_clock::time_point first_failure;
    std::chrono::steady_clock::time_point next;
  };
  bool GiveUp(const Retry& r, const Status& last) const;
  void Run();
  // Processes what is ready; returns how long to wait before the next retry is due.
  std::chrono::milliseconds RunOnce();
  // Handles one delivery; true when it is finished (handled, or given up) and to be marked
  // done.
  bool HandleOne(const Delivery& delivery);
  void MarkDone(std::vector<std::string>& ids);
  Status HandleCatching(const Delivery& delivery);
  bool stopping() const;
  // Sleeps for `d` unless Stop() is called meanwhile.
  void SleepUnlessStopped(std::chrono::milliseconds d);

  DeliveryStore& store_;
  DeliveryHandler& handler_;
  Clock& clock_;
  DeliveryDispatcherOptions options_;
  std::map<std::string, Retry> retries_;  // dispatcher thread only

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::uint64_t handled_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t claimed_ = 0;
  std::thread thread_;
};

}  // namespace datamcp::queue
