// A minimal parallel loop for signature verification.
#pragma once

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace tz::ledger {

// Calls fn(i) for i in [0, n) on `threads` threads (the caller's included).
template <typename F>
void ParallelFor(size_t n, int threads, const F& fn) {
  constexpr size_t kChunk = 32;
  if (threads <= 1 || n < 2 * kChunk) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (;;) {
      size_t begin = next.fetch_add(kChunk);
      if (begin >= n) return;
      size_t end = std::min(n, begin + kChunk);
      for (size_t i = begin; i < end; ++i) fn(i);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

}  // namespace tz::ledger
