// Streaming AEAD (libsodium secretstream; SM4-GCM STREAM) and key wrapping.
#include "crypto/aead.h"

#include <sodium.h>

#include <cstring>

#include "crypto/random.h"
#include "crypto_internal.h"
#include "sm4_gcm.h"

namespace tz {

using crypto_internal::Die;
using crypto_internal::EnsureSodium;
using crypto_internal::Sm4Gcm;

namespace {

constexpr size_t kSsHeader = crypto_secretstream_xchacha20poly1305_HEADERBYTES;  // 24
constexpr size_t kSsOverhead = crypto_secretstream_xchacha20poly1305_ABYTES;     // 17
constexpr size_t kSm4Prefix = 8;  // random nonce prefix; the header of an SM4 stream
constexpr size_t kXcNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr size_t kXcTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16

static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == SymmetricKey::kSize);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == SymmetricKey::kSize);

Status AuthFailed() { return Status::Corruption("aead.auth_failed", "authentication failed"); }

// STREAM nonce for SM4-GCM: prefix || big-endian chunk counter.
void Sm4Nonce(const uint8_t prefix[kSm4Prefix], uint32_t counter, uint8_t nonce[12]) {
  std::memcpy(nonce, prefix, kSm4Prefix);
  nonce[8] = static_cast<uint8_t>(counter >> 24);
  nonce[9] = static_cast<uint8_t>(counter >> 16);
  nonce[10] = static_cast<uint8_t>(counter >> 8);
  nonce[11] = static_cast<uint8_t>(counter);
}

// The associated data of a chunk: one byte, 1 for the final chunk, so a
// stream cut at a chunk boundary does not authenticate as complete.
const uint8_t kNotLast[1] = {0};
const uint8_t kLast[1] = {1};

}  // namespace

std::string_view AeadName(AeadAlgorithm alg) {
  return alg == AeadAlgorithm::kSm4Gcm ? "sm4-gcm" : "xchacha20poly1305";
}

size_t AeadHeaderSize(AeadAlgorithm alg) {
  return alg == AeadAlgorithm::kSm4Gcm ? kSm4Prefix : kSsHeader;
}

size_t AeadChunkOverhead(AeadAlgorithm alg) {
  return alg == AeadAlgorithm::kSm4Gcm ? Sm4Gcm::kTagSize : kSsOverhead;
}

size_t WrappedKeySize(AeadAlgorithm alg) {
  return alg == AeadAlgorithm::kSm4Gcm ? Sm4Gcm::kNonceSize + SymmetricKey::kSize + Sm4Gcm::kTagSize
                                       : kXcNonce + SymmetricKey::kSize + kXcTag;
}

// ---- SymmetricKey ----

SymmetricKey::SymmetricKey() { std::memset(bytes_, 0, kSize); }
SymmetricKey::~SymmetricKey() { SecureWipe(bytes_, kSize); }
SymmetricKey::SymmetricKey(SymmetricKey&& o) noexcept {
  std::memcpy(bytes_, o.bytes_, kSize);
  SecureWipe(o.bytes_, kSize);
}
SymmetricKey& SymmetricKey::operator=(SymmetricKey&& o) noexcept {
  if (this != &o) {
    std::memcpy(bytes_, o.bytes_, kSize);
    SecureWipe(o.bytes_, kSize);
  }
  return *this;
}

SymmetricKey SymmetricKey::Generate() {
  SymmetricKey k;
  RandomBytes(k.bytes_, kSize);
  return k;
}

Result<SymmetricKey> SymmetricKey::FromBytes(ByteSpan bytes) {
  if (bytes.size() != kSize) {
    return Status::Invalid("key.bad_length",
                           "symmetric key must be 32 bytes, got " + std::to_string(bytes.size()));
  }
  SymmetricKey k;
  std::memcpy(k.bytes_, bytes.data(), kSize);
  return k;
}

// ---- Streams ----

struct StreamEncryptor::Impl {
  AeadAlgorithm alg;
  Bytes header;
  bool done = false;
  crypto_secretstream_xchacha20poly1305_state ss;
  std::unique_ptr<Sm4Gcm> sm4;
  uint32_t counter = 0;
  ~Impl() { SecureWipe(&ss, sizeof ss); }
};

