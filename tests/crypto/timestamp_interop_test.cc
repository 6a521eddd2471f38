// RFC 3161 interop with the reference implementation, both directions:
// `openssl ts -verify` accepts our tokens and responses, and our verifier
// accepts what `openssl ts -reply` makes with the same demo TSA; plus chains
// with an intermediate CA, RSA, and validation at genTime vs. `-attime`.
#include <chrono>
#include <optional>
#include <string>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/timestamp.h"
#include "crypto/timestamp_test_util.h"

namespace tz {
namespace {

using namespace timestamp_test;

class TimestampInteropTest : public TimestampTest {};

TEST_F(TimestampInteropTest, IntermediateChain) {
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
TEST_F(TimestampInteropTest, ChainIsValidatedAtGenTime) {
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

TEST_F(TimestampInteropTest, OpenSslVerifiesOurTokens) {
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

TEST_F(TimestampInteropTest, WeVerifyOpenSslTokens) {
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

TEST_F(TimestampInteropTest, RsaTsaInterop) {
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
