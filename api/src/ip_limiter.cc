#include "api/ip_limiter.h"

#include <algorithm>
#include <cstring>

namespace tz::api {

std::string IpLimiter::ClientKey(const uint8_t* v4, const uint8_t* v6) const {
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (v6 != nullptr && std::memcmp(v6, kMapped, 12) == 0) v4 = v6 + 12;
  if (v4 != nullptr) {
    if (v4[0] == 127 && !options_.limit_loopback) return "";
    return std::string("4") + std::string(reinterpret_cast<const char*>(v4), 4);
  }
  if (v6 == nullptr) return "";
  static const uint8_t kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (std::memcmp(v6, kLoopback6, 16) == 0 && !options_.limit_loopback) return "";
  return std::string("6") + std::string(reinterpret_cast<const char*>(v6), 8);  // the /64
}

double IpLimiter::Refilled(const Bucket& b, int64_t now_ms) const {
  return std::min(options_.burst, b.tokens + static_cast<double>(now_ms - b.last_ms) *
                                                 options_.rate_per_second / 1000.0);
}

bool IpLimiter::Allow(const std::string& client, int64_t now_ms) {
  if (client.empty() || options_.rate_per_second <= 0) return true;
  tz::MutexLock lock(mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_clients) {
      std::erase_if(buckets_,
                    [&](const auto& kv) { return Refilled(kv.second, now_ms) >= options_.burst; });
      if (buckets_.size() >= options_.max_clients) return false;
    }
    it = buckets_.emplace(client, Bucket{options_.burst, now_ms}).first;
  }
  Bucket& b = it->second;
  b.tokens = Refilled(b, now_ms);
  b.last_ms = now_ms;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

size_t IpLimiter::clients() const {
  tz::MutexLock lock(mu_);
  return buckets_.size();
}

}  // namespace tz::api
