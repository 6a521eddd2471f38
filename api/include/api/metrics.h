// Prometheus text-format (0.0.4) metrics of the HTTP server. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "crypto/thread_annotations.h"

namespace tz::api {

class Metrics {
 public:
  void ConnectionOpened() {
    ++connections_open_;
    ++connections_total_;
  }
  void ConnectionClosed() { --connections_open_; }
  void ConnectionRejected() { ++connections_rejected_; }
  void Timeout() { ++timeouts_; }
  // One answered request: route pattern (or "unmatched"), status, latency.
  void Record(const std::string& method, const std::string& route, int status, uint64_t micros)
      TZ_EXCLUDES(mu_);
  void AddBodyBytes(uint64_t n) { body_bytes_ += n; }

  // Extra gauges appended by the owner (ledger height, size ...).
  using Extra = std::function<void(std::string* out)>;
  std::string Render(const Extra& extra = nullptr) const TZ_EXCLUDES(mu_);

 private:
  static constexpr std::array<uint64_t, 12> kBucketsMicros = {
      100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 250000, 1000000, 10000000};
  struct Series {
    uint64_t count = 0;
    uint64_t sum_micros = 0;
    std::array<uint64_t, kBucketsMicros.size()> buckets{};
  };
  mutable tz::Mutex mu_;
  std::map<std::string, uint64_t> requests_ TZ_GUARDED_BY(mu_);  // labels -> count
  std::map<std::string, Series> latency_ TZ_GUARDED_BY(mu_);     // route labels -> histogram
  std::atomic<int64_t> connections_open_{0};
  std::atomic<uint64_t> connections_total_{0}, connections_rejected_{0}, timeouts_{0},
      body_bytes_{0};
};

}  // namespace tz::api
