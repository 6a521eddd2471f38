// Evidence from a four-member consortium: checkpoints need 3 of 4 node
// signatures (n - f, f = 1), and the key set in force is replayed from the
// genesis and the governance entries.
#include "node/evidence_test_util.h"

namespace tz::node::testing {
namespace {

using namespace ledger::testing;  // NOLINT: test vocabulary
using ledger::LedgerOptions;
using log::NoteSigner;

class QuorumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    member_ = MakeClient("zhujian");
    builder_ = MakeClient("builder");
    for (int i = 0; i < 4; ++i) {
      nodes_.push_back(NoteSigner::Create("node" + std::to_string(i),
                                          GenerateKeyPair(SignatureAlgorithm::kEd25519).secret_key)
                           .value());
    }
    Json members = Json::MakeArray();
    for (int i = 0; i < 4; ++i) {
      Client other = MakeClient("m" + std::to_string(i));
      const Client& m = i == 0 ? member_ : other;
      std::string name = i == 0 ? "zhujian" : "m" + std::to_string(i);
      members.push_back(Obj({{"name", Json(name)},
                             {"key", KeySpec(m.keys.public_key)},
                             {"node", Json(nodes_[i].verifier().ToString())}}));
    }
    Json genesis = Obj({{"type", Json("genesis")},
                        {"v", Json(1)},
                        {"chain", Json(kChain)},
                        {"suite", Json("intl")},
                        {"origin", Json(kOrigin)},
                        {"members", members},
                        {"keys", Arr({Obj({{"key", KeySpec(builder_.keys.public_key)},
                                           {"party", Json("builder")},
                                           {"roles", Arr({Json("construction_unit")})}})})}});
    LedgerOptions opts = node::NodeLedgerOptions();
    opts.sync = false;
    ledger_ = ledger::Ledger::CreateGenesis(ledger::NewMemKvStore(), member_.Sign(genesis), kT0,
                                            nodes_[0], opts)
                  .value();
    // One block with a notarization, its checkpoint cosigned by all four.
    ledger::BlockBuilder b = ledger_->NewBlock(kT0, "zhujian");
    Json doc = Obj({{"type", Json("doc.notarize")},
                    {"v", Json(1)},
                    {"digest", Json(HexDigestOf("图纸"))},
                    {"size", Json(static_cast<int64_t>(std::string("图纸").size()))},
                    {"media_type", Json("application/pdf")},
                    {"title", Json("竣工图纸")},
                    {"doc_type", Json("as_built_drawings")},
                    {"project", Json("P-1")},
                    {"house", Json("H-1")},
                    {"in_archive", Json(true)},
                    {"encrypted", Json(false)}});
    ASSERT_TRUE(b.Add(builder_.Sign(doc)).ok());
    auto h = ledger_->Commit(std::move(b), nodes_[0]);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    std::string note = ledger_->GetCheckpoint(1).value();
    for (int i = 1; i < 4; ++i) note = log::AddSignature(note, nodes_[i]).value();
    ledger::KvBatch batch;
    batch.Put("c/" + ledger::EncodeU64(1), note);  // the ledger's checkpoint key (docs/ledger.md)
    ASSERT_TRUE(ledger_->mutable_store()->Write(batch, false).ok());
  }

  std::vector<ev::TarFile> Export() {
    EvidenceExportOptions o{"document", HexDigestOf("图纸"), true, nullptr, kT0};
    auto files = BuildEvidencePackage(*ledger_, nullptr, o);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? *files : std::vector<ev::TarFile>{};
  }

  // Removes the signature lines of the given nodes from every copy of the
  // newest checkpoint (the checkpoint file and the proofs embedding it).
  void DropSignatures(std::vector<ev::TarFile>* files, std::vector<int> which) {
    std::string note = FileOf(*files, ev::CheckpointPath(2));
    std::string cut = note;
    for (int i : which) {
      size_t at = cut.find("— node" + std::to_string(i) + " ");
      ASSERT_NE(at, std::string::npos);
      cut.erase(at, cut.find('\n', at) + 1 - at);
    }
    for (auto& f : *files) {
      size_t at = f.data.find(note);
      if (at != std::string::npos) f.data.replace(at, note.size(), cut);
    }
  }

  Client member_, builder_;
  std::vector<NoteSigner> nodes_;
  std::unique_ptr<ledger::Ledger> ledger_;
};

TEST_F(QuorumTest, FourMemberPackageVerifies) {
  auto files = Export();
  auto r = ev::VerifyPackageFiles(files);
  EXPECT_TRUE(r.verified) << r.reason;
  ASSERT_EQ(r.checkpoints.size(), 1u);
  EXPECT_EQ(r.checkpoints[0].signers.size(), 4u);
  EXPECT_EQ(r.checkpoints[0].quorum, 3u);
}

TEST_F(QuorumTest, OneCosignatureRemovedStillMeetsQuorum) {
  auto files = Export();
  DropSignatures(&files, {3});
  auto r = ev::VerifyPackageFiles(files);
  EXPECT_TRUE(r.verified) << r.reason;
}

TEST_F(QuorumTest, CosignaturesRemovedBelowQuorum) {
  auto files = Export();
  DropSignatures(&files, {2, 3});
  auto r = ev::VerifyPackageFiles(files);
  EXPECT_FALSE(r.verified);
  EXPECT_TRUE(r.HasFailure("note.quorum_not_met")) << r.reason;
}

}  // namespace
}  // namespace tz::node::testing
