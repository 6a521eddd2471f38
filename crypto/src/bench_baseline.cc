// Raw library calls with no Tiezheng wrapper, so bench/crypto_bench.cc can
// measure our overhead in the same binary without including libsodium or
// OpenSSL headers outside crypto/src/. Not part of the public API: the
// declarations live in the benchmark.
#include <openssl/evp.h>
#include <sodium.h>

#include <cstddef>
#include <cstdint>

#include "crypto_internal.h"

namespace tz::bench_baseline {

void Ed25519Keypair(uint8_t pk[32], uint8_t sk[64]) {
  crypto_internal::EnsureSodium();
  crypto_sign_keypair(pk, sk);
}

void Ed25519Sign(uint8_t sig[64], const uint8_t* m, size_t n, const uint8_t sk[64]) {
  crypto_sign_detached(sig, nullptr, m, n, sk);
}

bool Ed25519Verify(const uint8_t sig[64], const uint8_t* m, size_t n, const uint8_t pk[32]) {
  return crypto_sign_verify_detached(sig, m, n, pk) == 0;
}

// SHA-256 of `total` bytes fed as `chunk`-byte updates from `buf`, through a
// fresh EVP_MD_CTX with the implicitly fetched EVP_sha256(): what a plain
// OpenSSL program does.
void Sha256Evp(const uint8_t* buf, size_t chunk, size_t updates, uint8_t out[32]) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (size_t i = 0; i < updates; ++i) EVP_DigestUpdate(ctx, buf, chunk);
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out, &len);
  EVP_MD_CTX_free(ctx);
}

// libsodium's own SHA-256 (no SHA-NI), for comparison with OpenSSL's.
void Sha256Sodium(const uint8_t* buf, size_t chunk, size_t updates, uint8_t out[32]) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  for (size_t i = 0; i < updates; ++i) crypto_hash_sha256_update(&st, buf, chunk);
  crypto_hash_sha256_final(&st, out);
}

}  // namespace tz::bench_baseline
