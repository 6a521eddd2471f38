// Offline verification of RFC 3161 time-stamp tokens.
//
// The signature and chain checks are OpenSSL's TS_RESP_verify_signature (the
// same code as `openssl ts -verify`, so both accept the same tokens); around
// it we do the structural checks first so each failure gets its own reason.
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <climits>

#include "crypto/timestamp.h"
#include "timestamp_internal.h"

namespace tz {

using namespace tsa_internal;

namespace {

Status Fail(std::string reason, std::string message) {
  return Status::Verification(std::move(reason), std::move(message));
}

// A decoded token: the PKCS#7 SignedData and its TSTInfo.
struct DecodedToken {
  UniquePkcs7 p7;
  UniqueTstInfo tst;
};

Result<DecodedToken> DecodeToken(ByteSpan der, Code code) {
  auto malformed = [code](std::string msg) {
    return Status(code, "tsa.malformed", std::move(msg));
  };
  if (der.empty() || der.size() > INT_MAX / 2) return malformed("token empty or too large");
  ERR_clear_error();
  DecodedToken t;
  const unsigned char* p = der.data();
  t.p7.reset(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!t.p7) return malformed("not a CMS ContentInfo: " + DrainErrors());
  if (p != der.data() + der.size()) return malformed("trailing bytes after the token");
  if (!PKCS7_type_is_signed(t.p7.get())) return malformed("token is not SignedData");
  if (PKCS7_get_detached(t.p7.get())) return malformed("token has no encapsulated TSTInfo");
  STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(t.p7.get());
  if (signers == nullptr || sk_PKCS7_SIGNER_INFO_num(signers) != 1) {
    return malformed("token must have exactly one SignerInfo");
  }
  // Checks the eContentType is id-smime-ct-TSTInfo and decodes it.
  t.tst.reset(PKCS7_to_TS_TST_INFO(t.p7.get()));
  if (!t.tst) return malformed("content is not a TSTInfo: " + DrainErrors());
  if (TS_TST_INFO_get_version(t.tst.get()) != 1) return malformed("TSTInfo version is not 1");
  return t;
}

// True if TSTInfo.tsa names the signer: its subject, or one of its
// subjectAltNames (RFC 3161 §2.4.2).
bool TsaNameMatchesSigner(const GENERAL_NAME* tsa, X509* signer) {
  if (tsa->type == GEN_DIRNAME &&
      X509_NAME_cmp(tsa->d.directoryName, X509_get_subject_name(signer)) == 0) {
    return true;
  }
  auto* alt_names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(signer, NID_subject_alt_name, nullptr, nullptr));
  bool found = false;
  for (int i = 0; alt_names != nullptr && i < sk_GENERAL_NAME_num(alt_names); ++i) {
    if (GENERAL_NAME_cmp(sk_GENERAL_NAME_value(alt_names, i), const_cast<GENERAL_NAME*>(tsa)) ==
        0) {
      found = true;
      break;
    }
  }
  GENERAL_NAMES_free(alt_names);
  return found;
}

// Classifies a TS_RESP_verify_signature failure from the error queue: a
// certificate path failure means we do not trust the signer; anything after
// it (ESSCertID, message digest, signature value) means the token was
// altered or forged.
Status SignatureFailure() {
  bool chain_failed = false;
  std::string detail;
  char buf[256];
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    if (ERR_GET_LIB(e) == ERR_LIB_TS && ERR_GET_REASON(e) == TS_R_CERTIFICATE_VERIFY_ERROR) {
      chain_failed = true;
    }
    ERR_error_string_n(e, buf, sizeof(buf));
    detail += detail.empty() ? "" : "; ";
    detail += buf;
  }
  if (chain_failed) {
    return Fail("tsa.untrusted", "TSA certificate does not chain to a trusted CA: " + detail);
  }
  return Fail("tsa.bad_signature", "token signature does not verify: " + detail);
}

Result<UniqueX509Store> TrustStore(std::string_view trusted_ca_pem) {
  TZ_ASSIGN_OR_RETURN(UniqueX509Stack cas,
                      ParsePemCertificates(trusted_ca_pem, "tsa.bad_trust_anchor"));
  if (sk_X509_num(cas.get()) == 0) {
    return Status::Invalid("tsa.bad_trust_anchor", "no trusted CA certificate given");
  }
  UniqueX509Store store(X509_STORE_new());
  if (!store) return Status::Internal("tsa.internal", "out of memory");
  for (int i = 0; i < sk_X509_num(cas.get()); ++i) {
    if (X509_STORE_add_cert(store.get(), sk_X509_value(cas.get(), i)) != 1) {
      return Status::Internal("tsa.internal", "adding CA: " + DrainErrors());
    }
  }
  return store;
}

}  // namespace

