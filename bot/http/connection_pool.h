#pragma once

#include <httplib.h>

#include <functional>
#include <memory>

namespace datamcp::bot {

// httplib's task queue for the HTTP front. httplib gives each connection one worker for its
// whole life (keep-alive waits and slow reads included), so a fixed pool lets a handful of
// idle or slow clients starve everyone. Here `min_threads` workers stay up and more start on
// demand, one per connection, up to `max_threads` (server.max_connections); beyond that
// connections wait their turn in order. Workers above the minimum exit after idling a while.
class ConnectionPool : public httplib::TaskQueue {
 public:
  // `on_shutdown` runs when shutdown() starts (from then on nothing new may be queued).
  ConnectionPool(int min_threads, int max_threads, std::function<void()> on_shutdown = nullptr);
  ~ConnectionPool() override;

  void enqueue(std::function<void()> fn) override;
  // Runs what is queued, then waits for every worker to finish.
  void shutdown() override;

 private:
  struct State;
  static void Work(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
  std::function<void()> on_shutdown_;
};

}  // namespace datamcp::bot
