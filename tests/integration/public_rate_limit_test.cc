// Per-address limit of unsigned (public) requests over HTTP: one client
// cannot starve the others; signed requests use their per-key buckets.
#include <gtest/gtest.h>

#include "integration/node_fixture.h"

namespace tz::testing {
namespace {

TEST(PublicRateLimitTest, UnsignedRequestsAreLimitedPerAddress) {
  NodeProcess n({"--public-rate", "5", "--public-burst", "10", "--public-rate-loopback"});
  ASSERT_GT(n.port, 0) << n.init_output << n.start_output;
  auto c = n.Client();
  int ok = 0, limited = 0;
  for (int i = 0; i < 30; ++i) {
    auto r = c.Get(i % 2 ? "/v1/health" : "/v1/checkpoints/latest");
    ASSERT_TRUE(r);
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      EXPECT_EQ(ErrorCode(r->body), "http.rate_limited");
      EXPECT_EQ(r->get_header_value("Retry-After"), "1");
    }
  }
  EXPECT_GE(ok, 10);  // the burst
  EXPECT_LE(ok, 13);  // plus what refilled at 5/s during the loop
  EXPECT_EQ(ok + limited, 30);
  // A limited client keeps its connection and is not cut off.
  auto again = c.Get("/v1/health");
  ASSERT_TRUE(again);
  // Signed requests are not charged to the address bucket.
  std::string body = "{\"sha256\":\"" + ToHex(Sha256("rate-limit-probe")) + "\",\"size\":16}";
  auto r = c.Post("/v1/uploads", NodeProcess::Signed(n.builder, "POST", "/v1/uploads", body), body,
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  // The bucket refills.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  r = c.Get("/v1/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(PublicRateLimitTest, OpenApiDocumentsTheLimits) {
  NodeProcess n;
  ASSERT_GT(n.port, 0) << n.init_output << n.start_output;
  auto r = n.Client().Get("/v1/openapi.json");
  ASSERT_TRUE(r);
  auto doc = ParseJson(r->body);
  ASSERT_TRUE(doc.ok());
  const Json* paths = doc->find("paths");
  const Json* pub = paths->find("/v1/documents/{sha256}")->find("get");
  EXPECT_EQ(pub->find("x-rate-limit")->as_string(), "per-address");
  EXPECT_NE(
      pub->find("responses")->find("429")->find("description")->as_string().find("--public-rate"),
      std::string::npos);
  const Json* sig = paths->find("/v1/households/{sha256}")->find("get");
  EXPECT_EQ(sig->find("x-rate-limit")->as_string(), "per-key");
  ASSERT_NE(sig->find("responses")->find("429"), nullptr);
}

TEST(PublicRateLimitTest, LoopbackIsExemptByDefault) {
  NodeProcess n({"--public-rate", "5", "--public-burst", "10"});
  ASSERT_GT(n.port, 0) << n.init_output << n.start_output;
  auto c = n.Client();
  for (int i = 0; i < 60; ++i) {
    auto r = c.Get("/v1/health");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << i;
  }
}

}  // namespace
}  // namespace tz::testing
