// Trusted time: RFC 3161 time-stamp tokens (with RFC 5816 ESSCertIDv2).
//
// A time-stamp token is a CMS SignedData ContentInfo (DER) whose content is a
// TSTInfo: "the TSA saw this SHA-256 digest at genTime", signed by a TSA
// whose certificate carries the critical extendedKeyUsage id-kp-timeStamping.
// Tokens made here verify with `openssl ts -verify` and tokens from any
// RFC 3161 TSA (including `openssl ts -reply`) verify here; see
// docs/timestamp.md for the exact commands and what a token proves.
//
// Three roles, no networking (the api module carries the bytes over HTTP,
// media types below):
//   * TimeStampAuthority: a node acting as a TSA (Stamp, CreateResponse).
//   * Client: BuildTimeStampRequest / ParseTimeStampResponse for fetching a
//     token from an external TSA.
//   * Verifier: VerifyTimeStampToken, offline, against trusted CA certificates.
//
// Message imprints are always SHA-256 (also in the "gm" suite: the imprint is
// a SHA-256 of the stamped bytes, which any verifier can recompute).
//
// Stable error reasons:
//   tsa.bad_certificate  TSA certificate unparsable, or without a critical
//                        extendedKeyUsage of exactly id-kp-timeStamping
//   tsa.bad_key          private key unparsable (encrypted PEM is not supported)
//   tsa.key_mismatch     private key does not belong to the certificate
//   tsa.unsupported_key  key type OpenSSL's RFC 3161 code cannot sign with
//                        (Ed25519, SM2: see docs/timestamp.md); use ECDSA or RSA
//   tsa.bad_chain        chain PEM unparsable
//   tsa.bad_policy       policy OID not in dotted form
//   tsa.bad_config       accuracy or clock precision out of range
//   tsa.bad_nonce        nonce empty or longer than kMaxNonceSize
//   tsa.bad_trust_anchor trusted CA PEM empty or unparsable
//   tsa.malformed        token/response is not valid DER of the right type
//   tsa.rejected         the TSA answered with a status other than granted
//   tsa.bad_signature    signature, signed attributes or ESSCertID invalid
//   tsa.untrusted        signer certificate missing, or its chain does not reach
//                        a trusted CA (or lacks the timeStamping EKU)
//   tsa.digest_mismatch  token is valid but stamps a different digest (or not
//                        a SHA-256 one)
//   tsa.name_mismatch    TSTInfo.tsa names someone other than the signer
//   tsa.nonce_mismatch   / tsa.policy_mismatch: differs from what was required
//   tsa.internal         OpenSSL failed on input we built ourselves (a bug or OOM)
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/status.h"

namespace tz {

// HTTP media types of RFC 3161 §3.4, for the api module.
inline constexpr std::string_view kTimeStampQueryMediaType = "application/timestamp-query";
inline constexpr std::string_view kTimeStampReplyMediaType = "application/timestamp-reply";

// The policy OID of the demo TSA made by deploy/make-tsa-cert.sh (a UUID OID
// under 2.25, ITU-T X.667). A real deployment configures its own.
inline constexpr std::string_view kDemoTsaPolicy = "2.25.148080962591587453527050482214446087857";

// Nonces are positive integers given as big-endian bytes.
inline constexpr size_t kMaxNonceSize = 32;

struct TsaConfig {
  std::string certificate_pem;  // the TSA certificate (the first PEM block is used)
  std::string private_key_pem;  // its unencrypted private key (PKCS#8 or traditional PEM)
  std::string chain_pem;        // optional: intermediate CA certificates, put in tokens
  std::string policy_oid;       // required, dotted (e.g. kDemoTsaPolicy)
  // Accuracy stated in every token (RFC 3161 §2.4.2); all zero = omitted.
  int accuracy_seconds = 1;
  int accuracy_millis = 0;
  int accuracy_micros = 0;
  // Fractional-second digits in genTime, 0..6.
  unsigned clock_precision_digits = 0;
  // Source of genTime; empty = the system clock. Returning nullopt refuses
  // the request (rejection, timeNotAvailable). For a node with a better time
  // source than the system clock, and for tests. Must be thread-safe.
  std::function<std::optional<std::chrono::system_clock::time_point>()> clock;
};

// Reads certificate, key and (if chain_path is non-empty) chain from files.
// Reasons: "file.open"/"file.read" plus those of TimeStampAuthority::Create.
Result<TsaConfig> LoadTsaConfigFiles(const std::string& certificate_path,
                                     const std::string& private_key_path,
                                     const std::string& chain_path, std::string policy_oid);

// A successful stamp: both forms, which carry the same token.
struct TimeStamp {
  Bytes token_der;     // TimeStampToken (CMS ContentInfo): what evidence keeps
  Bytes response_der;  // TimeStampResp{status granted, token}: what HTTP returns
};

// A node acting as an RFC 3161 TSA. Tokens carry: version 1, the configured
// policy, the SHA-256 imprint, a random 128-bit serial number (unique with
// overwhelming probability, no state to persist), genTime from the system
// clock (or TsaConfig::clock), the configured accuracy, tsa = the certificate's subject, the
// requested nonce, and a signature by the TSA key (SHA-256 digest) with the
// signing-certificate-v2 attribute (ESSCertIDv2, SHA-256). The certificate
// (and chain) are included when the request asks for them; Stamp always asks.
//
// Thread-safe: Stamp and CreateResponse may be called concurrently.
class TimeStampAuthority {
 public:
  // Validates the configuration. Refuses a certificate whose extendedKeyUsage
  // is absent, not critical or not exactly timeStamping ("tsa.bad_certificate"),
  // and the other reasons listed at the top of this file.
  static Result<TimeStampAuthority> Create(const TsaConfig& config);

