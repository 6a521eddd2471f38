// A node acting as an RFC 3161 time-stamp authority (OpenSSL TS_RESP_CTX).
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <sstream>

#include "crypto/timestamp.h"
#include "timestamp_internal.h"

namespace tz {

using namespace tsa_internal;

namespace {

// Largest TimeStampReq accepted; real ones are ~60-100 bytes (plus
// extensions, which we reject anyway).
constexpr size_t kMaxRequestSize = 64 * 1024;

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "file.open", "cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("file.read", "cannot read " + path);
  return ss.str();
}

// RFC 3161 §2.3: "The corresponding certificate MUST contain only one
// instance of the extended key usage field extension ... with KeyPurposeID
// having value id-kp-timeStamping. This extension MUST be critical."
Status CheckTsaCertificate(X509* cert) {
  int idx = X509_get_ext_by_NID(cert, NID_ext_key_usage, -1);
  if (idx < 0) {
    return Status::Invalid("tsa.bad_certificate", "TSA certificate has no extendedKeyUsage");
  }
  if (X509_get_ext_by_NID(cert, NID_ext_key_usage, idx) >= 0) {
    return Status::Invalid("tsa.bad_certificate", "TSA certificate has two extendedKeyUsage");
  }
  if (!X509_EXTENSION_get_critical(X509_get_ext(cert, idx))) {
    return Status::Invalid("tsa.bad_certificate", "TSA extendedKeyUsage is not critical");
  }
  auto* eku =
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  bool only_timestamping = eku != nullptr && sk_ASN1_OBJECT_num(eku) == 1 &&
                           OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)) == NID_time_stamp;
  EXTENDED_KEY_USAGE_free(eku);
  if (!only_timestamping) {
    return Status::Invalid("tsa.bad_certificate",
                           "TSA extendedKeyUsage must be exactly id-kp-timeStamping");
  }
  // OpenSSL's own check (also rejects a keyUsage without digitalSignature or
  // nonRepudiation); TS_RESP_CTX_set_signer_cert would refuse otherwise.
  if (X509_check_purpose(cert, X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
    return Status::Invalid("tsa.bad_certificate", "certificate not valid for time stamping");
  }
  return Status::Ok();
}

// ECDSA on P-256/P-384 and RSA >= 2048 bits. OpenSSL 3.0's TS code signs
// through PKCS#7, which has no Ed25519 or SM2 support.
Status CheckKeyType(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (!EVP_PKEY_get_group_name(key, group, sizeof(group), &len)) group[0] = '\0';
    std::string_view g(group);
    if (g == "prime256v1" || g == "P-256" || g == "secp384r1" || g == "P-384") return Status::Ok();
    return Status::Invalid("tsa.unsupported_key",
                           "EC curve '" + std::string(g) + "' not supported (use P-256)");
  }
  if (EVP_PKEY_is_a(key, "RSA")) {
    if (EVP_PKEY_get_bits(key) >= 2048) return Status::Ok();
    return Status::Invalid("tsa.unsupported_key", "RSA key shorter than 2048 bits");
  }
  std::string type = EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "unknown";
  return Status::Invalid(
      "tsa.unsupported_key",
      "key type " + type +
          " cannot sign RFC 3161 tokens with OpenSSL 3.0 (use ECDSA P-256 or RSA)");
}

// Refuses to prompt for a passphrase on a terminal: encrypted keys fail.
int NoPassphrase(char*, int, int, void*) { return -1; }

Result<UniqueEvpPkey> ParsePrivateKey(std::string_view pem) {
  UniqueBio bio = MemoryBio(AsBytes(pem));
  if (!bio) return Status::Invalid("tsa.bad_key", "key text too large");
  UniqueEvpPkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr));
  if (!key) {
    return Status::Invalid(
        "tsa.bad_key",
        "cannot read private key (encrypted PEM is not supported): " + DrainErrors());
  }
  return key;
}

// A fresh 128-bit random serial number per token (RFC 3161 §2.4.2 allows up
// to 160 bits). Unique with overwhelming probability across restarts and
// nodes, so no counter needs persisting.
ASN1_INTEGER* RandomSerial(TS_RESP_CTX* ctx, void*) {
  unsigned char bytes[16];
  ASN1_INTEGER* serial = nullptr;
  if (RAND_bytes(bytes, sizeof(bytes)) == 1) {
    bytes[0] |= 0x01;  // never zero, whatever the rest
    serial = BytesToInteger(ByteSpan(bytes, sizeof(bytes))).release();
  }
  if (serial == nullptr) {
    TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "Error during serial number generation.");
    TS_RESP_CTX_add_failure_info(ctx, TS_INFO_ADD_INFO_NOT_AVAILABLE);
  }
  return serial;
}

