#include "api/ip_limiter.h"

#include <gtest/gtest.h>

namespace tz::api {
namespace {

const uint8_t kA[4] = {192, 0, 2, 1}, kB[4] = {192, 0, 2, 2}, kLo[4] = {127, 0, 0, 1};

TEST(IpLimiterTest, BurstThenRatePerClient) {
  IpLimiter l({.rate_per_second = 10, .burst = 5});
  std::string a = l.ClientKey(kA, nullptr), b = l.ClientKey(kB, nullptr);
  ASSERT_NE(a, b);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(l.Allow(a, 1000)) << i;
  EXPECT_FALSE(l.Allow(a, 1000));
  EXPECT_TRUE(l.Allow(b, 1000));   // another client is not affected
  EXPECT_FALSE(l.Allow(a, 1050));  // half a token
  EXPECT_TRUE(l.Allow(a, 1100));   // one token per 100 ms
  EXPECT_FALSE(l.Allow(a, 1100));
  EXPECT_TRUE(l.Allow(a, 10000));  // refilled (to the burst, not beyond)
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(l.Allow(a, 10000));
  EXPECT_FALSE(l.Allow(a, 10000));
}

TEST(IpLimiterTest, LoopbackExemptUnlessAsked) {
  IpLimiter off({.rate_per_second = 1, .burst = 1});
  EXPECT_EQ(off.ClientKey(kLo, nullptr), "");
  uint8_t lo6[16] = {};
  lo6[15] = 1;
  EXPECT_EQ(off.ClientKey(nullptr, lo6), "");
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(off.Allow(off.ClientKey(kLo, nullptr), 0));
  IpLimiter on({.rate_per_second = 1, .burst = 1, .limit_loopback = true});
  std::string lo = on.ClientKey(kLo, nullptr);
  EXPECT_NE(lo, "");
  EXPECT_TRUE(on.Allow(lo, 0));
  EXPECT_FALSE(on.Allow(lo, 0));
  IpLimiter none({.rate_per_second = 0, .burst = 1, .limit_loopback = true});
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(none.Allow(none.ClientKey(kA, nullptr), 0));
}

TEST(IpLimiterTest, Ipv6SharesA64AndMappedV4IsV4) {
  IpLimiter l({.rate_per_second = 1, .burst = 1});
  uint8_t x[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  uint8_t y[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0xff, 0xee, 0, 0, 0, 0, 0, 2};
  uint8_t z[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(l.ClientKey(nullptr, x), l.ClientKey(nullptr, y));
  EXPECT_NE(l.ClientKey(nullptr, x), l.ClientKey(nullptr, z));
  uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
  EXPECT_EQ(l.ClientKey(nullptr, mapped), l.ClientKey(kA, nullptr));
}

TEST(IpLimiterTest, BoundedMemory) {
  IpLimiter l({.rate_per_second = 1, .burst = 2, .max_clients = 3});
  uint8_t ip[4] = {10, 0, 0, 0};
  for (uint8_t i = 1; i <= 3; ++i) {
    ip[3] = i;
    EXPECT_TRUE(l.Allow(l.ClientKey(ip, nullptr), 0));
  }
  ip[3] = 4;
  EXPECT_FALSE(l.Allow(l.ClientKey(ip, nullptr), 0));  // full, nobody idle
  EXPECT_EQ(l.clients(), 3u);
  EXPECT_TRUE(l.Allow(l.ClientKey(ip, nullptr), 5000));  // the others refilled: dropped
  EXPECT_LE(l.clients(), 3u);
}

}  // namespace
}  // namespace tz::api
