// RFC 3161 time-stamping: our TSA, client and verifier, and interop with the
// reference implementation (`openssl ts`) in both directions.
//
// The demo PKI is generated at test time by deploy/make-tsa-cert.sh (the same
// script the docs and demo use) into a fresh temporary directory.
#include "crypto/timestamp.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace tz {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, ByteSpan data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(out.good()) << p;
}

Bytes ReadBytes(const fs::path& p) {
  std::string s = ReadFile(p);
  return Bytes(s.begin(), s.end());
}

// Shell-quotes a path (our temp paths have no quotes, but be safe).
std::string Q(const fs::path& p) { return "'" + p.string() + "'"; }

class TimestampTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "tz-tsa-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = new fs::path(tmpl);
    ASSERT_EQ(MakePki(*dir_ / "pki"), 0);
    ASSERT_EQ(MakePki(*dir_ / "other"), 0);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }

  static int MakePki(const fs::path& out, const std::string& flags = "") {
    return Run("bash " + Q(fs::path(TZ_SOURCE_DIR) / "deploy/make-tsa-cert.sh") + " " + Q(out) +
               " " + flags);
  }

  // Runs a shell command, output to a log; returns the exit status.
  static int Run(const std::string& cmd) {
    fs::path log = *dir_ / "cmd.log";
    int rc = std::system((cmd + " >" + Q(log) + " 2>&1").c_str());
    int status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
    if (status != 0) last_log_ = ReadFile(log);
    return status;
  }

  static fs::path Pki(const std::string& file) { return *dir_ / "pki" / file; }
  static std::string CaPem() { return ReadFile(Pki("ca.pem")); }

  static TimeStampAuthority MakeTsa(const fs::path& pki = *dir_ / "pki") {
    auto config = LoadTsaConfigFiles((pki / "tsa.pem").string(), (pki / "tsa.key").string(),
                                     (pki / "chain.pem").string(), std::string(kDemoTsaPolicy));
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    auto tsa = TimeStampAuthority::Create(*config);
    EXPECT_TRUE(tsa.ok()) << tsa.status().ToString();
    return std::move(tsa).value();
  }

  // Issues a certificate for pki/tsa.key from pki/ca with the given
  // extension lines (to build certificates a TSA must refuse).
  static fs::path IssueCert(const std::string& name, const std::string& extensions,
                            const std::string& key = "tsa.key") {
    fs::path ext = *dir_ / (name + ".ext");
    std::ofstream(ext) << extensions;
    fs::path csr = *dir_ / (name + ".csr");
    fs::path pem = *dir_ / (name + ".pem");
    EXPECT_EQ(
        Run("openssl req -new -key " + Q(Pki(key)) + " -subj /CN=" + name + " -out " + Q(csr)), 0)
        << last_log_;
    EXPECT_EQ(
        Run("openssl x509 -req -in " + Q(csr) + " -CA " + Q(Pki("ca.pem")) + " -CAkey " +
            Q(Pki("ca.key")) + " -set_serial 7 -days 30 -extfile " + Q(ext) + " -out " + Q(pem)),
        0)
        << last_log_;
    return pem;
  }

  static fs::path* dir_;
  static std::string last_log_;
};

fs::path* TimestampTest::dir_ = nullptr;
std::string TimestampTest::last_log_;

const char kData[] = "tiezheng checkpoint\nsize 42\nroot abc\n";

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

