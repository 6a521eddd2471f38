#include "crypto/hash.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tz {
namespace {

std::string Hex(const Digest& d) { return ToHex(d); }

// FIPS 180-2 / NIST CSRC examples.
TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Hasher h;
  std::string a(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.Update(a);  // one million 'a'
  EXPECT_EQ(Hex(h.Finish()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// GB/T 32905-2016 appendix A.
TEST(Sm3, KnownAnswers) {
  EXPECT_EQ(Hex(Sm3(AsBytes("abc"))),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  std::string m;
  for (int i = 0; i < 16; ++i) m += "abcd";
  EXPECT_EQ(Hex(Sm3(AsBytes(m))),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

TEST(Hasher, StreamingEqualsOneShotForRandomSplits) {
  std::mt19937 rng(42);
  for (HashAlgorithm alg : {HashAlgorithm::kSha256, HashAlgorithm::kSm3}) {
    Hasher h(alg);
    for (int round = 0; round < 50; ++round) {
      Bytes data = RandomBytes(rng() % 5000);
      size_t pos = 0;
      while (pos < data.size()) {
        size_t n = std::min<size_t>(rng() % 300, data.size() - pos);
        h.Update(ByteSpan(data.data() + pos, n));
        pos += n;
      }
      EXPECT_EQ(h.Finish(), Hash(alg, data));  // Finish resets for the next round
    }
  }
}

TEST(Hasher, ResetMoveAndAlgorithm) {
  Hasher h(HashAlgorithm::kSm3);
  EXPECT_EQ(h.algorithm(), HashAlgorithm::kSm3);
  h.Update("garbage");
  h.Reset();
  h.Update("abc");
  Hasher moved = std::move(h);
  EXPECT_EQ(Hex(moved.Finish()),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

TEST(Hash, PartsEqualsConcatenation) {
  const uint8_t zero = 0;
  EXPECT_EQ(HashParts(HashAlgorithm::kSha256, {ByteSpan(&zero, 1), AsBytes("abc")}),
            Sha256(std::string_view("\0abc", 4)));
  EXPECT_EQ(HashParts(HashAlgorithm::kSm3, {AsBytes("a"), AsBytes(""), AsBytes("bc")}),
            Sm3(AsBytes("abc")));
  // Interleaving algorithms on one thread does not mix state.
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, HexParsing) {
  Digest d = Sha256("abc");
  auto back = DigestFromHex(ToHex(d));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, d);
  std::string upper = ToHex(d);
  upper[0] = 'B';
  EXPECT_EQ(DigestFromHex(upper).status().reason(), "digest.bad_format");
  EXPECT_EQ(DigestFromHex(ToHex(d).substr(2)).status().reason(), "digest.bad_format");
  EXPECT_EQ(DigestFromHex(ToHex(d) + "00").status().reason(), "digest.bad_format");
  EXPECT_EQ(DigestFromHex("").status().reason(), "digest.bad_format");
}

TEST(HashNames, ParseAndPrint) {
  EXPECT_EQ(HashName(HashAlgorithm::kSha256), "sha256");
  EXPECT_EQ(HashName(HashAlgorithm::kSm3), "sm3");
  EXPECT_EQ(*ParseHashName("sm3"), HashAlgorithm::kSm3);
  EXPECT_EQ(*ParseHashName("sha256"), HashAlgorithm::kSha256);
  EXPECT_EQ(ParseHashName("SHA256").status().reason(), "hash.unknown_algorithm");
  EXPECT_EQ(ParseHashName("md5").status().reason(), "hash.unknown_algorithm");
}

TEST(HashFile, MatchesInMemoryAcrossChunkBoundaries) {
  char tmpl[] = "/tmp/tz_hash_test_XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  Bytes data = RandomBytes((1 << 20) * 2 + 12345);  // spans three 1 MiB reads
  ASSERT_EQ(write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  close(fd);
  for (HashAlgorithm alg : {HashAlgorithm::kSha256, HashAlgorithm::kSm3}) {
    auto d = HashFile(alg, tmpl);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(*d, Hash(alg, data));
  }
  unlink(tmpl);
}

TEST(HashFile, MissingFileAndDirectory) {
  auto r = HashFile(HashAlgorithm::kSha256, "/nonexistent/definitely/not/here");
  EXPECT_EQ(r.status().reason(), "file.open");
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  auto dir = HashFile(HashAlgorithm::kSha256, "/tmp");
  EXPECT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().reason(), "file.read");  // open(2) works on a directory; read fails
}

}  // namespace
}  // namespace tz
