// Household files (一户一档) over HTTP: stored encrypted by the vault, linked
// on the ledger, read back decrypted only by an authorized, signed request
// that states a reason, and every read is on the ledger first.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "crypto/encoding.h"
#include "crypto/keyfile.h"
#include "handover/commitment.h"
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
  // The entry holds only a keyed commitment to the record of who and why;
  // the record is not in the public blob space.
  std::string request = body->find("request")->as_string();
  EXPECT_EQ(c.Get("/v1/blobs/" + request)->status, 404);
  EXPECT_EQ(signed_entry->Canonical().find("arrears review"), std::string::npos);
  // An auditor (stating a reason, itself logged) reads the sealed record
  // and checks it against the commitment without trusting the node.
  std::string at = "/v1/households/" + hh + "/access/" + request;
  auto record = c.Get(at, Read(node_->auditor, at, "checking who read the income file"));
  ASSERT_EQ(record->status, 200) << record->body;
  EXPECT_EQ(record->get_header_value("Cache-Control"), "no-store");
  auto rj = ParseJson(record->body);
  ASSERT_TRUE(rj.ok()) << record->body;
  const Json* rec = rj->find("record");
  EXPECT_EQ(rec->find("document")->as_string(), digest);
  EXPECT_EQ(rec->find("reason")->as_string(), "arrears review 2026");
  EXPECT_EQ(rec->find("purpose")->as_string(), "audit");
  EXPECT_EQ(rec->find("key")->as_string(), ledger::ToHex(node_->auditor.id));
  auto k = SymmetricKey::FromBytes(*Base64Decode(rj->find("commitment_key")->as_string()));
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(handover::KeyedCommitment(*k, "access", rec->Canonical()), request);
  EXPECT_EQ(rj->find("access_entry")->as_string().size(), 64u);
  // A builder may not read it; an unknown record is 404.
  EXPECT_EQ(c.Get(at, Read(node_->builder, at, "curious"))->status, 403);
  std::string none = "/v1/households/" + hh + "/access/" + std::string(64, 'a');
  auto r404 = c.Get(none, Read(node_->auditor, none, "audit"));
  EXPECT_EQ(r404->status, 404) << r404->body;
  EXPECT_EQ(ErrorCode(r404->body), "household.no_record");
}

// Invented personal data of a household goes through every read; then every
// entry, every public response and every file of the public blob space is
// scanned for it.
TEST_F(HouseholdFilesTest, PersonalDataNeverReachesAPublicResponseOrAnEntry) {
  const std::vector<std::string> personal = {"欧阳娜娜", "110105198807124321", "13912345678",
                                             "朝阳区幸福里7号楼"};
  SymmetricKey salt = SymmetricKey::Generate();
  std::string hh = handover::HouseholdCommitment(salt, personal[1]);
  std::string file = "户主 " + personal[0] + "，身份证 " + personal[1] + "，电话 " + personal[2] +
                     "，住址 " + personal[3];
  std::string digest = StoreAndLink(hh, file, "household-record");
  auto c = node_->Client();
  // Every read of personal data, each with a reason that is itself personal.
  std::string list = "/v1/households/" + hh;
  auto r = c.Get(
      list, NodeProcess::SignedRead(node_->auditor, list,
                                    "核查" + personal[0] + "的欠缴 " + personal[1], "arrears"));
  ASSERT_EQ(r->status, 200) << r->body;
  std::string one = list + "/files/" + digest;
  r = c.Get(one, Read(node_->auditor, one, "回访电话 " + personal[2]));
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 200);
  EXPECT_TRUE(r->body == file);
  std::string access_id = r->get_header_value("X-TZ-Access-Entry");
  auto e = ParseJson(c.Get("/v1/entries/" + access_id)->body);
  std::string request =
      ParseJson(e->find("signed")->as_string())->find("entry")->find("request")->as_string();
  std::string at = list + "/access/" + request;
  r = c.Get(at, Read(node_->auditor, at, "复核 " + personal[3]));
  ASSERT_EQ(r->status, 200) << r->body;

  std::vector<std::string> scanned;  // what was looked at, for the failure message
  auto check = [&](const std::string& what, const std::string& bytes) {
    scanned.push_back(what);
    for (const std::string& p : personal) {
      EXPECT_EQ(bytes.find(p), std::string::npos) << p << " in " << what;
    }
  };
  // Every entry of the ledger (and the digests and ids it names).
  std::set<std::string> digests, ids;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto list_r = c.Get("/v1/entries?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(list_r->status, 200) << list_r->body;
    check("GET /v1/entries page", list_r->body);
    auto j = ParseJson(list_r->body);
    for (const Json& s : j->find("entries")->as_array()) {
      ids.insert(s.find("id")->as_string());
      auto signed_e = ParseJson(s.find("signed")->as_string());
      check("entry " + s.find("id")->as_string(), s.find("signed")->as_string());
      for (const char* f : {"digest", "document", "request"}) {
        const Json* v = signed_e->find("entry")->find(f);
        if (v != nullptr && v->is_string() && v->as_string().size() == 64) {
          digests.insert(v->as_string());
        }
      }
    }
    const Json* next = j->find("next_cursor");
    if (next == nullptr || !next->is_string() || next->as_string().empty()) break;
    cursor = next->as_string();
  }
  ASSERT_GE(ids.size(), 5u);
  // Every public (unsigned) GET route, with every value it can take here.
  for (const char* path :
       {"/v1/health", "/v1/consortium", "/v1/members", "/v1/checkpoints/latest", "/v1/blocks",
        "/v1/metrics", "/v1/openapi.json", "/v1/houses/H-1", "/v1/proofs/consistency?from=1"}) {
    check(std::string("GET ") + path, c.Get(path)->body);
  }
  for (const std::string& id : ids) {
    check("GET /v1/entries/" + id, c.Get("/v1/entries/" + id)->body);
    check("GET /v1/entries/" + id + "/proof", c.Get("/v1/entries/" + id + "/proof")->body);
  }
  for (const std::string& d : digests) {
    check("GET /v1/blobs/" + d, c.Get("/v1/blobs/" + d)->body);
    check("GET /v1/documents/" + d, c.Get("/v1/documents/" + d)->body);
    check("GET /v1/evidence?document=" + d, c.Get("/v1/evidence?document=" + d)->body);
  }
  for (int h = 0; h < 50; ++h) {
    auto b = c.Get("/v1/blocks/" + std::to_string(h));
    if (b->status != 200) break;
    check("GET /v1/blocks/" + std::to_string(h), b->body);
  }
  // And the public blob space on disk, file by file (what /v1/blobs serves
  // and what replication will copy).
  size_t files = 0;
  for (const auto& f :
       std::filesystem::recursive_directory_iterator(node_->dir.File("data") + "/archive/blobs")) {
    if (!f.is_regular_file()) continue;
    ++files;
    check(f.path().string(), ReadFile(f.path().string()));
  }
  EXPECT_GT(files, 0u);
  EXPECT_GT(scanned.size(), 20u);
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