TEST_F(TimestampTest, IntermediateChain) {
  fs::path pki = *dir_ / "inter";
  ASSERT_EQ(MakePki(pki, "--intermediate"), 0) << last_log_;
  TimeStampAuthority tsa = MakeTsa(pki);
  const Digest digest = Sha256(std::string_view(kData));
  auto stamp = tsa.Stamp(digest);
  ASSERT_TRUE(stamp.ok());
  // The token carries the intermediate, so the root alone suffices.
  auto r = VerifyTimeStampToken(stamp->token_der, digest, ReadFile(pki / "ca.pem"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  fs::path data = *dir_ / "inter-data.txt";
  fs::path token = *dir_ / "inter-token.der";
  WriteFile(data, AsBytes(kData));
  WriteFile(token, stamp->token_der);
  EXPECT_EQ(Run("openssl ts -verify -data " + Q(data) + " -in " + Q(token) + " -token_in -CAfile " +
                Q(pki / "ca.pem")),
            0)
      << last_log_;
}

// A PKI whose TSA certificate was valid only during 2020 (backdated with
// `openssl ca`), stamped with a TSA clock set inside that year: the token is
// still good evidence after the certificate expired, so by default the chain
// is validated at genTime; validating "now" (as plain `openssl ts -verify`
// does) rejects it, and `-attime` makes openssl agree with us.
TEST_F(TimestampTest, ChainIsValidatedAtGenTime) {
  fs::path pki = *dir_ / "old";
  fs::create_directories(pki);
  std::ofstream(pki / "index.txt").close();
  std::ofstream(pki / "serial") << "1000\n";
  std::ofstream(pki / "ca.cnf") << "[ca]\ndefault_ca = d\n[d]\ndatabase = "
                                << (pki / "index.txt").string()
                                << "\nnew_certs_dir = " << pki.string()
                                << "\nserial = " << (pki / "serial").string()
                                << "\ndefault_md = sha256\npolicy = p\nunique_subject = no\n"
                                   "[p]\ncommonName = supplied\n";
  std::ofstream(pki / "ca.ext")
      << "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n";
  std::ofstream(pki / "tsa.ext") << "extendedKeyUsage=critical,timeStamping\n";
  const std::string ca = " -batch -notext -config " + Q(pki / "ca.cnf");
  for (const char* k : {"ca", "tsa"}) {
    ASSERT_EQ(Run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                  Q(pki / (std::string(k) + ".key"))),
              0);
    ASSERT_EQ(Run("openssl req -new -key " + Q(pki / (std::string(k) + ".key")) +
                  " -subj /CN=old-" + k + " -out " + Q(pki / (std::string(k) + ".csr"))),
              0);
  }
  ASSERT_EQ(
      Run("openssl ca" + ca + " -selfsign -keyfile " + Q(pki / "ca.key") + " -in " +
          Q(pki / "ca.csr") + " -startdate 20190101000000Z -enddate 20400101000000Z -extfile " +
          Q(pki / "ca.ext") + " -out " + Q(pki / "ca.pem")),
      0)
      << last_log_;
  ASSERT_EQ(Run("openssl ca" + ca + " -cert " + Q(pki / "ca.pem") + " -keyfile " +
                Q(pki / "ca.key") + " -in " + Q(pki / "tsa.csr") +
                " -startdate 20200101000000Z -enddate 20210101000000Z -extfile " +
                Q(pki / "tsa.ext") + " -out " + Q(pki / "tsa.pem")),
            0)
      << last_log_;

  auto config = LoadTsaConfigFiles(pki / "tsa.pem", pki / "tsa.key", "", "1.2.3");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const int64_t june_2020 = 1590969600;  // 2020-06-01T00:00:00Z
  int64_t clock = june_2020;
  config->clock = [&clock] {
    return std::optional(std::chrono::system_clock::time_point(std::chrono::seconds(clock)));
  };
  auto tsa = TimeStampAuthority::Create(*config);
  ASSERT_TRUE(tsa.ok()) << tsa.status().ToString();
  const Digest digest = Sha256(std::string_view(kData));
  auto stamp = tsa->Stamp(digest);
  ASSERT_TRUE(stamp.ok()) << stamp.status().ToString();
  const std::string ca_pem = ReadFile(pki / "ca.pem");

  auto info = VerifyTimeStampToken(stamp->token_der, digest, ca_pem);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->gen_time, "2020-06-01T00:00:00Z");
  EXPECT_EQ(info->gen_time_unix, june_2020);
  TimeStampVerifyOptions now;
  now.validate_at_gen_time = false;
  EXPECT_EQ(VerifyTimeStampToken(stamp->token_der, digest, ca_pem, now).status().reason(),
            "tsa.untrusted");

  fs::path data = *dir_ / "old-data.txt";
  fs::path token = *dir_ / "old-token.der";
  WriteFile(data, AsBytes(kData));
  WriteFile(token, stamp->token_der);
  const std::string verify = "openssl ts -verify -data " + Q(data) + " -in " + Q(token) +
                             " -token_in -CAfile " + Q(pki / "ca.pem");
  EXPECT_NE(Run(verify), 0);
  EXPECT_EQ(Run(verify + " -attime " + std::to_string(june_2020)), 0) << last_log_;

  // A genTime outside the certificate's validity is not accepted.
  clock = june_2020 + 400 * 86400;
  auto late = tsa->Stamp(digest);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(VerifyTimeStampToken(late->token_der, digest, ca_pem).status().reason(),
            "tsa.untrusted");
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

// ---- Interop with the reference implementation ------------------------------

TEST_F(TimestampTest, OpenSslVerifiesOurTokens) {
  TimeStampAuthority tsa = MakeTsa();
  fs::path data = *dir_ / "interop-data.bin";
  std::string bytes = std::string(kData) + std::string(1000, '\x07');
  WriteFile(data, AsBytes(bytes));
  auto stamp = tsa.Stamp(Sha256(std::string_view(bytes)));
  ASSERT_TRUE(stamp.ok());
  fs::path resp = *dir_ / "ours.tsr";
  fs::path token = *dir_ / "ours-token.der";
  WriteFile(resp, stamp->response_der);
  WriteFile(token, stamp->token_der);
  const std::string ca = " -CAfile " + Q(Pki("ca.pem"));

  EXPECT_EQ(Run("openssl ts -verify -data " + Q(data) + " -in " + Q(resp) + ca), 0) << last_log_;
  EXPECT_EQ(Run("openssl ts -verify -data " + Q(data) + " -in " + Q(token) + " -token_in" + ca), 0)
      << last_log_;
  EXPECT_EQ(Run("openssl ts -verify -digest " + ToHex(Sha256(std::string_view(bytes))) + " -in " +
                Q(token) + " -token_in" + ca),
            0)
      << last_log_;
  // And openssl does reject them for other data or another CA (so the checks
  // above mean something).
  fs::path other = *dir_ / "interop-other.bin";
  WriteFile(other, AsBytes("other"));
  EXPECT_NE(Run("openssl ts -verify -data " + Q(other) + " -in " + Q(resp) + ca), 0);
  EXPECT_NE(Run("openssl ts -verify -data " + Q(data) + " -in " + Q(resp) + " -CAfile " +
                Q(*dir_ / "other" / "ca.pem")),
            0);

  // A request from `openssl ts -query` answered by our CreateResponse, then
  // verified against that request (imprint, nonce, policy) by openssl.
  fs::path query = *dir_ / "openssl.tsq";
  fs::path reply = *dir_ / "ours-reply.tsr";
  ASSERT_EQ(Run("openssl ts -query -data " + Q(data) + " -sha256 -cert -out " + Q(query)), 0);
  auto answer = tsa.CreateResponse(ReadBytes(query));
  ASSERT_TRUE(answer.ok());
  WriteFile(reply, *answer);
  EXPECT_EQ(Run("openssl ts -verify -queryfile " + Q(query) + " -in " + Q(reply) + ca), 0)
      << last_log_;
  EXPECT_EQ(Run("openssl ts -reply -in " + Q(reply) + " -text"), 0) << last_log_;
}

TEST_F(TimestampTest, WeVerifyOpenSslTokens) {
  fs::path data = *dir_ / "ref-data.txt";
  WriteFile(data, AsBytes(kData));
  const Digest digest = Sha256(std::string_view(kData));
  const std::string config = " -config " + Q(Pki("tsa.cnf"));

  // openssl client + openssl TSA, verified by us.
  fs::path query = *dir_ / "ref.tsq";
  fs::path resp = *dir_ / "ref.tsr";
  fs::path token = *dir_ / "ref-token.der";
  ASSERT_EQ(Run("openssl ts -query -data " + Q(data) + " -sha256 -cert -out " + Q(query)), 0);
  ASSERT_EQ(Run("openssl ts -reply" + config + " -queryfile " + Q(query) + " -out " + Q(resp)), 0)
      << last_log_;
  ASSERT_EQ(Run("openssl ts -reply -in " + Q(resp) + " -token_out -out " + Q(token)), 0)
      << last_log_;
  auto r = VerifyTimeStampResponse(ReadBytes(resp), digest, CaPem());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->policy_oid, kDemoTsaPolicy);
  EXPECT_EQ(r->tsa_name, "CN=Tiezheng Demo TSA,O=Tiezheng Demo");
  EXPECT_EQ(r->nonce.size(), 8u);
  auto t = VerifyTimeStampToken(ReadBytes(token), digest, CaPem());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->serial_hex, r->serial_hex);
  EXPECT_EQ(VerifyTimeStampToken(ReadBytes(token), Sha256(std::string_view("x")), CaPem())
                .status()
                .reason(),
            "tsa.digest_mismatch");
  EXPECT_EQ(VerifyTimeStampToken(ReadBytes(token), digest, ReadFile(*dir_ / "other" / "ca.pem"))
                .status()
                .reason(),
            "tsa.untrusted");

  // Our client's request answered by the openssl TSA, checked with our nonce.
  TimeStampRequestOptions options;
  options.nonce = GenerateTimeStampNonce();
  auto ours = BuildTimeStampRequest(digest, options);
  ASSERT_TRUE(ours.ok());
  fs::path our_query = *dir_ / "ours.tsq";
  fs::path ref_resp = *dir_ / "ref-for-ours.tsr";
  WriteFile(our_query, *ours);
  ASSERT_EQ(
      Run("openssl ts -reply" + config + " -queryfile " + Q(our_query) + " -out " + Q(ref_resp)), 0)
      << last_log_;
  TimeStampVerifyOptions verify;
  verify.nonce = options.nonce;
  verify.policy_oid = std::string(kDemoTsaPolicy);
  auto v = VerifyTimeStampResponse(ReadBytes(ref_resp), digest, CaPem(), verify);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
}

TEST_F(TimestampTest, RsaTsaInterop) {
  fs::path pki = *dir_ / "rsa";
  ASSERT_EQ(MakePki(pki, "--key-type rsa"), 0) << last_log_;
  TimeStampAuthority tsa = MakeTsa(pki);
  const Digest digest = Sha256(std::string_view(kData));
  auto stamp = tsa.Stamp(digest);
  ASSERT_TRUE(stamp.ok()) << stamp.status().ToString();
  ASSERT_TRUE(VerifyTimeStampToken(stamp->token_der, digest, ReadFile(pki / "ca.pem")).ok());
  fs::path data = *dir_ / "rsa-data.txt";
  fs::path resp = *dir_ / "rsa.tsr";
  WriteFile(data, AsBytes(kData));
  WriteFile(resp, stamp->response_der);
  EXPECT_EQ(Run("openssl ts -verify -data " + Q(data) + " -in " + Q(resp) + " -CAfile " +
                Q(pki / "ca.pem")),
            0)
      << last_log_;
}

}  // namespace
}  // namespace tz
