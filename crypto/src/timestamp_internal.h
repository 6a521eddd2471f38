// Private helpers for the RFC 3161 sources (timestamp_*.cc): RAII owners for
// OpenSSL handles and conversions shared by the TSA, client and verifier.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/status.h"
#include "crypto/timestamp.h"

namespace tz::tsa_internal {

template <auto kFree>
struct OsslFree {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};

using UniqueBio = std::unique_ptr<BIO, OsslFree<&BIO_free_all>>;
using UniqueBignum = std::unique_ptr<BIGNUM, OsslFree<&BN_free>>;
using UniqueAsn1Integer = std::unique_ptr<ASN1_INTEGER, OsslFree<&ASN1_INTEGER_free>>;
using UniqueAsn1Object = std::unique_ptr<ASN1_OBJECT, OsslFree<&ASN1_OBJECT_free>>;
using UniqueEvpPkey = std::unique_ptr<EVP_PKEY, OsslFree<&EVP_PKEY_free>>;
using UniqueX509 = std::unique_ptr<X509, OsslFree<&X509_free>>;
using UniqueX509Store = std::unique_ptr<X509_STORE, OsslFree<&X509_STORE_free>>;
using UniquePkcs7 = std::unique_ptr<PKCS7, OsslFree<&PKCS7_free>>;
using UniqueTsReq = std::unique_ptr<TS_REQ, OsslFree<&TS_REQ_free>>;
using UniqueTsResp = std::unique_ptr<TS_RESP, OsslFree<&TS_RESP_free>>;
using UniqueTsRespCtx = std::unique_ptr<TS_RESP_CTX, OsslFree<&TS_RESP_CTX_free>>;
using UniqueTstInfo = std::unique_ptr<TS_TST_INFO, OsslFree<&TS_TST_INFO_free>>;
using UniqueMsgImprint = std::unique_ptr<TS_MSG_IMPRINT, OsslFree<&TS_MSG_IMPRINT_free>>;
using UniqueX509Algor = std::unique_ptr<X509_ALGOR, OsslFree<&X509_ALGOR_free>>;

// STACK_OF(X509) owning its certificates.
struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using UniqueX509Stack = std::unique_ptr<STACK_OF(X509), X509StackFree>;

// Drains OpenSSL's thread-local error queue into "a; b; c" (or "" if empty).
std::string DrainErrors();

// A read-only memory BIO over `data` (which must outlive the BIO).
UniqueBio MemoryBio(ByteSpan data);

// Every certificate in a PEM text, in order. An empty text yields an empty
// stack; text that is not a sequence of PEM certificates is an error
// (Status with `reason`, code kInvalidArgument).
Result<UniqueX509Stack> ParsePemCertificates(std::string_view pem, std::string_view reason);

// Dotted OID text → object; only digits and dots with at least two arcs.
UniqueAsn1Object ParseDottedOid(std::string_view oid);
std::string OidToDotted(const ASN1_OBJECT* obj);

// RFC 2253 form of a name ("CN=Demo TSA,O=Demo").
std::string NameToString(const X509_NAME* name);
std::string GeneralNameToString(const GENERAL_NAME* name);

// Big-endian magnitude of a non-negative ASN.1 INTEGER (empty for zero).
Bytes IntegerToBytes(const ASN1_INTEGER* value);
// The same value as an ASN.1 INTEGER; nullptr on allocation failure.
UniqueAsn1Integer BytesToInteger(ByteSpan big_endian);

// Parses an RFC 3161 genTime ("YYYYMMDDhhmmss[.f*]Z").
struct GenTime {
  int64_t unix_seconds = 0;
  std::string rfc3339;
};
bool ParseGeneralizedTime(std::string_view text, GenTime* out);

// Fills everything but signer_subject from a TSTInfo.
// Reason "tsa.malformed" (code `code`) for an unparsable genTime or imprint.
Status DescribeTstInfo(const TS_TST_INFO* tst, Code code, TimeStampInfo* out);

// The DER encoding of a PKCS7 / TS_RESP / TS_REQ.
Bytes Pkcs7ToDer(const PKCS7* p7);
Bytes TsRespToDer(const TS_RESP* resp);
Bytes TsReqToDer(const TS_REQ* req);

}  // namespace tz::tsa_internal
