#include "crypto/ed25519_batch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/sign.h"

// Raw libsodium operations, defined in crypto/src/ed25519_batch.cc so that
// libsodium headers stay inside crypto/src (the same arrangement as
// bench/crypto_bench.cc's bench_baseline).
namespace tz::ed25519_batch_testing {
void Sha512(uint8_t out[64], const uint8_t* in, size_t n);
void ScalarReduce(uint8_t out[32], const uint8_t in[64]);
void ScalarMul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
void ScalarAdd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
bool BaseMulNoclamp(uint8_t out[32], const uint8_t scalar[32]);
bool PointAdd(uint8_t out[32], const uint8_t p[32], const uint8_t q[32]);
bool SodiumVerify(const uint8_t sig[64], const uint8_t* m, size_t n, const uint8_t pk[32]);
int ClassifyEncoding(const uint8_t s[32]);  // -1 rejected, 1 small order, 0 usable
}  // namespace tz::ed25519_batch_testing

namespace tz {
namespace {

namespace raw = ed25519_batch_testing;
using Point = std::array<uint8_t, 32>;
using Scalar = std::array<uint8_t, 32>;

constexpr SignatureAlgorithm kEd = SignatureAlgorithm::kEd25519;

Bytes H(std::string_view hex) {
  auto b = HexDecode(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : Bytes{};
}

PublicKey Pk(ByteSpan bytes) {
  auto pk = PublicKey::FromBytes(kEd, bytes);
  EXPECT_TRUE(pk.ok());
  return pk.ok() ? *pk : PublicKey{};
}

Signature Sig(ByteSpan r, ByteSpan s) {
  Bytes b(r.begin(), r.end());
  b.insert(b.end(), s.begin(), s.end());
  auto sig = SignatureFromBytes(b);
  EXPECT_TRUE(sig.ok());
  return sig.ok() ? *sig : Signature{};
}

bool Single(const PublicKey& pk, ByteSpan msg, const Signature& sig) {
  return Verify(pk, msg, sig).ok();
}

bool BatchOne(const PublicKey& pk, ByteSpan msg, const Signature& sig) {
  Ed25519BatchVerifier v;
  v.Add(pk, msg, sig);
  const bool all = v.VerifyAll();
  std::vector<bool> each = v.VerifyEach();
  EXPECT_EQ(each.size(), 1u);
  EXPECT_EQ(each[0], all);
  return all;
}

// ---- RFC 8032 section 7.1 ----

struct Rfc8032Vector {
  const char* name;
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

const Rfc8032Vector kVectors[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
     "b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1"
     "1d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984d"
     "c6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
     "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f"
     "77b1e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b27"
     "0b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1"
     "998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa6"
     "2100ab5d1a36553e06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96"
     "bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b"
     "74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17b"
     "a70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bd"
     "e1a9187ebb6092cf67bf2b13fd65f27088d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63b"
     "cbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d2"
     "38f5555a7a569d80c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d"
     "83d1255dc51addd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9"
     "af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb751fb73e666c6c655ade8297297d07ad1ba5e43f1bca3"
     "2301651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8ca61783a"
     "acec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b"
     "2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
     "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e488acba6b965610b5480109c8b17b"
     "80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504cc"
     "c493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346"
     "f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d9"
     "0d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380db2eaaa707b4c"
     "4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c"
     "15fc910840b94c00a0b9d0",
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436"
     "d94b5e8fcd4f681e30a6ac00a9704a188a03"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fe"
     "ebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431"
     "e0303dca179c138ac17ad9bef1177331a704"},
};

TEST(Ed25519Batch, Rfc8032Vectors) {
  std::vector<Bytes> msgs;
  std::vector<PublicKey> pks;
  std::vector<Signature> sigs;
  for (const auto& v : kVectors) {
    SCOPED_TRACE(v.name);
    msgs.push_back(H(v.message));
    pks.push_back(Pk(H(v.public_key)));
    auto sig = SignatureFromBytes(H(v.signature));
    ASSERT_TRUE(sig.ok());
    sigs.push_back(*sig);
    // The transcription is right: our signer reproduces key and signature.
    auto sk = SecretKey::FromBytes(kEd, H(v.secret));
    ASSERT_TRUE(sk.ok());
    EXPECT_EQ(HexEncode(DerivePublicKey(*sk)->bytes()), v.public_key);
    EXPECT_EQ(HexEncode(Sign(*sk, msgs.back())->span()), v.signature);
    EXPECT_TRUE(Single(pks.back(), msgs.back(), sigs.back()));
    EXPECT_TRUE(BatchOne(pks.back(), msgs.back(), sigs.back()));
  }
  EXPECT_EQ(msgs[3].size(), 1023u);
  Ed25519BatchVerifier batch;
  for (size_t i = 0; i < msgs.size(); ++i) batch.Add(pks[i], msgs[i], sigs[i]);
  EXPECT_EQ(batch.size(), 5u);
  EXPECT_TRUE(batch.VerifyAll());
  EXPECT_EQ(batch.VerifyEach(), std::vector<bool>(5, true));

  // Each vector's signature against the next vector's message: all fail.
  Ed25519BatchVerifier crossed;
  for (size_t i = 0; i < msgs.size(); ++i) crossed.Add(pks[i], msgs[(i + 1) % 5], sigs[i]);
  EXPECT_FALSE(crossed.VerifyAll());
  EXPECT_EQ(crossed.VerifyEach(), std::vector<bool>(5, false));
}

TEST(Ed25519Batch, EmptyBatch) {
  Ed25519BatchVerifier v;
  EXPECT_TRUE(v.empty());
  EXPECT_TRUE(v.VerifyAll());
  EXPECT_TRUE(v.VerifyEach().empty());
}

// ---- randomized differential test against libsodium ----

struct Signer {
  KeyPair kp;
  Signer() : kp(GenerateKeyPair(kEd)) {}
};

enum class Corruption { kMessageBit, kRBit, kSBit, kKeyBit, kSwapMessages, kOtherKey, kCount };

const char* CorruptionName(Corruption c) {
  switch (c) {
    case Corruption::kMessageBit:
      return "message bit";
    case Corruption::kRBit:
      return "R bit";
    case Corruption::kSBit:
      return "S bit";
    case Corruption::kKeyBit:
      return "A bit";
    case Corruption::kSwapMessages:
      return "swapped messages";
    case Corruption::kOtherKey:
      return "other key";
    default:
      return "?";
  }
}

struct Batch {
  std::vector<Bytes> msgs;
  std::vector<PublicKey> pks;
  std::vector<Signature> sigs;

  size_t size() const { return msgs.size(); }
  Ed25519BatchVerifier Verifier() const {
    Ed25519BatchVerifier v;
    for (size_t i = 0; i < size(); ++i) v.Add(pks[i], msgs[i], sigs[i]);
    return v;
  }
  std::vector<bool> SingleResults() const {
    std::vector<bool> r;
    for (size_t i = 0; i < size(); ++i) r.push_back(Single(pks[i], msgs[i], sigs[i]));
    return r;
  }
};

Batch MakeBatch(std::mt19937_64& rng, const std::vector<Signer>& signers, size_t n) {
  Batch b;
  for (size_t i = 0; i < n; ++i) {
    const Signer& s = signers[rng() % signers.size()];
    b.msgs.push_back(RandomBytes(rng() % 300));
    b.pks.push_back(s.kp.public_key);
    b.sigs.push_back(*Sign(s.kp.secret_key, b.msgs.back()));
  }
  return b;
}

// Corrupts item i; returns the items whose single verification must now fail.
std::vector<size_t> Corrupt(std::mt19937_64& rng, Batch& b, size_t i, Corruption c,
                            const std::vector<Signer>& signers) {
  switch (c) {
    case Corruption::kMessageBit:
      if (b.msgs[i].empty())
        b.msgs[i].push_back(0);
      else
        b.msgs[i][rng() % b.msgs[i].size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      return {i};
    case Corruption::kRBit:
      b.sigs[i].data()[rng() % 32] ^= static_cast<uint8_t>(1u << (rng() % 8));
      return {i};
    case Corruption::kSBit:
      b.sigs[i].data()[32 + rng() % 32] ^= static_cast<uint8_t>(1u << (rng() % 8));
      return {i};
    case Corruption::kKeyBit: {
      Bytes k = b.pks[i].bytes();
      k[rng() % 32] ^= static_cast<uint8_t>(1u << (rng() % 8));
      b.pks[i] = Pk(k);
      return {i};
    }
    case Corruption::kSwapMessages: {
      if (b.size() < 2) {  // nothing to swap with: append a byte instead
        b.msgs[i].push_back(1);
        return {i};
      }
      size_t j = rng() % (b.size() - 1);
      if (j >= i) ++j;
      std::swap(b.msgs[i], b.msgs[j]);
      std::vector<size_t> bad;
      for (size_t k : {std::min(i, j), std::max(i, j)}) {
        if (!Single(b.pks[k], b.msgs[k], b.sigs[k])) bad.push_back(k);
      }
      return bad;  // both, unless the two messages were equal under the same key
    }
    case Corruption::kOtherKey: {
      PublicKey other = b.pks[i];
      while (other == b.pks[i]) other = signers[rng() % signers.size()].kp.public_key;
      b.pks[i] = other;
      return {i};
    }
    default:
      return {};
  }
}

TEST(Ed25519Batch, DifferentialAgainstLibsodium) {
  std::mt19937_64 rng(std::random_device{}());
  std::vector<Signer> signers(9);
  size_t total_items = 0;
  int batches = 0;
  while (total_items < 4000) {
    const size_t n = 1 + rng() % 300;
    Batch b = MakeBatch(rng, signers, n);
    total_items += n;
    ++batches;
    SCOPED_TRACE("batch " + std::to_string(batches) + " of " + std::to_string(n));
    {
      Ed25519BatchVerifier v = b.Verifier();
      ASSERT_EQ(v.size(), n);
      ASSERT_TRUE(v.VerifyAll());
      ASSERT_EQ(v.VerifyEach(), std::vector<bool>(n, true));
    }
    // One to three corrupted items (the same item may be hit twice).
    const size_t hits = 1 + rng() % 3;
    std::vector<size_t> bad;
    std::string what;
    for (size_t h = 0; h < hits; ++h) {
      const size_t i = rng() % n;
      const auto c = static_cast<Corruption>(rng() % static_cast<int>(Corruption::kCount));
      what += std::string(CorruptionName(c)) + " at " + std::to_string(i) + "; ";
      for (size_t k : Corrupt(rng, b, i, c, signers)) bad.push_back(k);
    }
    SCOPED_TRACE(what);
    const std::vector<bool> single = b.SingleResults();
    std::vector<bool> expected(n, true);
    for (size_t k = 0; k < n; ++k) expected[k] = single[k];
    // Every item libsodium rejects is one we corrupted (a corruption can be
    // undone by a second one, e.g. the same bit flipped twice).
    for (size_t k = 0; k < n; ++k) {
      if (!single[k]) {
        EXPECT_NE(std::find(bad.begin(), bad.end(), k), bad.end()) << k;
      }
    }
    Ed25519BatchVerifier v = b.Verifier();
    const bool any_bad = std::find(single.begin(), single.end(), false) != single.end();
    EXPECT_EQ(v.VerifyAll(), !any_bad);
    EXPECT_EQ(v.VerifyEach(), expected);
    if (n == 1) {
      EXPECT_EQ(BatchOne(b.pks[0], b.msgs[0], b.sigs[0]), single[0]);
    }
  }
  EXPECT_GE(total_items, 4000u);
}

TEST(Ed25519Batch, SingleItemEqualsSingleVerify) {
  Signer s;
  Bytes msg = RandomBytes(100);
  Signature sig = *Sign(s.kp.secret_key, msg);
  EXPECT_TRUE(BatchOne(s.kp.public_key, msg, sig));
  for (size_t byte = 0; byte < 64; ++byte) {
    Signature bad = sig;
    bad.data()[byte] ^= 0x10;
    EXPECT_EQ(BatchOne(s.kp.public_key, msg, bad), Single(s.kp.public_key, msg, bad)) << byte;
    EXPECT_FALSE(BatchOne(s.kp.public_key, msg, bad)) << byte;
  }
  Bytes m2 = msg;
  m2.back() ^= 1;
  EXPECT_FALSE(BatchOne(s.kp.public_key, m2, sig));
}

TEST(Ed25519Batch, ManyChunksAndDistinctKeys) {
  std::mt19937_64 rng(std::random_device{}());
  // More items than one chunk, every item its own key.
  std::vector<Signer> signers(Ed25519BatchVerifier::kChunkSize + 100);
  Batch b;
  for (const Signer& s : signers) {
    b.msgs.push_back(RandomBytes(1 + rng() % 64));
    b.pks.push_back(s.kp.public_key);
    b.sigs.push_back(*Sign(s.kp.secret_key, b.msgs.back()));
  }
  EXPECT_TRUE(b.Verifier().VerifyAll());
  const size_t bad = Ed25519BatchVerifier::kChunkSize + 7;  // in the second chunk
  b.sigs[bad].data()[40] ^= 1;
  std::vector<bool> expected(b.size(), true);
  expected[bad] = false;
  EXPECT_FALSE(b.Verifier().VerifyAll());
  EXPECT_EQ(b.Verifier().VerifyEach(), expected);
  // And a bad item in the first chunk with many good ones after it.
  b.sigs[3].data()[5] ^= 0x80;
  expected[3] = false;
  EXPECT_FALSE(b.Verifier().VerifyAll());
  EXPECT_EQ(b.Verifier().VerifyEach(), expected);
}

TEST(Ed25519Batch, AllItemsBadInOneChunk) {
  std::mt19937_64 rng(1);
  std::vector<Signer> signers(3);
  Batch b = MakeBatch(rng, signers, 40);
  for (Bytes& m : b.msgs) m.push_back(0x55);
  EXPECT_FALSE(b.Verifier().VerifyAll());
  EXPECT_EQ(b.Verifier().VerifyEach(), std::vector<bool>(40, false));
}

TEST(Ed25519Batch, RejectsNonEd25519Keys) {
  Signer s;
  KeyPair sm2 = GenerateKeyPair(SignatureAlgorithm::kSm2);
  Bytes msg = RandomBytes(50);
  Signature ed_sig = *Sign(s.kp.secret_key, msg);
  Signature sm2_sig = *Sign(sm2.secret_key, msg);
  ASSERT_TRUE(Single(sm2.public_key, msg, sm2_sig));
  Ed25519BatchVerifier v;
  v.Add(s.kp.public_key, msg, ed_sig);
  v.Add(sm2.public_key, msg, sm2_sig);  // a valid SM2 signature, but not Ed25519
  v.Add(PublicKey{}, msg, ed_sig);      // empty key
  v.Add(s.kp.public_key, msg, ed_sig);
  EXPECT_FALSE(v.VerifyAll());
  EXPECT_EQ(v.VerifyEach(), (std::vector<bool>{true, false, false, true}));
  v.Clear();
  EXPECT_TRUE(v.empty());
  v.Add(s.kp.public_key, msg, ed_sig);
  EXPECT_TRUE(v.VerifyAll());
}

// ---- encodings libsodium rejects up front ----

// L and p, little-endian.
const Scalar kL = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                   0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

Point FieldBytes(int delta_from_p) {  // p + delta, 0 <= p + delta < 2^255
  Point b;
  b.fill(0xff);
  b[31] = 0x7f;
  b[0] = static_cast<uint8_t>(0xed + delta_from_p);  // no carry for -0xed <= delta <= 0x12
  return b;
}

Scalar AddL(const Scalar& s) {
  Scalar out;
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    const unsigned t = s[i] + kL[i] + carry;
    out[i] = static_cast<uint8_t>(t);
    carry = t >> 8;
  }
  return out;
}

// A point of order 8 (the y-coordinate encoding used by libsodium's
// blocklist); the test checks its order with libsodium.
const char kOrder8Hex[] = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a";

Point ToPoint(ByteSpan b) {
  Point p;
  std::memcpy(p.data(), b.data(), 32);
  return p;
}

// All eight points of the 8-torsion subgroup (canonical encodings), [k]T8.
std::vector<Point> TorsionPoints() {
  const Point t8 = ToPoint(H(kOrder8Hex));
  std::vector<Point> pts{t8};
  for (int k = 2; k <= 8; ++k) {
    Point next;
    EXPECT_TRUE(raw::PointAdd(next.data(), pts.back().data(), t8.data()));
    pts.push_back(next);
  }
  return pts;
}

// Every encoding libsodium's small-order blocklist covers: the 8 torsion
// points, each with the sign bit flipped, and the non-canonical p (y = 0)
// and p + 1 (y = 1) with and without the sign bit.
std::vector<Point> SmallOrderEncodings() {
  std::vector<Point> out;
  for (Point p : TorsionPoints()) {
    out.push_back(p);
    p[31] ^= 0x80;
    out.push_back(p);
  }
  for (int delta : {0, 1}) {
    Point p = FieldBytes(delta);
    out.push_back(p);
    p[31] ^= 0x80;
    out.push_back(p);
  }
  return out;
}

TEST(Ed25519Batch, TorsionPointsHaveOrder8) {
  const std::vector<Point> pts = TorsionPoints();
  Point identity{};
  identity[0] = 1;
  EXPECT_EQ(pts[7], identity);  // [8]T8 = O
  for (int k = 0; k < 7; ++k) EXPECT_NE(pts[static_cast<size_t>(k)], identity) << k;
  std::vector<Point> sorted = pts;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
}

TEST(Ed25519Batch, NonCanonicalS) {
  Signer s;
  Bytes msg = RandomBytes(64);
  Signature sig = *Sign(s.kp.secret_key, msg);
  Scalar sv;
  std::memcpy(sv.data(), sig.data() + 32, 32);
  const Scalar plus_l = AddL(sv);  // S + L: the same value mod L
  Signature bad = Sig(ByteSpan(sig.data(), 32), plus_l);
  EXPECT_FALSE(Single(s.kp.public_key, msg, bad));
  EXPECT_FALSE(BatchOne(s.kp.public_key, msg, bad));
  // S = L, and S with the top bits set.
  for (Scalar big : {kL, Scalar{}}) {
    if (big == Scalar{}) big.fill(0xff);
    Signature t = Sig(ByteSpan(sig.data(), 32), big);
    EXPECT_FALSE(Single(s.kp.public_key, msg, t));
    EXPECT_FALSE(BatchOne(s.kp.public_key, msg, t));
  }
  // In a batch, only that item fails.
  Ed25519BatchVerifier v;
  v.Add(s.kp.public_key, msg, sig);
  v.Add(s.kp.public_key, msg, bad);
  v.Add(s.kp.public_key, msg, sig);
  EXPECT_FALSE(v.VerifyAll());
  EXPECT_EQ(v.VerifyEach(), (std::vector<bool>{true, false, true}));
}

// The secret scalar a of an RFC 8032 seed (clamped, then reduced mod L), and
// the public key a*B computed with libsodium.
struct Expanded {
  Scalar a;
  Point pub;
};

Expanded Expand(ByteSpan seed) {
  uint8_t h[64];
  raw::Sha512(h, seed.data(), seed.size());
  h[0] &= 248;
  h[31] &= 127;
  h[31] |= 64;
  uint8_t wide[64] = {};
  std::memcpy(wide, h, 32);
  Expanded e;
  raw::ScalarReduce(e.a.data(), wide);
  EXPECT_TRUE(raw::BaseMulNoclamp(e.pub.data(), e.a.data()));
  return e;
}

Scalar HashRam(const Point& r, const Point& a, ByteSpan msg) {
  Bytes buf(r.begin(), r.end());
  buf.insert(buf.end(), a.begin(), a.end());
  buf.insert(buf.end(), msg.begin(), msg.end());
  uint8_t h[64];
  raw::Sha512(h, buf.data(), buf.size());
  Scalar out;
  raw::ScalarReduce(out.data(), h);
  return out;
}

// S = r + H(R || A || M) * a mod L.
Scalar SignWith(const Scalar& r, const Point& big_r, const Expanded& key, const Point& a_enc,
                ByteSpan msg) {
  const Scalar h = HashRam(big_r, a_enc, msg);
  Scalar ha, s;
  raw::ScalarMul(ha.data(), h.data(), key.a.data());
  raw::ScalarAdd(s.data(), r.data(), ha.data());
  return s;
}

Scalar RandomScalar() {
  uint8_t wide[64];
  RandomBytes(wide, sizeof wide);
  Scalar s;
  raw::ScalarReduce(s.data(), wide);
  return s;
}

TEST(Ed25519Batch, SmallOrderRAndA) {
  const Bytes seed = RandomBytes(32);
  const Expanded key = Expand(seed);
  auto sk = SecretKey::FromBytes(kEd, seed);
  ASSERT_TRUE(sk.ok());
  const PublicKey pk = *DerivePublicKey(*sk);
  ASSERT_EQ(Bytes(key.pub.begin(), key.pub.end()), pk.bytes());
  const Bytes msg = RandomBytes(40);
  const Signature good = *Sign(*sk, msg);

  const std::vector<Point> encodings = SmallOrderEncodings();
  ASSERT_EQ(encodings.size(), 20u);
  for (const Point& t : encodings) {
    SCOPED_TRACE(HexEncode(t));
    // R = a small-order point and S = H(R || A || M) a: with r = 0 this
    // satisfies the verification equation up to the torsion part of R
    // (exactly for R = O), so only the pre-check keeps it out.
    const Scalar s = SignWith(Scalar{}, t, key, key.pub, msg);
    const Signature forged = Sig(t, s);
    EXPECT_FALSE(raw::SodiumVerify(forged.data(), msg.data(), msg.size(), key.pub.data()));
    EXPECT_FALSE(BatchOne(pk, msg, forged));
    // The same R with a random S.
    const Signature random_s = Sig(t, RandomScalar());
    EXPECT_FALSE(Single(pk, msg, random_s));
    EXPECT_FALSE(BatchOne(pk, msg, random_s));
    // As a public key. For the neutral element A = O, S = r with R = r B
    // satisfies every equation; libsodium and the batch must still refuse.
    const PublicKey small_pk = Pk(t);
    const Scalar r = RandomScalar();
    Point big_r;
    ASSERT_TRUE(raw::BaseMulNoclamp(big_r.data(), r.data()));
    const Signature trivial = Sig(big_r, r);
    EXPECT_FALSE(Single(small_pk, msg, trivial));
    EXPECT_FALSE(BatchOne(small_pk, msg, trivial));
    EXPECT_FALSE(BatchOne(small_pk, msg, good));
    // In a batch with valid items, only these fail.
    Ed25519BatchVerifier v;
    v.Add(pk, msg, good);
    v.Add(pk, msg, forged);
    v.Add(small_pk, msg, trivial);
    v.Add(pk, msg, good);
    EXPECT_FALSE(v.VerifyAll());
    EXPECT_EQ(v.VerifyEach(), (std::vector<bool>{true, false, false, true}));
  }
}

TEST(Ed25519Batch, NonCanonicalAndOffCurveEncodings) {
  Signer s;
  const Bytes msg = RandomBytes(33);
  const Signature good = *Sign(s.kp.secret_key, msg);
  const Point g = ToPoint(s.kp.public_key.bytes());
  // y = p + delta for delta = 0..18 (every non-canonical y), both sign bits.
  int decodable = 0;
  for (int delta = 0; delta <= 18; ++delta) {
    for (uint8_t sign : {0x00, 0x80}) {
      Point y = FieldBytes(delta);
      y[31] |= sign;
      SCOPED_TRACE(HexEncode(y));
      // The canonical twin (y - p) decodes iff libsodium can add it.
      Point twin{};
      twin[0] = static_cast<uint8_t>(delta);
      twin[31] = sign;
      Point sum;
      if (raw::PointAdd(sum.data(), twin.data(), g.data())) ++decodable;
      // As R.
      const Signature bad_r = Sig(y, ByteSpan(good.data() + 32, 32));
      EXPECT_FALSE(Single(s.kp.public_key, msg, bad_r));
      EXPECT_FALSE(BatchOne(s.kp.public_key, msg, bad_r));
      // As A.
      const PublicKey bad_a = Pk(y);
      EXPECT_FALSE(Single(bad_a, msg, good));
      EXPECT_FALSE(BatchOne(bad_a, msg, good));
    }
  }
  EXPECT_GT(decodable, 4);  // several of them would be curve points if reduced

  // Off-curve R and A: canonical y with no x on the curve.
  int off_curve = 0;
  for (int tries = 0; off_curve < 20 && tries < 1000; ++tries) {
    Point y = ToPoint(RandomBytes(32));
    y[31] &= 0x7f;
    Point sum;
    if (raw::PointAdd(sum.data(), y.data(), g.data())) continue;  // on the curve
    ++off_curve;
    const Signature bad_r = Sig(y, ByteSpan(good.data() + 32, 32));
    EXPECT_FALSE(Single(s.kp.public_key, msg, bad_r));
    EXPECT_FALSE(BatchOne(s.kp.public_key, msg, bad_r));
    const PublicKey bad_a = Pk(y);
    EXPECT_FALSE(Single(bad_a, msg, good));
    EXPECT_FALSE(BatchOne(bad_a, msg, good));
    Ed25519BatchVerifier v;
    v.Add(s.kp.public_key, msg, good);
    v.Add(s.kp.public_key, msg, bad_r);
    v.Add(bad_a, msg, good);
    EXPECT_EQ(v.VerifyEach(), (std::vector<bool>{true, false, false}));
  }
  EXPECT_EQ(off_curve, 20);
}

// Two invalid signatures whose errors cancel in an unweighted sum (S1 + 1,
// S2 - 1): only the random weights z_i catch them.
TEST(Ed25519Batch, CancellingErrorsNeedRandomWeights) {
  Signer a, b;
  const Bytes m1 = RandomBytes(30), m2 = RandomBytes(31);
  Signature s1 = *Sign(a.kp.secret_key, m1);
  Signature s2 = *Sign(b.kp.secret_key, m2);
  Scalar one{}, minus_one = kL;
  one[0] = 1;
  minus_one[0] = static_cast<uint8_t>(minus_one[0] - 1);
  raw::ScalarAdd(s1.data() + 32, s1.data() + 32, one.data());
  raw::ScalarAdd(s2.data() + 32, s2.data() + 32, minus_one.data());
  ASSERT_FALSE(Single(a.kp.public_key, m1, s1));
  ASSERT_FALSE(Single(b.kp.public_key, m2, s2));
  for (int rep = 0; rep < 10; ++rep) {
    Ed25519BatchVerifier v;
    v.Add(a.kp.public_key, m1, s1);
    v.Add(b.kp.public_key, m2, s2);
    EXPECT_FALSE(v.VerifyAll());
    EXPECT_EQ(v.VerifyEach(), (std::vector<bool>{false, false}));
  }
}

// Our point decoding against libsodium's (crypto_core_ed25519_add decodes
// both inputs and checks they are on the curve) on random canonical
// encodings, half of which are not on the curve; and against the encodings
// above.
TEST(Ed25519Batch, PointDecodingMatchesLibsodium) {
  const Point base = ToPoint(H("5866666666666666666666666666666666666666666666666666666666666666"));
  EXPECT_EQ(raw::ClassifyEncoding(base.data()), 0);
  int on = 0, off = 0;
  for (int i = 0; i < 2000; ++i) {
    Point y = ToPoint(RandomBytes(32));
    y[31] &= 0x7f;
    if (i % 2 == 1) y[31] |= 0x80;
    Point sum;
    const bool sodium_ok = raw::PointAdd(sum.data(), y.data(), base.data());
    const int ours = raw::ClassifyEncoding(y.data());
    EXPECT_EQ(ours, sodium_ok ? 0 : -1) << HexEncode(y);
    (sodium_ok ? on : off)++;
  }
  EXPECT_GT(on, 800);
  EXPECT_GT(off, 800);
  // Valid points (r B and their negations by the sign bit) round-trip.
  for (int i = 0; i < 200; ++i) {
    const Scalar r = RandomScalar();
    Point p;
    ASSERT_TRUE(raw::BaseMulNoclamp(p.data(), r.data()));
    EXPECT_EQ(raw::ClassifyEncoding(p.data()), 0);
    p[31] ^= 0x80;
    EXPECT_EQ(raw::ClassifyEncoding(p.data()), 0);
  }
  // Small order: the 8 torsion points decode and are flagged; their sign-bit
  // twins are flagged too, except x = 0 with the sign bit (y = 1, y = -1),
  // which does not decode.
  for (const Point& t : TorsionPoints()) {
    EXPECT_EQ(raw::ClassifyEncoding(t.data()), 1) << HexEncode(t);
    Point twin = t;
    twin[31] ^= 0x80;
    Point y_only = t;
    y_only[31] &= 0x7f;
    Point one{};
    one[0] = 1;
    const bool x_zero = y_only == one || y_only == FieldBytes(-1);  // y = 1 or y = -1
    EXPECT_EQ(raw::ClassifyEncoding(twin.data()), x_zero ? -1 : 1) << HexEncode(twin);
  }
  // Every y >= p is rejected, whatever its value mod p.
  for (int delta = 0; delta <= 18; ++delta) {
    for (uint8_t sign : {0x00, 0x80}) {
      Point y = FieldBytes(delta);
      y[31] |= sign;
      EXPECT_EQ(raw::ClassifyEncoding(y.data()), -1) << HexEncode(y);
    }
  }
}

// ---- the documented difference: cofactored batch vs cofactorless libsodium ----

TEST(Ed25519Batch, TorsionSignature) {
  const Bytes seed = RandomBytes(32);
  const Expanded key = Expand(seed);
  auto sk = SecretKey::FromBytes(kEd, seed);
  ASSERT_TRUE(sk.ok());
  const PublicKey pk = *DerivePublicKey(*sk);
  ASSERT_EQ(Bytes(key.pub.begin(), key.pub.end()), pk.bytes());
  const std::vector<Point> torsion = TorsionPoints();
  const Bytes msg = RandomBytes(80);

  // R' = r B + T for T of order 8 (and of orders 4 and 2), S = r + H(R' || A || M) a.
  for (size_t k : {size_t{0}, size_t{1}, size_t{3}}) {  // [1]T8, [2]T8, [4]T8
    SCOPED_TRACE(k);
    const Scalar r = RandomScalar();
    Point rb, big_r;
    ASSERT_TRUE(raw::BaseMulNoclamp(rb.data(), r.data()));
    ASSERT_TRUE(raw::PointAdd(big_r.data(), rb.data(), torsion[k].data()));
    const Signature sig = Sig(big_r, SignWith(r, big_r, key, key.pub, msg));
    // libsodium: R' != S B - h A (they differ by T).
    EXPECT_FALSE(Single(pk, msg, sig));
    // The batch: 8 R' == 8 (S B - h A).
    EXPECT_TRUE(BatchOne(pk, msg, sig));
    Signer other;
    const Bytes m2 = RandomBytes(10);
    const Signature s2 = *Sign(other.kp.secret_key, m2);
    Ed25519BatchVerifier v;
    v.Add(other.kp.public_key, m2, s2);
    v.Add(pk, msg, sig);
    v.Add(pk, m2, *Sign(*sk, m2));
    EXPECT_TRUE(v.VerifyAll());
    EXPECT_EQ(v.VerifyEach(), std::vector<bool>(3, true));
    // Together with a truly invalid item in one small failing range,
    // VerifyEach falls back to libsodium for both, which rejects both.
    Ed25519BatchVerifier w;
    w.Add(pk, msg, sig);
    Bytes m3 = m2;
    m3.push_back(0);
    w.Add(pk, m3, *Sign(*sk, m2));
    EXPECT_FALSE(w.VerifyAll());
    EXPECT_EQ(w.VerifyEach(), (std::vector<bool>{false, false}));
  }

  // A torsioned key A' = a B + T8: S = r + H(R || A' || M) a. libsodium
  // rejects unless 8 divides H(R || A' || M); the batch accepts.
  Point torsioned;
  ASSERT_TRUE(raw::PointAdd(torsioned.data(), key.pub.data(), torsion[0].data()));
  const PublicKey pk_t = Pk(torsioned);
  int sodium_rejected = 0;
  for (int i = 0; i < 16; ++i) {
    const Bytes m = RandomBytes(20);
    const Scalar r = RandomScalar();
    Point big_r;
    ASSERT_TRUE(raw::BaseMulNoclamp(big_r.data(), r.data()));
    const Signature sig = Sig(big_r, SignWith(r, big_r, key, torsioned, m));
    EXPECT_TRUE(BatchOne(pk_t, m, sig));
    if (!Single(pk_t, m, sig)) ++sodium_rejected;
  }
  EXPECT_GE(sodium_rejected, 8);  // about 14 of 16 expected
}

}  // namespace
}  // namespace tz
