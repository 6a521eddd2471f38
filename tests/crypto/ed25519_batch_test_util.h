// Shared helpers of the Ed25519 batch verifier tests
// (ed25519_batch_test.cc, ed25519_batch_encoding_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string_view>
#include <vector>

#include "crypto/ed25519_batch.h"
#include "crypto/encoding.h"
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

namespace tz::batch_test {

namespace raw = ed25519_batch_testing;
using Point = std::array<uint8_t, 32>;
using Scalar = std::array<uint8_t, 32>;

constexpr SignatureAlgorithm kEd = SignatureAlgorithm::kEd25519;

inline Bytes H(std::string_view hex) {
  auto b = HexDecode(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : Bytes{};
}

inline PublicKey Pk(ByteSpan bytes) {
  auto pk = PublicKey::FromBytes(kEd, bytes);
  EXPECT_TRUE(pk.ok());
  return pk.ok() ? *pk : PublicKey{};
}

inline Signature Sig(ByteSpan r, ByteSpan s) {
  Bytes b(r.begin(), r.end());
  b.insert(b.end(), s.begin(), s.end());
  auto sig = SignatureFromBytes(b);
  EXPECT_TRUE(sig.ok());
  return sig.ok() ? *sig : Signature{};
}

// A fresh Ed25519 key pair.
struct Signer {
  KeyPair kp;
  Signer() : kp(GenerateKeyPair(kEd)) {}
};

inline bool Single(const PublicKey& pk, ByteSpan msg, const Signature& sig) {
  return Verify(pk, msg, sig).ok();
}

inline bool BatchOne(const PublicKey& pk, ByteSpan msg, const Signature& sig) {
  Ed25519BatchVerifier v;
  v.Add(pk, msg, sig);
  const bool all = v.VerifyAll();
  std::vector<bool> each = v.VerifyEach();
  EXPECT_EQ(each.size(), 1u);
  EXPECT_EQ(each[0], all);
  return all;
}

}  // namespace tz::batch_test