  ~TimeStampAuthority();
  TimeStampAuthority(TimeStampAuthority&&) noexcept;
  TimeStampAuthority& operator=(TimeStampAuthority&&) noexcept;
  TimeStampAuthority(const TimeStampAuthority&) = delete;
  TimeStampAuthority& operator=(const TimeStampAuthority&) = delete;

  // Stamps a SHA-256 digest (no nonce; certificate included).
  // Fails only with "tsa.internal" (code kInternal) or, if the clock cannot
  // be read, "tsa.rejected" (kUnavailable).
  Result<TimeStamp> Stamp(const Digest& sha256) const;

  // Answers a DER TimeStampReq (an RFC 3161 HTTP endpoint's body) with a DER
  // TimeStampResp. Invalid requests get an unsigned response with status
  // rejection (2) and a PKIFailureInfo: badDataFormat for undecodable DER,
  // oversized bodies (> 64 KiB), wrong version or imprint length; badAlg for
  // an imprint that is not SHA-256; unacceptedPolicy for a policy other than
  // ours; unacceptedExtension for any extension. Only a failure to build any
  // response at all is an error ("tsa.internal").
  Result<Bytes> CreateResponse(ByteSpan request_der) const;

  const std::string& policy_oid() const;
  // The TSA certificate, PEM, for publishing next to the CA certificate.
  const std::string& certificate_pem() const;

