#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gitops/queue/delivery_dispatcher.h"

namespace datamcp::testing {

using queue::Delivery;
using queue::DeliveryHandler;
using std::chrono::milliseconds;

// Records what it was given; fails the first `failures_per_id` calls for each id.
class RecordingHandler : public DeliveryHandler {
 public:
  explicit RecordingHandler(int failures_per_id = 0) : failures_per_id_(failures_per_id) {}
  Status Handle(const Delivery& d) override {
    std::lock_guard lock(mu_);
    int& calls = calls_[d.id];
    ++calls;
    if (calls <= failures_per_id_) return Unavailable("forge down (test)");
    order_.push_back(d.id);
    bodies_[d.id] = d.body;
    return Status::Ok();
  }
  std::vector<std::string> order() const {
    std::lock_guard lock(mu_);
    return order_;
  }
  int calls(const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(id);
    return it == calls_.end() ? 0 : it->second;
  }
  std::size_t distinct() const {
    std::lock_guard lock(mu_);
    return bodies_.size();
  }
  std::string body(const std::string& id) const {
    std::lock_guard lock(mu_);
    return bodies_.at(id);
  }

 private:
  const int failures_per_id_;
  mutable std::mutex mu_;
  std::map<std::string, int> calls_;
  std::map<std::string, std::string> bodies_;
  std::vector<std::string> order_;
};

// Polls `done` until it holds or 10 s pass.
template <typename F>
bool WaitFor(F done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return done();
}

}  // namespace datamcp::testing
