#include "gitops/queue/delivery_dispatcher.h"

#include <algorithm>
#include <utility>

#include "gitops/common/log.h"
#include "gitops/common/random.h"

namespace datamcp::queue {

using std::chrono::milliseconds;

DeliveryDispatcher::DeliveryDispatcher(DeliveryStore& store, DeliveryHandler& handler, Clock& clock,
                                       DeliveryDispatcherOptions options)
    : store_(store), handler_(handler), clock_(clock), options_(std::move(options)) {
  if (options_.holder.empty()) options_.holder = "dispatcher-" + RandomHex(6).value_or("0");
}

DeliveryDispatcher::~DeliveryDispatcher() { Stop(); }

void DeliveryDispatcher::Start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void DeliveryDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  store_.Wake();
  if (!thread_.joinable()) return;
  thread_.join();
  // What this replica claimed but did not handle goes back to the others now, not when the
  // lease passes.
  if (Status s = store_.ReleaseClaims(options_.holder); !s.ok()) {
    log::Warn("webhook.release_failed", {{"error", s.message()}});
  }
}

bool DeliveryDispatcher::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

std::uint64_t DeliveryDispatcher::handled() const {
  std::lock_guard lock(mu_);
  return handled_;
}

std::uint64_t DeliveryDispatcher::claimed() const {
  std::lock_guard lock(mu_);
  return claimed_;
}

std::uint64_t DeliveryDispatcher::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

void DeliveryDispatcher::SleepUnlessStopped(milliseconds d) {
  std::unique_lock lock(mu_);
  stop_cv_.wait_for(lock, d, [&] { return stopping_; });
}

void DeliveryDispatcher::Run() {
  while (!stopping()) {
    const std::uint64_t seen = store_.generation();
    milliseconds wait = RunOnce();
    if (stopping()) break;
    if (store_.WaitForChange(seen, wait) != seen && options_.gather.count() > 0) {
      SleepUnlessStopped(options_.gather);
    }
  }
}

milliseconds DeliveryDispatcher::RunOnce() {
  long long after = 0;
  while (!stopping()) {
    Result<DeliveryStore::Page> page =
        store_.ClaimPage(options_.holder, after, options_.batch, options_.lease);
    if (!page.ok()) {
      // The database is down: try again after the idle wait; nothing is lost meanwhile.
      log::Error("webhook.store_unreadable", {{"error", page.status().message()}});
      return options_.idle_wait;
    }
    {
      std::lock_guard lock(mu_);
      claimed_ += page->deliveries.size();
    }
    std::vector<std::string> done;
    auto marked_at = clock_.SteadyNow();
    for (const Delivery& delivery : page->deliveries) {
      if (stopping()) break;
      auto retry = retries_.find(delivery.id);
      if (retry != retries_.end() && retry->second.next > clock_.SteadyNow()) continue;
      if (HandleOne(delivery)) done.push_back(delivery.id);
      if (clock_.SteadyNow() - marked_at >= options_.mark_every) {
        MarkDone(done);
        marked_at = clock_.SteadyNow();
      }
    }
    MarkDone(done);
    if (page->deliveries.size() < options_.batch) break;
    after = page->next;
  }
  milliseconds wait = options_.idle_wait;
  const auto now = clock_.SteadyNow();
  for (const auto& [id, retry] : retries_) {
    auto due = std::chrono::duration_cast<milliseconds>(retry.next - now) + milliseconds(1);
    wait = std::clamp(due, milliseconds(0), wait);
  }
  return wait;
}

// Handle, with an exception turned into a failed attempt: a payload that makes the handler
// throw must not end the process and, pending again after the restart, end it again.
Status DeliveryDispatcher::HandleCatching(const Delivery& delivery) {
  try {
    return handler_.Handle(delivery);
  } catch (const std::exception& e) {
    return Internal(std::string("handler threw: ") + e.what());
  } catch (...) {
    return Internal("handler threw a non-standard exception");
  }
}

void DeliveryDispatcher::MarkDone(std::vector<std::string>& ids) {
  if (ids.empty()) return;
  Status done = store_.MarkAllDone(ids);
  // Left pending: handled again after the next wake-up (handlers are idempotent).
  if (!done.ok())
    log::Error("webhook.mark_done_failed",
               {{"deliveries", static_cast<long long>(ids.size())}, {"error", done.message()}});
  ids.clear();
}

bool DeliveryDispatcher::GiveUp(const Retry& r, const Status& last) const {
  if (r.attempts < options_.max_attempts) return false;
  if (last.code() != StatusCode::kUnavailable) return true;
  return clock_.SteadyNow() - r.first_failure >= options_.unavailable_patience;
}

bool DeliveryDispatcher::HandleOne(const Delivery& delivery) {
  const std::string& id = delivery.id;
  Status status = HandleCatching(delivery);
  if (status.ok()) {
    {
      std::lock_guard lock(mu_);
      ++handled_;
    }
    retries_.erase(id);
    return true;
  }
  {
    std::lock_guard lock(mu_);
    ++failed_;
  }
  Retry& r = retries_[id];
  if (r.attempts++ == 0) r.first_failure = clock_.SteadyNow();
  if (GiveUp(r, status)) {
    log::Error("webhook.delivery_given_up",
               {{"delivery", id}, {"attempts", r.attempts}, {"error", status.ToString()}});
    retries_.erase(id);
    return true;
  }
  milliseconds delay = options_.retry_delay * (1 << std::min(r.attempts - 1, 16));
  delay = std::min(delay, options_.max_retry_delay);
  r.next = clock_.SteadyNow() + delay;
  log::Warn("webhook.delivery_failed", {{"delivery", id},
                                        {"attempt", r.attempts},
                                        {"retry_in_ms", delay.count()},
                                        {"error", status.ToString()}});
  return false;
}

}  // namespace datamcp::queue
