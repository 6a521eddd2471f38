// Hash functions: SHA-256 (OpenSSL EVP, uses SHA-NI) and SM3 (GB/T 32905).
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace tz {

struct DigestTag {};
// A 32-byte hash output (SHA-256 or SM3; which one is known from context:
// the consortium's CryptoSuite).
using Digest = FixedBytes<32, DigestTag>;

std::string ToHex(const Digest& d);
// Exactly 64 lowercase hex characters (reason "digest.bad_format" otherwise).
Result<Digest> DigestFromHex(std::string_view hex);

enum class HashAlgorithm { kSha256, kSm3 };
std::string_view HashName(HashAlgorithm alg);  // "sha256", "sm3"
Result<HashAlgorithm> ParseHashName(std::string_view name);

// Streaming hasher. Not thread-safe; cheap to reuse after Finish() via Reset().
class Hasher {
 public:
  explicit Hasher(HashAlgorithm alg = HashAlgorithm::kSha256);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void Update(ByteSpan data);
  void Update(std::string_view data) { Update(AsBytes(data)); }
  // Returns the digest and resets the hasher for new input.
  Digest Finish();
  void Reset();
  HashAlgorithm algorithm() const { return alg_; }

 private:
  struct Impl;
  HashAlgorithm alg_;
  std::unique_ptr<Impl> impl_;
};

// One-shot helpers. Hash(alg, ...) reuses a thread-local context.
Digest Hash(HashAlgorithm alg, ByteSpan data);
inline Digest Sha256(ByteSpan data) { return Hash(HashAlgorithm::kSha256, data); }
inline Digest Sha256(std::string_view s) { return Sha256(AsBytes(s)); }
inline Digest Sm3(ByteSpan data) { return Hash(HashAlgorithm::kSm3, data); }
// Hash of the concatenation of parts, without copying them together.
Digest HashParts(HashAlgorithm alg, std::initializer_list<ByteSpan> parts);

// Hashes a whole file in bounded memory (1 MiB reads). Reasons: "file.open"
// (code kNotFound, kPermissionDenied or kIOError), "file.read" (kIOError).
Result<Digest> HashFile(HashAlgorithm alg, const std::string& path);
// Hashes everything readable from an open descriptor (e.g. stdin) until EOF.
// Does not close fd. `name` is used in error messages only. Reason "file.read".
Result<Digest> HashFileDescriptor(HashAlgorithm alg, int fd, std::string_view name);

}  // namespace tz
