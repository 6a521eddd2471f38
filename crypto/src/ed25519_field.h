// Private to crypto/src: arithmetic in GF(2^255 - 19) and on edwards25519,
// the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 with
// d = -121665/121666, for the Ed25519 batch verifier (ed25519_batch.cc).
//
// Everything here is VARIABLE TIME. It is meant for public data only
// (signatures, public keys, verifier randomness that is never revealed);
// never use it with secret scalars.
//
// Field elements use five 51-bit limbs and 64x64->128-bit products; points
// use extended coordinates (Hisil, Wong, Carter, Dawson 2008) with a = -1.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tz::ed25519 {

// GCC and Clang provide unsigned __int128; -Wpedantic needs __extension__.
__extension__ typedef unsigned __int128 Uint128;

inline constexpr uint64_t kMask51 = (uint64_t{1} << 51) - 1;

// value = v[0] + v[1]*2^51 + v[2]*2^102 + v[3]*2^153 + v[4]*2^204 (mod p).
//
// Limb bounds (what keeps the 128-bit sums from overflowing):
//  * "tight": every limb < 2^51 + 2^19. Mul, Sq, Sub and Carry produce it.
//  * Add of two tight elements gives limbs < 2^52 + 2^20.
//  * Mul and Sq accept limbs < 2^54; Sub accepts a minuend with limbs < 2^54
//    and a subtrahend that is tight or the Add of two tight elements.
struct Fe {
  uint64_t v[5];
};

// p, 4p per limb (Sub adds 4p so that no limb goes negative).
inline constexpr uint64_t k4p0 = 4 * ((uint64_t{1} << 51) - 19);
inline constexpr uint64_t k4p1234 = 4 * ((uint64_t{1} << 51) - 1);

inline void FeZero(Fe& h) { h = Fe{{0, 0, 0, 0, 0}}; }
inline void FeOne(Fe& h) { h = Fe{{1, 0, 0, 0, 0}}; }

inline void FeAdd(Fe& h, const Fe& f, const Fe& g) {
  for (int i = 0; i < 5; ++i) h.v[i] = f.v[i] + g.v[i];
}

// One carry pass; the result is tight for inputs with limbs < 2^63.
inline void FeCarry(Fe& h) {
  uint64_t c;
  c = h.v[0] >> 51, h.v[0] &= kMask51, h.v[1] += c;
  c = h.v[1] >> 51, h.v[1] &= kMask51, h.v[2] += c;
  c = h.v[2] >> 51, h.v[2] &= kMask51, h.v[3] += c;
  c = h.v[3] >> 51, h.v[3] &= kMask51, h.v[4] += c;
  c = h.v[4] >> 51, h.v[4] &= kMask51, h.v[0] += 19 * c;
  c = h.v[0] >> 51, h.v[0] &= kMask51, h.v[1] += c;
}

inline void FeSub(Fe& h, const Fe& f, const Fe& g) {
  h.v[0] = f.v[0] + k4p0 - g.v[0];
  h.v[1] = f.v[1] + k4p1234 - g.v[1];
  h.v[2] = f.v[2] + k4p1234 - g.v[2];
  h.v[3] = f.v[3] + k4p1234 - g.v[3];
  h.v[4] = f.v[4] + k4p1234 - g.v[4];
  FeCarry(h);
}

inline void FeNeg(Fe& h, const Fe& f) {
  Fe zero;
  FeZero(zero);
  FeSub(h, zero, f);
}

// Reduces the five 128-bit column sums of a product to a tight element.
// With inputs below 2^54 per limb each sum is below 95 * 2^108 < 2^115, so
// every carry below fits in 64 bits and only the final *19 needs 128.
inline void FeReduceWide(Fe& h, Uint128 r0, Uint128 r1, Uint128 r2, Uint128 r3, Uint128 r4) {
  r1 += static_cast<uint64_t>(r0 >> 51);
  r2 += static_cast<uint64_t>(r1 >> 51);
  r3 += static_cast<uint64_t>(r2 >> 51);
  r4 += static_cast<uint64_t>(r3 >> 51);
  const uint64_t top = static_cast<uint64_t>(r4 >> 51);
  const Uint128 wrap = Uint128{top} * 19 + (static_cast<uint64_t>(r0) & kMask51);
  h.v[0] = static_cast<uint64_t>(wrap) & kMask51;
  h.v[1] = (static_cast<uint64_t>(r1) & kMask51) + static_cast<uint64_t>(wrap >> 51);
  h.v[2] = static_cast<uint64_t>(r2) & kMask51;
  h.v[3] = static_cast<uint64_t>(r3) & kMask51;
  h.v[4] = static_cast<uint64_t>(r4) & kMask51;
}

