// Evidence packages: export, offline verification, and every kind of
// tampering rejected with its stable reason.
#include "crypto/encoding.h"
#include "log/tlog_proof.h"
#include "node/evidence_test_util.h"

namespace tz::node::testing {
namespace {

using ledger::testing::HexDigestOf;

// The stable reasons of all failed checks, for failure messages.
std::string Failures(const ev::VerifyReport& r) {
  std::string s;
  for (const auto& c : r.checks) {
    if (c.status == evidence::CheckStatus::kFailed)
      s += c.item + " " + std::string(evidence::Name(c.check)) + " " + c.reason + ": " + c.detail +
           "\n";
  }
  return s;
}

#define EXPECT_REJECTED(report, why)                                                    \
  do {                                                                                  \
    auto r__ = (report);                                                                \
    EXPECT_FALSE(r__.verified);                                                         \
    EXPECT_TRUE(r__.HasFailure(why)) << "wanted " << why << ", got\n" << Failures(r__); \
  } while (0)

class EvidenceTest : public EvidenceFixture {};

TEST_F(EvidenceTest, DocumentPackageVerifies) {
  auto files = ExportDoc(1);
  ev::VerifyReport r = ev::VerifyPackageFiles(files);
  EXPECT_TRUE(r.verified) << Failures(r);
  ASSERT_TRUE(r.manifest);
  ASSERT_EQ(r.manifest->documents.size(), 1u);
  EXPECT_TRUE(r.manifest->documents[0].included);
  EXPECT_EQ(FileOf(files, ev::DocumentPath(Sha256(docs_[1]))), docs_[1]);
  // genesis (keyset) + the notarization; two checkpoints: its block's and the newest.
  EXPECT_EQ(r.manifest->entries.size(), 2u);
  EXPECT_EQ(r.manifest->checkpoints.size(), 1u) << FileOf(files, "manifest.json");
  bool has_report = false;
  for (const auto& f : files) has_report = has_report || f.name == "report.html";
  EXPECT_TRUE(has_report);
  // Trust not pinned is reported, not a failure.
  bool noted = false;
  for (const auto& c : r.checks) noted = noted || c.reason == "evidence.trust_not_pinned";
  EXPECT_TRUE(noted);
}

TEST_F(EvidenceTest, OlderDocumentCarriesConsistencyProof) {
  auto files = ExportDoc(0);
  ev::VerifyReport r = ev::VerifyPackageFiles(files);
  EXPECT_TRUE(r.verified) << Failures(r);
  ASSERT_EQ(r.manifest->checkpoints.size(), 2u);
  EXPECT_EQ(FileOf(files, ev::ConsistencyPath(2, 4)).empty(), false);
}

TEST_F(EvidenceTest, HousePackageHasAllDocumentsAndRoundTripsThroughTar) {
  EvidenceExportOptions o{"house", "H-1-101", false, nullptr, ledger::testing::kT0};
  auto tar = ExportEvidencePackage(*c_.ledger, blobs_.get(), o);
  ASSERT_TRUE(tar.ok()) << tar.status().ToString();
  ev::VerifyReport r = ev::VerifyPackage(*tar);
  EXPECT_TRUE(r.verified) << Failures(r);
  EXPECT_EQ(r.manifest->documents.size(), 3u);
  EXPECT_EQ(r.ToJson().find("verdict")->as_string(), "verified");
}

TEST_F(EvidenceTest, WithheldDocumentsVerifyByDigestOnly) {
  EvidenceExportOptions o{"house", "H-1-101", true, nullptr, ledger::testing::kT0};
  auto files = BuildEvidencePackage(*c_.ledger, blobs_.get(), o);
  ASSERT_TRUE(files.ok());
  for (const auto& f : *files) EXPECT_NE(f.name.rfind("documents/", 0), 0u) << f.name;
  ev::VerifyReport r = ev::VerifyPackageFiles(*files);
  EXPECT_TRUE(r.verified) << Failures(r);
  EXPECT_FALSE(r.manifest->documents[0].included);
}

TEST_F(EvidenceTest, UnknownSubjectIsNotFound) {
  EvidenceExportOptions o{"document", HexDigestOf("never notarized"), false, nullptr, 1};
  auto files = BuildEvidencePackage(*c_.ledger, blobs_.get(), o);
  EXPECT_EQ(files.status().reason(), "evidence.subject_not_found");
  o.kind = "street";
  EXPECT_EQ(BuildEvidencePackage(*c_.ledger, blobs_.get(), o).status().reason(),
            "evidence.bad_subject");
}

TEST_F(EvidenceTest, OneByteOfADocument) {
  auto files = ExportDoc(1);
  FileOf(files, ev::DocumentPath(Sha256(docs_[1])))[3] ^= 1;
  EXPECT_REJECTED(ev::VerifyPackageFiles(files), "evidence.document_digest_mismatch");
}

TEST_F(EvidenceTest, TwoDocumentsSwapped) {
  auto files = Export("house", "H-1-101");
  std::string& a = FileOf(files, ev::DocumentPath(Sha256(docs_[0])));
  std::string& b = FileOf(files, ev::DocumentPath(Sha256(docs_[1])));
  std::swap(a, b);
  EXPECT_REJECTED(ev::VerifyPackageFiles(files), "evidence.document_digest_mismatch");
}

TEST_F(EvidenceTest, DocumentsSwappedInTheManifest) {
  auto files = Export("house", "H-1-101");
  Json m = ManifestOf(files);
  Json::Array& docs = ManifestArray(m, "documents");
  Json e0 = *docs[0].find("entry");
  docs[0].set("entry", *docs[1].find("entry"));
  docs[1].set("entry", e0);
  SetManifest(files, m);
  EXPECT_REJECTED(ev::VerifyPackageFiles(files), "evidence.document_not_notarized");
}

TEST_F(EvidenceTest, AFieldOfAnEntry) {
  auto files = ExportDoc(2);
  std::string& e = FileOf(files, ev::EntryPath(3));
  size_t at = e.find("H-1-101");
  ASSERT_NE(at, std::string::npos);
  e.replace(at, 7, "H-1-102");
  EXPECT_REJECTED(ev::VerifyPackageFiles(files), "evidence.entry_id_mismatch");
  // ... and with the manifest updated to the new leaf hash, the signature fails.
  Json m = ManifestOf(files);
  for (Json& x : ManifestArray(m, "entries")) {
    if (x.find("index")->as_uint64() == 3) {
      x.set("id", Json(ledger::ToHex(ledger::EntryIdOf(AsBytes(e)))));
    }
  }
  SetManifest(files, m);
  EXPECT_REJECTED(ev::VerifyPackageFiles(files), "envelope.bad_signature");
}

TEST_F(EvidenceTest, OneProofHash) {
  auto files = ExportDoc(0);
  std::string& text = FileOf(files, ev::ProofPath(1));
  auto p = log::TlogProof::Parse(text);
  ASSERT_TRUE(p.ok());
  ASSERT_FALSE(p->inclusion.empty());
  p->inclusion[0].data()[0] ^= 1;
  text = p->Format();
  EXPECT_REJECTED(ev::VerifyPackageFiles(files), "proof.root_mismatch");
}

TEST_F(EvidenceTest, ConsistencyProofHash) {
  auto files = ExportDoc(0);
  std::string& text = FileOf(files, ev::ConsistencyPath(2, 4));
  Json j = *ParseJson(text);
  Json::Array& proof = ManifestArray(j, "proof");
  ASSERT_FALSE(proof.empty());
  Bytes h = *Base64Decode(proof[0].as_string());
  h[5] ^= 0x80;
  proof[0] = Json(Base64Encode(h));
  text = j.Pretty();
  EXPECT_REJECTED(ev::VerifyPackageFiles(files), "proof.root_mismatch");
}

TEST_F(EvidenceTest, ACheckpointSignature) {
  auto files = ExportDoc(1);
  std::string& note = FileOf(files, ev::CheckpointPath(4));
  size_t dash = note.rfind("— ");
  ASSERT_NE(dash, std::string::npos);
  size_t b64 = note.find(' ', dash + 4) + 10;  // inside the signature bytes
  note[b64] = note[b64] == 'A' ? 'B' : 'A';
  auto r = ev::VerifyPackageFiles(files);
  EXPECT_REJECTED(r, "note.bad_signature");
  // The proof still embeds the original note, which no longer matches.
  EXPECT_TRUE(r.HasFailure("evidence.proof_checkpoint_mismatch")) << Failures(r);
}

TEST_F(EvidenceTest, MissingAndExtraFiles) {
  auto files = ExportDoc(2);
  RemoveFile(&files, ev::ProofPath(3));
  files.push_back({"documents/" + HexDigestOf("smuggled"), "smuggled"});
  auto r = ev::VerifyPackageFiles(files);
  EXPECT_REJECTED(r, "evidence.missing_file");
  EXPECT_TRUE(r.HasFailure("evidence.unexpected_file"));
}

TEST_F(EvidenceTest, AnEntryFromAnotherConsortium) {
  Consortium other;
  auto e = other.c("builder").Sign(other.Notarize(docs_[1]));
  ASSERT_TRUE(other.AppendOne(e).ok());
  auto files = ExportDoc(2);
  FileOf(files, ev::EntryPath(3)) = e.bytes;
  Json m = ManifestOf(files);
  for (Json& x : ManifestArray(m, "entries")) {
    if (x.find("index")->as_uint64() == 3) x.set("id", Json(ledger::ToHex(e.id)));
  }
  SetManifest(files, m);
  // Same chain name in both test consortiums: the other's keys are unknown here.
  auto r = ev::VerifyPackageFiles(files);
  EXPECT_FALSE(r.verified);
  EXPECT_TRUE(r.HasFailure("envelope.unknown_key") || r.HasFailure("evidence.wrong_chain"))
      << Failures(r);
  EXPECT_TRUE(r.HasFailure("proof.root_mismatch")) << Failures(r);
}

TEST_F(EvidenceTest, AKeySetSwappedForAnother) {
  Consortium other;
  auto files = ExportDoc(1);
  FileOf(files, ev::EntryPath(0)) = other.genesis_entry.bytes;
  Json m = ManifestOf(files);
  ManifestArray(m, "entries")[0].set("id", Json(ledger::ToHex(other.genesis_entry.id)));
  SetManifest(files, m);
  auto r = ev::VerifyPackageFiles(files);
  EXPECT_FALSE(r.verified);
  // Neither the checkpoint (signed by our node) nor our builder's key fit it.
  EXPECT_TRUE(r.HasFailure("note.quorum_not_met") || r.HasFailure("note.unverified"))
      << Failures(r);
  EXPECT_TRUE(r.HasFailure("envelope.unknown_key")) << Failures(r);
}

TEST_F(EvidenceTest, MalformedPackages) {
  EXPECT_EQ(ev::VerifyPackage("not a tar").reason, "evidence.bad_tar");
  auto files = ExportDoc(1);
  FileOf(files, "manifest.json") = "{}";
  EXPECT_REJECTED(ev::VerifyPackageFiles(files), "evidence.bad_manifest");
}

TEST_F(EvidenceTest, PinnedConsortium) {
  auto files = ExportDoc(1);
  Json trust = Json::MakeObject(
      {{"chain", Json(ledger::testing::kChain)},
       {"origin", Json(ledger::testing::kOrigin)},
       {"quorum", Json(1)},
       {"members",
        Json::MakeArray({Json::MakeObject(
            {{"name", Json("n")}, {"verifier_key", Json(c_.node.verifier().ToString())}})})}});
  ev::VerifyOptions opts;
  opts.trust = *ev::TrustedConsortium::FromJson(trust);
  auto r = ev::VerifyPackageFiles(files, opts);
  EXPECT_TRUE(r.verified) << Failures(r);
  Consortium other;
  ManifestArray(trust, "members")[0].set("verifier_key", Json(other.node.verifier().ToString()));
  opts.trust = *ev::TrustedConsortium::FromJson(trust);
  EXPECT_REJECTED(ev::VerifyPackageFiles(files, opts), "evidence.untrusted_consortium");
}

}  // namespace
}  // namespace tz::node::testing
