// Digital signatures: Ed25519 (libsodium; the "intl" suite) and SM2 with SM3
// (OpenSSL; the "gm" suite, GB/T 32918, default distinguishing ID
// "1234567812345678").
//
// Encodings:
//   Ed25519 public key: 32 bytes; secret key: 32-byte seed; signature: 64 bytes.
//   SM2 public key: 65 bytes (0x04 || X || Y); secret key: 32-byte scalar;
//   signature: 64 bytes (r || s, big-endian, fixed width).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace tz {

enum class SignatureAlgorithm { kEd25519, kSm2 };
std::string_view SignatureName(SignatureAlgorithm alg);  // "ed25519", "sm2"
Result<SignatureAlgorithm> ParseSignatureName(std::string_view name);
size_t PublicKeySize(SignatureAlgorithm alg);
size_t SecretKeySize(SignatureAlgorithm alg);
constexpr size_t kSignatureSize = 64;  // both algorithms

class PublicKey {
 public:
  PublicKey() = default;
  // Validates the length (and, for SM2, that the point is on the curve).
  // Reasons: "key.bad_length", "key.bad_point".
  static Result<PublicKey> FromBytes(SignatureAlgorithm alg, ByteSpan bytes);
  SignatureAlgorithm algorithm() const { return alg_; }
  const Bytes& bytes() const { return bytes_; }
  bool operator==(const PublicKey&) const = default;

 private:
  SignatureAlgorithm alg_ = SignatureAlgorithm::kEd25519;
  Bytes bytes_;
};

// Secret key material; wiped on destruction; not copyable by accident.
class SecretKey {
 public:
  SecretKey() = default;
  ~SecretKey();
  SecretKey(SecretKey&&) noexcept;
  SecretKey& operator=(SecretKey&&) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  SecretKey Clone() const;

  // Reasons: "key.bad_length"; for SM2 "key.bad_scalar" unless 1 <= d <= n-2.
  static Result<SecretKey> FromBytes(SignatureAlgorithm alg, ByteSpan bytes);
  SignatureAlgorithm algorithm() const { return alg_; }
  ByteSpan bytes() const { return ByteSpan(bytes_.data(), bytes_.size()); }

  // Precomputed signing state (the expanded Ed25519 key, the SM2 key object),
  // built once in FromBytes so Sign() does not redo key setup; shared by
  // clones, immutable, defined in sign.cc. Null for a default-constructed key.
  struct Prepared;
  const Prepared* prepared() const { return prepared_.get(); }

 private:
  SignatureAlgorithm alg_ = SignatureAlgorithm::kEd25519;
  Bytes bytes_;
  std::shared_ptr<const Prepared> prepared_;
};

struct SignatureTag {};
using Signature = FixedBytes<kSignatureSize, SignatureTag>;
// Reason "signature.bad_length" when the size is not 64.
Result<Signature> SignatureFromBytes(ByteSpan bytes);

struct KeyPair {
  PublicKey public_key;
  SecretKey secret_key;
};

KeyPair GenerateKeyPair(SignatureAlgorithm alg);
// Derives the public key from a secret key.
Result<PublicKey> DerivePublicKey(const SecretKey& sk);

// Fails only for an empty (default-constructed) key ("key.bad_length").
Result<Signature> Sign(const SecretKey& sk, ByteSpan message);
// OK only if sig is a valid signature of message under pk.
// Reason "signature.invalid" otherwise.
[[nodiscard]] Status Verify(const PublicKey& pk, ByteSpan message, const Signature& sig);

}  // namespace tz
