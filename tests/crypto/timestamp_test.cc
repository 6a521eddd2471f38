// RFC 3161 time-stamping: our TSA, client and verifier (interop with
// `openssl ts` is in timestamp_interop_test.cc).
#include "crypto/timestamp.h"

#include <chrono>
#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/timestamp_test_util.h"

namespace tz {
namespace {

using namespace timestamp_test;

TEST_F(TimestampTest, StampThenVerify) {
  TimeStampAuthority tsa = MakeTsa();
  const Digest digest = Sha256(std::string_view(kData));
  auto stamp = tsa.Stamp(digest);
  ASSERT_TRUE(stamp.ok()) << stamp.status().ToString();

  auto info = VerifyTimeStampToken(stamp->token_der, digest, CaPem());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->policy_oid, kDemoTsaPolicy);
  EXPECT_EQ(info->message_imprint, digest);
  EXPECT_EQ(info->tsa_name, "CN=Tiezheng Demo TSA,O=Tiezheng Demo");
  EXPECT_EQ(info->signer_subject, info->tsa_name);
  EXPECT_EQ(info->accuracy_micros, 1000000);
  EXPECT_TRUE(info->nonce.empty());
  EXPECT_FALSE(info->serial_hex.empty());
  EXPECT_LE(info->serial_hex.size(), 32u);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  EXPECT_LE(std::abs(info->gen_time_unix - now), 300);
  EXPECT_TRUE(
      std::regex_match(info->gen_time, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")))
      << info->gen_time;

  // The full response carries the same token.
  auto via_response = VerifyTimeStampResponse(stamp->response_der, digest, CaPem());
  ASSERT_TRUE(via_response.ok()) << via_response.status().ToString();
  EXPECT_EQ(via_response->serial_hex, info->serial_hex);
  auto token = ParseTimeStampResponse(stamp->response_der);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, stamp->token_der);

  auto unverified = InspectTimeStampTokenUnverified(stamp->token_der);
  ASSERT_TRUE(unverified.ok()) << unverified.status().ToString();
  EXPECT_EQ(unverified->serial_hex, info->serial_hex);
  EXPECT_EQ(unverified->signer_subject, info->signer_subject);

  // Checking the chain now instead of at genTime gives the same answer for a
  // fresh token.
  TimeStampVerifyOptions now_options;
  now_options.validate_at_gen_time = false;
  EXPECT_TRUE(VerifyTimeStampToken(stamp->token_der, digest, CaPem(), now_options).ok());
}

TEST_F(TimestampTest, GenTimeRendering) {
  auto config = LoadTsaConfigFiles(Pki("tsa.pem"), Pki("tsa.key"), "", "1.2.3.4");
  ASSERT_TRUE(config.ok());
  config->clock_precision_digits = 3;
  config->accuracy_seconds = 0;
  config->accuracy_millis = 500;
  auto tsa = TimeStampAuthority::Create(*config);
  ASSERT_TRUE(tsa.ok()) << tsa.status().ToString();
  const Digest digest = Sha256(std::string_view("x"));
  auto stamp = tsa->Stamp(digest);
  ASSERT_TRUE(stamp.ok());
  auto info = VerifyTimeStampToken(stamp->token_der, digest, CaPem());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->policy_oid, "1.2.3.4");
  EXPECT_EQ(info->accuracy_micros, 500000);
  // The whole-second part of the RFC 3339 text is gen_time_unix.
  time_t t = static_cast<time_t>(info->gen_time_unix);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  EXPECT_EQ(info->gen_time.substr(0, 19), buf);
  EXPECT_TRUE(std::regex_match(info->gen_time.substr(19), std::regex(R"((\.\d{1,3})?Z)")))
      << info->gen_time;
}

TEST_F(TimestampTest, SerialNumbersAreUnique) {
  TimeStampAuthority tsa = MakeTsa();
  std::set<std::string> serials;
  for (int i = 0; i < 64; ++i) {
    auto stamp = tsa.Stamp(Sha256(std::string_view(kData)));
    ASSERT_TRUE(stamp.ok());
    auto info = InspectTimeStampTokenUnverified(stamp->token_der);
    ASSERT_TRUE(info.ok());
    serials.insert(info->serial_hex);
  }
  EXPECT_EQ(serials.size(), 64u);
}

TEST_F(TimestampTest, ConcurrentStamping) {
  TimeStampAuthority tsa = MakeTsa();
  const std::string ca = CaPem();
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        Digest d = Sha256(std::string_view(std::to_string(t * 100 + i)));
        auto stamp = tsa.Stamp(d);
        if (stamp.ok() && VerifyTimeStampToken(stamp->token_der, d, ca).ok()) ++ok[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int n : ok) EXPECT_EQ(n, 20);
}

TEST_F(TimestampTest, DifferentDataIsDigestMismatch) {
  TimeStampAuthority tsa = MakeTsa();
  auto stamp = tsa.Stamp(Sha256(std::string_view(kData)));
  ASSERT_TRUE(stamp.ok());
  auto info =
      VerifyTimeStampToken(stamp->token_der, Sha256(std::string_view("other data")), CaPem());
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().reason(), "tsa.digest_mismatch");
  EXPECT_EQ(info.status().code(), Code::kVerificationFailed);
}

