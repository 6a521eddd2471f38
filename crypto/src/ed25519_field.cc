// GF(2^255 - 19) and edwards25519 helpers that are not on the hot path:
// encodings, inversion, square roots, point decoding, curve constants.
// See ed25519_field.h (variable time, public data only).
#include "ed25519_field.h"

#include "crypto_internal.h"

namespace tz::ed25519 {

namespace {

uint64_t Load64(const uint8_t* p) {
  uint64_t x = 0;
  for (int i = 7; i >= 0; --i) x = (x << 8) | p[i];
  return x;
}

void Store64(uint8_t* p, uint64_t x) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(x >> (8 * i));
}

Fe FeSmall(uint64_t x) { return Fe{{x, 0, 0, 0, 0}}; }

// out = f^(2^250 - 1); also returns f^11, which both exponents below need.
void FePow2p250m1(Fe& out, Fe& f11, const Fe& f) {
  Fe f2, f9, t, e5, e10, e20, e40, e50, e100, e200;
  FeSq(f2, f);         // f^2
  FeSqN(t, f2, 2);     // f^8
  FeMul(f9, t, f);     // f^9
  FeMul(f11, f9, f2);  // f^11
  FeSq(t, f11);        // f^22
  FeMul(e5, t, f9);    // f^(2^5 - 1) = f^31
  FeSqN(t, e5, 5);
  FeMul(e10, t, e5);  // f^(2^10 - 1)
  FeSqN(t, e10, 10);
  FeMul(e20, t, e10);  // f^(2^20 - 1)
  FeSqN(t, e20, 20);
  FeMul(e40, t, e20);  // f^(2^40 - 1)
  FeSqN(t, e40, 10);
  FeMul(e50, t, e10);  // f^(2^50 - 1)
  FeSqN(t, e50, 50);
  FeMul(e100, t, e50);  // f^(2^100 - 1)
  FeSqN(t, e100, 100);
  FeMul(e200, t, e100);  // f^(2^200 - 1)
  FeSqN(t, e200, 50);
  FeMul(out, t, e50);  // f^(2^250 - 1)
}

bool DecodeWith(P3& r, const uint8_t s[32], const Fe& d, const Fe& sqrtm1) {
  if (!IsCanonicalFieldEncoding(s)) return false;
  Fe y, u, v, v3, t, x, vxx, check, one;
  FeOne(one);
  FeFromBytes(y, s);
  // x^2 = u / v with u = y^2 - 1, v = d y^2 + 1 (v is never 0: -1/d is not a square).
  FeSq(u, y);
  FeMul(v, u, d);
  FeSub(u, u, one);
  FeAdd(v, v, one);
  FeCarry(v);
  // Candidate root x = u v^3 (u v^7)^((p-5)/8) (RFC 8032 section 5.1.3).
  FeSq(v3, v);
  FeMul(v3, v3, v);
  FeSq(t, v3);
  FeMul(t, t, v);
  FeMul(t, t, u);
  FePow22523(t, t);
  FeMul(t, t, v3);
  FeMul(x, t, u);
  FeSq(vxx, x);
  FeMul(vxx, vxx, v);
  FeSub(check, vxx, u);
  if (!FeIsZero(check)) {
    FeAdd(check, vxx, u);
    if (!FeIsZero(check)) return false;  // u/v is not a square: not on the curve
    FeMul(x, x, sqrtm1);
  }
  const bool sign = (s[31] >> 7) != 0;
  if (sign && FeIsZero(x)) return false;
  if (FeIsNegative(x) != sign) FeNeg(x, x);
  r.X = x;
  r.Y = y;
  FeOne(r.Z);
  FeMul(r.T, x, y);
  return true;
}

CurveConstants MakeConstants() {
  CurveConstants k;
  Fe inv, t, f11;
  // d = -121665 / 121666
  FeInvert(inv, FeSmall(121666));
  FeMul(t, FeSmall(121665), inv);
  FeNeg(k.d, t);
  FeAdd(k.d2, k.d, k.d);
  FeCarry(k.d2);
  // sqrt(-1) = 2^((p-1)/4) = 2^(2^253 - 5) = (2^(2^250 - 1))^8 * 2^3
  FePow2p250m1(t, f11, FeSmall(2));
  FeSqN(t, t, 3);
  FeMul(k.sqrtm1, t, FeSmall(8));
  // B: y = 4/5 with x "positive" (even), RFC 8032 section 5.1.
  uint8_t enc[32];
  FeInvert(inv, FeSmall(5));
  FeMul(t, FeSmall(4), inv);
  FeToBytes(enc, t);
  if (!DecodeWith(k.base, enc, k.d, k.sqrtm1)) crypto_internal::Die("ed25519: base point");
  return k;
}

}  // namespace

