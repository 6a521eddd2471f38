#include "crypto/encoding.h"

#include <gtest/gtest.h>

#include "crypto/bytes.h"
#include "crypto/random.h"

namespace tz {
namespace {

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(Hex, RoundTrip) {
  for (size_t n : {0, 1, 2, 31, 32, 33, 1000}) {
    Bytes b = RandomBytes(n);
    std::string h = HexEncode(b);
    ASSERT_EQ(h.size(), 2 * n);
    auto d = HexDecode(h);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(*d, b);
  }
  EXPECT_EQ(HexEncode(B(std::string_view("\x00\x01\xab\xff", 4))), "0001abff");
}

TEST(Hex, RejectsUppercaseOddAndJunk) {
  EXPECT_EQ(HexDecode("ABCD").status().reason(), "hex.bad_char");
  EXPECT_EQ(HexDecode("abC0").status().reason(), "hex.bad_char");
  EXPECT_EQ(HexDecode("abc").status().reason(), "hex.odd_length");
  EXPECT_EQ(HexDecode("a").status().reason(), "hex.odd_length");
  EXPECT_EQ(HexDecode("0g").status().reason(), "hex.bad_char");
  EXPECT_EQ(HexDecode(" 00").status().reason(), "hex.odd_length");
  EXPECT_EQ(HexDecode("00 ").status().reason(), "hex.odd_length");
  EXPECT_EQ(HexDecode("0x").status().reason(), "hex.bad_char");
  EXPECT_EQ(HexDecode(std::string_view("0\0", 2)).status().reason(), "hex.bad_char");
  EXPECT_EQ(HexDecode("00").status().code(), Code::kOk);
  EXPECT_EQ(HexDecode("ab").status().code(), Code::kOk);
  EXPECT_EQ(HexDecode("AB").status().code(), Code::kInvalidArgument);
}

// RFC 4648 section 10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, enc] : kVectors) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), enc);
    auto d = Base64Decode(enc);
    ASSERT_TRUE(d.ok()) << enc << ": " << d.status().ToString();
    EXPECT_EQ(*d, B(plain));
  }
}

TEST(Base64, RoundTripRandom) {
  for (size_t n = 0; n < 70; ++n) {
    Bytes b = RandomBytes(n);
    auto d = Base64Decode(Base64Encode(b));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, b);
  }
}

TEST(Base64, RejectsNonCanonical) {
  const char* kBad[] = {
      "YQ=",         // missing one '='
      "YR==",        // unused bits set ("a" is YQ==)
      "YQ",          // no padding
      "YQ===",       // extra padding
      "Y===",        // too much padding
      "====",        // padding only
      "=YQ=",        // padding at the start
      "Y=Q=",        // padding in the middle
      "Zm9=",        // unused bits set ("fo" is Zm8=)
      " YQ==",       // whitespace
      "YQ==\n",      // trailing newline
      "Zm9v\nYmFy",  // line break
      "Zm9v YmFy",   // space
      "-_8=",        // URL-safe alphabet
      "a-b_",        // URL-safe alphabet
      "YQ==YQ==",    // padding then more data
      "Zm9vYg==\r", "Zm\x00v",
  };
  for (const char* s : kBad) {
    auto d = Base64Decode(s);
    EXPECT_FALSE(d.ok()) << "accepted: " << s;
    EXPECT_EQ(d.status().reason(), "base64.non_canonical") << s;
    EXPECT_EQ(d.status().code(), Code::kInvalidArgument);
  }
  EXPECT_FALSE(Base64Decode(std::string_view("Zm\0v", 4)).ok());
}

TEST(Bytes, ConstantTimeEqual) {
  EXPECT_TRUE(ConstantTimeEqual(AsBytes("abc"), AsBytes("abc")));
  EXPECT_FALSE(ConstantTimeEqual(AsBytes("abc"), AsBytes("abd")));
  EXPECT_FALSE(ConstantTimeEqual(AsBytes("abc"), AsBytes("ab")));
  EXPECT_TRUE(ConstantTimeEqual(AsBytes(""), AsBytes("")));
}

TEST(Bytes, SecureWipe) {
  uint8_t buf[16];
  for (auto& b : buf) b = 0xaa;
  SecureWipe(buf, sizeof buf);
  for (auto b : buf) EXPECT_EQ(b, 0);
  SecureWipe(nullptr, 0);  // no-op
}

TEST(Random, DiffersAndFills) {
  Bytes a = RandomBytes(32), b = RandomBytes(32);
  EXPECT_NE(a, b);
  EXPECT_EQ(RandomBytes(0).size(), 0u);
}

}  // namespace
}  // namespace tz
