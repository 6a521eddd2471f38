// Ed25519 batch verification (see crypto/ed25519_batch.h for the equation,
// the pre-checks and the semantics). Point and field arithmetic are ours
// (ed25519_field.h); SHA-512, reduction mod L and randomness are libsodium's.
//
// The multi-scalar multiplication is Straus' method (interleaved signed
// sliding windows over one shared doubling chain):
//  * each -R_i has a 128-bit scalar z_i and a width-5 NAF table of odd
//    multiples 1..15, so it only takes part in the lowest 129 of the ~253
//    doublings;
//  * each distinct -A has a 253-bit scalar and a width-5 table;
//  * B has a 253-bit scalar and a static width-8 table (odd multiples 1..127).
#include "crypto/ed25519_batch.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "crypto_internal.h"
#include "ed25519_field.h"

namespace tz {

using namespace ed25519;  // NOLINT: private arithmetic helpers

namespace {

// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                            0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

constexpr int kWindow = 5;                                 // R and A tables
constexpr size_t kTableSize = 1 << (kWindow - 2);          // odd multiples 1..15
constexpr int kBaseWindow = 8;                             // B table
constexpr size_t kBaseTableSize = 1 << (kBaseWindow - 2);  // odd multiples 1..127
constexpr size_t kZBytes = 16;                             // z_i are 128-bit
constexpr size_t kZDigits = 8 * kZBytes + 1;               // a NAF is at most one digit longer
constexpr size_t kFullDigits = 254;                        // scalars < L < 2^253

bool ScalarIsCanonical(const uint8_t s[32]) {
  for (int i = 31; i >= 0; --i) {
    if (s[i] != kL[i]) return s[i] < kL[i];
  }
  return false;  // s == L
}

uint64_t Load64(const uint8_t* p) {
  uint64_t x = 0;
  for (int i = 7; i >= 0; --i) x = (x << 8) | p[i];
  return x;
}

// Width-w non-adjacent form of a little-endian scalar of at most
// 8 * nbytes bits: s = sum naf[i] 2^i, each nonzero digit odd with
// |digit| < 2^(w-1), at most one nonzero digit in any w consecutive ones.
// len must be at least the bit length of s plus one.
void Wnaf(int8_t* naf, size_t len, const uint8_t* s, size_t nbytes, int w) {
  uint64_t limbs[5] = {0, 0, 0, 0, 0};
  uint8_t buf[32] = {};
  std::memcpy(buf, s, nbytes);
  for (int i = 0; i < 4; ++i) limbs[i] = Load64(buf + 8 * i);
  std::memset(naf, 0, len);
  const uint64_t window_mask = (uint64_t{1} << w) - 1;
  const int64_t half = int64_t{1} << (w - 1);
  uint64_t carry = 0;
  size_t pos = 0;
  while (pos < len) {
    const size_t idx = pos / 64, sh = pos % 64;
    uint64_t bits = limbs[idx] >> sh;
    if (sh + static_cast<size_t>(w) > 64) bits |= limbs[idx + 1] << (64 - sh);
    bits &= window_mask;
    if ((bits & 1) == carry) {  // the running value is even here
      ++pos;
      continue;
    }
    int64_t digit = static_cast<int64_t>(bits + carry);  // odd, < 2^w
    if (digit >= half) {
      digit -= int64_t{1} << w;
      carry = 1;
    } else {
      carry = 0;
    }
    naf[pos] = static_cast<int8_t>(digit);
    pos += static_cast<size_t>(w);
  }
}

// table[j] = (2j + 1) p for j < count.
void BuildOddMultiples(Cached* table, size_t count, const P3& p, const Fe& d2) {
  P3ToCached(table[0], p, d2);
  P2 p2;
  P1P1 t;
  P3 twice, cur = p;
  P3ToP2(p2, p);
  P2Dbl(t, p2);
  P1P1ToP3(twice, t);
  Cached c2;
  P3ToCached(c2, twice, d2);
  for (size_t j = 1; j < count; ++j) {
    P3AddCached(t, cur, c2);
    P1P1ToP3(cur, t);
    P3ToCached(table[j], cur, d2);
  }
}

const std::array<Cached, kBaseTableSize>& BaseTable() {
  static const std::array<Cached, kBaseTableSize> table = [] {
    std::array<Cached, kBaseTableSize> t;
    BuildOddMultiples(t.data(), t.size(), Constants().base, Constants().d2);
    return t;
  }();
  return table;
}

// t += digit * table-point (digit odd, nonzero); t is the running P1P1.
inline void AddDigit(P1P1& t, P3& u, const Cached* table, int8_t digit) {
  P1P1ToP3(u, t);
  if (digit > 0) {
    P3AddCached(t, u, table[digit >> 1]);
  } else {
    P3SubCached(t, u, table[(-digit) >> 1]);
  }
}

// An exact (unreduced) sum of products z * s, z < 2^128, s < 2^256; a chunk
// of kChunkSize products stays far below 2^512.
struct WideSum {
  uint64_t w[8] = {};

