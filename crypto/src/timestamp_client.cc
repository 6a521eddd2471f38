// RFC 3161 client side: TimeStampReq building and TimeStampResp parsing.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include <climits>

#include "crypto/random.h"
#include "crypto/timestamp.h"
#include "timestamp_internal.h"

namespace tz {

using namespace tsa_internal;

Bytes GenerateTimeStampNonce() { return RandomBytes(8); }

Result<Bytes> BuildTimeStampRequest(const Digest& sha256, const TimeStampRequestOptions& options) {
  if (options.nonce.size() > kMaxNonceSize) {
    return Status::Invalid("tsa.bad_nonce", "nonce longer than 32 bytes");
  }
  ERR_clear_error();
  UniqueTsReq req(TS_REQ_new());
  UniqueMsgImprint imprint(TS_MSG_IMPRINT_new());
  UniqueX509Algor algo(X509_ALGOR_new());
  if (!req || !imprint || !algo) return Status::Internal("tsa.internal", "out of memory");

  // SHA-256 AlgorithmIdentifier with NULL parameters, as `openssl ts -query`.
  if (!X509_ALGOR_set0(algo.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) ||
      !TS_MSG_IMPRINT_set_algo(imprint.get(), algo.get()) ||
      !TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<uint8_t*>(sha256.data()),
                              static_cast<int>(Digest::size())) ||
      !TS_REQ_set_version(req.get(), 1) || !TS_REQ_set_msg_imprint(req.get(), imprint.get()) ||
      !TS_REQ_set_cert_req(req.get(), options.cert_req ? 1 : 0)) {
    return Status::Internal("tsa.internal", "building TimeStampReq: " + DrainErrors());
  }
  if (!options.policy_oid.empty()) {
    UniqueAsn1Object policy = ParseDottedOid(options.policy_oid);
    if (!policy)
      return Status::Invalid("tsa.bad_policy", "not a dotted OID: " + options.policy_oid);
    if (!TS_REQ_set_policy_id(req.get(), policy.get())) {
      return Status::Internal("tsa.internal", "setting policy: " + DrainErrors());
    }
  }
  if (!options.nonce.empty()) {
    UniqueAsn1Integer nonce = BytesToInteger(options.nonce);
    if (!nonce || !TS_REQ_set_nonce(req.get(), nonce.get())) {
      return Status::Internal("tsa.internal", "setting nonce: " + DrainErrors());
    }
  }
  Bytes der = TsReqToDer(req.get());
  if (der.empty())
    return Status::Internal("tsa.internal", "encoding TimeStampReq: " + DrainErrors());
  return der;
}

namespace {

// PKIFailureInfo bit numbers (RFC 3161 §2.4.2).
constexpr struct {
  int bit;
  const char* name;
} kFailures[] = {{0, "badAlg"},
                 {2, "badRequest"},
                 {5, "badDataFormat"},
                 {14, "timeNotAvailable"},
                 {15, "unacceptedPolicy"},
                 {16, "unacceptedExtension"},
                 {17, "addInfoNotAvailable"},
                 {25, "systemFailure"}};

// "rejection: badAlg, badDataFormat (text)"
TimeStampResponseStatus DescribeStatus(TS_STATUS_INFO* info, long status) {
  static constexpr const char* kStatus[] = {"granted",           "grantedWithMods",
                                            "rejection",         "waiting",
                                            "revocationWarning", "revocationNotification"};
  TimeStampResponseStatus out;
  out.status = status >= 0 && status <= INT_MAX ? static_cast<int>(status) : -1;
  out.text = status >= 0 && status < 6 ? kStatus[status] : "status " + std::to_string(status);
  const ASN1_BIT_STRING* failure = TS_STATUS_INFO_get0_failure_info(info);
  std::string failures;
  for (const auto& f : kFailures) {
    if (failure != nullptr && ASN1_BIT_STRING_get_bit(failure, f.bit)) {
      out.failure_info |= 1u << f.bit;
      failures += failures.empty() ? "" : ", ";
      failures += f.name;
    }
  }
  if (!failures.empty()) out.text += ": " + failures;
  const STACK_OF(ASN1_UTF8STRING)* text = TS_STATUS_INFO_get0_text(info);
  for (int i = 0; text != nullptr && i < sk_ASN1_UTF8STRING_num(text); ++i) {
    const ASN1_UTF8STRING* s = sk_ASN1_UTF8STRING_value(text, i);
    out.text += i == 0 ? " (" : "; ";
    out.text.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                    static_cast<size_t>(ASN1_STRING_length(s)));
    if (i == sk_ASN1_UTF8STRING_num(text) - 1) out.text += ")";
  }
  return out;
}

