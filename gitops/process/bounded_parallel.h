#pragma once

#include <cstddef>
#include <functional>

namespace datamcp::process {

// Calls task(i) for every i in [0, count), with at most `max_parallel` calls running at once
// (values below 1 count as 1), and returns when all have returned. Tasks are started in
// index order. `task` must not throw; it usually writes its outcome into slot i of a vector
// the caller sized beforehand. With max_parallel 1 (or count 1) everything runs on the
// calling thread.
void RunBounded(std::size_t count, int max_parallel, const std::function<void(std::size_t)>& task);

}  // namespace datamcp::process
