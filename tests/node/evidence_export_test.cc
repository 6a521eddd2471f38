// Streamed export (PlanEvidencePackage + OpenEvidenceStream, what
// GET /v1/evidence sends): the same files as the in-memory export, an exact
// length, documents read from the blob store only while streaming, and a
// changed blob cuts the stream instead of delivering other bytes.
#include <fstream>

#include "node/evidence_test_util.h"

namespace tz::node::testing {
namespace {

namespace fs = std::filesystem;
using ledger::testing::HexDigestOf;

class EvidenceStreamTest : public EvidenceFixture {
 protected:
  EvidencePlan PlanFor(const std::string& kind, const std::string& id, bool withhold = false) {
    EvidenceExportOptions o = OptionsFor(kind, id);
    o.withhold_documents = withhold;
    auto plan = PlanEvidencePackage(*c_.ledger, blobs_.get(), o);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? std::move(*plan) : EvidencePlan{};
  }

  // Reads the whole stream in odd-sized pieces; *error gets the first failure.
  static std::string Drain(archive::ByteSource& src, Status* error = nullptr) {
    std::string out;
    uint8_t buf[777];
    for (;;) {
      auto n = src.Read(buf, sizeof buf);
      if (!n.ok()) {
        if (error != nullptr) *error = n.status();
        return out;
      }
      if (*n == 0) return out;
      out.append(reinterpret_cast<const char*>(buf), *n);
    }
  }

  // The blob file of a digest inside the store's directory.
  fs::path BlobFile(const std::string& hex) {
    for (const auto& e : fs::recursive_directory_iterator(dir_ + "/blobs")) {
      if (e.is_regular_file() && e.path().filename() == hex) return e.path();
    }
    ADD_FAILURE() << "no blob file for " << hex;
    return {};
  }
};

TEST_F(EvidenceStreamTest, HouseStreamMatchesInMemoryExportAndVerifies) {
  EvidencePlan plan = PlanFor("house", "H-1-101");
  size_t streamed = 0;
  for (const auto& f : plan.files) {
    if (!f.blob) continue;
    ++streamed;
    EXPECT_TRUE(f.data.empty()) << f.name << ": document bytes must not be held in the plan";
    EXPECT_EQ(f.name, ev::DocumentPath(*f.blob));
  }
  EXPECT_EQ(streamed, docs_.size());
  EXPECT_EQ(plan.files.back().name, "report.html");
  const uint64_t expected = plan.TarSize();

  auto src = OpenEvidenceStream(std::move(plan), blobs_.get());
  Status err;
  std::string tar = Drain(*src, &err);
  ASSERT_TRUE(err.ok()) << err.ToString();
  EXPECT_EQ(tar.size(), expected);

  ev::VerifyReport r = ev::VerifyPackage(tar);
  EXPECT_TRUE(r.verified) << r.reason;
  auto files = ev::ReadTar(tar);
  ASSERT_TRUE(files.ok());
  std::vector<ev::TarFile> mem = Export("house", "H-1-101");
  ASSERT_EQ(files->size(), mem.size());
  for (size_t i = 0; i < mem.size(); ++i) {
    EXPECT_EQ((*files)[i].name, mem[i].name);
    // Everything but the report is byte-identical to the in-memory export.
    if (mem[i].name != "report.html") {
      EXPECT_EQ((*files)[i].data, mem[i].data) << mem[i].name;
    }
  }
  for (const auto& d : docs_) {
    EXPECT_EQ(FileOf(*files, "documents/" + HexDigestOf(d)), d);
  }
  // The report states the documents' digest check as passed, not withheld.
  const std::string& report = FileOf(*files, "report.html");
  EXPECT_NE(report.find("content-addressed blob store"), std::string::npos);
}

TEST_F(EvidenceStreamTest, WithheldStreamHasNoDocuments) {
  EvidencePlan plan = PlanFor("document", HexDigestOf(docs_[1]), true);
  for (const auto& f : plan.files) EXPECT_FALSE(f.blob) << f.name;
  auto src = OpenEvidenceStream(std::move(plan), blobs_.get());
  std::string tar = Drain(*src);
  ev::VerifyReport r = ev::VerifyPackage(tar);
  EXPECT_TRUE(r.verified) << r.reason;
  ASSERT_TRUE(r.manifest);
  EXPECT_EQ(r.manifest->documents.at(0).withheld, "by_request");
}

TEST_F(EvidenceStreamTest, ABlobChangedAfterPlanningCutsTheStream) {
  const std::string hex = HexDigestOf(docs_[0]);
  EvidencePlan plan = PlanFor("document", hex);
  fs::path file = BlobFile(hex);
  fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
  std::string bad = docs_[0];
  bad[0] ^= 1;  // same size, other bytes
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bad;
  }
  auto src = OpenEvidenceStream(std::move(plan), blobs_.get());
  Status err;
  std::string tar = Drain(*src, &err);
  EXPECT_FALSE(err.ok());
  EXPECT_EQ(err.reason(), "blob.corrupt") << err.ToString();
  // What was sent is not a complete archive: no verifier accepts it.
  EXPECT_FALSE(ev::VerifyPackage(tar).verified);
}

TEST_F(EvidenceStreamTest, ABlobRemovedAfterPlanningCutsTheStream) {
  const std::string hex = HexDigestOf(docs_[2]);
  EvidencePlan plan = PlanFor("document", hex);
  fs::remove(BlobFile(hex));
  auto src = OpenEvidenceStream(std::move(plan), blobs_.get());
  Status err;
  Drain(*src, &err);
  EXPECT_EQ(err.code(), Code::kNotFound) << err.ToString();
}

TEST_F(EvidenceStreamTest, TarPiecesEqualWriteTar) {
  std::vector<ev::TarFile> files = {{"a.txt", "x"}, {"dir/b", std::string(512, 'b')}, {"c", ""}};
  auto whole = ev::WriteTar(files, 1700000000);
  ASSERT_TRUE(whole.ok());
  std::string pieces;
  for (const auto& f : files) {
    pieces += ev::TarHeader(f.name, f.data.size(), 1700000000).value();
    pieces += f.data;
    pieces.append(ev::TarPadding(f.data.size()), '\0');
  }
  pieces.append(ev::kTarTrailerSize, '\0');
  EXPECT_EQ(pieces, *whole);
  EXPECT_FALSE(ev::TarHeader("../x", 1, 0).ok());
}

TEST_F(EvidenceStreamTest, FileNames) {
  EXPECT_EQ(EvidenceFileName("document", std::string(64, 'a')),
            "tiezheng-evidence-document-aaaaaaaaaaaaaaaa.tar");
  EXPECT_EQ(EvidenceFileName("house", "H-1:101"), "tiezheng-evidence-house-H-1_101.tar");
}

}  // namespace
}  // namespace tz::node::testing
