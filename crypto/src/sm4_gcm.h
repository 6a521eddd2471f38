// SM4-GCM (GCM as in NIST SP 800-38D with the SM4 block cipher; RFC 8998).
// OpenSSL 3.0 has SM4 but not SM4-GCM, so the mode comes from OpenSSL's
// generic GCM (CRYPTO_gcm128_*, which uses PCLMUL for GHASH) over SM4-ECB and
// SM4-CTR contexts. Private.
#pragma once

#include <cstdint>
#include <memory>

#include "crypto/bytes.h"

namespace tz::crypto_internal {

class Sm4Gcm {
 public:
  static constexpr size_t kKeySize = 16;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;

  explicit Sm4Gcm(const uint8_t key[kKeySize]);
  ~Sm4Gcm();
  Sm4Gcm(const Sm4Gcm&) = delete;
  Sm4Gcm& operator=(const Sm4Gcm&) = delete;

  // Writes ciphertext || tag (plaintext.size() + kTagSize bytes) to out.
  void Seal(const uint8_t nonce[kNonceSize], ByteSpan aad, ByteSpan plaintext, uint8_t* out);
  // Requires sealed.size() >= kTagSize. Writes sealed.size() - kTagSize bytes
  // to out and returns true if the tag verifies; otherwise wipes out and
  // returns false.
  bool Open(const uint8_t nonce[kNonceSize], ByteSpan aad, ByteSpan sealed, uint8_t* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tz::crypto_internal