void FeToBytes(uint8_t s[32], const Fe& f) {
  Fe t = f;
  FeCarry(t);  // now below 2^255 + 2^52 < 2p
  // q = 1 iff t >= p, i.e. iff t + 19 >= 2^255.
  uint64_t q = (t.v[0] + 19) >> 51;
  q = (t.v[1] + q) >> 51;
  q = (t.v[2] + q) >> 51;
  q = (t.v[3] + q) >> 51;
  q = (t.v[4] + q) >> 51;
  // t - q p = t + 19 q - q 2^255: add 19q, carry, drop bit 255.
  t.v[0] += 19 * q;
  t.v[1] += t.v[0] >> 51;
  t.v[0] &= kMask51;
  t.v[2] += t.v[1] >> 51;
  t.v[1] &= kMask51;
  t.v[3] += t.v[2] >> 51;
  t.v[2] &= kMask51;
  t.v[4] += t.v[3] >> 51;
  t.v[3] &= kMask51;
  t.v[4] &= kMask51;
  Store64(s, t.v[0] | (t.v[1] << 51));
  Store64(s + 8, (t.v[1] >> 13) | (t.v[2] << 38));
  Store64(s + 16, (t.v[2] >> 26) | (t.v[3] << 25));
  Store64(s + 24, (t.v[3] >> 39) | (t.v[4] << 12));
}

void FeFromBytes(Fe& h, const uint8_t s[32]) {
  const uint64_t w0 = Load64(s), w1 = Load64(s + 8), w2 = Load64(s + 16), w3 = Load64(s + 24);
  h.v[0] = w0 & kMask51;
  h.v[1] = ((w0 >> 51) | (w1 << 13)) & kMask51;
  h.v[2] = ((w1 >> 38) | (w2 << 26)) & kMask51;
  h.v[3] = ((w2 >> 25) | (w3 << 39)) & kMask51;
  h.v[4] = (w3 >> 12) & kMask51;
}

bool FeIsZero(const Fe& f) {
  uint8_t s[32];
  FeToBytes(s, f);
  uint8_t acc = 0;
  for (uint8_t b : s) acc |= b;
  return acc == 0;
}

bool FeEqual(const Fe& f, const Fe& g) {
  Fe t;
  FeSub(t, f, g);
  return FeIsZero(t);
}

bool FeIsNegative(const Fe& f) {
  uint8_t s[32];
  FeToBytes(s, f);
  return (s[0] & 1) != 0;
}

void FeInvert(Fe& h, const Fe& f) {
  Fe t, f11;
  FePow2p250m1(t, f11, f);
  FeSqN(t, t, 5);    // f^(2^255 - 32)
  FeMul(h, t, f11);  // f^(2^255 - 21) = f^(p - 2)
}

void FePow22523(Fe& h, const Fe& f) {
  Fe t, f11;
  FePow2p250m1(t, f11, f);
  FeSqN(t, t, 2);  // f^(2^252 - 4)
  FeMul(h, t, f);  // f^(2^252 - 3) = f^((p - 5) / 8)
}

bool IsCanonicalFieldEncoding(const uint8_t s[32]) {
  // p = 2^255 - 19 is ed ff .. ff 7f (little-endian); the only 255-bit
  // values >= p are p .. 2^255 - 1, i.e. bytes 1..30 all ff, byte 31 = 7f
  // (ignoring bit 255) and byte 0 >= ed.
  if ((s[31] & 0x7f) != 0x7f) return true;
  for (int i = 30; i >= 1; --i) {
    if (s[i] != 0xff) return true;
  }
  return s[0] < 0xed;
}

const CurveConstants& Constants() {
  static const CurveConstants k = MakeConstants();
  return k;
}

bool DecodePoint(P3& r, const uint8_t s[32]) {
  const CurveConstants& k = Constants();
  return DecodeWith(r, s, k.d, k.sqrtm1);
}

void EncodePoint(uint8_t s[32], const P3& p) {
  Fe zinv, x, y;
  FeInvert(zinv, p.Z);
  FeMul(x, p.X, zinv);
  FeMul(y, p.Y, zinv);
  FeToBytes(s, y);
  s[31] = static_cast<uint8_t>(s[31] | (FeIsNegative(x) ? 0x80 : 0));
}

bool P2IsIdentity(const P2& p) { return FeIsZero(p.X) && FeEqual(p.Y, p.Z); }

bool HasSmallOrder(const P3& p) {
  P2 q;
  P1P1 t;
  P3ToP2(q, p);
  for (int i = 0; i < 3; ++i) {
    P2Dbl(t, q);
    P1P1ToP2(q, t);
  }
  return P2IsIdentity(q);
}

}  // namespace tz::ed25519