// genTime from TsaConfig::clock (data points at it). On failure the status
// set here wins over OpenSSL's generic "Error during TSTInfo generation".
int ConfiguredTime(TS_RESP_CTX* ctx, void* data, long* sec, long* usec) {
  const auto& clock = *static_cast<const decltype(TsaConfig::clock)*>(data);
  std::optional<std::chrono::system_clock::time_point> now = clock();
  auto micros = now ? std::chrono::duration_cast<std::chrono::microseconds>(now->time_since_epoch())
                    : std::chrono::microseconds(-1);
  if (micros.count() < 0) {
    TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "Time is not available.");
    TS_RESP_CTX_add_failure_info(ctx, TS_INFO_TIME_NOT_AVAILABLE);
    return 0;
  }
  *sec = static_cast<long>(micros.count() / 1000000);
  *usec = static_cast<long>(micros.count() % 1000000);
  return 1;
}

}  // namespace

Result<TsaConfig> LoadTsaConfigFiles(const std::string& certificate_path,
                                     const std::string& private_key_path,
                                     const std::string& chain_path, std::string policy_oid) {
  TsaConfig config;
  TZ_ASSIGN_OR_RETURN(config.certificate_pem, ReadWholeFile(certificate_path));
  TZ_ASSIGN_OR_RETURN(config.private_key_pem, ReadWholeFile(private_key_path));
  if (!chain_path.empty()) {
    TZ_ASSIGN_OR_RETURN(config.chain_pem, ReadWholeFile(chain_path));
  }
  config.policy_oid = std::move(policy_oid);
  return config;
}

struct TimeStampAuthority::Impl {
  UniqueX509 cert;
  UniqueEvpPkey key;
  UniqueX509Stack chain;
  UniqueAsn1Object policy;
  TsaConfig config;  // private_key_pem cleared

  // A response context per call: TS_RESP_CTX holds per-request state and is
  // not thread-safe; the certificate, key and chain are shared read-only.
  Result<UniqueTsResp> Respond(ByteSpan request_der) const;
};

