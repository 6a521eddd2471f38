#include "sm4_gcm.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/modes.h>

#include <cstring>

#include "crypto_internal.h"
#include "ossl_util.h"

namespace tz::crypto_internal {
namespace {

const EVP_CIPHER* Cipher(const char* name) {
  const EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, name, nullptr);
  if (c == nullptr) Die("SM4 cipher unavailable");
  return c;
}
const EVP_CIPHER* Sm4Ecb() {
  static const EVP_CIPHER* const c = Cipher("SM4-ECB");
  return c;
}
const EVP_CIPHER* Sm4Ctr() {
  static const EVP_CIPHER* const c = Cipher("SM4-CTR");
  return c;
}

// The key schedule GCM's callbacks see through their `const void* key`.
struct Sm4Contexts {
  UniqueCipherCtx ecb{EVP_CIPHER_CTX_new()};
  UniqueCipherCtx ctr{EVP_CIPHER_CTX_new()};
};

void EncryptBlock(const unsigned char in[16], unsigned char out[16], const void* key) {
  auto* k = static_cast<const Sm4Contexts*>(key);
  int len = 0;
  if (EVP_EncryptUpdate(k->ecb.get(), out, &len, in, 16) != 1 || len != 16) {
    Die("SM4-ECB block failed");
  }
}

void CtrRun(const Sm4Contexts* k, const unsigned char* in, unsigned char* out, size_t blocks,
            const unsigned char ivec[16]) {
  if (blocks == 0) return;
  int len = 0;
  if (EVP_EncryptInit_ex(k->ctr.get(), nullptr, nullptr, nullptr, ivec) != 1 ||
      EVP_EncryptUpdate(k->ctr.get(), out, &len, in, static_cast<int>(blocks * 16)) != 1 ||
      static_cast<size_t>(len) != blocks * 16) {
    Die("SM4-CTR failed");
  }
}

// GCM's ctr128_f: `blocks` blocks from counter block ivec, incrementing only
// the low 32 bits (inc32). OpenSSL's SM4-CTR increments all 128 bits, so a
// run that would carry out of the low word is split at the wrap.
void Ctr32(const unsigned char* in, unsigned char* out, size_t blocks, const void* key,
           const unsigned char ivec[16]) {
  auto* k = static_cast<const Sm4Contexts*>(key);
  uint32_t ctr =
      uint32_t{ivec[12]} << 24 | uint32_t{ivec[13]} << 16 | uint32_t{ivec[14]} << 8 | ivec[15];
  uint64_t before_wrap = (uint64_t{1} << 32) - ctr;
  if (blocks <= before_wrap) return CtrRun(k, in, out, blocks, ivec);
  CtrRun(k, in, out, static_cast<size_t>(before_wrap), ivec);
  unsigned char wrapped[16];
  std::memcpy(wrapped, ivec, 12);
  std::memset(wrapped + 12, 0, 4);
  size_t done = static_cast<size_t>(before_wrap) * 16;
  CtrRun(k, in + done, out + done, blocks - static_cast<size_t>(before_wrap), wrapped);
}

struct GcmDeleter {
  void operator()(GCM128_CONTEXT* c) const { CRYPTO_gcm128_release(c); }
};

}  // namespace

struct Sm4Gcm::Impl {
  Sm4Contexts keys;
  std::unique_ptr<GCM128_CONTEXT, GcmDeleter> gcm;
};

Sm4Gcm::Sm4Gcm(const uint8_t key[kKeySize]) : impl_(std::make_unique<Impl>()) {
  Sm4Contexts& k = impl_->keys;
  if (!k.ecb || !k.ctr || EVP_EncryptInit_ex(k.ecb.get(), Sm4Ecb(), nullptr, key, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(k.ecb.get(), 0) != 1 ||
      EVP_EncryptInit_ex(k.ctr.get(), Sm4Ctr(), nullptr, key, nullptr) != 1) {
    Die("SM4 key setup failed");
  }
  impl_->gcm.reset(CRYPTO_gcm128_new(&impl_->keys, EncryptBlock));
  if (!impl_->gcm) Die("CRYPTO_gcm128_new failed");
}

Sm4Gcm::~Sm4Gcm() = default;

void Sm4Gcm::Seal(const uint8_t nonce[kNonceSize], ByteSpan aad, ByteSpan plaintext, uint8_t* out) {
  GCM128_CONTEXT* g = impl_->gcm.get();
  CRYPTO_gcm128_setiv(g, nonce, kNonceSize);
  if ((!aad.empty() && CRYPTO_gcm128_aad(g, aad.data(), aad.size()) != 0) ||
      (!plaintext.empty() &&
       CRYPTO_gcm128_encrypt_ctr32(g, plaintext.data(), out, plaintext.size(), Ctr32) != 0)) {
    Die("SM4-GCM encrypt failed");
  }
  CRYPTO_gcm128_tag(g, out + plaintext.size(), kTagSize);
}

bool Sm4Gcm::Open(const uint8_t nonce[kNonceSize], ByteSpan aad, ByteSpan sealed, uint8_t* out) {
  GCM128_CONTEXT* g = impl_->gcm.get();
  const size_t n = sealed.size() - kTagSize;
  CRYPTO_gcm128_setiv(g, nonce, kNonceSize);
  if ((!aad.empty() && CRYPTO_gcm128_aad(g, aad.data(), aad.size()) != 0) ||
      (n > 0 && CRYPTO_gcm128_decrypt_ctr32(g, sealed.data(), out, n, Ctr32) != 0)) {
    Die("SM4-GCM decrypt failed");
  }
  // CRYPTO_gcm128_finish compares tags with CRYPTO_memcmp; 0 means equal.
  if (CRYPTO_gcm128_finish(g, sealed.data() + n, kTagSize) != 0) {
    if (n > 0) OPENSSL_cleanse(out, n);
    return false;
  }
  return true;
}

}  // namespace tz::crypto_internal
