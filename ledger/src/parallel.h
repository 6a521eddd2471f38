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

// Splits [0, n) into `threads` contiguous ranges of near-equal size and
// calls fn(begin, end) for each on its own thread (the caller's included).
template <typename F>
void ParallelRanges(size_t n, int threads, const F& fn) {
  size_t parts = std::max<size_t>(1, std::min<size_t>(n, threads < 1 ? 1 : threads));
  size_t per = n / parts, extra = n % parts;
  std::vector<std::thread> pool;
  size_t begin = 0;
  size_t first_end = 0;
  for (size_t t = 0; t < parts; ++t) {
    size_t end = begin + per + (t < extra ? 1 : 0);
    if (t == 0) {
      first_end = end;
    } else {
      pool.emplace_back([&fn, begin, end] { fn(begin, end); });
    }
    begin = end;
  }
  if (n > 0) fn(0, first_end);
  for (auto& th : pool) th.join();
}

}  // namespace tz::ledger
