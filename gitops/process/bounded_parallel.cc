#include "gitops/process/bounded_parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace datamcp::process {

void RunBounded(std::size_t count, int max_parallel, const std::function<void(std::size_t)>& task) {
  std::size_t workers =
      std::min<std::size_t>(count, static_cast<std::size_t>(std::max(1, max_parallel)));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) task(i);
  };
  if (workers <= 1) {
    worker();
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
}

}  // namespace datamcp::process
