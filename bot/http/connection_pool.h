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

  // httplib queues here the task of each connection it accepts. After AcceptOnThisThread(true)
  // the task runs at once on the accepting thread instead, where OnAcceptingThread() is true:
  // GuardedServer then gives the connection to the event loops without waiting for anything.
  void enqueue(std::function<void()> fn) override;
  void AcceptOnThisThread(bool on) { accept_on_this_thread_ = on; }
  static bool OnAcceptingThread();
  // Queues `fn` for a worker (connections the event loops hand back).
  void Queue(std::function<void()> fn);
  // Runs what is queued, then waits for every worker to finish.
  void shutdown() override;

 private:
  struct State;
  static void Work(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
  std::function<void()> on_shutdown_;
  bool accept_on_this_thread_ = false;
};

}  // namespace datamcp::bot