Result<UniqueTsResp> DecodeResponse(ByteSpan response_der) {
  if (response_der.size() > INT_MAX / 2) {
    return Status::Invalid("tsa.malformed", "TimeStampResp too large");
  }
  ERR_clear_error();
  const unsigned char* p = response_der.data();
  UniqueTsResp resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(response_der.size())));
  if (!resp) return Status::Invalid("tsa.malformed", "not a TimeStampResp: " + DrainErrors());
  if (p != response_der.data() + response_der.size()) {
    return Status::Invalid("tsa.malformed", "trailing bytes after TimeStampResp");
  }
  TS_STATUS_INFO* info = TS_RESP_get_status_info(resp.get());
  if (info == nullptr || TS_STATUS_INFO_get0_status(info) == nullptr) {
    return Status::Invalid("tsa.malformed", "TimeStampResp without status");
  }
  return resp;
}

TimeStampResponseStatus StatusOf(TS_RESP* resp) {
  TS_STATUS_INFO* info = TS_RESP_get_status_info(resp);
  return DescribeStatus(info, ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(info)));
}

// The token's own bytes inside a decoded TimeStampResp ::= SEQUENCE {
// status PKIStatusInfo, timeStampToken OPTIONAL }: copied, not re-encoded,
// so a token a TSA encoded in BER keeps the exact bytes its signature covers.
Bytes RawTokenBytes(ByteSpan response_der) {
  const unsigned char* p = response_der.data();
  long len = 0;
  int tag = 0, cls = 0;
  int r = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(response_der.size()));
  if ((r & 0x80) || r != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE) return {};
  const unsigned char* end = p + len;
  const unsigned char* status = p;
  r = ASN1_get_object(&p, &len, &tag, &cls, end - status);
  if ((r & 0x80) || r != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE) return {};
  p += len;
  if (p >= end) return {};
  return Bytes(p, end);
}

}  // namespace

Result<TimeStampResponseStatus> ParseTimeStampResponseStatus(ByteSpan response_der) {
  TZ_ASSIGN_OR_RETURN(UniqueTsResp resp, DecodeResponse(response_der));
  return StatusOf(resp.get());
}

Result<Bytes> ParseTimeStampResponse(ByteSpan response_der) {
  TZ_ASSIGN_OR_RETURN(UniqueTsResp resp, DecodeResponse(response_der));
  TimeStampResponseStatus status = StatusOf(resp.get());
  if (!status.granted()) {
    return Status(Code::kFailedPrecondition, "tsa.rejected",
                  "TSA did not grant the request: " + status.text);
  }
  PKCS7* token = TS_RESP_get_token(resp.get());
  if (token == nullptr) {
    return Status::Invalid("tsa.malformed", "granted TimeStampResp without a token");
  }
  // d2i_TS_RESP accepted the whole input, so the definite-length walk can
  // only fail on indefinite-length (BER) outer encodings: fall back to
  // re-encoding then.
  Bytes der = RawTokenBytes(response_der);
  if (der.empty()) der = Pkcs7ToDer(token);
  if (der.empty())
    return Status::Invalid("tsa.malformed", "cannot extract token: " + DrainErrors());
  return der;
}

}  // namespace tz
