#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "gitops/jobs/job_store.h"
#include "gitops/queue/delivery_store.h"
#include "gitops/state/lease_table.h"

namespace datamcp::bot {

// This process as one replica among those sharing the state database: its name in claims
// (host name, pid and a random suffix, so a restarted process is a new holder) and its
// heartbeat, a thread that renews every claim it holds (running apply jobs, webhook
// deliveries, named leases) every third of the lease. A replica that dies stops renewing; the
// others take its work over once the lease has passed. Thread-safe.
class Replica {
 public:
  Replica(jobs::JobStore& jobs, state::LeaseTable& leases, std::chrono::milliseconds lease);
  ~Replica();  // Stop()

  // The holder name to give the job store, the dispatcher and the reconciler.
  static std::string NewHolderName();

  // Renews the claims of deliveries in `store` too (call before Start).
  void WatchDeliveries(queue::DeliveryStore& store, const std::string& holder);
  void Start();
  // Stops the heartbeat and gives up the named leases (graceful shutdown; jobs and
  // deliveries are released by those who hold them).
  void Stop();

  std::uint64_t renewals() const { return renewals_.load(); }
  std::uint64_t renew_failures() const { return renew_failures_.load(); }

 private:
  void Beat();

  jobs::JobStore& jobs_;
  state::LeaseTable& leases_;
  const std::chrono::milliseconds lease_;
  queue::DeliveryStore* deliveries_ = nullptr;
  std::string delivery_holder_;
  std::atomic<std::uint64_t> renewals_{0};
  std::atomic<std::uint64_t> renew_failures_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace datamcp::bot