inline void FeMul(Fe& h, const Fe& f, const Fe& g) {
  const uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
  const uint64_t g0 = g.v[0], g1 = g.v[1], g2 = g.v[2], g3 = g.v[3], g4 = g.v[4];
  const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
  const Uint128 r0 = Uint128{f0} * g0 + Uint128{f1} * g4_19 + Uint128{f2} * g3_19 +
                     Uint128{f3} * g2_19 + Uint128{f4} * g1_19;
  const Uint128 r1 = Uint128{f0} * g1 + Uint128{f1} * g0 + Uint128{f2} * g4_19 +
                     Uint128{f3} * g3_19 + Uint128{f4} * g2_19;
  const Uint128 r2 = Uint128{f0} * g2 + Uint128{f1} * g1 + Uint128{f2} * g0 + Uint128{f3} * g4_19 +
                     Uint128{f4} * g3_19;
  const Uint128 r3 = Uint128{f0} * g3 + Uint128{f1} * g2 + Uint128{f2} * g1 + Uint128{f3} * g0 +
                     Uint128{f4} * g4_19;
  const Uint128 r4 =
      Uint128{f0} * g4 + Uint128{f1} * g3 + Uint128{f2} * g2 + Uint128{f3} * g1 + Uint128{f4} * g0;
  FeReduceWide(h, r0, r1, r2, r3, r4);
}

inline void FeSq(Fe& h, const Fe& f) {
  const uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
  const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2;
  const uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
  const Uint128 r0 = Uint128{f0} * f0 + Uint128{f1_2} * f4_19 + Uint128{f2_2} * f3_19;
  const Uint128 r1 = Uint128{f0_2} * f1 + Uint128{f2_2} * f4_19 + Uint128{f3} * f3_19;
  const Uint128 r2 = Uint128{f0_2} * f2 + Uint128{f1} * f1 + Uint128{2 * f3} * f4_19;
  const Uint128 r3 = Uint128{f0_2} * f3 + Uint128{f1_2} * f2 + Uint128{f4} * f4_19;
  const Uint128 r4 = Uint128{f0_2} * f4 + Uint128{f1_2} * f3 + Uint128{f2} * f2;
  FeReduceWide(h, r0, r1, r2, r3, r4);
}

// h = f^(2^n), n >= 1.
inline void FeSqN(Fe& h, const Fe& f, int n) {
  FeSq(h, f);
  for (int i = 1; i < n; ++i) FeSq(h, h);
}

// Canonical little-endian encoding (value mod p, top bit 0).
void FeToBytes(uint8_t s[32], const Fe& f);
// Reads 255 bits (bit 255 ignored); the value may be >= p.
void FeFromBytes(Fe& h, const uint8_t s[32]);
bool FeIsZero(const Fe& f);
bool FeEqual(const Fe& f, const Fe& g);
// The low bit of the canonical encoding ("negative" in RFC 8032 terms).
bool FeIsNegative(const Fe& f);
void FeInvert(Fe& h, const Fe& f);    // f^(p-2)
void FePow22523(Fe& h, const Fe& f);  // f^((p-5)/8)
// True iff the 255 low bits of s encode an integer < p (bit 255 ignored).
bool IsCanonicalFieldEncoding(const uint8_t s[32]);

// ---- points ----

struct P2 {  // projective: x = X/Z, y = Y/Z
  Fe X, Y, Z;
};
struct P3 {  // extended: x = X/Z, y = Y/Z, x*y = T/Z
  Fe X, Y, Z, T;
};
struct P1P1 {  // completed: x = X/Z, y = Y/T
  Fe X, Y, Z, T;
};
struct Cached {  // a P3 prepared as an addend: (Y+X, Y-X, 2Z, 2dT)
  Fe YplusX, YminusX, Z2, T2d;
};

struct CurveConstants {
  Fe d;       // -121665/121666
  Fe d2;      // 2d
  Fe sqrtm1;  // 2^((p-1)/4), a square root of -1
  P3 base;    // B: y = 4/5, x even
};
// Computed from their definitions on first use (thread-safe static init).
const CurveConstants& Constants();

