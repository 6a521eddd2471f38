// RAII owners for OpenSSL handles used in crypto/src/. Private.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>

namespace tz::crypto_internal {

template <typename T, void (*Free)(T*)>
struct OsslDeleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using OsslPtr = std::unique_ptr<T, OsslDeleter<T, Free>>;

using UniqueBn = OsslPtr<BIGNUM, BN_clear_free>;
using UniqueBnCtx = OsslPtr<BN_CTX, BN_CTX_free>;
using UniqueEcPoint = OsslPtr<EC_POINT, EC_POINT_free>;
using UniqueEcdsaSig = OsslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using UniquePkey = OsslPtr<EVP_PKEY, EVP_PKEY_free>;
using UniquePkeyCtx = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using UniqueMdCtx = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using UniqueCipherCtx = OsslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using UniqueParamBld = OsslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using UniqueParams = OsslPtr<OSSL_PARAM, OSSL_PARAM_free>;

}  // namespace tz::crypto_internal