StreamEncryptor::StreamEncryptor(AeadAlgorithm alg, const SymmetricKey& key)
    : impl_(std::make_unique<Impl>()) {
  impl_->alg = alg;
  impl_->header.resize(AeadHeaderSize(alg));
  if (alg == AeadAlgorithm::kXChaCha20Poly1305) {
    EnsureSodium();
    crypto_secretstream_xchacha20poly1305_init_push(&impl_->ss, impl_->header.data(),
                                                    key.bytes().data());
  } else {
    RandomBytes(impl_->header.data(), kSm4Prefix);
    impl_->sm4 = std::make_unique<Sm4Gcm>(key.bytes().data());
  }
}

StreamEncryptor::~StreamEncryptor() = default;

const Bytes& StreamEncryptor::header() const { return impl_->header; }

Bytes StreamEncryptor::Push(ByteSpan plaintext, bool last) {
  if (impl_->done) Die("StreamEncryptor::Push after the last chunk");
  if (plaintext.size() > kAeadChunkSize) Die("StreamEncryptor::Push chunk too large");
  Bytes out(plaintext.size() + AeadChunkOverhead(impl_->alg));
  if (impl_->alg == AeadAlgorithm::kXChaCha20Poly1305) {
    const uint8_t tag = last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                             : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    crypto_secretstream_xchacha20poly1305_push(&impl_->ss, out.data(), nullptr, plaintext.data(),
                                               plaintext.size(), nullptr, 0, tag);
  } else {
    if (impl_->counter == UINT32_MAX) Die("SM4-GCM stream exceeds 2^32 - 1 chunks");
    uint8_t nonce[12];
    Sm4Nonce(impl_->header.data(), impl_->counter++, nonce);
    impl_->sm4->Seal(nonce, ByteSpan(last ? kLast : kNotLast, 1), plaintext, out.data());
  }
  impl_->done = last;
  return out;
}

struct StreamDecryptor::Impl {
  AeadAlgorithm alg;
  bool done = false;
  crypto_secretstream_xchacha20poly1305_state ss;
  std::unique_ptr<Sm4Gcm> sm4;
  uint8_t prefix[kSm4Prefix];
  uint32_t counter = 0;
  ~Impl() { SecureWipe(&ss, sizeof ss); }
};

StreamDecryptor::StreamDecryptor() : impl_(std::make_unique<Impl>()) {}
StreamDecryptor::~StreamDecryptor() = default;

Result<std::unique_ptr<StreamDecryptor>> StreamDecryptor::Create(AeadAlgorithm alg,
                                                                 const SymmetricKey& key,
                                                                 ByteSpan header) {
  if (header.size() != AeadHeaderSize(alg)) {
    return Status::Invalid("aead.bad_header", "stream header must be " +
                                                  std::to_string(AeadHeaderSize(alg)) +
                                                  " bytes, got " + std::to_string(header.size()));
  }
  std::unique_ptr<StreamDecryptor> d(new StreamDecryptor());
  d->impl_->alg = alg;
  if (alg == AeadAlgorithm::kXChaCha20Poly1305) {
    EnsureSodium();
    if (crypto_secretstream_xchacha20poly1305_init_pull(&d->impl_->ss, header.data(),
                                                        key.bytes().data()) != 0) {
      return Status::Invalid("aead.bad_header", "stream header rejected");
    }
  } else {
    std::memcpy(d->impl_->prefix, header.data(), kSm4Prefix);
    d->impl_->sm4 = std::make_unique<Sm4Gcm>(key.bytes().data());
  }
  return d;
}

Result<Bytes> StreamDecryptor::Pull(ByteSpan ciphertext, bool* last) {
  Impl& s = *impl_;
  const size_t overhead = AeadChunkOverhead(s.alg);
  if (s.done) {
    return Status::Corruption("aead.after_final", "data after the final chunk of the stream");
  }
  if (ciphertext.size() < overhead) {
    return Status::Corruption("aead.truncated", "chunk shorter than its authentication tag");
  }
  if (ciphertext.size() > kAeadChunkSize + overhead) {
    return Status::Invalid("aead.chunk_too_large", "chunk larger than the stream's chunk size");
  }
  Bytes out(ciphertext.size() - overhead);
  bool is_last = false;
  if (s.alg == AeadAlgorithm::kXChaCha20Poly1305) {
    uint8_t tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&s.ss, out.data(), nullptr, &tag,
                                                   ciphertext.data(), ciphertext.size(), nullptr,
                                                   0) != 0 ||
        (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE &&
         tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL)) {
      return AuthFailed();
    }
    is_last = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  } else {
    if (s.counter == UINT32_MAX) return AuthFailed();
    uint8_t nonce[12];
    Sm4Nonce(s.prefix, s.counter, nonce);
    // Which flag the chunk carries is only known by trying: non-final first
    // (the common case), then final.
    if (s.sm4->Open(nonce, ByteSpan(kNotLast, 1), ciphertext, out.data())) {
      is_last = false;
    } else if (s.sm4->Open(nonce, ByteSpan(kLast, 1), ciphertext, out.data())) {
      is_last = true;
    } else {
      return AuthFailed();
    }
    ++s.counter;
  }
  s.done = is_last;
  if (last != nullptr) *last = is_last;
  return out;
}

