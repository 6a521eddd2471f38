// Ed25519 (libsodium) and SM2-with-SM3 (OpenSSL 3 EVP) signatures.
#include "crypto/sign.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <sodium.h>

#include <cstring>

#include "crypto/random.h"
#include "crypto_internal.h"
#include "ossl_util.h"

namespace tz {

using namespace crypto_internal;  // NOLINT: private helpers and RAII types

namespace {

constexpr size_t kEd25519PublicSize = crypto_sign_PUBLICKEYBYTES;  // 32
constexpr size_t kEd25519SeedSize = crypto_sign_SEEDBYTES;         // 32
constexpr size_t kSm2PublicSize = 65;
constexpr size_t kSm2SecretSize = 32;
// GB/T 32918.2 / GM/T 0009 default distinguishing identifier.
constexpr char kSm2DefaultId[] = "1234567812345678";
constexpr size_t kSm2DefaultIdLen = sizeof(kSm2DefaultId) - 1;

static_assert(crypto_sign_BYTES == kSignatureSize);

const EC_GROUP* Sm2Group() {
  static const EC_GROUP* const group = EC_GROUP_new_by_curve_name(NID_sm2);
  if (group == nullptr) Die("SM2 curve unavailable");
  return group;
}

const EVP_MD* Sm3Md() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SM3", nullptr);
  if (md == nullptr) Die("SM3 unavailable");
  return md;
}

Status BadLength(std::string_view what, size_t want, size_t got) {
  return Status::Invalid("key.bad_length", std::string(what) + " must be " + std::to_string(want) +
                                               " bytes, got " + std::to_string(got));
}

// Builds an SM2 EVP_PKEY from an uncompressed public point and, optionally,
// the private scalar. Returns null if OpenSSL rejects the material.
UniquePkey Sm2Pkey(ByteSpan pub, const BIGNUM* priv) {
  UniqueParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld) Die("OSSL_PARAM_BLD_new failed");
  if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(),
                                       pub.size()) != 1 ||
      (priv != nullptr && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1)) {
    Die("OSSL_PARAM_BLD_push failed");
  }
  UniqueParams params(OSSL_PARAM_BLD_to_param(bld.get()));
  UniquePkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) Die("SM2 fromdata init failed");
  EVP_PKEY* pkey = nullptr;
  int selection = priv != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  if (EVP_PKEY_fromdata(ctx.get(), &pkey, selection, params.get()) != 1) return nullptr;
  return UniquePkey(pkey);
}

// Checks that bytes is 0x04 || X || Y with the point on the SM2 curve.
bool Sm2PointValid(ByteSpan bytes) {
  if (bytes.size() != kSm2PublicSize || bytes[0] != 0x04) return false;
  UniqueEcPoint p(EC_POINT_new(Sm2Group()));
  UniqueBnCtx bn_ctx(BN_CTX_new());
  if (!p || !bn_ctx) Die("EC_POINT_new failed");
  if (EC_POINT_oct2point(Sm2Group(), p.get(), bytes.data(), bytes.size(), bn_ctx.get()) != 1) {
    return false;
  }
  return EC_POINT_is_at_infinity(Sm2Group(), p.get()) == 0 &&
         EC_POINT_is_on_curve(Sm2Group(), p.get(), bn_ctx.get()) == 1;
}

// An EVP_MD_CTX set up for SM2 sign or verify with SM3 and the default ID.
// The EVP_PKEY_CTX is owned by the caller (EVP_MD_CTX_set_pkey_ctx does not
// take ownership) and must outlive the EVP_MD_CTX.
struct Sm2Op {
  UniquePkeyCtx pctx;  // declared first: destroyed after mctx
  UniqueMdCtx mctx;
};

Sm2Op Sm2Init(EVP_PKEY* pkey, bool sign) {
  Sm2Op op{UniquePkeyCtx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr)),
           UniqueMdCtx(EVP_MD_CTX_new())};
  if (!op.pctx || !op.mctx) Die("SM2 context allocation failed");
  if (EVP_PKEY_CTX_set1_id(op.pctx.get(), kSm2DefaultId, kSm2DefaultIdLen) != 1) {
    Die("EVP_PKEY_CTX_set1_id failed");
  }
  EVP_MD_CTX_set_pkey_ctx(op.mctx.get(), op.pctx.get());
  int rc = sign ? EVP_DigestSignInit(op.mctx.get(), nullptr, Sm3Md(), nullptr, pkey)
                : EVP_DigestVerifyInit(op.mctx.get(), nullptr, Sm3Md(), nullptr, pkey);
  if (rc != 1) Die("SM2 digest sign/verify init failed");
  return op;
}

}  // namespace