TEST_F(TimestampTest, TamperedTstInfoIsBadSignature) {
  TimeStampAuthority tsa = MakeTsa();
  const Digest digest = Sha256(std::string_view(kData));
  auto stamp = tsa.Stamp(digest);
  ASSERT_TRUE(stamp.ok());
  auto info = InspectTimeStampTokenUnverified(stamp->token_der);
  ASSERT_TRUE(info.ok());

  // Move genTime one year later: "2026..." → "2027..." inside the TSTInfo.
  Bytes token = stamp->token_der;
  std::string year = info->gen_time.substr(0, 4);
  auto it = std::search(token.begin(), token.end(), year.begin(), year.end());
  ASSERT_NE(it, token.end());
  it[3] = static_cast<uint8_t>(it[3] == '9' ? '0' : it[3] + 1);
  auto r = VerifyTimeStampToken(token, digest, CaPem());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "tsa.bad_signature") << r.status().ToString();

  // Replace the stamped digest with another (the attack a digest check alone
  // would miss): still a bad signature, not a digest mismatch.
  Bytes token2 = stamp->token_der;
  auto at = std::search(token2.begin(), token2.end(), digest.span().begin(), digest.span().end());
  ASSERT_NE(at, token2.end());
  const Digest other = Sha256(std::string_view("forged"));
  std::copy(other.span().begin(), other.span().end(), at);
  r = VerifyTimeStampToken(token2, other, CaPem());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "tsa.bad_signature") << r.status().ToString();

  // Last byte: part of the signature value.
  Bytes token3 = stamp->token_der;
  token3.back() ^= 0x01;
  r = VerifyTimeStampToken(token3, digest, CaPem());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "tsa.bad_signature") << r.status().ToString();
}

// Flips one bit in every byte of a token. CMS leaves a few envelope fields
// outside the signature (SignedData/SignerInfo versions, digest algorithm
// parameters, the signatureAlgorithm identifier, which OpenSSL derives from
// the key), so a flip there may still verify; it must then change nothing
// the token asserts. Every other flip must be rejected with a stable reason.
TEST_F(TimestampTest, EveryTamperedByteIsRejectedOrMeaningless) {
  TimeStampAuthority tsa = MakeTsa();
  const Digest digest = Sha256(std::string_view(kData));
  auto stamp = tsa.Stamp(digest);
  ASSERT_TRUE(stamp.ok());
  const std::string ca = CaPem();
  auto original = VerifyTimeStampToken(stamp->token_der, digest, ca);
  ASSERT_TRUE(original.ok());
  std::vector<size_t> accepted;
  for (size_t i = 0; i < stamp->token_der.size(); ++i) {
    Bytes t = stamp->token_der;
    t[i] ^= 0x01;
    auto r = VerifyTimeStampToken(t, digest, ca);
    if (r.ok()) {
      accepted.push_back(i);
      EXPECT_EQ(r->gen_time, original->gen_time) << i;
      EXPECT_EQ(r->serial_hex, original->serial_hex) << i;
      EXPECT_EQ(r->message_imprint, original->message_imprint) << i;
      EXPECT_EQ(r->policy_oid, original->policy_oid) << i;
      EXPECT_EQ(r->tsa_name, original->tsa_name) << i;
      EXPECT_EQ(r->signer_subject, original->signer_subject) << i;
      continue;
    }
    const std::string& reason = r.status().reason();
    EXPECT_TRUE(reason == "tsa.malformed" || reason == "tsa.bad_signature" ||
                reason == "tsa.untrusted" || reason == "tsa.digest_mismatch" ||
                reason == "tsa.name_mismatch")
        << i << ": " << r.status().ToString();
  }
  // About a dozen envelope bytes out of ~900; the rest is all signed.
  EXPECT_LE(accepted.size(), 16u) << ::testing::PrintToString(accepted);
}