  void AddProduct(const uint8_t z[kZBytes], const uint8_t s[32]) {
    const uint64_t zl[2] = {Load64(z), Load64(z + 8)};
    const uint64_t sl[4] = {Load64(s), Load64(s + 8), Load64(s + 16), Load64(s + 24)};
    for (int i = 0; i < 2; ++i) {
      uint64_t carry = 0;
      for (int j = 0; j < 4; ++j) {
        const Uint128 t = Uint128{zl[i]} * sl[j] + w[i + j] + carry;
        w[i + j] = static_cast<uint64_t>(t);
        carry = static_cast<uint64_t>(t >> 64);
      }
      for (int k = i + 4; carry != 0 && k < 8; ++k) {
        const Uint128 t = Uint128{w[k]} + carry;
        w[k] = static_cast<uint64_t>(t);
        carry = static_cast<uint64_t>(t >> 64);
      }
    }
  }

  // The sum mod L, little-endian.
  void Reduce(uint8_t out[32]) const {
    uint8_t bytes[64];
    for (int k = 0; k < 8; ++k) {
      for (int b = 0; b < 8; ++b) bytes[8 * k + b] = static_cast<uint8_t>(w[k] >> (8 * b));
    }
    crypto_core_ed25519_scalar_reduce(out, bytes);
  }
};

struct PreparedItem {
  uint8_t s[32];
  uint8_t h[32];             // SHA-512(R || A || M) mod L
  uint32_t key;              // index into the chunk's key list
  Cached neg_r[kTableSize];  // odd multiples of -R
};

struct PreparedKey {
  uint32_t global;           // index into the verifier's key list
  bool ok;                   // canonical, on the curve, not of small order
  Cached neg_a[kTableSize];  // odd multiples of -A (when ok)
};

}  // namespace

struct Ed25519BatchVerifier::Scratch {
  explicit Scratch(size_t num_keys) : key_local(num_keys, -1) {}
  std::vector<int32_t> key_local;  // verifier key index -> chunk key index, or -1
  std::vector<PreparedKey> keys;
  std::vector<PreparedItem> items;
  std::vector<size_t> chunk_index;  // prepared item -> chunk offset
};

namespace {

// One chunk's prepared data and the batch equation over subsets of it.
class ChunkCheck {
 public:
  ChunkCheck(const std::vector<PreparedItem>& items, const std::vector<PreparedKey>& keys)
      : items_(items), keys_(keys) {}

