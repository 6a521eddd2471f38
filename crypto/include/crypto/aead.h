// Authenticated encryption.
//
// Streaming (for files of any size, bounded memory):
//   kXChaCha20Poly1305: libsodium crypto_secretstream_xchacha20poly1305.
//   kSm4Gcm: SM4-GCM per chunk in a STREAM construction (nonce = 8-byte
//   random prefix || 4-byte big-endian chunk counter, last chunk flagged in
//   the associated data), for the "gm" suite.
// The ciphertext stream is: header (HeaderSize) then, per plaintext chunk of
// up to kChunkSize bytes, the chunk's ciphertext (+ ChunkOverhead). Truncation,
// reordering and tampering are detected ("aead.auth_failed", "aead.truncated").
//
// Key wrapping (a data key under a key-encryption key): one-shot AEAD with a
// random nonce, kXChaCha20Poly1305 = crypto_aead_xchacha20poly1305_ietf.
#pragma once

#include <memory>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace tz {

enum class AeadAlgorithm { kXChaCha20Poly1305, kSm4Gcm };
std::string_view AeadName(AeadAlgorithm alg);  // "xchacha20poly1305", "sm4-gcm"

// 32-byte symmetric key (SM4 uses the first 16 bytes); wiped on destruction.
class SymmetricKey {
 public:
  static constexpr size_t kSize = 32;
  SymmetricKey();
  ~SymmetricKey();
  SymmetricKey(SymmetricKey&&) noexcept;
  SymmetricKey& operator=(SymmetricKey&&) noexcept;
  SymmetricKey(const SymmetricKey&) = delete;
  SymmetricKey& operator=(const SymmetricKey&) = delete;

  static SymmetricKey Generate();
  static Result<SymmetricKey> FromBytes(ByteSpan bytes);  // "key.bad_length"
  ByteSpan bytes() const { return ByteSpan(bytes_, kSize); }

 private:
  uint8_t bytes_[kSize];
};

constexpr size_t kAeadChunkSize = 64 * 1024;
size_t AeadHeaderSize(AeadAlgorithm alg);
size_t AeadChunkOverhead(AeadAlgorithm alg);

class StreamEncryptor {
 public:
  StreamEncryptor(AeadAlgorithm alg, const SymmetricKey& key);
  ~StreamEncryptor();
  StreamEncryptor(const StreamEncryptor&) = delete;
  StreamEncryptor& operator=(const StreamEncryptor&) = delete;
  // The stream header; write it before the first chunk.
  const Bytes& header() const;
  // Encrypts one chunk (size <= kAeadChunkSize); `last` marks the final one.
  // Pushing after the last chunk or an oversized chunk is a programming
  // error and aborts.
  Bytes Push(ByteSpan plaintext, bool last);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class StreamDecryptor {
 public:
  // Fails with "aead.bad_header" if the header is malformed.
  static Result<std::unique_ptr<StreamDecryptor>> Create(AeadAlgorithm alg, const SymmetricKey& key,
                                                         ByteSpan header);
  ~StreamDecryptor();
  // Decrypts one ciphertext chunk. After the chunk flagged last, further
  // chunks are rejected. *last is set when this was the final chunk.
  // Reasons: "aead.auth_failed" (kCorruption: wrong key, tampered, reordered
  // or dropped chunk), "aead.truncated" (shorter than the chunk overhead),
  // "aead.chunk_too_large", "aead.after_final". A failed Pull leaves the
  // decryptor where it was.
  Result<Bytes> Pull(ByteSpan ciphertext, bool* last);
  bool finished() const;
  // Call at the end of the input: OK if the final chunk has been pulled,
  // "aead.truncated" (kCorruption) if the stream ended early.
  Status Finish() const;

 private:
  StreamDecryptor();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Wraps a data key under a key-encryption key; `context` is bound as
// associated data (e.g. the household id) so a wrapped key cannot be moved.
Bytes WrapKey(AeadAlgorithm alg, const SymmetricKey& kek, const SymmetricKey& dek,
              ByteSpan context);
// Reasons: "aead.bad_length" (wrapped is not WrappedKeySize(alg) bytes),
// "aead.auth_failed" (wrong kek, wrong context or tampered).
Result<SymmetricKey> UnwrapKey(AeadAlgorithm alg, const SymmetricKey& kek, ByteSpan wrapped,
                               ByteSpan context);
// nonce || ciphertext || tag: 72 bytes for XChaCha20-Poly1305, 60 for SM4-GCM.
size_t WrappedKeySize(AeadAlgorithm alg);

// One-shot SM4-GCM (RFC 8998: 16-byte key, 12-byte nonce, 16-byte tag),
// sealed = ciphertext || tag. Exposed for known-answer tests and for
// interoperability checks; the streams above are what applications use.
// Reasons: "aead.bad_length", "aead.auth_failed".
Result<Bytes> Sm4GcmSeal(ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan plaintext);
Result<Bytes> Sm4GcmOpen(ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan sealed);

}  // namespace tz