 private:
  struct Impl;
  explicit TimeStampAuthority(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- Client side -----------------------------------------------------------

struct TimeStampRequestOptions {
  Bytes nonce;             // empty = no nonce; else 1..kMaxNonceSize bytes
  bool cert_req = true;    // ask the TSA to include its certificate
  std::string policy_oid;  // empty = the TSA's default policy
};

// A fresh 64-bit random nonce (as `openssl ts -query` uses).
Bytes GenerateTimeStampNonce();

// DER TimeStampReq (version 1) for a SHA-256 digest.
// Reasons: "tsa.bad_nonce", "tsa.bad_policy".
Result<Bytes> BuildTimeStampRequest(const Digest& sha256,
                                    const TimeStampRequestOptions& options = {});

// Extracts the token from a DER TimeStampResp. Status granted or
// grantedWithMods yields the token DER (unverified: pass it to
// VerifyTimeStampToken). Reasons: "tsa.malformed" (kInvalidArgument),
// "tsa.rejected" (kFailedPrecondition; the message carries the status,
// status text and failure info, e.g. "rejection: badAlg").
Result<Bytes> ParseTimeStampResponse(ByteSpan response_der);

// The PKIStatusInfo of a TimeStampResp (RFC 3161 §2.4.2), for an HTTP
// endpoint's logs and for tests.
enum class TimeStampStatus {
  kGranted = 0,
  kGrantedWithMods = 1,
  kRejection = 2,
  kWaiting = 3,
  kRevocationWarning = 4,
  kRevocationNotification = 5,
};
// PKIFailureInfo bits, as a mask (bit n of the ASN.1 BIT STRING = 1u << n).
inline constexpr uint32_t kTsaFailBadAlg = 1u << 0;
inline constexpr uint32_t kTsaFailBadRequest = 1u << 2;
inline constexpr uint32_t kTsaFailBadDataFormat = 1u << 5;
inline constexpr uint32_t kTsaFailTimeNotAvailable = 1u << 14;
inline constexpr uint32_t kTsaFailUnacceptedPolicy = 1u << 15;
inline constexpr uint32_t kTsaFailUnacceptedExtension = 1u << 16;
inline constexpr uint32_t kTsaFailAddInfoNotAvailable = 1u << 17;
inline constexpr uint32_t kTsaFailSystemFailure = 1u << 25;

struct TimeStampResponseStatus {
  int status = 0;             // a TimeStampStatus value (others possible from a broken TSA)
  uint32_t failure_info = 0;  // kTsaFail* mask, 0 if absent
  std::string text;           // "granted", "rejection: badAlg (text)", ...
  bool granted() const { return status == 0 || status == 1; }
};
// Reason "tsa.malformed" (kInvalidArgument).
Result<TimeStampResponseStatus> ParseTimeStampResponseStatus(ByteSpan response_der);

// ---- Verification ----------------------------------------------------------

struct TimeStampVerifyOptions {
  // Extra certificates (PEM) to find the signer and intermediates when the
  // token does not include them. Never trusted as anchors.
  std::string untrusted_pem;
  // When non-empty, the token must carry exactly this nonce / policy.
  Bytes nonce;
  std::string policy_oid;
  // Validate the certificate chain at the token's genTime (the default: a
  // token stays checkable after the TSA certificate expires, which is what
  // long-lived evidence needs) or at the current time (as `openssl ts
  // -verify` does). Revocation is not checked in either case.
  bool validate_at_gen_time = true;
};

// What a verified token says.
struct TimeStampInfo {
  int64_t gen_time_unix = 0;     // genTime, whole seconds since the epoch (UTC)
  std::string gen_time;          // RFC 3339, UTC: "2025-03-01T08:00:00Z" or with ".123"
  std::string serial_hex;        // serialNumber, lowercase hex without leading zeros
  std::string policy_oid;        // dotted
  std::string tsa_name;          // TSTInfo.tsa (RFC 2253 for a directory name), or ""
  std::string signer_subject;    // signer certificate subject, RFC 2253
  Digest message_imprint;        // the SHA-256 digest that was stamped
  Bytes nonce;                   // big-endian, empty if absent
  int64_t accuracy_micros = -1;  // -1 if the token states no accuracy
  bool ordering = false;
};

// Verifies a DER TimeStampToken against the SHA-256 digest of the data it
// should stamp and the trusted CA certificates (PEM, one or more). Checks in
// order: structure ("tsa.malformed"), signer certificate found and chained
// to a trusted CA with the timeStamping purpose ("tsa.untrusted"), ESSCertID
// and signature ("tsa.bad_signature"), TSTInfo.tsa vs. signer
// ("tsa.name_mismatch"), imprint ("tsa.digest_mismatch"), then the optional
// nonce and policy. All failures have code kVerificationFailed except
// "tsa.bad_trust_anchor" (kInvalidArgument).
[[nodiscard]] Result<TimeStampInfo> VerifyTimeStampToken(
    ByteSpan token_der, const Digest& expected_sha256, std::string_view trusted_ca_pem,
    const TimeStampVerifyOptions& options = {});

// ParseTimeStampResponse then VerifyTimeStampToken: for a client checking the
// answer to its own request (pass the request's nonce in options).
[[nodiscard]] Result<TimeStampInfo> VerifyTimeStampResponse(
    ByteSpan response_der, const Digest& expected_sha256, std::string_view trusted_ca_pem,
    const TimeStampVerifyOptions& options = {});

// Decodes a token WITHOUT verifying anything (signer_subject is the subject
// of the first included certificate, if any): for display only.
// Reason "tsa.malformed".
Result<TimeStampInfo> InspectTimeStampTokenUnverified(ByteSpan token_der);

}  // namespace tz
