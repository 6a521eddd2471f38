// RFC 9421 signing (client helper) against server-side verification.
#include "api/auth.h"

#include <gtest/gtest.h>

#include <chrono>

#include "api/request_signer.h"

namespace tz::api {
namespace {

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kp_ = GenerateKeyPair(SignatureAlgorithm::kEd25519);
    id_ = ledger::KeyIdOf(kp_.public_key);
    rec_.public_key = kp_.public_key;
    rec_.party = "builder";
    rec_.roles = {ledger::Role::kConstructionUnit};
    AuthOptions o;
    o.burst = 3;
    o.rate_per_second = 0.001;
    auth_ = std::make_unique<Authenticator>(
        [this](const ledger::KeyId& id) -> Result<std::optional<ledger::KeyRecord>> {
          if (id == id_) return std::optional<ledger::KeyRecord>(rec_);
          return std::optional<ledger::KeyRecord>();
        },
        o);
  }
  Request Make(const std::string& method, const std::string& target, const std::string& body,
               int64_t created = 0, const std::string& nonce = "") {
    auto h = SignRequest(id_, kp_.secret_key, method, target, body, created, nonce);
    EXPECT_TRUE(h.ok());
    Request r;
    r.method = method;
    r.target = target;
    std::string_view path;
    std::string query;
    SplitTarget(target, &path, &query);
    r.path = std::string(path);
    r.query = query.substr(1);
    r.body = body;
    r.headers = {{"content-digest", h->content_digest},
                 {"signature-input", h->signature_input},
                 {"signature", h->signature}};
    return r;
  }
  KeyPair kp_;
  ledger::KeyId id_;
  ledger::KeyRecord rec_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthTest, SignedRequestVerifiesOnceThenReplays) {
  Request r = Make("PUT", "/v1/blobs/ab?x=1", "hello");
  auto c = auth_->Verify(r, {}, Now());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->record.party, "builder");
  EXPECT_TRUE(Authenticator::CheckBody(r, Sha256(r.body)).ok());
  EXPECT_EQ(Authenticator::CheckBody(r, Sha256("other")).reason(), "auth.digest_mismatch");
  EXPECT_EQ(auth_->Verify(r, {}, Now()).status().reason(), "auth.replayed");
}

TEST_F(AuthTest, TamperedComponentsFail) {
  Request r = Make("PUT", "/v1/blobs/ab?x=1", "hello");
  r.query = "x=2";
  EXPECT_EQ(auth_->Verify(r, {}, Now()).status().reason(), "auth.bad_signature");
  r = Make("PUT", "/v1/blobs/ab", "hello");
  r.method = "POST";
  EXPECT_EQ(auth_->Verify(r, {}, Now()).status().reason(), "auth.bad_signature");
}

TEST_F(AuthTest, WindowRolesAndRateLimit) {
  EXPECT_EQ(auth_->Verify(Make("GET", "/a", "", Now() - 301), {}, Now()).status().reason(),
            "auth.expired");
  EXPECT_EQ(auth_->Verify(Make("GET", "/a", ""), {ledger::Role::kAuditor}, Now()).status().reason(),
            "auth.forbidden");
  EXPECT_TRUE(auth_->Verify(Make("GET", "/a", ""), {}, Now()).ok());
  EXPECT_TRUE(auth_->Verify(Make("GET", "/a", ""), {}, Now()).ok());
  EXPECT_EQ(auth_->Verify(Make("GET", "/a", ""), {}, Now()).status().reason(), "http.rate_limited");
}

TEST(SignatureInputTest, StrictParsing) {
  std::string ok = std::string("tz=") + std::string(kCoveredComponents) +
                   ";created=1;nonce=\"abcdefghijklmnop\";keyid=\"" + std::string(32, 'a') +
                   "\";alg=\"ed25519\"";
  EXPECT_TRUE(ParseSignatureInput(ok).ok());
  EXPECT_FALSE(ParseSignatureInput("sig1=" + ok.substr(3)).ok());
  EXPECT_FALSE(ParseSignatureInput(ok + ";expires=5").ok());
  EXPECT_FALSE(ParseSignatureInput(ok + ";created=2").ok());
  EXPECT_FALSE(ParseSignatureInput("tz=(\"@method\");created=1").ok());
  EXPECT_FALSE(ParseContentDigest("sha-256=:AAAA:").ok());
  EXPECT_TRUE(ParseContentDigest(ContentDigestOf("")).ok());
  EXPECT_EQ(ContentDigestOf(""), "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
}

TEST(SignatureBaseTest, Rfc9421Layout) {
  EXPECT_EQ(SignatureBase("GET", "/v1/x", "?", "sha-256=:x:", "(\"@method\");created=1"),
            "\"@method\": GET\n\"@path\": /v1/x\n\"@query\": ?\n\"content-digest\": "
            "sha-256=:x:\n\"@signature-params\": (\"@method\");created=1");
}

}  // namespace
}  // namespace tz::api
