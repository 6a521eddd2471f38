#include "crypto/set_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace tz {
namespace {

ByteSpan B(const std::string& s) { return AsBytes(s); }

TEST(SetHashTest, OrderIndependentAndSensitiveToEveryElement) {
  SetHash::Key key = SetHash::RandomKey();
  SetHash a(key), b(key);
  a.Add({B("k1"), B("v1")});
  a.Add({B("k2"), B("v2")});
  b.Add({B("k2"), B("v2")});
  b.Add({B("k1"), B("v1")});
  EXPECT_TRUE(a == b);
  EXPECT_EQ(a.count(), 2u);

  SetHash c(key);  // one value changed
  c.Add({B("k1"), B("v1")});
  c.Add({B("k2"), B("v3")});
  EXPECT_FALSE(a == c);

  SetHash d(key);  // one element missing
  d.Add({B("k1"), B("v1")});
  EXPECT_FALSE(a == d);

  SetHash e(key);  // a multiset: a duplicate counts
  e.Add({B("k1"), B("v1")});
  e.Add({B("k2"), B("v2")});
  e.Add({B("k2"), B("v2")});
  EXPECT_FALSE(a == e);
}

TEST(SetHashTest, PartBoundariesAreBound) {
  SetHash::Key key = SetHash::RandomKey();
  SetHash a(key), b(key);
  a.Add({B("ab"), B("c")});
  b.Add({B("a"), B("bc")});
  EXPECT_FALSE(a == b);
}

TEST(SetHashTest, KeyedDifferentKeysDiffer) {
  SetHash a(SetHash::RandomKey()), b(SetHash::RandomKey());
  a.Add({B("x")});
  b.Add({B("x")});
  EXPECT_FALSE(a == b);  // fails with probability 2^-128
}

}  // namespace
}  // namespace tz