  // The batch equation over items_[idx[0..n)]. n > 0.
  bool Holds(const uint32_t* idx, size_t n) {
    z_.resize(n * kZBytes);
    randombytes_buf(z_.data(), z_.size());

    // Scalars: sum z_i S_i for B, sum z_i h_i per key, z_i per R_i.
    WideSum s_sum;
    key_sums_.assign(keys_.size(), WideSum{});
    key_used_.assign(keys_.size(), 0);
    z_naf_.resize(n * kZDigits);
    int8_t digits[kZDigits];
    for (size_t i = 0; i < n; ++i) {
      const PreparedItem& it = items_[idx[i]];
      const uint8_t* z = &z_[i * kZBytes];
      s_sum.AddProduct(z, it.s);
      key_sums_[it.key].AddProduct(z, it.h);
      key_used_[it.key] = 1;
      // Store digits position-major so that one doubling step reads a
      // contiguous row.
      Wnaf(digits, kZDigits, z, kZBytes, kWindow);
      for (size_t p = 0; p < kZDigits; ++p) z_naf_[p * n + i] = digits[p];
    }
    uint8_t scalar[32];
    s_sum.Reduce(scalar);
    Wnaf(base_naf_, kFullDigits, scalar, 32, kBaseWindow);
    used_keys_.clear();
    for (size_t k = 0; k < keys_.size(); ++k) {
      if (key_used_[k]) used_keys_.push_back(static_cast<uint32_t>(k));
    }
    key_naf_.resize(used_keys_.size() * kFullDigits);
    for (size_t j = 0; j < used_keys_.size(); ++j) {
      key_sums_[used_keys_[j]].Reduce(scalar);
      Wnaf(&key_naf_[j * kFullDigits], kFullDigits, scalar, 32, kWindow);
    }

    // Highest position with a nonzero digit anywhere.
    int top = static_cast<int>(kZDigits) - 1;
    for (int p = static_cast<int>(kFullDigits) - 1; p >= static_cast<int>(kZDigits); --p) {
      bool any = base_naf_[p] != 0;
      for (size_t j = 0; !any && j < used_keys_.size(); ++j) {
        any = key_naf_[j * kFullDigits + static_cast<size_t>(p)] != 0;
      }
      if (any) {
        top = p;
        break;
      }
    }

    const std::array<Cached, kBaseTableSize>& base = BaseTable();
    P2 r;
    P1P1 t;
    P3 u;
    P2Identity(r);
    for (int p = top; p >= 0; --p) {
      P2Dbl(t, r);
      if (base_naf_[p] != 0) AddDigit(t, u, base.data(), base_naf_[p]);
      for (size_t j = 0; j < used_keys_.size(); ++j) {
        const int8_t d = key_naf_[j * kFullDigits + static_cast<size_t>(p)];
        if (d != 0) AddDigit(t, u, keys_[used_keys_[j]].neg_a, d);
      }
      if (p < static_cast<int>(kZDigits)) {
        const int8_t* row = &z_naf_[static_cast<size_t>(p) * n];
        for (size_t i = 0; i < n; ++i) {
          if (row[i] != 0) AddDigit(t, u, items_[idx[i]].neg_r, row[i]);
        }
      }
      P1P1ToP2(r, t);
    }
    // Multiply by the cofactor 8 and compare with the neutral element.
    for (int k = 0; k < 3; ++k) {
      P2Dbl(t, r);
      P1P1ToP2(r, t);
    }
    return P2IsIdentity(r);
  }

