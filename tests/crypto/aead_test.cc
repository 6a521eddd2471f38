#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tz {
namespace {

Bytes H(std::string_view hex) {
  auto b = HexDecode(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : Bytes{};
}

// RFC 8998 appendix A.1 (SM4-GCM), lowercased.
TEST(Sm4Gcm, Rfc8998KnownAnswer) {
  Bytes key = H("0123456789abcdeffedcba9876543210");
  Bytes iv = H("00001234567800000000abcd");
  Bytes aad = H("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  Bytes pt =
      H("aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"
        "eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa");
  const std::string ct =
      "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"
      "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d";
  const std::string tag = "83de3541e4c2b58177e065a9bf7b62ec";
  auto sealed = Sm4GcmSeal(key, iv, aad, pt);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(HexEncode(*sealed), ct + tag);
  auto opened = Sm4GcmOpen(key, iv, aad, *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, pt);
  Bytes bad = *sealed;
  bad[5] ^= 1;
  EXPECT_EQ(Sm4GcmOpen(key, iv, aad, bad).status().reason(), "aead.auth_failed");
  EXPECT_EQ(Sm4GcmOpen(key, iv, Bytes{}, *sealed).status().reason(), "aead.auth_failed");
  EXPECT_EQ(Sm4GcmSeal(Bytes(32, 0), iv, aad, pt).status().reason(), "aead.bad_length");
  EXPECT_EQ(Sm4GcmOpen(key, Bytes(11, 0), aad, *sealed).status().reason(), "aead.bad_length");
  EXPECT_EQ(Sm4GcmOpen(key, iv, aad, Bytes(15, 0)).status().reason(), "aead.bad_length");
}

TEST(Sm4Gcm, PartialBlocksAndEmpty) {
  Bytes key = RandomBytes(16), iv = RandomBytes(12);
  for (size_t n : {0, 1, 15, 16, 17, 31, 33, 1000}) {
    Bytes pt = RandomBytes(n);
    auto sealed = Sm4GcmSeal(key, iv, {}, pt);
    ASSERT_TRUE(sealed.ok());
    ASSERT_EQ(sealed->size(), n + 16);
    auto opened = Sm4GcmOpen(key, iv, {}, *sealed);
    ASSERT_TRUE(opened.ok()) << n;
    EXPECT_EQ(*opened, pt);
  }
}

struct Stream {
  Bytes header;
  std::vector<Bytes> chunks;
};

Stream Encrypt(AeadAlgorithm alg, const SymmetricKey& key, ByteSpan data, size_t chunk) {
  StreamEncryptor enc(alg, key);
  Stream s{enc.header(), {}};
  size_t pos = 0;
  do {
    size_t n = std::min(chunk, data.size() - pos);
    bool last = pos + n == data.size();
    s.chunks.push_back(enc.Push(data.subspan(pos, n), last));
    EXPECT_EQ(s.chunks.back().size(), n + AeadChunkOverhead(alg));
    pos += n;
  } while (pos < data.size());
  return s;
}

// Decrypts all chunks; returns the first error, or the plaintext if the
// stream verified and ended with its final chunk.
Result<Bytes> Decrypt(AeadAlgorithm alg, const SymmetricKey& key, const Stream& s) {
  TZ_ASSIGN_OR_RETURN(auto dec, StreamDecryptor::Create(alg, key, s.header));
  Bytes out;
  for (const Bytes& c : s.chunks) {
    bool last = false;
    TZ_ASSIGN_OR_RETURN(Bytes p, dec->Pull(c, &last));
    out.insert(out.end(), p.begin(), p.end());
    EXPECT_EQ(last, dec->finished());
  }
  TZ_RETURN_IF_ERROR(dec->Finish());
  return out;
}

class AeadTest : public ::testing::TestWithParam<AeadAlgorithm> {};

TEST_P(AeadTest, RoundTripMultiChunk) {
  const AeadAlgorithm alg = GetParam();
  SymmetricKey key = SymmetricKey::Generate();
  for (size_t n : {size_t{0}, size_t{1}, kAeadChunkSize - 1, kAeadChunkSize, kAeadChunkSize + 1,
                   3 * kAeadChunkSize + 12345}) {
    Bytes data = RandomBytes(n);
    Stream s = Encrypt(alg, key, data, kAeadChunkSize);
    EXPECT_EQ(s.header.size(), AeadHeaderSize(alg));
    EXPECT_EQ(s.chunks.size(), n == 0 ? 1 : (n + kAeadChunkSize - 1) / kAeadChunkSize);
    auto back = Decrypt(alg, key, s);
    ASSERT_TRUE(back.ok()) << n << ": " << back.status().ToString();
    EXPECT_EQ(*back, data);
  }
}

TEST_P(AeadTest, TamperingDetected) {
  const AeadAlgorithm alg = GetParam();
  SymmetricKey key = SymmetricKey::Generate();
  Bytes data = RandomBytes(4 * 1000 + 7);
  const Stream good = Encrypt(alg, key, data, 1000);  // 5 chunks
  ASSERT_EQ(good.chunks.size(), 5u);
  ASSERT_TRUE(Decrypt(alg, key, good).ok());

  // Missing final chunk: each chunk verifies but the stream is incomplete.
  Stream cut = good;
  cut.chunks.pop_back();
  EXPECT_EQ(Decrypt(alg, key, cut).status().reason(), "aead.truncated");
  EXPECT_EQ(Decrypt(alg, key, cut).status().code(), Code::kCorruption);

  // A dropped middle chunk.
  Stream dropped = good;
  dropped.chunks.erase(dropped.chunks.begin() + 2);
  EXPECT_EQ(Decrypt(alg, key, dropped).status().reason(), "aead.auth_failed");

  // Reordered chunks.
  Stream swapped = good;
  std::swap(swapped.chunks[1], swapped.chunks[2]);
  EXPECT_EQ(Decrypt(alg, key, swapped).status().reason(), "aead.auth_failed");

  // A bit flip anywhere in a chunk, in the header, or a truncated chunk.
  for (size_t i : {size_t{0}, size_t{500}, good.chunks[1].size() - 1}) {
    Stream flipped = good;
    flipped.chunks[1][i] ^= 0x80;
    EXPECT_EQ(Decrypt(alg, key, flipped).status().reason(), "aead.auth_failed") << i;
  }
  Stream bad_header = good;
  bad_header.header[0] ^= 1;
  EXPECT_EQ(Decrypt(alg, key, bad_header).status().reason(), "aead.auth_failed");
  Stream short_chunk = good;
  short_chunk.chunks[4].resize(short_chunk.chunks[4].size() - 1);
  EXPECT_EQ(Decrypt(alg, key, short_chunk).status().reason(), "aead.auth_failed");
  Stream tiny_chunk = good;
  tiny_chunk.chunks[4].resize(3);
  EXPECT_EQ(Decrypt(alg, key, tiny_chunk).status().reason(), "aead.truncated");

  // Data after the final chunk.
  Stream extra = good;
  extra.chunks.push_back(good.chunks[0]);
  EXPECT_EQ(Decrypt(alg, key, extra).status().reason(), "aead.after_final");

  // A final chunk moved from another stream under the same key.
  Stream other = Encrypt(alg, key, data, 1000);
  Stream spliced = good;
  spliced.chunks[4] = other.chunks[4];
  EXPECT_FALSE(Decrypt(alg, key, spliced).ok());

  // Wrong key.
  EXPECT_EQ(Decrypt(alg, SymmetricKey::Generate(), good).status().reason(), "aead.auth_failed");

  // Malformed header and oversized chunk.
  EXPECT_EQ(StreamDecryptor::Create(alg, key, Bytes(3, 0)).status().reason(), "aead.bad_header");
  auto dec = StreamDecryptor::Create(alg, key, good.header);
  ASSERT_TRUE(dec.ok());
  bool last = false;
  EXPECT_EQ((*dec)->Pull(Bytes(kAeadChunkSize + 100, 0), &last).status().reason(),
            "aead.chunk_too_large");
  // A failed Pull leaves the decryptor usable.
  EXPECT_TRUE((*dec)->Pull(good.chunks[0], &last).ok());
}

TEST_P(AeadTest, WrapUnwrap) {
  const AeadAlgorithm alg = GetParam();
  SymmetricKey kek = SymmetricKey::Generate(), dek = SymmetricKey::Generate();
  const std::string ctx = "household:350102-0001";
  Bytes wrapped = WrapKey(alg, kek, dek, AsBytes(ctx));
  EXPECT_EQ(wrapped.size(), WrappedKeySize(alg));
  auto back = UnwrapKey(alg, kek, wrapped, AsBytes(ctx));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(ConstantTimeEqual(back->bytes(), dek.bytes()));
  // Random nonces: wrapping twice differs.
  EXPECT_NE(WrapKey(alg, kek, dek, AsBytes(ctx)), wrapped);

  EXPECT_EQ(UnwrapKey(alg, SymmetricKey::Generate(), wrapped, AsBytes(ctx)).status().reason(),
            "aead.auth_failed");
  EXPECT_EQ(UnwrapKey(alg, kek, wrapped, AsBytes("household:350102-0002")).status().reason(),
            "aead.auth_failed");
  EXPECT_EQ(UnwrapKey(alg, kek, wrapped, {}).status().reason(), "aead.auth_failed");
  for (size_t i = 0; i < wrapped.size(); i += 7) {
    Bytes bad = wrapped;
    bad[i] ^= 0x01;
    EXPECT_EQ(UnwrapKey(alg, kek, bad, AsBytes(ctx)).status().reason(), "aead.auth_failed") << i;
  }
  Bytes shorter(wrapped.begin(), wrapped.end() - 1);
  EXPECT_EQ(UnwrapKey(alg, kek, shorter, AsBytes(ctx)).status().reason(), "aead.bad_length");
  EXPECT_EQ(UnwrapKey(alg, kek, {}, AsBytes(ctx)).status().reason(), "aead.bad_length");
}

INSTANTIATE_TEST_SUITE_P(
    Both, AeadTest, ::testing::Values(AeadAlgorithm::kXChaCha20Poly1305, AeadAlgorithm::kSm4Gcm),
    [](const auto& p) { return p.param == AeadAlgorithm::kSm4Gcm ? "sm4gcm" : "xchacha"; });

TEST(SymmetricKey, FromBytesAndMove) {
  EXPECT_EQ(SymmetricKey::FromBytes(Bytes(16, 1)).status().reason(), "key.bad_length");
  EXPECT_EQ(SymmetricKey::FromBytes(Bytes(33, 1)).status().reason(), "key.bad_length");
  auto k = SymmetricKey::FromBytes(Bytes(32, 7));
  ASSERT_TRUE(k.ok());
  SymmetricKey moved = std::move(k).value();
  EXPECT_EQ(Bytes(moved.bytes().begin(), moved.bytes().end()), Bytes(32, 7));
  EXPECT_NE(SymmetricKey::Generate().bytes()[0] + 0, -1);
  EXPECT_EQ(AeadName(AeadAlgorithm::kSm4Gcm), "sm4-gcm");
  EXPECT_EQ(AeadName(AeadAlgorithm::kXChaCha20Poly1305), "xchacha20poly1305");
}

}  // namespace
}  // namespace tz