inline void P3Identity(P3& p) {
  FeZero(p.X);
  FeOne(p.Y);
  FeOne(p.Z);
  FeZero(p.T);
}
inline void P2Identity(P2& p) {
  FeZero(p.X);
  FeOne(p.Y);
  FeOne(p.Z);
}

inline void P1P1ToP2(P2& r, const P1P1& p) {
  FeMul(r.X, p.X, p.T);
  FeMul(r.Y, p.Y, p.Z);
  FeMul(r.Z, p.Z, p.T);
}

inline void P1P1ToP3(P3& r, const P1P1& p) {
  FeMul(r.X, p.X, p.T);
  FeMul(r.Y, p.Y, p.Z);
  FeMul(r.Z, p.Z, p.T);
  FeMul(r.T, p.X, p.Y);
}

inline void P3ToP2(P2& r, const P3& p) {
  r.X = p.X;
  r.Y = p.Y;
  r.Z = p.Z;
}

inline void P3ToCached(Cached& r, const P3& p, const Fe& d2) {
  FeAdd(r.YplusX, p.Y, p.X);
  FeSub(r.YminusX, p.Y, p.X);
  FeAdd(r.Z2, p.Z, p.Z);
  FeMul(r.T2d, p.T, d2);
}

// r = 2p ("dbl-2008-hwcd" with a = -1; T of the input is not needed).
inline void P2Dbl(P1P1& r, const P2& p) {
  Fe a, b, c, s;
  FeSq(a, p.X);
  FeSq(b, p.Y);
  FeSq(c, p.Z);
  FeAdd(c, c, c);  // 2 Z^2
  FeAdd(s, p.X, p.Y);
  FeSq(s, s);          // (X+Y)^2
  FeAdd(r.Y, a, b);    // H = X^2 + Y^2
  FeSub(r.X, s, r.Y);  // E = (X+Y)^2 - H = 2XY
  FeSub(r.Z, b, a);    // G = Y^2 - X^2
  FeSub(r.T, c, r.Z);  // F = 2Z^2 - G
}

// r = p + q ("add-2008-hwcd-3", a = -1).
inline void P3AddCached(P1P1& r, const P3& p, const Cached& q) {
  Fe a, b, c, d, t;
  FeSub(t, p.Y, p.X);
  FeMul(a, t, q.YminusX);
  FeAdd(t, p.Y, p.X);
  FeMul(b, t, q.YplusX);
  FeMul(c, p.T, q.T2d);
  FeMul(d, p.Z, q.Z2);
  FeSub(r.X, b, a);  // E
  FeAdd(r.Y, b, a);  // H
  FeAdd(r.Z, d, c);  // G
  FeSub(r.T, d, c);  // F
}

// r = p - q: the same with -q = (Y-X, Y+X, 2Z, -2dT).
inline void P3SubCached(P1P1& r, const P3& p, const Cached& q) {
  Fe a, b, c, d, t;
  FeSub(t, p.Y, p.X);
  FeMul(a, t, q.YplusX);
  FeAdd(t, p.Y, p.X);
  FeMul(b, t, q.YminusX);
  FeMul(c, p.T, q.T2d);
  FeMul(d, p.Z, q.Z2);
  FeSub(r.X, b, a);
  FeAdd(r.Y, b, a);
  FeSub(r.Z, d, c);
  FeAdd(r.T, d, c);
}

inline void P3Neg(P3& r, const P3& p) {
  FeNeg(r.X, p.X);
  r.Y = p.Y;
  r.Z = p.Z;
  FeNeg(r.T, p.T);
}

// Decodes a point encoding per RFC 8032 section 5.1.3: y must be canonical
// (< p), the point must be on the curve, and x = 0 with the sign bit set is
// rejected. Returns false on any failure. The result has Z = 1.
bool DecodePoint(P3& r, const uint8_t s[32]);
// Canonical encoding (one inversion).
void EncodePoint(uint8_t s[32], const P3& p);
// True iff p is the neutral element (0, 1).
bool P2IsIdentity(const P2& p);
// True iff 8p is the neutral element (p lies in the 8-torsion subgroup).
bool HasSmallOrder(const P3& p);

}  // namespace tz::ed25519