TEST_F(TimestampTest, UntrustedCaIsRejected) {
  TimeStampAuthority tsa = MakeTsa();
  const Digest digest = Sha256(std::string_view(kData));
  auto stamp = tsa.Stamp(digest);
  ASSERT_TRUE(stamp.ok());
  auto r = VerifyTimeStampToken(stamp->token_der, digest, ReadFile(*dir_ / "other" / "ca.pem"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "tsa.untrusted") << r.status().ToString();

  // A token from the other PKI's TSA does not verify against ours.
  TimeStampAuthority other = MakeTsa(*dir_ / "other");
  auto stamp2 = other.Stamp(digest);
  ASSERT_TRUE(stamp2.ok());
  r = VerifyTimeStampToken(stamp2->token_der, digest, CaPem());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "tsa.untrusted");

  // Trusting the TSA certificate itself is not enough: it is not a CA.
  r = VerifyTimeStampToken(stamp->token_der, digest, ReadFile(Pki("tsa.pem")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "tsa.untrusted");
}

TEST_F(TimestampTest, BadTrustAnchorAndMalformedTokens) {
  TimeStampAuthority tsa = MakeTsa();
  const Digest digest = Sha256(std::string_view(kData));
  auto stamp = tsa.Stamp(digest);
  ASSERT_TRUE(stamp.ok());

  auto r = VerifyTimeStampToken(stamp->token_der, digest, "");
  EXPECT_EQ(r.status().reason(), "tsa.bad_trust_anchor");
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  r = VerifyTimeStampToken(stamp->token_der, digest, "-----BEGIN CERTIFICATE-----\nAAAA\n");
  EXPECT_EQ(r.status().reason(), "tsa.bad_trust_anchor");

  for (const Bytes& bad : {Bytes{}, Bytes{0x30, 0x00}, Bytes(100, 0x41), stamp->response_der}) {
    r = VerifyTimeStampToken(bad, digest, CaPem());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().reason(), "tsa.malformed") << r.status().ToString();
  }
  Bytes trailing = stamp->token_der;
  trailing.push_back(0);
  r = VerifyTimeStampToken(trailing, digest, CaPem());
  EXPECT_EQ(r.status().reason(), "tsa.malformed");
  Bytes truncated(stamp->token_der.begin(), stamp->token_der.end() - 10);
  r = VerifyTimeStampToken(truncated, digest, CaPem());
  EXPECT_EQ(r.status().reason(), "tsa.malformed");

  EXPECT_EQ(ParseTimeStampResponse(Bytes(10, 0x30)).status().reason(), "tsa.malformed");
  EXPECT_EQ(InspectTimeStampTokenUnverified(Bytes(10, 0x30)).status().reason(), "tsa.malformed");
}

TEST_F(TimestampTest, CertificateWithoutTimeStampingEkuIsRefused) {
  auto refuse = [](const fs::path& cert, const std::string& why) {
    TsaConfig config;
    config.certificate_pem = ReadFile(cert);
    config.private_key_pem = ReadFile(Pki("tsa.key"));
    config.policy_oid = std::string(kDemoTsaPolicy);
    auto tsa = TimeStampAuthority::Create(config);
    ASSERT_FALSE(tsa.ok()) << why;
    EXPECT_EQ(tsa.status().reason(), "tsa.bad_certificate")
        << why << ": " << tsa.status().ToString();
  };
  refuse(IssueCert("noeku", "basicConstraints=critical,CA:FALSE\n"), "no EKU");
  refuse(IssueCert("noncritical", "extendedKeyUsage=timeStamping\n"), "non-critical EKU");
  refuse(IssueCert("serverauth", "extendedKeyUsage=critical,serverAuth\n"), "wrong EKU");
  refuse(IssueCert("twopurposes", "extendedKeyUsage=critical,timeStamping,serverAuth\n"),
         "extra EKU");
  refuse(IssueCert("badku",
                   "keyUsage=critical,keyEncipherment\nextendedKeyUsage=critical,"
                   "timeStamping\n"),
         "keyUsage without digitalSignature");
  refuse(Pki("ca.pem"), "CA certificate");  // also: key does not match, but EKU first

  TsaConfig garbage;
  garbage.certificate_pem = "not a certificate";
  garbage.private_key_pem = ReadFile(Pki("tsa.key"));
  garbage.policy_oid = "1.2.3";
  EXPECT_EQ(TimeStampAuthority::Create(garbage).status().reason(), "tsa.bad_certificate");

  // The well-formed one is accepted.
  fs::path good = IssueCert("good", "extendedKeyUsage=critical,timeStamping\n");
  TsaConfig config;
  config.certificate_pem = ReadFile(good);
  config.private_key_pem = ReadFile(Pki("tsa.key"));
  config.policy_oid = "1.2.3";
  EXPECT_TRUE(TimeStampAuthority::Create(config).ok());
}

