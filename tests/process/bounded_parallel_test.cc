#include "gitops/process/bounded_parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace datamcp::process {
namespace {

TEST(BoundedParallelTest, RunsEveryTaskOnceWithAtMostKAtATime) {
  std::atomic<int> running{0}, peak{0};
  std::vector<int> calls(12, 0);
  std::mutex mu;
  RunBounded(calls.size(), 3, [&](std::size_t i) {
    int now = ++running;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    {
      std::lock_guard<std::mutex> lock(mu);
      ++calls[i];
    }
    --running;
  });
  EXPECT_EQ(calls, std::vector<int>(12, 1));
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 2);  // it did run in parallel
}

TEST(BoundedParallelTest, ParallelismBelowOneRunsSequentiallyOnTheCaller) {
  std::vector<std::thread::id> ids;
  RunBounded(3, 0, [&](std::size_t) { ids.push_back(std::this_thread::get_id()); });
  ASSERT_EQ(ids.size(), 3u);
  for (auto id : ids) EXPECT_EQ(id, std::this_thread::get_id());
  RunBounded(0, 4, [&](std::size_t) { FAIL() << "no task expected"; });
}

}  // namespace
}  // namespace datamcp::process