struct SecretKey::Prepared {
  Bytes public_key;
  uint8_t ed25519_sk[crypto_sign_SECRETKEYBYTES] = {};  // seed || public key
  UniquePkey sm2;
  ~Prepared() { SecureWipe(ed25519_sk, sizeof ed25519_sk); }
};

std::string_view SignatureName(SignatureAlgorithm alg) {
  return alg == SignatureAlgorithm::kSm2 ? "sm2" : "ed25519";
}

Result<SignatureAlgorithm> ParseSignatureName(std::string_view name) {
  if (name == "ed25519") return SignatureAlgorithm::kEd25519;
  if (name == "sm2") return SignatureAlgorithm::kSm2;
  return Status::Invalid("signature.unknown_algorithm",
                         "unknown signature algorithm '" + std::string(name) + "' (ed25519|sm2)");
}

size_t PublicKeySize(SignatureAlgorithm alg) {
  return alg == SignatureAlgorithm::kSm2 ? kSm2PublicSize : kEd25519PublicSize;
}

size_t SecretKeySize(SignatureAlgorithm alg) {
  return alg == SignatureAlgorithm::kSm2 ? kSm2SecretSize : kEd25519SeedSize;
}

Result<PublicKey> PublicKey::FromBytes(SignatureAlgorithm alg, ByteSpan bytes) {
  if (bytes.size() != PublicKeySize(alg)) {
    return BadLength(std::string(SignatureName(alg)) + " public key", PublicKeySize(alg),
                     bytes.size());
  }
  if (alg == SignatureAlgorithm::kSm2 && !Sm2PointValid(bytes)) {
    return Status::Invalid("key.bad_point",
                           "sm2 public key is not an uncompressed point on the curve");
  }
  PublicKey pk;
  pk.alg_ = alg;
  pk.bytes_.assign(bytes.begin(), bytes.end());
  return pk;
}

SecretKey::~SecretKey() { SecureWipe(bytes_.data(), bytes_.size()); }

SecretKey::SecretKey(SecretKey&& o) noexcept
    : alg_(o.alg_), bytes_(std::move(o.bytes_)), prepared_(std::move(o.prepared_)) {
  o.bytes_.clear();
}

SecretKey& SecretKey::operator=(SecretKey&& o) noexcept {
  if (this != &o) {
    SecureWipe(bytes_.data(), bytes_.size());
    alg_ = o.alg_;
    bytes_ = std::move(o.bytes_);
    prepared_ = std::move(o.prepared_);
    o.bytes_.clear();
  }
  return *this;
}

SecretKey SecretKey::Clone() const {
  SecretKey k;
  k.alg_ = alg_;
  k.bytes_ = bytes_;
  k.prepared_ = prepared_;
  return k;
}

Result<SecretKey> SecretKey::FromBytes(SignatureAlgorithm alg, ByteSpan bytes) {
  if (bytes.size() != SecretKeySize(alg)) {
    return BadLength(std::string(SignatureName(alg)) + " secret key", SecretKeySize(alg),
                     bytes.size());
  }
  auto prep = std::make_shared<Prepared>();
  if (alg == SignatureAlgorithm::kEd25519) {
    EnsureSodium();
    prep->public_key.resize(crypto_sign_PUBLICKEYBYTES);
    crypto_sign_seed_keypair(prep->public_key.data(), prep->ed25519_sk, bytes.data());
  } else {
    // SM2 signing needs (1 + d) invertible mod n, so d ranges over [1, n-2].
    UniqueBn d(BN_secure_new());
    UniqueBn max(BN_dup(EC_GROUP_get0_order(Sm2Group())));
    if (!d || !max || BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), d.get()) == nullptr ||
        BN_sub_word(max.get(), 2) != 1) {
      Die("BIGNUM allocation failed");
    }
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), max.get()) > 0) {
      return Status::Invalid("key.bad_scalar", "sm2 secret key is outside [1, n-2]");
    }
    UniqueEcPoint pub(EC_POINT_new(Sm2Group()));
    UniqueBnCtx bn_ctx(BN_CTX_secure_new());
    prep->public_key.resize(kSm2PublicSize);
    if (!pub || !bn_ctx ||
        EC_POINT_mul(Sm2Group(), pub.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
        EC_POINT_point2oct(Sm2Group(), pub.get(), POINT_CONVERSION_UNCOMPRESSED,
                           prep->public_key.data(), kSm2PublicSize,
                           bn_ctx.get()) != kSm2PublicSize) {
      Die("SM2 public key derivation failed");
    }
    prep->sm2 = Sm2Pkey(prep->public_key, d.get());
    if (!prep->sm2) Die("SM2 key import failed");
  }
  SecretKey sk;
  sk.alg_ = alg;
  sk.bytes_.assign(bytes.begin(), bytes.end());
  sk.prepared_ = std::move(prep);
  return sk;
}