TEST_F(TimestampTest, KeyAndConfigErrors) {
  TsaConfig base;
  base.certificate_pem = ReadFile(Pki("tsa.pem"));
  base.private_key_pem = ReadFile(Pki("tsa.key"));
  base.policy_oid = std::string(kDemoTsaPolicy);
  ASSERT_TRUE(TimeStampAuthority::Create(base).ok());

  TsaConfig c = base;
  c.private_key_pem = ReadFile(*dir_ / "other" / "tsa.key");
  EXPECT_EQ(TimeStampAuthority::Create(c).status().reason(), "tsa.key_mismatch");
  c = base;
  c.private_key_pem = "garbage";
  EXPECT_EQ(TimeStampAuthority::Create(c).status().reason(), "tsa.bad_key");
  c = base;
  for (const char* bad : {"", "1", "1.2.x", "1..2", ".1.2", "1.2."}) {
    c.policy_oid = bad;
    EXPECT_EQ(TimeStampAuthority::Create(c).status().reason(), "tsa.bad_policy") << bad;
  }
  c = base;
  c.accuracy_millis = 1000;
  EXPECT_EQ(TimeStampAuthority::Create(c).status().reason(), "tsa.bad_config");
  c = base;
  c.clock_precision_digits = 7;
  EXPECT_EQ(TimeStampAuthority::Create(c).status().reason(), "tsa.bad_config");
  c = base;
  c.chain_pem = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(TimeStampAuthority::Create(c).status().reason(), "tsa.bad_chain");

  // An encrypted key is refused rather than prompting on the terminal.
  fs::path enc = *dir_ / "enc.key";
  ASSERT_EQ(
      Run("openssl pkey -in " + Q(Pki("tsa.key")) + " -aes256 -passout pass:pw -out " + Q(enc)), 0)
      << last_log_;
  c = base;
  c.private_key_pem = ReadFile(enc);
  EXPECT_EQ(TimeStampAuthority::Create(c).status().reason(), "tsa.bad_key");

  // Ed25519: OpenSSL 3.0's TS code cannot sign with it (PKCS#7); refused
  // up front, with a certificate that is otherwise fine.
  fs::path ed_key = *dir_ / "pki" / "ed.key";
  ASSERT_EQ(Run("openssl genpkey -algorithm ed25519 -out " + Q(ed_key)), 0);
  fs::path ed_cert = IssueCert("ed", "extendedKeyUsage=critical,timeStamping\n", "ed.key");
  c = base;
  c.certificate_pem = ReadFile(ed_cert);
  c.private_key_pem = ReadFile(ed_key);
  EXPECT_EQ(TimeStampAuthority::Create(c).status().reason(), "tsa.unsupported_key");

  EXPECT_EQ(LoadTsaConfigFiles("/nonexistent/tsa.pem", Pki("tsa.key"), "", "1.2").status().reason(),
            "file.open");
}

