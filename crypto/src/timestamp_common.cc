// Shared conversions for the RFC 3161 code (see timestamp_internal.h).
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <climits>
#include <cstdio>

#include "crypto/encoding.h"
#include "timestamp_internal.h"

namespace tz::tsa_internal {

std::string DrainErrors() {
  std::string out;
  char buf[256];
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

UniqueBio MemoryBio(ByteSpan data) {
  if (data.size() > INT_MAX) return nullptr;
  // BIO_new_mem_buf refuses a null pointer, which an empty span may hold.
  static const uint8_t kEmpty = 0;
  const void* p = data.empty() ? &kEmpty : data.data();
  return UniqueBio(BIO_new_mem_buf(p, static_cast<int>(data.size())));
}

Result<UniqueX509Stack> ParsePemCertificates(std::string_view pem, std::string_view reason) {
  UniqueX509Stack certs(sk_X509_new_null());
  if (!certs) return Status::Internal("tsa.internal", "out of memory");
  UniqueBio bio = MemoryBio(AsBytes(pem));
  if (!bio) return Status::Invalid(std::string(reason), "PEM text too large");
  ERR_clear_error();
  while (true) {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    if (sk_X509_push(certs.get(), cert) <= 0) {
      X509_free(cert);
      return Status::Internal("tsa.internal", "out of memory");
    }
  }
  // The loop ends at the end of the text (PEM_R_NO_START_LINE) or at a
  // broken block; only the former is acceptable.
  unsigned long last = ERR_peek_last_error();
  bool clean_end = ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
  if (!clean_end && last != 0) {
    return Status::Invalid(std::string(reason), "bad PEM certificate: " + DrainErrors());
  }
  ERR_clear_error();
  // Text without any certificate where one was given is also malformed.
  bool blank = pem.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (sk_X509_num(certs.get()) == 0 && !blank) {
    return Status::Invalid(std::string(reason), "no PEM certificate found");
  }
  return certs;
}

UniqueAsn1Object ParseDottedOid(std::string_view oid) {
  int dots = 0;
  bool digit_before = false;
  for (char c : oid) {
    if (c == '.') {
      if (!digit_before) return nullptr;
      ++dots;
      digit_before = false;
    } else if (c >= '0' && c <= '9') {
      digit_before = true;
    } else {
      return nullptr;
    }
  }
  if (dots < 1 || !digit_before) return nullptr;
  std::string text(oid);
  return UniqueAsn1Object(OBJ_txt2obj(text.c_str(), /*no_name=*/1));
}

std::string OidToDotted(const ASN1_OBJECT* obj) {
  if (obj == nullptr) return "";
  char buf[256];
  int n = OBJ_obj2txt(buf, sizeof(buf), obj, /*no_name=*/1);
  if (n <= 0) return "";
  if (n >= static_cast<int>(sizeof(buf))) {
    std::string big(static_cast<size_t>(n) + 1, '\0');
    OBJ_obj2txt(big.data(), n + 1, obj, 1);
    big.resize(static_cast<size_t>(n));
    return big;
  }
  return std::string(buf, static_cast<size_t>(n));
}

namespace {

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return "";
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

std::string NameToString(const X509_NAME* name) {
  UniqueBio bio(BIO_new(BIO_s_mem()));
  if (!bio || name == nullptr) return "";
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  return BioContents(bio.get());
}

std::string GeneralNameToString(const GENERAL_NAME* name) {
  if (name == nullptr) return "";
  if (name->type == GEN_DIRNAME) return NameToString(name->d.directoryName);
  UniqueBio bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  // GENERAL_NAME_print takes a non-const pointer but does not modify it.
  if (GENERAL_NAME_print(bio.get(), const_cast<GENERAL_NAME*>(name)) <= 0) return "";
  return BioContents(bio.get());
}

Bytes IntegerToBytes(const ASN1_INTEGER* value) {
  if (value == nullptr) return {};
  UniqueBignum bn(ASN1_INTEGER_to_BN(value, nullptr));
  if (!bn) return {};
  Bytes out(static_cast<size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

UniqueAsn1Integer BytesToInteger(ByteSpan big_endian) {
  if (big_endian.size() > INT_MAX) return nullptr;
  UniqueBignum bn(BN_bin2bn(big_endian.data(), static_cast<int>(big_endian.size()), nullptr));
  if (!bn) return nullptr;
  return UniqueAsn1Integer(BN_to_ASN1_INTEGER(bn.get(), nullptr));
}

namespace {

bool TakeDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

bool ParseGeneralizedTime(std::string_view s, GenTime* out) {
  int year, month, day, hour, minute, second;
  if (!TakeDigits(s, 0, 4, &year) || !TakeDigits(s, 4, 2, &month) || !TakeDigits(s, 6, 2, &day) ||
      !TakeDigits(s, 8, 2, &hour) || !TakeDigits(s, 10, 2, &minute) ||
      !TakeDigits(s, 12, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  // RFC 3161 §2.4.2: optional fraction, then 'Z'. The RFC forbids trailing
  // zeros in the fraction; they are tolerated (they change no instant) so a
  // sloppy third-party TSA's tokens remain checkable.
  std::string_view rest = s.substr(14);
  std::string_view fraction;
  if (!rest.empty() && rest[0] == '.') {
    size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    fraction = rest.substr(1, n - 1);
    if (fraction.empty()) return false;
    rest = rest.substr(n);
  }
  if (rest != "Z") return false;

  out->unix_seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute,
                second);
  out->rfc3339 = buf;
  if (!fraction.empty()) {
    out->rfc3339 += '.';
    out->rfc3339 += fraction;
  }
  out->rfc3339 += 'Z';
  return true;
}

namespace {

int64_t AccuracyMicros(const TS_ACCURACY* acc) {
  if (acc == nullptr) return -1;
  auto get = [](const ASN1_INTEGER* v) -> int64_t {
    if (v == nullptr) return 0;
    long x = ASN1_INTEGER_get(v);
    return x < 0 ? 0 : x;
  };
  const int64_t secs = get(TS_ACCURACY_get_seconds(acc));
  if (secs > INT64_MAX / 1000000 - 1000000) return INT64_MAX;
  return secs * 1000000 + get(TS_ACCURACY_get_millis(acc)) * 1000 +
         get(TS_ACCURACY_get_micros(acc));
}

}  // namespace

Status DescribeTstInfo(const TS_TST_INFO* tst_const, Code code, TimeStampInfo* out) {
  auto malformed = [code](std::string msg) {
    return Status(code, "tsa.malformed", std::move(msg));
  };
  // The TS_TST_INFO getters take non-const pointers but only read.
  TS_TST_INFO* tst = const_cast<TS_TST_INFO*>(tst_const);

  const ASN1_GENERALIZEDTIME* gt = TS_TST_INFO_get_time(tst);
  if (gt == nullptr) return malformed("token has no genTime");
  std::string_view gt_text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gt)),
                           static_cast<size_t>(ASN1_STRING_length(gt)));
  GenTime parsed;
  if (!ParseGeneralizedTime(gt_text, &parsed)) {
    return malformed("genTime is not a valid RFC 3161 GeneralizedTime: " + std::string(gt_text));
  }
  out->gen_time_unix = parsed.unix_seconds;
  out->gen_time = std::move(parsed.rfc3339);

  Bytes serial = IntegerToBytes(TS_TST_INFO_get_serial(tst));
  out->serial_hex = serial.empty() ? "0" : HexEncode(serial);
  if (out->serial_hex.size() > 1 && out->serial_hex[0] == '0') out->serial_hex.erase(0, 1);

  out->policy_oid = OidToDotted(TS_TST_INFO_get_policy_id(tst));
  out->tsa_name = GeneralNameToString(TS_TST_INFO_get_tsa(tst));
  out->nonce = IntegerToBytes(TS_TST_INFO_get_nonce(tst));
  out->accuracy_micros = AccuracyMicros(TS_TST_INFO_get_accuracy(tst));
  out->ordering = TS_TST_INFO_get_ordering(tst) != 0;

  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst);
  ASN1_OCTET_STRING* msg = imprint ? TS_MSG_IMPRINT_get_msg(imprint) : nullptr;
  if (msg == nullptr) return malformed("token has no message imprint");
  // A non-32-byte imprint is reported as a digest mismatch by the verifier;
  // here it leaves message_imprint zero.
  out->message_imprint = Digest();
  Digest::FromSpan(
      ByteSpan(ASN1_STRING_get0_data(msg), static_cast<size_t>(ASN1_STRING_length(msg))),
      &out->message_imprint);
  return Status::Ok();
}

Bytes Pkcs7ToDer(const PKCS7* p7) {
  int len = i2d_PKCS7(p7, nullptr);
  if (len <= 0) return {};
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_PKCS7(p7, &p);
  return out;
}

Bytes TsRespToDer(const TS_RESP* resp) {
  int len = i2d_TS_RESP(resp, nullptr);
  if (len <= 0) return {};
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_TS_RESP(resp, &p);
  return out;
}

Bytes TsReqToDer(const TS_REQ* req) {
  int len = i2d_TS_REQ(req, nullptr);
  if (len <= 0) return {};
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_TS_REQ(req, &p);
  return out;
}

}  // namespace tz::tsa_internal
