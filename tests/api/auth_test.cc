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
               int64_t created = 0, const std::string& nonce = "",
               const std::vector<CoveredHeader>& covered = {}) {
    auto h = SignRequest(id_, kp_.secret_key, method, target, body, created, nonce, covered);
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
    for (const CoveredHeader& c : covered) r.headers.emplace_back(c.name, c.value);
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
  std::string params = ";created=1;nonce=\"abcdefghijklmnop\";keyid=\"" + std::string(32, 'a') +
                       "\";alg=\"ed25519\"";
  std::string base = std::string(kCoveredComponents);
  std::string ok = "tz=(" + base + ")" + params;
  EXPECT_TRUE(ParseSignatureInput(ok).ok());
  auto both = ParseSignatureInput("tz=(" + base + " \"x-tz-reason\" \"x-tz-purpose\")" + params);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->covered_headers, (std::vector<std::string>{"x-tz-reason", "x-tz-purpose"}));
  auto purpose = ParseSignatureInput("tz=(" + base + " \"x-tz-purpose\")" + params);
  ASSERT_TRUE(purpose.ok());
  EXPECT_EQ(purpose->covered_headers, (std::vector<std::string>{"x-tz-purpose"}));
  // Wrong order, repeats, other headers, a missing ')'.
  EXPECT_FALSE(
      ParseSignatureInput("tz=(" + base + " \"x-tz-purpose\" \"x-tz-reason\")" + params).ok());
  EXPECT_FALSE(
      ParseSignatureInput("tz=(" + base + " \"x-tz-reason\" \"x-tz-reason\")" + params).ok());
  EXPECT_FALSE(ParseSignatureInput("tz=(" + base + " \"host\")" + params).ok());
  EXPECT_FALSE(ParseSignatureInput("tz=(" + base + " \"x-tz-reason\"" + params).ok());
  EXPECT_FALSE(ParseSignatureInput("sig1=" + ok.substr(3)).ok());
  EXPECT_FALSE(ParseSignatureInput(ok + ";expires=5").ok());
  EXPECT_FALSE(ParseSignatureInput(ok + ";created=2").ok());
  EXPECT_FALSE(ParseSignatureInput("tz=(\"@method\");created=1").ok());
  EXPECT_FALSE(ParseContentDigest("sha-256=:AAAA:").ok());
  EXPECT_TRUE(ParseContentDigest(ContentDigestOf("")).ok());
  EXPECT_EQ(ContentDigestOf(""), "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
}

TEST(SignatureBaseTest, Rfc9421Layout) {
  EXPECT_EQ(SignatureBase("GET", "/v1/x", "?", "sha-256=:x:", {}, "(\"@method\");created=1"),
            "\"@method\": GET\n\"@path\": /v1/x\n\"@query\": ?\n\"content-digest\": "
            "sha-256=:x:\n\"@signature-params\": (\"@method\");created=1");
  EXPECT_EQ(SignatureBase("GET", "/v1/x", "?", "sha-256=:x:",
                          {{"x-tz-reason", " annual audit "}, {"x-tz-purpose", "audit"}},
                          "(...);created=1"),
            "\"@method\": GET\n\"@path\": /v1/x\n\"@query\": ?\n\"content-digest\": "
            "sha-256=:x:\n\"x-tz-reason\": annual audit\n\"x-tz-purpose\": audit\n"
            "\"@signature-params\": (...);created=1");
}

TEST_F(AuthTest, ReasonAndPurposeAreCoveredWhenSent) {
  std::vector<CoveredHeader> why = {{"x-tz-reason", "annual audit 2026"},
                                    {"x-tz-purpose", "audit"}};
  Request r = Make("GET", "/v1/households/ab", "", 0, "", why);
  EXPECT_NE(r.header("signature-input")->find("\"x-tz-reason\" \"x-tz-purpose\")"),
            std::string::npos);
  ASSERT_TRUE(auth_->Verify(r, {}, Now()).ok());
  // A proxy rewrites the reason or the purpose: the signature fails.
  for (const char* field : {"x-tz-reason", "x-tz-purpose"}) {
    Request t = Make("GET", "/v1/households/ab", "", 0, "", why);
    for (auto& [k, v] : t.headers) {
      if (k == field) v = "rewritten";
    }
    EXPECT_EQ(auth_->Verify(t, {}, Now()).status().reason(), "auth.bad_signature") << field;
  }
}

TEST_F(AuthTest, UncoveredMissingOrRepeatedReasonIsRefused) {
  // Sent but not signed: a proxy could have added or changed it.
  Request r = Make("GET", "/v1/households/ab", "");
  r.headers.emplace_back("x-tz-reason", "added by someone else");
  EXPECT_EQ(auth_->Verify(r, {}, Now()).status().reason(), "auth.uncovered_header");
  // Signed but not sent (stripped on the way).
  r = Make("GET", "/v1/households/ab", "", 0, "", {{"x-tz-reason", "why"}});
  std::erase_if(r.headers, [](const auto& h) { return h.first == "x-tz-reason"; });
  EXPECT_EQ(auth_->Verify(r, {}, Now()).status().reason(), "auth.malformed");
  // Sent twice: which one did the reader sign?
  r = Make("GET", "/v1/households/ab", "", 0, "", {{"x-tz-reason", "why"}});
  r.headers.emplace_back("x-tz-reason", "why");
  EXPECT_EQ(auth_->Verify(r, {}, Now()).status().reason(), "auth.malformed");
  // The signer refuses an order the server would not accept.
  EXPECT_FALSE(SignRequest(id_, kp_.secret_key, "GET", "/a", "", 0, "",
                           {{"x-tz-purpose", "audit"}, {"x-tz-reason", "why"}})
                   .ok());
  EXPECT_FALSE(SignRequest(id_, kp_.secret_key, "GET", "/a", "", 0, "", {{"host", "x"}}).ok());
}

TEST_F(AuthTest, NonceIsOneSpaceForAllKeys) {
  // A second key signs with the nonce the first key used: refused, as
  // docs/api.md says ("a nonce seen before, by any key").
  KeyPair other = GenerateKeyPair(SignatureAlgorithm::kEd25519);
  ledger::KeyId other_id = ledger::KeyIdOf(other.public_key);
  ledger::KeyRecord other_rec = rec_;
  other_rec.public_key = other.public_key;
  AuthOptions o;
  Authenticator two(
      [&](const ledger::KeyId& id) -> Result<std::optional<ledger::KeyRecord>> {
        if (id == id_) return std::optional<ledger::KeyRecord>(rec_);
        if (id == other_id) return std::optional<ledger::KeyRecord>(other_rec);
        return std::optional<ledger::KeyRecord>();
      },
      o);
  const std::string nonce = "shared-nonce-0123456789";
  ASSERT_TRUE(two.Verify(Make("GET", "/a", "", 0, nonce), {}, Now()).ok());
  auto h = SignRequest(other_id, other.secret_key, "GET", "/a", "", 0, nonce);
  ASSERT_TRUE(h.ok());
  Request r;
  r.method = "GET";
  r.target = r.path = "/a";
  r.headers = {{"content-digest", h->content_digest},
               {"signature-input", h->signature_input},
               {"signature", h->signature}};
  EXPECT_EQ(two.Verify(r, {}, Now()).status().reason(), "auth.replayed");
}

}  // namespace
}  // namespace tz::api
