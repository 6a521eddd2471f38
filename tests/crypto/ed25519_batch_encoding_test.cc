// Ed25519 batch verifier: encodings libsodium rejects up front, small-order
// points, and the torsion signatures on which the cofactored batch and
// libsodium's cofactorless check disagree.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ed25519_batch.h"
#include "crypto/ed25519_batch_test_util.h"
#include "crypto/random.h"
#include "crypto/sign.h"

namespace tz {
namespace {

using namespace batch_test;  // NOLINT: test helpers

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

// A fresh key as the tests need it twice: the expanded secret scalar (to make
// signatures by hand) and the library's SecretKey/PublicKey for the same seed.
struct RawKey {
  Expanded key;
  std::optional<SecretKey> sk;
  PublicKey pk;
};

RawKey MakeRawKey() {
  const Bytes seed = RandomBytes(32);
  RawKey k;
  k.key = Expand(seed);
  auto sk = SecretKey::FromBytes(kEd, seed);
  EXPECT_TRUE(sk.ok());
  if (!sk.ok()) return k;
  k.pk = *DerivePublicKey(*sk);
  EXPECT_EQ(Bytes(k.key.pub.begin(), k.key.pub.end()), k.pk.bytes());
  k.sk = std::move(*sk);
  return k;
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
  const RawKey raw_key = MakeRawKey();
  ASSERT_TRUE(raw_key.sk.has_value());
  const Expanded& key = raw_key.key;
  const SecretKey* sk = &*raw_key.sk;
  const PublicKey& pk = raw_key.pk;
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
  const RawKey raw_key = MakeRawKey();
  ASSERT_TRUE(raw_key.sk.has_value());
  const Expanded& key = raw_key.key;
  const SecretKey* sk = &*raw_key.sk;
  const PublicKey& pk = raw_key.pk;
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
