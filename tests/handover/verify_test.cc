// handover::VerifyNotarization (handover/verify.h): the offline check of a
// notarization entry that the CLI and a court's or auditor's own tool share.
#include "handover/verify.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/encoding.h"

namespace tz::handover {
namespace {

constexpr char kChain[] = "verify-chain";
constexpr int64_t kTime = 1700000000000;

struct Signer {
  KeyPair keys = GenerateKeyPair(SignatureAlgorithm::kEd25519);
  ledger::KeyId id = ledger::KeyIdOf(keys.public_key);
};

Json NotarizeBody(const Digest& d) {
  return *ParseJson(R"({"type":"doc.notarize","v":1,"digest":")" + ToHex(d) +
                    R"(","size":7,"media_type":"application/pdf","title":"竣工验收报告",)"
                    R"("doc_type":"as_built_drawings","project":"P-1","house":"H-101",)"
                    R"("in_archive":true,"encrypted":false})");
}

ledger::SignedEntry Sign(const Json& body, const ledger::KeyId& id, const SecretKey& sk) {
  auto e = ledger::SignEntry(kChain, body, id, sk, 1, kTime);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? *e : ledger::SignedEntry{};
}

void ExpectFails(const Result<DocumentNotarization>& r, const std::string& reason) {
  ASSERT_FALSE(r.ok()) << "wanted " << reason;
  EXPECT_EQ(r.status().reason(), reason) << r.status().ToString();
  EXPECT_EQ(r.status().code(), Code::kVerificationFailed) << r.status().ToString();
}

class VerifyNotarizationTest : public ::testing::Test {
 protected:
  Signer party;
  Digest digest = Sha256("the document's bytes");
  ledger::SignedEntry entry = Sign(NotarizeBody(digest), party.id, party.keys.secret_key);
};

TEST_F(VerifyNotarizationTest, AGoodEntryGivesItsTypedFields) {
  auto n = VerifyNotarization(entry, party.keys.public_key, digest);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->digest, digest);
  EXPECT_EQ(n->size, 7);
  EXPECT_EQ(n->media_type, "application/pdf");
  EXPECT_EQ(n->title, "竣工验收报告");
  EXPECT_EQ(n->doc_type, "as_built_drawings");
  EXPECT_EQ(n->project, "P-1");
  EXPECT_EQ(n->house, std::optional<std::string>("H-101"));
  EXPECT_TRUE(n->in_archive);
  EXPECT_FALSE(n->encrypted);
}

TEST_F(VerifyNotarizationTest, AnotherDigest) {
  ExpectFails(VerifyNotarization(entry, party.keys.public_key, Sha256("other bytes")),
              "document.wrong_digest");
}

TEST_F(VerifyNotarizationTest, NotANotarization) {
  Json link = *ParseJson(R"({"type":"archive.link","v":1,"file":{"kind":"house","id":"H-101"},)"
                         R"("category":"warranty","slot":"w","document":")" +
                         ToHex(digest) + R"("})");
  ExpectFails(VerifyNotarization(Sign(link, party.id, party.keys.secret_key), party.keys.public_key,
                                 digest),
              "document.not_a_notarization");
  Json v2 = NotarizeBody(digest);
  v2.set("v", Json(2));
  ExpectFails(
      VerifyNotarization(Sign(v2, party.id, party.keys.secret_key), party.keys.public_key, digest),
      "document.not_a_notarization");
}

TEST_F(VerifyNotarizationTest, ABodyOutsideTheSchema) {
  Json body = NotarizeBody(digest);
  body.set("doc_type", Json("no_such_type"));
  ExpectFails(VerifyNotarization(Sign(body, party.id, party.keys.secret_key), party.keys.public_key,
                                 digest),
              "document.unknown_type");
}

TEST_F(VerifyNotarizationTest, AForgedSignature) {
  // Signed by a stranger under the party's key id.
  Signer stranger;
  ledger::SignedEntry forged = Sign(NotarizeBody(digest), party.id, stranger.keys.secret_key);
  ExpectFails(VerifyNotarization(forged, party.keys.public_key, digest), "envelope.bad_signature");
  // The party's own entry with one byte of its title changed after signing.
  std::string bytes = entry.bytes;
  size_t at = bytes.find("竣工验收报告");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, std::string("竣工验收报告").size(), "竣工验收报吿");
  auto altered = ledger::ParseSignedEntry(bytes);
  ASSERT_TRUE(altered.ok()) << altered.status().ToString();
  ExpectFails(VerifyNotarization(*altered, party.keys.public_key, digest),
              "envelope.bad_signature");
}

TEST_F(VerifyNotarizationTest, AnotherKeyThanTheEntryNames) {
  Signer other;
  ExpectFails(VerifyNotarization(entry, other.keys.public_key, digest), "document.wrong_key");
}

}  // namespace
}  // namespace tz::handover
