#include "log/tlog_proof.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"

namespace tz::log {
namespace {

// The example from c2sp.org/tlog-proof (signatures shortened there; the
// checkpoint is opaque to this codec).
const char kSpecExample[] =
    "c2sp.org/tlog-proof@v1\n"
    "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6\n"
    "index 73894\n"
    "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
    "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
    "EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n"
    "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n"
    "AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n"
    "\n"
    "example.com/fancylog\n"
    "109482\n"
    "sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n"
    "\n"
    "\xE2\x80\x94 example.com/fancylog hI2DJw1roloI=\n";

TEST(TlogProofTest, ParsesSpecExampleAndRoundTrips) {
  auto p = TlogProof::Parse(kSpecExample);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->index, 73894u);
  EXPECT_EQ(p->inclusion.size(), 5u);
  ASSERT_TRUE(p->extra.has_value());
  EXPECT_EQ(AsString(*p->extra), "age-v1.2.1-darwin-arm64.tar.gz");
  EXPECT_TRUE(p->checkpoint.starts_with("example.com/fancylog\n109482\n"));
  EXPECT_EQ(p->Format(), kSpecExample);
}

TEST(TlogProofTest, NoExtraNoHashes) {
  TlogProof p;
  p.index = 0;
  p.checkpoint = "origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xE2\x80\x94 o x\n";
  auto q = TlogProof::Parse(p.Format());
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_FALSE(q->extra.has_value());
  EXPECT_TRUE(q->inclusion.empty());
  EXPECT_EQ(q->Format(), p.Format());
}

TEST(TlogProofTest, RejectsMalformed) {
  std::string good = kSpecExample;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  std::vector<std::string> bad = {
      "",
      replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"),
      replace("index 73894", "index 073894"),
      replace("index 73894", "index -1"),
      replace("index 73894", "index 1x"),
      replace("index 73894", "index 99999999999999999999"),
      replace("index 73894", "idx 73894"),
      replace("gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=", "gSKyXoYZ"),  // short hash
      replace("gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=",
              "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlR="),  // non-canonical
      replace("extra YWdl", "extra !!!"),
      replace("\n\nexample.com", "\nexample.com"),  // no empty line
      good.substr(0, good.size() - 1),              // checkpoint without final newline
      replace("index 73894\n", "index 73894\r\n"),
      good.substr(0, good.find("example.com/fancylog")),  // no checkpoint at all
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    auto r = TlogProof::Parse(bad[i]);
    EXPECT_FALSE(r.ok()) << "case " << i;
    if (!r.ok()) {
      EXPECT_EQ(r.status().reason(), "tlog_proof.malformed") << "case " << i;
    }
  }
}

TEST(TlogProofTest, RejectsTooManyHashes) {
  TlogProof p;
  p.inclusion.resize(kMaxInclusionProofLength + 1);
  p.checkpoint = "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xE2\x80\x94 o x\n";
  EXPECT_FALSE(TlogProof::Parse(p.Format()).ok());
  p.inclusion.resize(kMaxInclusionProofLength);
  EXPECT_TRUE(TlogProof::Parse(p.Format()).ok());
}

}  // namespace
}  // namespace tz::log
