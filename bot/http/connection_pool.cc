#include "bot/http/connection_pool.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

namespace datamcp::bot {

// Workers share the state by shared_ptr, so one still returning from its last notify after
// shutdown() has seen it leave cannot touch a destroyed pool.
struct ConnectionPool::State {
  int min_threads;
  int max_threads;
  std::mutex mu;
  std::condition_variable work;  // a connection was queued, or shutdown
  std::condition_variable gone;  // a worker exited
  std::deque<std::function<void()>> queue;
  int threads = 0;
  int idle = 0;
  bool shutdown = false;
};

namespace {
// How long a worker above the minimum waits for another connection before it exits.
constexpr auto kIdleExit = std::chrono::seconds(30);
}  // namespace

ConnectionPool::ConnectionPool(int min_threads, int max_threads, std::function<void()> on_shutdown)
    : state_(std::make_shared<State>()), on_shutdown_(std::move(on_shutdown)) {
  state_->min_threads = std::max(1, min_threads);
  state_->max_threads = std::max(state_->min_threads, max_threads);
}

ConnectionPool::~ConnectionPool() { shutdown(); }

namespace {
thread_local bool accepting = false;  // running an accepted connection's task in enqueue()
}  // namespace

bool ConnectionPool::OnAcceptingThread() { return accepting; }

void ConnectionPool::enqueue(std::function<void()> fn) {
  if (!accept_on_this_thread_) return Queue(std::move(fn));
  struct Accepting {
    Accepting() { accepting = true; }
    ~Accepting() { accepting = false; }
  } scope;
  fn();
}

void ConnectionPool::Queue(std::function<void()> fn) {
  std::lock_guard lock(state_->mu);
  state_->queue.push_back(std::move(fn));
  if (static_cast<std::size_t>(state_->idle) < state_->queue.size() &&
      state_->threads < state_->max_threads) {
    ++state_->threads;
    std::thread(Work, state_).detach();
  }
  state_->work.notify_one();
}

void ConnectionPool::shutdown() {
  if (on_shutdown_) std::exchange(on_shutdown_, nullptr)();
  std::unique_lock lock(state_->mu);
  state_->shutdown = true;
  state_->work.notify_all();
  state_->gone.wait(lock, [&] { return state_->threads == 0; });
}

void ConnectionPool::Work(std::shared_ptr<State> state) {
  std::unique_lock lock(state->mu);
  while (true) {
    if (state->queue.empty()) {
      if (state->shutdown) break;
      ++state->idle;
      bool woken = state->work.wait_for(lock, kIdleExit,
                                        [&] { return !state->queue.empty() || state->shutdown; });
      --state->idle;
      if (!woken && state->threads > state->min_threads) break;
      continue;
    }
    std::function<void()> fn = std::move(state->queue.front());
    state->queue.pop_front();
    lock.unlock();
    fn();
    fn = nullptr;
    lock.lock();
  }
  --state->threads;
  state->gone.notify_all();
}

}  // namespace datamcp::bot
