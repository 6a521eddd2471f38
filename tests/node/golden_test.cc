// Golden bytes: a small sample project, built fully deterministically, whose
// canonical bytes (block headers, checkpoint notes, the log root, evidence
// packages) must not change unless we mean them to.
//
// The sample is modelled on deploy/sample/project-rongcheng-2 (what
// deploy/sample/load-sample.py loads for the demo): a one-node consortium;
// three parties registered by governance proposals; five documents notarized
// by the parties that made them and filed (archive.link) into the house files
// 1-101, 1-102 and 2-201; a handover case planned and a document delivered to
// it; a joint acceptance record for 1-101 opened by the construction unit and
// signed by the construction unit, the receiving unit and the inspector; and a
// household file (一户一档): an encrypted lease filed under a household
// commitment, an access log and a crypto-shredding record.
//
// Nothing depends on the machine or the clock: every Ed25519 key pair comes
// from a fixed 32-byte seed (an Ed25519 secret key *is* its seed, so
// SecretKey::FromBytes + DerivePublicKey derive the pair), client and block
// times are constants, the ledger is an in-memory KvStore and the evidence
// packages are exported with a fixed EvidenceExportOptions::now_ms. Ed25519
// signatures are deterministic (RFC 8032), so even the checkpoint signatures
// are pinned.
//
// What is written, in order, to one text file (see Render):
//   per block: its header (canonical JSON), header hash, entry ids, and the
//   signed checkpoint note exactly as stored;
//   the final log size and root;
//   per evidence package (a document, an acceptance record, a house, a case):
//   the tar's size and SHA-256, every file's name, size and SHA-256 in package
//   order, and the manifest.json bytes.
// It is compared byte for byte with tests/data/golden/sample_project.txt; on a
// difference the test fails with the first differing line (line number,
// column, expected and actual text) and leaves the actual output beside the
// test's temporary files.
//
// To accept new bytes on purpose (a format change, a new field), regenerate
// the golden file and commit it with the change that explains it:
//   TZ_UPDATE_GOLDEN=1 build/tests/node_tests --gtest_filter='GoldenTest.*'
// (docs/ledger.md, "Golden bytes"). Never regenerate to make a refactor pass:
// a refactor must reproduce the committed bytes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "archive/local_store.h"
#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/sign.h"
#include "evidence/evidence.h"
#include "handover/commitment.h"
#include "ledger/block.h"
#include "ledger/envelope.h"
#include "ledger/kv.h"
#include "ledger/ledger.h"
#include "log/checkpoint.h"
#include "log/note.h"
#include "node/config.h"
#include "node/evidence_export.h"