 private:
  const std::vector<PreparedItem>& items_;
  const std::vector<PreparedKey>& keys_;
  std::vector<uint8_t> z_;
  std::vector<WideSum> key_sums_;
  std::vector<uint8_t> key_used_;
  std::vector<uint32_t> used_keys_;
  std::vector<int8_t> z_naf_;
  std::vector<int8_t> key_naf_;
  int8_t base_naf_[kFullDigits];
};

void PrepareKey(PreparedKey& k, const uint8_t a[32], const Fe& d2) {
  P3 p;
  k.ok = DecodePoint(p, a) && !HasSmallOrder(p);
  if (!k.ok) return;
  P3 neg;
  P3Neg(neg, p);
  BuildOddMultiples(k.neg_a, kTableSize, neg, d2);
}

// Pre-checks (besides the key's) and preparation of one item; false if the
// item cannot verify.
bool PrepareItem(PreparedItem& it, const uint8_t sig[64], const uint8_t a[32], ByteSpan message,
                 const Fe& d2) {
  const uint8_t* r_bytes = sig;
  const uint8_t* s_bytes = sig + 32;
  if (!ScalarIsCanonical(s_bytes)) return false;
  P3 r;
  if (!DecodePoint(r, r_bytes) || HasSmallOrder(r)) return false;
  std::memcpy(it.s, s_bytes, 32);
  crypto_hash_sha512_state hs;
  uint8_t h[64];
  crypto_hash_sha512_init(&hs);
  crypto_hash_sha512_update(&hs, r_bytes, 32);
  crypto_hash_sha512_update(&hs, a, 32);
  crypto_hash_sha512_update(&hs, message.data(), message.size());
  crypto_hash_sha512_final(&hs, h);
  crypto_core_ed25519_scalar_reduce(it.h, h);
  P3 neg;
  P3Neg(neg, r);
  BuildOddMultiples(it.neg_r, kTableSize, neg, d2);
  return true;
}

// Finds the failing items among prepared items idx[0..n), a set known (w.h.p.)
// to fail the batch equation: halves are re-checked as batches; small ranges
// are verified singly with libsodium. Writes verdicts through `verdict`.
template <typename SingleFn, typename VerdictFn>
void Bisect(ChunkCheck& check, const uint32_t* idx, size_t n, size_t single_max,
            const SingleFn& single, const VerdictFn& verdict) {
  if (n <= single_max) {
    for (size_t i = 0; i < n; ++i) verdict(idx[i], single(idx[i]));
    return;
  }
  const size_t half = n / 2;
  if (check.Holds(idx, half)) {
    for (size_t i = 0; i < half; ++i) verdict(idx[i], true);
    // The failure is in the other half.
    Bisect(check, idx + half, n - half, single_max, single, verdict);
    return;
  }
  Bisect(check, idx, half, single_max, single, verdict);
  if (check.Holds(idx + half, n - half)) {
    for (size_t i = half; i < n; ++i) verdict(idx[i], true);
  } else {
    Bisect(check, idx + half, n - half, single_max, single, verdict);
  }
}

}  // namespace

void Ed25519BatchVerifier::Add(const PublicKey& pk, ByteSpan message, const Signature& sig) {
  uint32_t key = kNoKey;
  if (pk.algorithm() == SignatureAlgorithm::kEd25519 && pk.bytes().size() == 32) {
    KeyBytes kb;
    std::memcpy(kb.data(), pk.bytes().data(), 32);
    auto [it, inserted] = key_index_.try_emplace(kb, static_cast<uint32_t>(keys_.size()));
    if (inserted) keys_.push_back(kb);
    key = it->second;
  }
  items_.push_back(Item{message, sig, key});
}

void Ed25519BatchVerifier::Clear() {
  items_.clear();
  keys_.clear();
  key_index_.clear();
}

bool Ed25519BatchVerifier::VerifyAll() const {
  crypto_internal::EnsureSodium();
  Scratch scratch(keys_.size());
  for (size_t begin = 0; begin < items_.size(); begin += kChunkSize) {
    const size_t end = std::min(items_.size(), begin + kChunkSize);
    if (!VerifyChunk(begin, end, scratch, nullptr)) return false;
  }
  return true;
}

std::vector<bool> Ed25519BatchVerifier::VerifyEach() const {
  crypto_internal::EnsureSodium();
  std::vector<bool> each(items_.size(), false);
  Scratch scratch(keys_.size());
  for (size_t begin = 0; begin < items_.size(); begin += kChunkSize) {
    const size_t end = std::min(items_.size(), begin + kChunkSize);
    VerifyChunk(begin, end, scratch, &each);
  }
  return each;
}

bool Ed25519BatchVerifier::VerifyChunk(size_t begin, size_t end, Scratch& scratch,
                                       std::vector<bool>* each) const {
  const Fe& d2 = Constants().d2;
  const size_t n = end - begin;
  scratch.keys.clear();
  scratch.items.resize(n);
  scratch.chunk_index.clear();
  // Resets key_local for the keys this chunk touched, on every return path.
  struct KeyReset {
    Scratch& s;
    ~KeyReset() {
      for (const PreparedKey& k : s.keys) s.key_local[k.global] = -1;
    }
  } reset{scratch};

  size_t good = 0;
  for (size_t off = 0; off < n; ++off) {
    const Item& item = items_[begin + off];
    bool ok = item.key != kNoKey;
    int32_t local = -1;
    if (ok) {
      local = scratch.key_local[item.key];
      if (local < 0) {
        local = static_cast<int32_t>(scratch.keys.size());
        scratch.key_local[item.key] = local;
        scratch.keys.emplace_back();
        scratch.keys.back().global = item.key;
        PrepareKey(scratch.keys.back(), keys_[item.key].data(), d2);
      }
      ok = scratch.keys[static_cast<size_t>(local)].ok;
    }
    PreparedItem& it = scratch.items[good];
    ok = ok && PrepareItem(it, item.signature.data(), keys_[item.key].data(), item.message, d2);
    if (!ok) {
      if (each == nullptr) return false;
      (*each)[begin + off] = false;
      continue;
    }
    it.key = static_cast<uint32_t>(local);
    scratch.chunk_index.push_back(off);
    ++good;
  }
  if (good == 0) return n == 0;

  ChunkCheck check(scratch.items, scratch.keys);
  std::vector<uint32_t> idx(good);
  for (size_t i = 0; i < good; ++i) idx[i] = static_cast<uint32_t>(i);
  const bool holds = check.Holds(idx.data(), good);
  if (each == nullptr) return holds;
  if (holds) {
    for (size_t i = 0; i < good; ++i) (*each)[begin + scratch.chunk_index[i]] = true;
    return good == n;
  }
  auto single = [&](uint32_t i) {
    const Item& item = items_[begin + scratch.chunk_index[i]];
    return crypto_sign_verify_detached(item.signature.data(), item.message.data(),
                                       item.message.size(), keys_[item.key].data()) == 0;
  };
  auto verdict = [&](uint32_t i, bool v) { (*each)[begin + scratch.chunk_index[i]] = v; };
  Bisect(check, idx.data(), good, kSingleVerifyMax, single, verdict);
  return false;
}

// ---------------------------------------------------------------------------
// Test support: raw libsodium operations that tests/crypto/ed25519_batch_test.cc
// uses to construct edge-case signatures (torsion components, small-order
// points) without including libsodium headers outside crypto/src. Declared
// in the test, not part of the public API.
namespace ed25519_batch_testing {

void Sha512(uint8_t out[64], const uint8_t* in, size_t n) {
  crypto_internal::EnsureSodium();
  crypto_hash_sha512(out, in, n);
}
void ScalarReduce(uint8_t out[32], const uint8_t in[64]) {
  crypto_core_ed25519_scalar_reduce(out, in);
}
void ScalarMul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
  crypto_core_ed25519_scalar_mul(out, a, b);
}
void ScalarAdd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
  crypto_core_ed25519_scalar_add(out, a, b);
}
bool BaseMulNoclamp(uint8_t out[32], const uint8_t scalar[32]) {
  crypto_internal::EnsureSodium();
  return crypto_scalarmult_ed25519_base_noclamp(out, scalar) == 0;
}
bool PointAdd(uint8_t out[32], const uint8_t p[32], const uint8_t q[32]) {
  return crypto_core_ed25519_add(out, p, q) == 0;
}
bool SodiumVerify(const uint8_t sig[64], const uint8_t* m, size_t n, const uint8_t pk[32]) {
  crypto_internal::EnsureSodium();
  return crypto_sign_verify_detached(sig, m, n, pk) == 0;
}
// Our own point decoding as the batch verifier applies it to R and A:
// -1 if the encoding is rejected (non-canonical y, not on the curve, x = 0
// with the sign bit), 1 if the point has small order, 0 otherwise.
int ClassifyEncoding(const uint8_t s[32]) {
  P3 p;
  if (!DecodePoint(p, s)) return -1;
  return HasSmallOrder(p) ? 1 : 0;
}

}  // namespace ed25519_batch_testing

}  // namespace tz