bool StreamDecryptor::finished() const { return impl_->done; }

Status StreamDecryptor::Finish() const {
  if (impl_->done) return Status::Ok();
  return Status::Corruption("aead.truncated", "stream ended before its final chunk");
}

// ---- Key wrapping ----

Bytes WrapKey(AeadAlgorithm alg, const SymmetricKey& kek, const SymmetricKey& dek,
              ByteSpan context) {
  Bytes out(WrappedKeySize(alg));
  if (alg == AeadAlgorithm::kXChaCha20Poly1305) {
    EnsureSodium();
    RandomBytes(out.data(), kXcNonce);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kXcNonce, nullptr, dek.bytes().data(),
                                               SymmetricKey::kSize, context.data(), context.size(),
                                               nullptr, out.data(), kek.bytes().data());
  } else {
    RandomBytes(out.data(), Sm4Gcm::kNonceSize);
    Sm4Gcm(kek.bytes().data())
        .Seal(out.data(), context, dek.bytes(), out.data() + Sm4Gcm::kNonceSize);
  }
  return out;
}

Result<SymmetricKey> UnwrapKey(AeadAlgorithm alg, const SymmetricKey& kek, ByteSpan wrapped,
                               ByteSpan context) {
  if (wrapped.size() != WrappedKeySize(alg)) {
    return Status::Invalid("aead.bad_length", "wrapped key must be " +
                                                  std::to_string(WrappedKeySize(alg)) +
                                                  " bytes, got " + std::to_string(wrapped.size()));
  }
  SymmetricKey dek;
  uint8_t plain[SymmetricKey::kSize];
  bool ok;
  if (alg == AeadAlgorithm::kXChaCha20Poly1305) {
    EnsureSodium();
    ok = crypto_aead_xchacha20poly1305_ietf_decrypt(
             plain, nullptr, nullptr, wrapped.data() + kXcNonce, wrapped.size() - kXcNonce,
             context.data(), context.size(), wrapped.data(), kek.bytes().data()) == 0;
  } else {
    ok = Sm4Gcm(kek.bytes().data())
             .Open(wrapped.data(), context, wrapped.subspan(Sm4Gcm::kNonceSize), plain);
  }
  if (!ok) return AuthFailed();
  auto k = SymmetricKey::FromBytes(ByteSpan(plain, sizeof plain));
  SecureWipe(plain, sizeof plain);
  return k;
}

// ---- One-shot SM4-GCM ----

namespace {
Status CheckSm4Sizes(ByteSpan key, ByteSpan nonce) {
  if (key.size() != Sm4Gcm::kKeySize || nonce.size() != Sm4Gcm::kNonceSize) {
    return Status::Invalid("aead.bad_length", "SM4-GCM needs a 16-byte key and a 12-byte nonce");
  }
  return Status::Ok();
}
}  // namespace

Result<Bytes> Sm4GcmSeal(ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan plaintext) {
  TZ_RETURN_IF_ERROR(CheckSm4Sizes(key, nonce));
  Bytes out(plaintext.size() + Sm4Gcm::kTagSize);
  Sm4Gcm(key.data()).Seal(nonce.data(), aad, plaintext, out.data());
  return out;
}

Result<Bytes> Sm4GcmOpen(ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan sealed) {
  TZ_RETURN_IF_ERROR(CheckSm4Sizes(key, nonce));
  if (sealed.size() < Sm4Gcm::kTagSize) {
    return Status::Invalid("aead.bad_length", "SM4-GCM input shorter than its tag");
  }
  Bytes out(sealed.size() - Sm4Gcm::kTagSize);
  if (!Sm4Gcm(key.data()).Open(nonce.data(), aad, sealed, out.data())) return AuthFailed();
  return out;
}

}  // namespace tz