namespace tz::node {
namespace {

// ---- the layout-specific names: the test was first written against the
// old layout (everything in ledger/, commit d521a57), which generated the
// golden file; only these lines and the includes changed for the modules ----
namespace ev = evidence;
using handover::HouseholdCommitment;
using log::NoteSigner;
// The handover entry types, as every Tiezheng ledger is opened.
ledger::LedgerOptions SampleLedgerOptions() {
  ledger::LedgerOptions o = NodeLedgerOptions();
  o.sync = false;
  return o;
}
// ---- end of layout-specific names ----

using ledger::SignedEntry;

constexpr char kGoldenFile[] = TZ_SOURCE_DIR "/tests/data/golden/sample_project.txt";

constexpr int64_t kGenesisMs = 1717200000000;  // 2024-06-01T00:00:00Z
constexpr int64_t kBlockStepMs = 60 * 1000;    // one block a minute
constexpr int64_t kClientLeadMs = 5 * 1000;    // entries signed 5 s before their block
constexpr int64_t kDayMs = 24LL * 60 * 60 * 1000;
constexpr char kChain[] = "rongcheng-demo";
constexpr char kOrigin[] = "tiezheng/rongcheng-demo";
constexpr char kNodeName[] = "node1";
constexpr char kProject[] = "rongcheng-2";
constexpr char kCase[] = "rc2-handover-1";

// A fixed 32-byte Ed25519 seed per label: SHA-256("tiezheng/golden/v1\n" ||
// label). Test-only: real keys come from GenerateKeyPair.
KeyPair SeededKeyPair(const std::string& label) {
  Digest seed = Sha256("tiezheng/golden/v1\n" + label);
  auto sk = SecretKey::FromBytes(SignatureAlgorithm::kEd25519, seed.span());
  EXPECT_TRUE(sk.ok()) << sk.status().ToString();
  KeyPair kp;
  kp.secret_key = std::move(*sk);
  auto pk = DerivePublicKey(kp.secret_key);
  EXPECT_TRUE(pk.ok()) << pk.status().ToString();
  kp.public_key = *pk;
  return kp;
}

Json Obj(std::initializer_list<std::pair<std::string, Json>> kv) {
  Json j = Json::MakeObject();
  for (const auto& [k, v] : kv) j.set(k, v);
  return j;
}
Json Arr(std::initializer_list<Json> v) { return Json::MakeArray(Json::Array(v)); }
Json StrArr(const std::vector<std::string>& v) {
  Json a = Json::MakeArray();
  for (const auto& s : v) a.push_back(Json(s));
  return a;
}
Json KeySpec(const PublicKey& pk) {
  return Obj({{"alg", Json("ed25519")}, {"pub", Json(Base64Encode(pk.bytes()))}});
}
std::string HexSha256(std::string_view s) { return ToHex(Sha256(s)); }

struct Party {
  std::string id;
  KeyPair keys;
  ledger::KeyId key_id;
  int64_t next_seq = 1;

  SignedEntry Sign(const Json& entry, int64_t time_ms) {
    auto e = ledger::SignEntry(kChain, entry, key_id, keys.secret_key, next_seq++, time_ms);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? *e : SignedEntry{};
  }
};

Party MakeParty(const std::string& id) {
  Party p;
  p.id = id;
  p.keys = SeededKeyPair(id);
  p.key_id = ledger::KeyIdOf(p.keys.public_key);
  return p;
}

struct SampleDoc {
  std::string content, title, doc_type, media_type, house;
  Party* notarized_by;
  std::vector<std::string> filed_in;
};

std::string TempDirFor(const std::string& name) {
  std::random_device rd;
  std::string dir = ::testing::TempDir() + "tz-" + name + "-" + std::to_string(getpid()) + "-" +
                    std::to_string(rd());
  std::filesystem::create_directories(dir);
  return dir;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  if (!s.empty() && s.back() != '\n') out.back() += "<no newline at end>";
  return out;
}

// A readable account of the first difference between two texts, or "" when
// they are equal.
std::string FirstDifference(const std::string& expected, const std::string& actual) {
  if (expected == actual) return "";
  std::vector<std::string> e = Lines(expected), a = Lines(actual);
  size_t n = std::min(e.size(), a.size());
  size_t i = 0;
  while (i < n && e[i] == a[i]) ++i;
  std::ostringstream out;
  // The line around byte `from`: whole if short, else 60 bytes before it
  // and 100 after (may cut a UTF-8 character at the edges).
  auto clip = [](const std::string& s, size_t from) {
    size_t start = from > 80 ? from - 60 : 0;
    std::string t = s.substr(start, 160);
    return (start > 0 ? "…" : "") + t + (start + 160 < s.size() ? "…" : "");
  };
  if (i < n) {
    size_t col = 0;
    while (col < e[i].size() && col < a[i].size() && e[i][col] == a[i][col]) ++col;
    out << "first difference at line " << i + 1 << ", byte column " << col + 1 << ":\n"
        << "  expected (golden) line " << i + 1 << ": " << clip(e[i], col) << "\n"
        << "  actual            line " << i + 1 << ": " << clip(a[i], col) << "\n";
  } else if (e.size() < a.size()) {
    out << "the golden file ends after line " << e.size() << "; actual line " << i + 1 << ": "
        << clip(a[i], 0) << "\n";
  } else {
    out << "actual output ends after line " << a.size() << "; golden line " << i + 1 << ": "
        << clip(e[i], 0) << "\n";
  }
  size_t differing = 0;
  for (size_t k = 0; k < std::max(e.size(), a.size()); ++k) {
    if (k >= e.size() || k >= a.size() || e[k] != a[k]) ++differing;
  }
  out << "  (" << differing << " of " << std::max(e.size(), a.size())
      << " lines differ; golden has " << e.size() << " lines, actual " << a.size() << ")\n";
  return out.str();
}

class GoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDirFor("golden");
    blobs_ = archive::LocalBlobStore::Open(archive::Env::Default(), dir_ + "/blobs").value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  int64_t BlockTime(uint64_t height) const {
    return kGenesisMs + static_cast<int64_t>(height) * kBlockStepMs;
  }
  int64_t ClientTime(uint64_t height) const { return BlockTime(height) - kClientLeadMs; }
  uint64_t NextHeight() const { return ledger_->head().height + 1; }

