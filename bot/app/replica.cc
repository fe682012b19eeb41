#include "bot/app/replica.h"

#include <unistd.h>

#include <cstdio>

#include "gitops/common/log.h"
#include "gitops/common/random.h"

namespace datamcp::bot {

Replica::Replica(jobs::JobStore& jobs, state::LeaseTable& leases, std::chrono::milliseconds lease)
    : jobs_(jobs), leases_(leases), lease_(lease) {}

Replica::~Replica() { Stop(); }

std::string Replica::NewHolderName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, 5, "host");
  return std::string(host) + "-" + std::to_string(getpid()) + "-" + RandomHex(3).value_or("0");
}

void Replica::WatchDeliveries(queue::DeliveryStore& store, const std::string& holder) {
  deliveries_ = &store;
  delivery_holder_ = holder;
}

void Replica::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, lease_ / 3, [this] { return stopping_; })) {
      lock.unlock();
      Beat();
      lock.lock();
    }
  });
}

// One failed renewal is not fatal (the lease still runs for two more beats); a replica cut
// off from the database for a whole lease loses its claims to the others.
void Replica::Beat() {
  Status s = jobs_.RenewAll().status();
  if (s.ok() && deliveries_ != nullptr) {
    s = deliveries_->RenewClaims(delivery_holder_, lease_).status();
  }
  if (s.ok()) s = leases_.RenewAll(jobs_.holder(), lease_).status();
  if (s.ok()) {
    ++renewals_;
    return;
  }
  ++renew_failures_;
  log::Warn("replica.renew_failed", {{"holder", jobs_.holder()}, {"error", s.message()}});
}

void Replica::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (Status s = leases_.ReleaseAll(jobs_.holder()); !s.ok()) {
    log::Warn("replica.release_failed", {{"error", s.message()}});
  }
}

}  // namespace datamcp::bot
