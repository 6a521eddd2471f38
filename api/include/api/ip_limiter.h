// Per-client-address token buckets for unsigned (public) requests, so one
// client cannot starve the others on the public endpoints (verification by
// digest, proofs, checkpoints, the portal). Signed requests have per-key
// buckets instead (auth.h).
//
// The client is the peer address of the TCP connection: an IPv4 address,
// or the /64 prefix of an IPv6 address (one subscriber usually owns a /64).
// Loopback peers are exempt unless `limit_loopback`: a node bound to
// 127.0.0.1 (the default) is reached through a local reverse proxy, where
// every client would share one loopback bucket; limit at the proxy then.
//
// Memory is bounded: at most `max_clients` buckets; when full, buckets that
// have refilled completely (idle clients) are dropped, and if none has, the
// new client is refused too ("http.rate_limited") until some refill.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "crypto/thread_annotations.h"

namespace tz::api {

struct IpLimitOptions {
  double rate_per_second = 200;  // 0: no limit
  double burst = 400;
  bool limit_loopback = false;
  size_t max_clients = 65536;
};

class IpLimiter {
 public:
  explicit IpLimiter(IpLimitOptions options) : options_(options) {}

  // The bucket key of a peer address ("" = exempt). `v4` is 4 bytes or
  // nullptr; `v6` 16 bytes or nullptr (IPv4-mapped IPv6 counts as IPv4).
  std::string ClientKey(const uint8_t* v4, const uint8_t* v6) const;
  // Takes one token from the client's bucket; false when empty. now_ms is
  // any monotonic millisecond clock.
  bool Allow(const std::string& client, int64_t now_ms) TZ_EXCLUDES(mu_);

  size_t clients() const TZ_EXCLUDES(mu_);

 private:
  struct Bucket {
    double tokens;
    int64_t last_ms;
  };
  double Refilled(const Bucket& b, int64_t now_ms) const;

  IpLimitOptions options_;
  mutable tz::Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ TZ_GUARDED_BY(mu_);
};

}  // namespace tz::api