  // Commits one block holding exactly `entries`, every one accepted.
  void Commit(const std::vector<SignedEntry>& entries) {
    uint64_t h = NextHeight();
    ledger::BlockBuilder b = ledger_->NewBlock(BlockTime(h), kNodeName);
    for (const auto& e : entries) {
      auto r = b.Add(e);
      ASSERT_TRUE(r.ok()) << "block " << h << ": " << r.status().ToString() << "\n" << e.bytes;
    }
    auto header = ledger_->Commit(std::move(b), *node_);
    ASSERT_TRUE(header.ok()) << header.status().ToString();
  }

  void PutBlob(const std::string& content) {
    auto w = blobs_->NewWriter();
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE((*w)->Append(AsBytes(content)).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }

  // Builds the whole sample ledger; acceptance_ gets the record id.
  void BuildSample() {
    Party member = MakeParty(kNodeName);
    node_ = std::make_unique<NoteSigner>(
        NoteSigner::Create(kNodeName, SeededKeyPair("node1-checkpoints").secret_key).value());
    Party admin = MakeParty("node1-admin");
    Party service = MakeParty("node1-service");
    Party construction = MakeParty("rc-construction");
    Party housing = MakeParty("rc-housing-center");
    Party inspector = MakeParty("rc-quality-station");

    // Block 0: the genesis, as `tiezheng init` writes it (member, node key,
    // the node's admin and service client keys).
    auto key = [](const Party& p, std::vector<std::string> roles) {
      return Obj(
          {{"key", KeySpec(p.keys.public_key)}, {"party", Json(p.id)}, {"roles", StrArr(roles)}});
    };
    Json genesis = Obj({{"type", Json("genesis")},
                        {"v", Json(1)},
                        {"chain", Json(kChain)},
                        {"suite", Json("intl")},
                        {"origin", Json(kOrigin)},
                        {"members", Arr({Obj({{"key", KeySpec(member.keys.public_key)},
                                              {"name", Json(kNodeName)},
                                              {"node", Json(node_->verifier().ToString())}})})},
                        {"keys", Arr({key(admin, {"department", "operator", "receiving_unit"}),
                                      key(service, {"auditor"})})}});
    SignedEntry g = member.Sign(genesis, kGenesisMs);
    auto l = ledger::Ledger::CreateGenesis(ledger::NewMemKvStore(), g, kGenesisMs, *node_,
                                           SampleLedgerOptions());
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(*l);

    // Block 1: the three parties' keys, registered by the member
    // (`tiezheng key register`; one member, so enacted at once).
    {
      uint64_t h = NextHeight();
      std::vector<SignedEntry> es;
      for (auto [p, role, name] :
           {std::tuple{&construction, "construction_unit", "示例城建集团有限公司"},
            std::tuple{&housing, "receiving_unit", "示例市住房保障中心"},
            std::tuple{&inspector, "inspector", "示例建设工程质量检测站"}}) {
        es.push_back(member.Sign(Obj({{"type", Json("gov.propose")},
                                      {"v", Json(1)},
                                      {"action", Obj({{"kind", Json("key.register")},
                                                      {"key", KeySpec(p->keys.public_key)},
                                                      {"party", Json(p->id)},
                                                      {"roles", Arr({Json(role)})}})},
                                      {"reason", Json(std::string("sample party ") + name)}}),
                                 ClientTime(h)));
      }
      ASSERT_NO_FATAL_FAILURE(Commit(es));
    }

    // The documents (short stand-ins for deploy/sample/project-rongcheng-2).
    docs_ = {
        {"榕城安置房二期 1号楼 竣工验收报告\nCompletion acceptance report, Building 1\n"
         "结论 Conclusion: 合格 accepted\n",
         "1号楼竣工验收报告",
         "completion_report",
         "text/plain",
         "1-101",
         &construction,
         {"1-101", "1-102"}},
        {"住宅质量保修书 / Residential quality warranty\n项目 Project: 榕城安置房二期 1号楼\n"
         "屋面防水 roof waterproofing — 5 年 years\n",
         "1号楼住宅质量保修书",
         "warranty",
         "text/plain",
         "1-101",
         &construction,
         {"1-101", "1-102"}},
        {"分户验收表 / Per-house acceptance checklist — 房屋 House 1-101\n"
         "| 墙面平整 Walls | 合格 pass |\n| 门窗 Doors/windows | 合格 pass |\n",
         "1-101 分户验收表",
         "acceptance_report",
         "text/plain",
         "1-101",
         &housing,
         {"1-101"}},
        {"住宅使用说明书 / Residential user manual — 房屋 House 2-201\n"
         "1. 户内电气 Electrical: 配电箱位于入户门右侧。\n",
         "2-201 住宅使用说明书",
         "user_manual",
         "text/plain",
         "2-201",
         &construction,
         {"2-201"}},
        {"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"240\">"
         "<title>2号楼 给排水管网图</title></svg>\n",
         "2号楼给排水管网图",
         "pipe_network_drawings",
         "image/svg+xml",
         "2-201",
         &construction,
         {"2-201"}},
    };

    // Block 2: each document notarized by the party that made it
    // (`tiezheng notarize --no-link`).
    {
      uint64_t h = NextHeight();
      std::vector<SignedEntry> es;
      for (auto& d : docs_) {
        ASSERT_NO_FATAL_FAILURE(PutBlob(d.content));
        es.push_back(
            d.notarized_by->Sign(Obj({{"type", Json("doc.notarize")},
                                      {"v", Json(1)},
                                      {"digest", Json(HexSha256(d.content))},
                                      {"size", Json(static_cast<int64_t>(d.content.size()))},
                                      {"media_type", Json(d.media_type)},
                                      {"title", Json(d.title)},
                                      {"doc_type", Json(d.doc_type)},
                                      {"project", Json(kProject)},
                                      {"house", Json(d.house)},
                                      {"in_archive", Json(true)},
                                      {"encrypted", Json(false)}}),
                                 ClientTime(h)));
      }
      ASSERT_NO_FATAL_FAILURE(Commit(es));
    }

    // Block 3: the receiving unit files them into the house files
    // (`tiezheng house link`: category by document type, slot = the type).
    {
      uint64_t h = NextHeight();
      auto category = [](const std::string& t) -> std::string {
        if (t == "completion_report" || t == "acceptance_report") return "acceptance";
        if (t == "pipe_network_drawings") return "drawings";
        if (t == "user_manual") return "manuals";
        return t;  // warranty
      };
      std::vector<SignedEntry> es;
      for (auto& d : docs_) {
        for (const auto& house : d.filed_in) {
          es.push_back(
              housing.Sign(Obj({{"type", Json("archive.link")},
                                {"v", Json(1)},
                                {"file", Obj({{"kind", Json("house")}, {"id", Json(house)}})},
                                {"category", Json(category(d.doc_type))},
                                {"slot", Json(d.doc_type)},
                                {"document", Json(HexSha256(d.content))}}),
                           ClientTime(h)));
        }
      }
      ASSERT_NO_FATAL_FAILURE(Commit(es));
    }

    // Block 4: the department plans the handover case; the construction
    // unit opens the joint acceptance of 1-101 (`tiezheng acceptance open`).
    SignedEntry open;
    {
      uint64_t h = NextHeight();
      SignedEntry plan =
          admin.Sign(Obj({{"type", Json("case.plan")},
                          {"v", Json(1)},
                          {"case", Json(kCase)},
                          {"project", Json(kProject)},
                          {"houses", Arr({Json("1-101"), Json("1-102"), Json("2-201")})},
                          {"deadlines", Obj({{"acceptance", Json(kGenesisMs + 30 * kDayMs)},
                                             {"documents", Json(kGenesisMs + 60 * kDayMs)}})},
                          {"required_docs", Arr({Json("warranty"), Json("user_manual")})}}),
                     ClientTime(h));
      Json items = Json::MakeArray();
      for (const char* code : {"walls", "doors-windows", "plumbing", "electrical"}) {
        items.push_back(Obj({{"code", Json(code)}, {"result", Json("pass")}}));
      }
      open = construction.Sign(
          Obj({{"type", Json("acceptance.open")},
               {"v", Json(1)},
               {"project", Json(kProject)},
               {"house", Json("1-101")},
               {"items", items},
               {"required_roles",
                Arr({Json("construction_unit"), Json("receiving_unit"), Json("inspector")})},
               {"report", Json(HexSha256(docs_[2].content))}}),
          ClientTime(h));
      ASSERT_NO_FATAL_FAILURE(Commit({plan, open}));
      acceptance_ = ledger::ToHex(open.id);
    }

    // Block 5: the three required roles sign (`tiezheng acceptance sign`);
    // the warranty is delivered to the case.
    {
      uint64_t h = NextHeight();
      auto sign = [&](Party& p, const char* role) {
        return p.Sign(Obj({{"type", Json("acceptance.sign")},
                           {"v", Json(1)},
                           {"record", Json(acceptance_)},
                           {"role", Json(role)},
                           {"verdict", Json("accept")}}),
                      ClientTime(h));
      };
      // One statement each: the seq numbers follow the order of signing.
      std::vector<SignedEntry> es;
      es.push_back(sign(construction, "construction_unit"));
      es.push_back(sign(housing, "receiving_unit"));
      es.push_back(sign(inspector, "inspector"));
      es.push_back(construction.Sign(Obj({{"type", Json("case.deliver")},
                                          {"v", Json(1)},
                                          {"case", Json(kCase)},
                                          {"doc_type", Json("warranty")},
                                          {"document", Json(HexSha256(docs_[1].content))}}),
                                     ClientTime(h)));
      ASSERT_NO_FATAL_FAILURE(Commit(es));
    }

    // Block 6: a household file (一户一档): an encrypted lease notarized and
    // filed under the household's keyed commitment, and a read of its
    // personal data logged.
    Digest salt_bytes = Sha256("tiezheng/golden/v1\nhousehold salt 1-101");
    SymmetricKey salt = SymmetricKey::FromBytes(salt_bytes.span()).value();
    household_ = HouseholdCommitment(salt, "350102199001011234");  // a fictional ID number
    {
      uint64_t h = NextHeight();
      const std::string sealed = "sealed lease contract 1-101 (fixed stand-in for ciphertext)";
      SignedEntry lease = admin.Sign(Obj({{"type", Json("doc.notarize")},
                                          {"v", Json(1)},
                                          {"digest", Json(HexSha256(sealed))},
                                          {"size", Json(static_cast<int64_t>(sealed.size()))},
                                          {"media_type", Json("application/octet-stream")},
                                          {"title", Json("租赁合同 lease 1-101")},
                                          {"doc_type", Json("lease_contract")},
                                          {"project", Json(kProject)},
                                          {"house", Json("1-101")},
                                          {"in_archive", Json(true)},
                                          {"encrypted", Json(true)}}),
                                     ClientTime(h));
      SignedEntry link =
          admin.Sign(Obj({{"type", Json("archive.link")},
                          {"v", Json(1)},
                          {"file", Obj({{"kind", Json("household")}, {"id", Json(household_)}})},
                          {"category", Json("lease")},
                          {"slot", Json("lease-2024")},
                          {"document", Json(HexSha256(sealed))}}),
                     ClientTime(h));
      SignedEntry access = service.Sign(Obj({{"type", Json("access.log")},
                                             {"v", Json(1)},
                                             {"household", Json(household_)},
                                             {"purpose", Json("lease_management")},
                                             {"fields", Arr({Json("income"), Json("phone")})}}),
                                        ClientTime(h));
      ASSERT_NO_FATAL_FAILURE(Commit({lease, link, access}));
    }

    // Block 7: the household's data key is destroyed (shred.record).
    {
      uint64_t h = NextHeight();
      ASSERT_NO_FATAL_FAILURE(
          Commit({admin.Sign(Obj({{"type", Json("shred.record")},
                                  {"v", Json(1)},
                                  {"household", Json(household_)},
                                  {"key_digest", Json(HexSha256("wrapped data key 1-101"))},
                                  {"reason", Json("retention_expired")}}),
                             ClientTime(h))}));
    }
  }

  // One evidence package: the tar, then every file (name, size, SHA-256) in
  // package order, then the manifest bytes.
  void RenderPackage(const std::string& kind, const std::string& id, std::ostream& out) {
    EvidenceExportOptions o;
    o.kind = kind;
    o.id = id;
    o.now_ms = BlockTime(ledger_->head().height) + 60 * 60 * 1000;  // an hour after the last block
    auto files = BuildEvidencePackage(*ledger_, blobs_.get(), o);
    ASSERT_TRUE(files.ok()) << kind << " " << id << ": " << files.status().ToString();
    ev::VerifyReport r = ev::VerifyPackageFiles(*files);
    EXPECT_TRUE(r.verified) << kind << " " << id << ": " << r.reason;
    auto tar = ExportEvidencePackage(*ledger_, blobs_.get(), o);
    ASSERT_TRUE(tar.ok()) << tar.status().ToString();
    out << "== evidence " << kind << " " << id << "\n";
    out << "tar " << tar->size() << " " << HexSha256(*tar) << "\n";
    const std::string* manifest = nullptr;
    for (const auto& f : *files) {
      out << "file " << f.name << " " << f.data.size() << " " << HexSha256(f.data) << "\n";
      if (f.name == "manifest.json") manifest = &f.data;
    }
    ASSERT_NE(manifest, nullptr) << kind << " " << id << ": no manifest.json";
    out << "manifest.json\n" << *manifest;
    if (manifest->empty() || manifest->back() != '\n') out << "\n";
  }

  std::string Render() {
    std::ostringstream out;
    out << "# Tiezheng golden bytes: sample project " << kProject
        << " (tests/node/golden_test.cc).\n"
        << "# Regenerate only on purpose: TZ_UPDATE_GOLDEN=1 build/tests/node_tests "
           "--gtest_filter='GoldenTest.*'\n";
    ledger::Head head = ledger_->head();
    for (uint64_t h = 0; h <= head.height; ++h) {
      auto header = ledger_->GetBlockHeader(h);
      EXPECT_TRUE(header.ok()) << header.status().ToString();
      auto note = ledger_->GetCheckpoint(h);
      EXPECT_TRUE(note.ok()) << note.status().ToString();
      if (!header.ok() || !note.ok()) return out.str();
      out << "== block " << h << "\n";
      out << "header " << header->Canonical() << "\n";
      out << "hash " << ToHex(header->Hash()) << "\n";
      for (uint64_t i = header->log_size - header->entries; i < header->log_size; ++i) {
        auto bytes = ledger_->GetEntry(i);
        EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
        out << "entry " << i << " " << ledger::ToHex(ledger::EntryIdOf(AsBytes(*bytes))) << "\n";
      }
      out << "checkpoint\n" << *note;
      if (note->empty() || note->back() != '\n') out << "\n";
    }
    out << "== log\n";
    out << "size " << head.log_size << "\n";
    out << "root " << ToHex(head.log_root) << "\n";
    out << "head " << ToHex(head.hash) << "\n";
    RenderPackage("document", HexSha256(docs_[1].content), out);  // the warranty: two houses
    RenderPackage("acceptance", acceptance_, out);
    RenderPackage("house", "1-101", out);
    RenderPackage("case", kCase, out);
    return out.str();
  }

  std::string dir_;
  std::unique_ptr<archive::LocalBlobStore> blobs_;
  std::unique_ptr<NoteSigner> node_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::vector<SampleDoc> docs_;
  std::string acceptance_;
  std::string household_;
};

TEST_F(GoldenTest, SampleProjectBytes) {
  ASSERT_NO_FATAL_FAILURE(BuildSample());
  ASSERT_EQ(ledger_->head().height, 7u);
  std::string actual = Render();
  ASSERT_FALSE(HasFatalFailure());

  const char* update = std::getenv("TZ_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::filesystem::create_directories(std::filesystem::path(kGoldenFile).parent_path());
    std::ofstream f(kGoldenFile, std::ios::binary | std::ios::trunc);
    f << actual;
    f.close();
    ASSERT_TRUE(f) << "cannot write " << kGoldenFile;
    std::printf("TZ_UPDATE_GOLDEN=1: wrote %s (%zu bytes)\n", kGoldenFile, actual.size());
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(kGoldenFile))
      << kGoldenFile << " is missing; generate it with TZ_UPDATE_GOLDEN=1";
  std::string expected = Slurp(kGoldenFile);
  std::string diff = FirstDifference(expected, actual);
  if (!diff.empty()) {
    std::string kept = ::testing::TempDir() + "sample_project.actual.txt";
    std::ofstream(kept, std::ios::binary | std::ios::trunc) << actual;
    FAIL() << "canonical bytes changed against " << kGoldenFile << "\n"
           << diff << "  full actual output: " << kept << "\n"
           << "  (if the change is intended, regenerate with TZ_UPDATE_GOLDEN=1 and explain it "
              "in the commit)";
  }
}

// The sample is deterministic: built twice, it renders the same bytes (so a
// golden mismatch is a real change, not noise).
TEST_F(GoldenTest, SampleIsDeterministic) {
  ASSERT_NO_FATAL_FAILURE(BuildSample());
  std::string first = Render();
  ledger_.reset();
  blobs_.reset();
  std::filesystem::remove_all(dir_ + "/blobs");
  blobs_ = archive::LocalBlobStore::Open(archive::Env::Default(), dir_ + "/blobs").value();
  ASSERT_NO_FATAL_FAILURE(BuildSample());
  EXPECT_EQ(FirstDifference(first, Render()), "");
}

// The failure message names the first differing line and column.
TEST(GoldenDiffTest, NamesTheFirstDifferingLine) {
  EXPECT_EQ(FirstDifference("a\nb\nc\n", "a\nb\nc\n"), "");
  std::string d = FirstDifference("a\ntitle 1-101\nc\n", "a\ntitle 1-102\nc\n");
  EXPECT_NE(d.find("first difference at line 2, byte column 11"), std::string::npos) << d;
  EXPECT_NE(d.find("expected (golden) line 2: title 1-101"), std::string::npos) << d;
  EXPECT_NE(d.find("actual            line 2: title 1-102"), std::string::npos) << d;
  EXPECT_NE(d.find("1 of 3 lines differ"), std::string::npos) << d;
  d = FirstDifference("a\nb\n", "a\nb\nextra\n");
  EXPECT_NE(d.find("the golden file ends after line 2; actual line 3: extra"), std::string::npos)
      << d;
}

}  // namespace
}  // namespace tz::node
