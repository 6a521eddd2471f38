// Household files (一户一档) over HTTP: stored encrypted by the vault, linked
// on the ledger, read back decrypted only by an authorized, signed request
// that states a reason, and every read is on the ledger first.
#include <gtest/gtest.h>

#include "crypto/keyfile.h"
#include "integration/node_fixture.h"

namespace tz::testing {
namespace {

TestKey AdminKey(const NodeProcess& n) {
  auto k = ReadKeyFile(n.dir.File("data") + "/keys/admin.key");
  EXPECT_TRUE(k.ok()) << k.status().ToString();
  TestKey t{std::move(k->keys), {}, "node1-admin", 0};
  t.id = ledger::KeyIdOf(t.keys.public_key);
  return t;
}

httplib::Headers Read(const TestKey& k, const std::string& target, const std::string& reason) {
  if (reason.empty()) return NodeProcess::Signed(k, "GET", target, "");
  return NodeProcess::SignedRead(k, target, reason);
}

class HouseholdFilesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kek_dir_ = new TempDir();
    kek_ = kek_dir_->File("node.kek");
    RunResult g = Tz({"archive", "kek-gen", kek_});
    ASSERT_EQ(g.exit_code, 0) << g.out << g.err;
    node_ = new NodeProcess({"--kek", kek_});
    admin_ = AdminKey(*node_);
  }
  static void TearDownTestSuite() {
    delete node_;
    delete kek_dir_;
  }
  void SetUp() override { ASSERT_GT(node_->port, 0) << node_->init_output << node_->start_output; }

  // Encrypts `plaintext` into the node's archive for `household` with the
  // CLI (the same vault and KEK), notarizes the envelope and links it to the
  // household file. Returns the envelope digest.
  std::string StoreAndLink(const std::string& household, const std::string& plaintext,
                           const std::string& slot) {
    std::string file = kek_dir_->File(slot + ".bin");
    WriteFile(file, plaintext);
    RunResult put = Tz({"archive", "put", "--data", node_->dir.File("data"), "--household",
                        household, "--kek", kek_, file});
    EXPECT_EQ(put.exit_code, 0) << put.out << put.err;
    std::string digest = put.out.substr(0, 64);
    auto c = node_->Client();
    auto size = c.Head("/v1/blobs/" + digest);
    EXPECT_EQ(size->status, 200);
    Json notarize = Json::MakeObject(
        {{"type", Json("doc.notarize")},
         {"v", Json(1)},
         {"digest", Json(digest)},
         {"size", Json(static_cast<int64_t>(std::stoll(size->get_header_value("Content-Length"))))},
         {"media_type", Json("application/pdf")},
         {"title", Json("household record " + slot)},
         {"doc_type", Json("household_record")},
         {"project", Json("proj-1")},
         {"in_archive", Json(true)},
         {"encrypted", Json(true)}});
    auto r = c.Post("/v1/entries", node_->Entry(admin_, notarize), "application/json");
    EXPECT_EQ(r->status, 201) << r->body;
    Json link = Json::MakeObject(
        {{"type", Json("archive.link")},
         {"v", Json(1)},
         {"file", Json::MakeObject({{"kind", Json("household")}, {"id", Json(household)}})},
         {"category", Json("other")},
         {"slot", Json(slot)},
         {"document", Json(digest)}});
    r = c.Post("/v1/entries", node_->Entry(admin_, link), "application/json");
    EXPECT_EQ(r->status, 201) << r->body;
    return digest;
  }

  static TempDir* kek_dir_;
  static std::string kek_;
  static NodeProcess* node_;
  static TestKey admin_;  // one sequence of numbers across the tests
};
TempDir* HouseholdFilesTest::kek_dir_ = nullptr;
std::string HouseholdFilesTest::kek_;
NodeProcess* HouseholdFilesTest::node_ = nullptr;
TestKey HouseholdFilesTest::admin_;