Result<Signature> SignatureFromBytes(ByteSpan bytes) {
  Signature sig;
  if (!Signature::FromSpan(bytes, &sig)) {
    return Status::Invalid("signature.bad_length",
                           "signature must be " + std::to_string(kSignatureSize) + " bytes, got " +
                               std::to_string(bytes.size()));
  }
  return sig;
}

KeyPair GenerateKeyPair(SignatureAlgorithm alg) {
  uint8_t seed[32];
  for (;;) {  // SM2: retry the ~2^-224 chance of an out-of-range scalar
    RandomBytes(seed, sizeof seed);
    auto sk = SecretKey::FromBytes(alg, ByteSpan(seed, sizeof seed));
    if (!sk.ok()) continue;
    SecureWipe(seed, sizeof seed);
    auto pk = DerivePublicKey(*sk);
    if (!pk.ok()) Die("public key derivation failed for a fresh key");
    return KeyPair{std::move(pk).value(), std::move(sk).value()};
  }
}

Result<PublicKey> DerivePublicKey(const SecretKey& sk) {
  if (sk.prepared() == nullptr) {
    return Status::Invalid("key.bad_length", "secret key is empty");
  }
  // The bytes were produced by our own derivation; FromBytes re-validates.
  return PublicKey::FromBytes(sk.algorithm(), sk.prepared()->public_key);
}

Result<Signature> Sign(const SecretKey& sk, ByteSpan message) {
  const SecretKey::Prepared* prep = sk.prepared();
  if (prep == nullptr) return Status::Invalid("key.bad_length", "secret key is empty");
  Signature sig;
  if (sk.algorithm() == SignatureAlgorithm::kEd25519) {
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), prep->ed25519_sk);
    return sig;
  }
  Sm2Op op = Sm2Init(prep->sm2.get(), /*sign=*/true);
  uint8_t der[80];  // DER of two 32-byte INTEGERs is at most 72 bytes
  size_t der_len = sizeof der;
  if (EVP_DigestSign(op.mctx.get(), der, &der_len, message.data(), message.size()) != 1) {
    Die("SM2 sign failed");
  }
  const uint8_t* p = der;
  UniqueEcdsaSig es(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  if (!es) Die("SM2 signature DER parse failed");
  ECDSA_SIG_get0(es.get(), &r, &s);
  if (BN_bn2binpad(r, sig.data(), 32) != 32 || BN_bn2binpad(s, sig.data() + 32, 32) != 32) {
    Die("SM2 signature component too large");
  }
  return sig;
}

Status Verify(const PublicKey& pk, ByteSpan message, const Signature& sig) {
  const Status invalid = Status::Verification("signature.invalid", "signature does not verify");
  if (pk.bytes().size() != PublicKeySize(pk.algorithm())) {
    return Status::Invalid("key.bad_length", "public key is empty or malformed");
  }
  if (pk.algorithm() == SignatureAlgorithm::kEd25519) {
    EnsureSodium();
    return crypto_sign_verify_detached(sig.data(), message.data(), message.size(),
                                       pk.bytes().data()) == 0
               ? Status::Ok()
               : invalid;
  }
  UniquePkey pkey = Sm2Pkey(pk.bytes(), nullptr);
  if (!pkey) return Status::Invalid("key.bad_point", "sm2 public key rejected");
  UniqueEcdsaSig es(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(sig.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(sig.data() + 32, 32, nullptr);
  if (!es || r == nullptr || s == nullptr || ECDSA_SIG_set0(es.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    Die("ECDSA_SIG allocation failed");
  }
  uint8_t der[80];
  uint8_t* out = der;
  int der_len = i2d_ECDSA_SIG(es.get(), nullptr);
  if (der_len <= 0 || der_len > static_cast<int>(sizeof der) ||
      i2d_ECDSA_SIG(es.get(), &out) != der_len) {
    Die("SM2 signature DER encoding failed");
  }
  Sm2Op op = Sm2Init(pkey.get(), /*sign=*/false);
  int rc = EVP_DigestVerify(op.mctx.get(), der, static_cast<size_t>(der_len), message.data(),
                            message.size());
  if (rc == 1) return Status::Ok();
  ERR_clear_error();  // the failure reason is ours to report, not the queue's
  return invalid;
}

}  // namespace tz