TimeStampAuthority::TimeStampAuthority(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TimeStampAuthority::~TimeStampAuthority() = default;
TimeStampAuthority::TimeStampAuthority(TimeStampAuthority&&) noexcept = default;
TimeStampAuthority& TimeStampAuthority::operator=(TimeStampAuthority&&) noexcept = default;

const std::string& TimeStampAuthority::policy_oid() const { return impl_->config.policy_oid; }
const std::string& TimeStampAuthority::certificate_pem() const {
  return impl_->config.certificate_pem;
}

Result<TimeStampAuthority> TimeStampAuthority::Create(const TsaConfig& config) {
  ERR_clear_error();
  auto impl = std::make_unique<Impl>();
  TZ_ASSIGN_OR_RETURN(UniqueX509Stack certs,
                      ParsePemCertificates(config.certificate_pem, "tsa.bad_certificate"));
  if (sk_X509_num(certs.get()) == 0) {
    return Status::Invalid("tsa.bad_certificate", "no TSA certificate given");
  }
  impl->cert.reset(X509_dup(sk_X509_value(certs.get(), 0)));
  if (!impl->cert) return Status::Internal("tsa.internal", "out of memory");
  TZ_RETURN_IF_ERROR(CheckTsaCertificate(impl->cert.get()));

  TZ_ASSIGN_OR_RETURN(impl->key, ParsePrivateKey(config.private_key_pem));
  TZ_RETURN_IF_ERROR(CheckKeyType(impl->key.get()));
  if (X509_check_private_key(impl->cert.get(), impl->key.get()) != 1) {
    DrainErrors();
    return Status::Invalid("tsa.key_mismatch", "private key does not match the TSA certificate");
  }
  TZ_ASSIGN_OR_RETURN(impl->chain, ParsePemCertificates(config.chain_pem, "tsa.bad_chain"));

  impl->policy = ParseDottedOid(config.policy_oid);
  if (!impl->policy)
    return Status::Invalid("tsa.bad_policy", "not a dotted OID: " + config.policy_oid);
  if (config.accuracy_seconds < 0 || config.accuracy_millis < 0 || config.accuracy_millis > 999 ||
      config.accuracy_micros < 0 || config.accuracy_micros > 999 ||
      config.clock_precision_digits > TS_MAX_CLOCK_PRECISION_DIGITS) {
    return Status::Invalid("tsa.bad_config", "accuracy or clock precision out of range");
  }
  impl->config = config;
  SecureWipe(impl->config.private_key_pem.data(), impl->config.private_key_pem.size());
  impl->config.private_key_pem.clear();
  return TimeStampAuthority(std::move(impl));
}

Result<UniqueTsResp> TimeStampAuthority::Impl::Respond(ByteSpan request_der) const {
  ERR_clear_error();
  UniqueTsRespCtx ctx(TS_RESP_CTX_new());
  if (!ctx) return Status::Internal("tsa.internal", "out of memory");
  const TsaConfig& c = config;
  bool ok = TS_RESP_CTX_set_signer_cert(ctx.get(), cert.get()) &&
            TS_RESP_CTX_set_signer_key(ctx.get(), key.get()) &&
            TS_RESP_CTX_set_signer_digest(ctx.get(), EVP_sha256()) &&
            TS_RESP_CTX_set_ess_cert_id_digest(ctx.get(), EVP_sha256()) &&
            TS_RESP_CTX_set_def_policy(ctx.get(), policy.get()) &&
            TS_RESP_CTX_set_certs(ctx.get(), chain.get()) &&
            TS_RESP_CTX_add_md(ctx.get(), EVP_sha256()) &&
            TS_RESP_CTX_set_clock_precision_digits(ctx.get(), c.clock_precision_digits);
  if (ok && (c.accuracy_seconds != 0 || c.accuracy_millis != 0 || c.accuracy_micros != 0)) {
    ok = TS_RESP_CTX_set_accuracy(ctx.get(), c.accuracy_seconds, c.accuracy_millis,
                                  c.accuracy_micros);
  }
  if (!ok) return Status::Internal("tsa.internal", "setting up TSA context: " + DrainErrors());
  TS_RESP_CTX_set_serial_cb(ctx.get(), &RandomSerial, nullptr);
  if (c.clock) {
    TS_RESP_CTX_set_time_cb(ctx.get(), &ConfiguredTime,
                            const_cast<void*>(static_cast<const void*>(&c.clock)));
  }
  TS_RESP_CTX_add_flags(ctx.get(), TS_TSA_NAME);

  // An oversized body is answered like undecodable DER: feed nothing.
  ByteSpan body = request_der.size() <= kMaxRequestSize ? request_der : ByteSpan();
  UniqueBio bio = MemoryBio(body);
  if (!bio) return Status::Internal("tsa.internal", "out of memory");
  UniqueTsResp resp(TS_RESP_create_response(ctx.get(), bio.get()));
  if (!resp) return Status::Internal("tsa.internal", "creating response: " + DrainErrors());
  // Errors raised while refusing a bad request are answered in the response.
  ERR_clear_error();
  return resp;
}

Result<Bytes> TimeStampAuthority::CreateResponse(ByteSpan request_der) const {
  TZ_ASSIGN_OR_RETURN(UniqueTsResp resp, impl_->Respond(request_der));
  Bytes der = TsRespToDer(resp.get());
  if (der.empty()) return Status::Internal("tsa.internal", "encoding response: " + DrainErrors());
  return der;
}

Result<TimeStamp> TimeStampAuthority::Stamp(const Digest& sha256) const {
  TimeStampRequestOptions options;
  options.cert_req = true;
  TZ_ASSIGN_OR_RETURN(Bytes request, BuildTimeStampRequest(sha256, options));
  TZ_ASSIGN_OR_RETURN(Bytes response, CreateResponse(request));
  Result<Bytes> token = ParseTimeStampResponse(response);
  if (!token.ok()) {
    // Our own well-formed request was refused: the clock or serial failed.
    if (token.status().reason() == "tsa.rejected") {
      return Status(Code::kUnavailable, "tsa.rejected", token.status().message());
    }
    return Status::Internal("tsa.internal", token.status().message());
  }
  return TimeStamp{.token_der = std::move(token).value(), .response_der = std::move(response)};
}

}  // namespace tz
