// ParallelFor: runs independent work items on several threads (the caller's among them).
#ifndef STATELOG_BASE_PARALLEL_H_
#define STATELOG_BASE_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace statelog {

// Returns `requested`, or one per core when it is 0. (The core count is read once per process:
// reading it costs a file open and read.)
inline unsigned ThreadsOrCores(unsigned requested) {
  if (requested != 0) return requested;
  static const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return cores;
}

// Calls body(i) once for every i in [0, n), on up to `threads` threads (0: one per core), in
// chunks of `grain` consecutive items handed out in order. Runs on the calling thread alone when
// n <= grain or threads == 1. Returns when every call has returned. `body` must be safe to call
// concurrently for different i.
template <class Body>
void ParallelFor(size_t n, unsigned threads, size_t grain, const Body& body) {
  grain = std::max<size_t>(grain, 1);
  const size_t chunks = (n + grain - 1) / grain;
  if (chunks <= 1) {
    for (size_t i = 0; i < n; ++i) body(i);
    return;
  }
  const size_t helpers = std::min<size_t>(ThreadsOrCores(threads), chunks) - (chunks > 0 ? 1 : 0);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (;;) {
      const size_t begin = next.fetch_add(grain, std::memory_order_relaxed);
      if (begin >= n) return;
      const size_t end = std::min(n, begin + grain);
      for (size_t i = begin; i < end; ++i) body(i);
    }
  };
  std::vector<std::thread> workers;
  workers.reserve(helpers);
  for (size_t t = 0; t < helpers; ++t) workers.emplace_back(work);
  work();
  for (std::thread& w : workers) w.join();
}

}  // namespace statelog

#endif  // STATELOG_BASE_PARALLEL_H_