TEST_F(HouseholdFilesTest, AuthorizedReadIsDecryptedAndLoggedFirst) {
  std::string hh = ToHex(Sha256("household commitment 1"));
  // Three 64 KiB vault chunks and a bit: the stream spans chunk boundaries.
  std::string plaintext = "家庭收入证明 / household income: ";
  while (plaintext.size() < 200 * 1024) plaintext += std::to_string(plaintext.size()) + ",";
  std::string digest = StoreAndLink(hh, plaintext, "income-2024");
  auto c = node_->Client();
  // At rest, the blob is the vault's envelope, not the plaintext.
  auto raw = c.Get("/v1/blobs/" + digest);
  ASSERT_EQ(raw->status, 200);
  EXPECT_EQ(raw->body.substr(0, 8), "tzhhenc1");
  EXPECT_EQ(raw->body.find("household income"), std::string::npos);

  std::string target = "/v1/households/" + hh + "/files/" + digest;
  auto r = c.Get(target, Read(node_->auditor, target, "arrears review 2026"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_TRUE(r->body == plaintext) << "got " << r->body.size() << " bytes";
  // The access.log entry is committed and names the key, reason and file.
  std::string access = r->get_header_value("X-TZ-Access-Entry");
  ASSERT_EQ(access.size(), 64u);
  auto e = c.Get("/v1/entries/" + access);
  ASSERT_EQ(e->status, 200) << e->body;
  auto ej = ParseJson(e->body);
  EXPECT_EQ(ej->find("type")->as_string(), "access.log");
  auto signed_entry = ParseJson(ej->find("signed")->as_string());
  const Json* body = signed_entry->find("entry");
  EXPECT_EQ(body->find("household")->as_string(), hh);
  auto record = c.Get("/v1/blobs/" + body->find("request")->as_string());
  ASSERT_EQ(record->status, 200);
  auto rec = ParseJson(record->body);
  ASSERT_TRUE(rec.ok()) << record->body;
  EXPECT_EQ(rec->find("document")->as_string(), digest);
  EXPECT_EQ(rec->find("reason")->as_string(), "arrears review 2026");
  EXPECT_EQ(rec->find("key")->as_string(), ledger::ToHex(node_->auditor.id));
}

TEST_F(HouseholdFilesTest, UnauthorizedReadsNeverSeePlaintext) {
  std::string hh = ToHex(Sha256("household commitment 2"));
  std::string secret = "身份证号 350102199001011234 (test data)";
  std::string digest = StoreAndLink(hh, secret, "id-card");
  std::string target = "/v1/households/" + hh + "/files/" + digest;
  auto c = node_->Client();
  auto no_secret = [&](const httplib::Result& r) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body.find("350102199001011234"), std::string::npos) << r->body;
  };
  // Unsigned.
  auto r = c.Get(target);
  no_secret(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(ErrorCode(r->body), "auth.missing");
  // A role that may not read personal data.
  r = c.Get(target, Read(node_->builder, target, "curious"));
  no_secret(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(ErrorCode(r->body), "auth.forbidden");
  // No stated reason.
  r = c.Get(target, Read(node_->auditor, target, ""));
  no_secret(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorCode(r->body), "request.missing_reason");
  // The digest of another household's file, asked for under this household.
  std::string other_hh = ToHex(Sha256("household commitment 3"));
  std::string other = StoreAndLink(other_hh, "another family's file", "other");
  std::string wrong = "/v1/households/" + hh + "/files/" + other;
  r = c.Get(wrong, Read(node_->auditor, wrong, "audit"));
  no_secret(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(ErrorCode(r->body), "household.file_not_found");
  // Crypto-shredded: the bytes are gone for good, the evidence stays.
  RunResult shred = Tz({"archive", "shred", hh, "--data", node_->dir.File("data"), "--kek", kek_});
  ASSERT_EQ(shred.exit_code, 0) << shred.out << shred.err;
  r = c.Get(target, Read(node_->auditor, target, "court order"));
  no_secret(r);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(ErrorCode(r->body), "household.shredded");
  EXPECT_EQ(c.Head("/v1/blobs/" + digest)->status, 200);
}

TEST(HouseholdFilesNoKek, NodeWithoutKekCannotDecrypt) {
  NodeProcess n;
  ASSERT_GT(n.port, 0) << n.init_output << n.start_output;
  std::string target = "/v1/households/" + ToHex(Sha256("h")) + "/files/" + ToHex(Sha256("d"));
  auto c = n.Client();
  auto r = c.Get(target, Read(n.auditor, target, "audit"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(ErrorCode(r->body), "household.vault_unavailable");
}

}  // namespace
}  // namespace tz::testing