TEST_F(TimestampTest, MalformedRequestsGetRejectionResponses) {
  TimeStampAuthority tsa = MakeTsa();
  auto expect_rejection = [&](ByteSpan request, uint32_t failure, const std::string& what) {
    auto resp = tsa.CreateResponse(request);
    ASSERT_TRUE(resp.ok()) << what << ": " << resp.status().ToString();
    auto status = ParseTimeStampResponseStatus(*resp);
    ASSERT_TRUE(status.ok()) << what;
    EXPECT_EQ(status->status, static_cast<int>(TimeStampStatus::kRejection)) << what;
    EXPECT_EQ(status->failure_info, failure) << what << ": " << status->text;
    auto token = ParseTimeStampResponse(*resp);
    EXPECT_EQ(token.status().reason(), "tsa.rejected") << what;
    EXPECT_EQ(token.status().code(), Code::kFailedPrecondition);
  };
  expect_rejection(Bytes{}, kTsaFailBadDataFormat, "empty");
  expect_rejection(AsBytes("GET / HTTP/1.1\r\n\r\n"), kTsaFailBadDataFormat, "garbage");
  expect_rejection(Bytes(100 * 1024, 0x30), kTsaFailBadDataFormat, "oversized");

  auto good = BuildTimeStampRequest(Sha256(std::string_view(kData)));
  ASSERT_TRUE(good.ok());
  Bytes truncated(good->begin(), good->end() - 5);
  expect_rejection(truncated, kTsaFailBadDataFormat, "truncated");

  // Requests from the reference client that we must refuse.
  fs::path data = *dir_ / "req-data.txt";
  WriteFile(data, AsBytes(kData));
  fs::path sha1_req = *dir_ / "sha1.tsq";
  ASSERT_EQ(Run("openssl ts -query -data " + Q(data) + " -sha1 -out " + Q(sha1_req)), 0);
  expect_rejection(ReadBytes(sha1_req), kTsaFailBadAlg, "sha1 imprint");
  fs::path policy_req = *dir_ / "policy.tsq";
  ASSERT_EQ(Run("openssl ts -query -data " + Q(data) + " -sha256 -tspolicy 1.2.3.4.5 -out " +
                Q(policy_req)),
            0);
  expect_rejection(ReadBytes(policy_req), kTsaFailUnacceptedPolicy, "foreign policy");

  // Our own policy is accepted when asked for explicitly.
  TimeStampRequestOptions options;
  options.policy_oid = std::string(kDemoTsaPolicy);
  auto req = BuildTimeStampRequest(Sha256(std::string_view(kData)), options);
  ASSERT_TRUE(req.ok());
  auto resp = tsa.CreateResponse(*req);
  ASSERT_TRUE(resp.ok());
  auto status = ParseTimeStampResponseStatus(*resp);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->granted()) << status->text;
}

TEST_F(TimestampTest, NonceAndCertReq) {
  TimeStampAuthority tsa = MakeTsa();
  const Digest digest = Sha256(std::string_view(kData));
  TimeStampRequestOptions options;
  options.nonce = GenerateTimeStampNonce();
  options.nonce[0] |= 0x80;  // exercise a nonce whose top bit is set
  options.cert_req = false;
  auto req = BuildTimeStampRequest(digest, options);
  ASSERT_TRUE(req.ok());
  auto resp = tsa.CreateResponse(*req);
  ASSERT_TRUE(resp.ok());

  // Without the certificate in the token the verifier must be given it.
  TimeStampVerifyOptions verify;
  verify.nonce = options.nonce;
  auto r = VerifyTimeStampResponse(*resp, digest, CaPem(), verify);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "tsa.untrusted");
  verify.untrusted_pem = ReadFile(Pki("tsa.pem"));
  r = VerifyTimeStampResponse(*resp, digest, CaPem(), verify);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->nonce, options.nonce);

  verify.nonce = GenerateTimeStampNonce();
  EXPECT_EQ(VerifyTimeStampResponse(*resp, digest, CaPem(), verify).status().reason(),
            "tsa.nonce_mismatch");
  verify.nonce.clear();
  verify.policy_oid = "1.2.3";
  EXPECT_EQ(VerifyTimeStampResponse(*resp, digest, CaPem(), verify).status().reason(),
            "tsa.policy_mismatch");

  options.nonce = Bytes(33, 1);
  EXPECT_EQ(BuildTimeStampRequest(digest, options).status().reason(), "tsa.bad_nonce");
  options.nonce.clear();
  options.policy_oid = "not.an.oid";
  EXPECT_EQ(BuildTimeStampRequest(digest, options).status().reason(), "tsa.bad_policy");
}

TEST_F(TimestampTest, ClockUnavailableRefuses) {
  auto config = LoadTsaConfigFiles(Pki("tsa.pem"), Pki("tsa.key"), "", "1.2.3");
  ASSERT_TRUE(config.ok());
  config->clock = [] { return std::optional<std::chrono::system_clock::time_point>(); };
  auto tsa = TimeStampAuthority::Create(*config);
  ASSERT_TRUE(tsa.ok());
  auto stamp = tsa->Stamp(Sha256(std::string_view(kData)));
  EXPECT_EQ(stamp.status().reason(), "tsa.rejected");
  EXPECT_EQ(stamp.status().code(), Code::kUnavailable);
  auto req = BuildTimeStampRequest(Sha256(std::string_view(kData)));
  ASSERT_TRUE(req.ok());
  auto resp = tsa->CreateResponse(*req);
  ASSERT_TRUE(resp.ok());
  auto status = ParseTimeStampResponseStatus(*resp);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->status, static_cast<int>(TimeStampStatus::kRejection));
  EXPECT_EQ(status->failure_info, kTsaFailTimeNotAvailable) << status->text;
}

}  // namespace
}  // namespace tz