Result<TimeStampInfo> VerifyTimeStampToken(ByteSpan token_der, const Digest& expected_sha256,
                                           std::string_view trusted_ca_pem,
                                           const TimeStampVerifyOptions& options) {
  TZ_ASSIGN_OR_RETURN(UniqueX509Store store, TrustStore(trusted_ca_pem));
  TZ_ASSIGN_OR_RETURN(UniqueX509Stack untrusted,
                      ParsePemCertificates(options.untrusted_pem, "tsa.bad_chain"));
  TZ_ASSIGN_OR_RETURN(DecodedToken token, DecodeToken(token_der, Code::kVerificationFailed));
  TimeStampInfo info;
  TZ_RETURN_IF_ERROR(DescribeTstInfo(token.tst.get(), Code::kVerificationFailed, &info));

  // The signer must be found (in the token or the supplied certificates)
  // before a chain can be built.
  STACK_OF(X509)* signers = PKCS7_get0_signers(token.p7.get(), untrusted.get(), 0);
  int n_signers = signers ? sk_X509_num(signers) : 0;
  sk_X509_free(signers);
  if (n_signers != 1) {
    DrainErrors();
    return Fail("tsa.untrusted",
                "TSA certificate neither in the token nor among the supplied certificates");
  }

  if (options.validate_at_gen_time) {
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()),
                               static_cast<time_t>(info.gen_time_unix));
  }
  ERR_clear_error();
  X509* signer_raw = nullptr;
  if (TS_RESP_verify_signature(token.p7.get(), untrusted.get(), store.get(), &signer_raw) != 1) {
    return SignatureFailure();
  }
  UniqueX509 signer(signer_raw);
  info.signer_subject = NameToString(X509_get_subject_name(signer.get()));

  const GENERAL_NAME* tsa = TS_TST_INFO_get_tsa(token.tst.get());
  if (tsa != nullptr && !TsaNameMatchesSigner(tsa, signer.get())) {
    return Fail("tsa.name_mismatch", "token names TSA '" + info.tsa_name + "' but is signed by '" +
                                         info.signer_subject + "'");
  }

  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(token.tst.get());
  const X509_ALGOR* algo = TS_MSG_IMPRINT_get_algo(imprint);
  const ASN1_OBJECT* algo_oid = nullptr;
  X509_ALGOR_get0(&algo_oid, nullptr, nullptr, algo);
  if (OBJ_obj2nid(algo_oid) != NID_sha256) {
    return Fail("tsa.digest_mismatch", "token imprint is not SHA-256 but " + OidToDotted(algo_oid));
  }
  const ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(imprint);
  ByteSpan stamped(ASN1_STRING_get0_data(msg), static_cast<size_t>(ASN1_STRING_length(msg)));
  if (!ConstantTimeEqual(stamped, expected_sha256.span())) {
    return Fail("tsa.digest_mismatch", "token stamps a different digest than the data's");
  }

  if (!options.nonce.empty()) {
    Bytes want = IntegerToBytes(BytesToInteger(options.nonce).get());  // normalized
    if (info.nonce != want)
      return Fail("tsa.nonce_mismatch", "token nonce differs from the request's");
  }
  if (!options.policy_oid.empty() && info.policy_oid != options.policy_oid) {
    return Fail("tsa.policy_mismatch",
                "token policy " + info.policy_oid + " is not " + options.policy_oid);
  }
  return info;
}

Result<TimeStampInfo> VerifyTimeStampResponse(ByteSpan response_der, const Digest& expected_sha256,
                                              std::string_view trusted_ca_pem,
                                              const TimeStampVerifyOptions& options) {
  Result<Bytes> token = ParseTimeStampResponse(response_der);
  if (!token.ok()) {
    const Status& s = token.status();
    return Status(s.code() == Code::kInvalidArgument ? Code::kVerificationFailed : s.code(),
                  s.reason(), s.message());
  }
  return VerifyTimeStampToken(*token, expected_sha256, trusted_ca_pem, options);
}

Result<TimeStampInfo> InspectTimeStampTokenUnverified(ByteSpan token_der) {
  TZ_ASSIGN_OR_RETURN(DecodedToken token, DecodeToken(token_der, Code::kInvalidArgument));
  TimeStampInfo info;
  TZ_RETURN_IF_ERROR(DescribeTstInfo(token.tst.get(), Code::kInvalidArgument, &info));
  STACK_OF(X509)* signers = PKCS7_get0_signers(token.p7.get(), nullptr, 0);
  if (signers != nullptr && sk_X509_num(signers) == 1) {
    info.signer_subject = NameToString(X509_get_subject_name(sk_X509_value(signers, 0)));
  }
  sk_X509_free(signers);
  DrainErrors();
  return info;
}

}  // namespace tz
