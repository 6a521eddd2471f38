// Trusted time in evidence packages, and the expert's standard-tools check:
// runs the shell block of docs/evidence.md verbatim on a real package.
#include <fstream>
#include <sstream>

#include "node/evidence_test_util.h"

namespace tz::node::testing {
namespace {

namespace fs = std::filesystem;

void Spit(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

// The fenced block between the expert-check markers of docs/evidence.md.
std::string ExpertCheckScript() {
  std::string doc = Slurp(fs::path(TZ_SOURCE_DIR) / "docs/evidence.md");
  size_t begin = doc.find("<!-- expert-check:begin -->");
  size_t end = doc.find("<!-- expert-check:end -->");
  EXPECT_NE(begin, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  std::string block = doc.substr(begin, end - begin);
  size_t open = block.find("```sh\n");
  size_t close = block.rfind("```");
  return block.substr(open + 6, close - open - 6);
}

class EvidenceToolsTest : public TsaPkiFixture {
 protected:
  static void SetUpTestSuite() { MakePkis("evidence-tsa"); }
};

TEST_F(EvidenceToolsTest, TimeStampedCheckpoint) {
  TimeStampAuthority tsa = Tsa("pki");
  auto files = Export("document", ledger::testing::HexDigestOf(docs_[0]), &tsa);
  // Without a trust anchor: imprint checked, trust reported as unverified.
  auto r = ev::VerifyPackageFiles(files);
  EXPECT_TRUE(r.verified) << r.reason;
  bool noted = false;
  for (const auto& c : r.checks) noted = noted || c.reason == "tsa.trust_unverified";
  EXPECT_TRUE(noted);
  ev::VerifyOptions opts;
  opts.tsa_ca_pem = Ca("pki");
  r = ev::VerifyPackageFiles(files, opts);
  EXPECT_TRUE(r.verified) << r.reason;
  ASSERT_FALSE(r.checkpoints.empty());
  EXPECT_FALSE(r.checkpoints.back().timestamp_time.empty());
  opts.tsa_ca_pem = Ca("other");
  r = ev::VerifyPackageFiles(files, opts);
  EXPECT_FALSE(r.verified);
  EXPECT_TRUE(r.HasFailure("tsa.untrusted")) << r.reason;
}

TEST_F(EvidenceToolsTest, TimeStampForDifferentData) {
  TimeStampAuthority tsa = Tsa("pki");
  auto files = Export("document", ledger::testing::HexDigestOf(docs_[0]), &tsa);
  auto other = tsa.Stamp(Sha256(std::string_view("another checkpoint"))).value();
  FileOf(files, ev::TimestampPath(4)) = std::string(AsString(other.token_der));
  auto r = ev::VerifyPackageFiles(files);
  EXPECT_FALSE(r.verified);
  EXPECT_TRUE(r.HasFailure("tsa.digest_mismatch")) << r.reason;
  ev::VerifyOptions opts;
  opts.tsa_ca_pem = Ca("pki");
  r = ev::VerifyPackageFiles(files, opts);
  EXPECT_TRUE(r.HasFailure("tsa.digest_mismatch")) << r.reason;
}

TEST_F(EvidenceToolsTest, DocumentedStandardToolCommandsPassAndCatchTampering) {
  TimeStampAuthority tsa = Tsa("pki");
  auto files = Export("document", ledger::testing::HexDigestOf(docs_[0]), &tsa);
  ASSERT_TRUE(ev::VerifyPackageFiles(files).verified);
  std::string work = TempDirFor("evidence-expert");
  Spit(work + "/check.sh", ExpertCheckScript());
  auto run = [&](const std::vector<ev::TarFile>& pkg, const std::string& sub) {
    fs::create_directories(work + "/" + sub);
    Spit(work + "/" + sub + "/package.tar", ev::WriteTar(pkg, 0).value());
    return Shell("cd '" + work + "/" + sub + "' && PKG=package.tar CA='" + *pki_ +
                 "/pki/ca.pem' TOOLS='" + std::string(TZ_SOURCE_DIR) + "/deploy' bash '" + work +
                 "/check.sh' > log.txt 2>&1");
  };
  EXPECT_EQ(run(files, "good"), 0) << Slurp(work + "/good/log.txt");
  std::string log = Slurp(work + "/good/log.txt");
  EXPECT_NE(log.find("OK: entries/1.json is leaf 1"), std::string::npos) << log;
  EXPECT_NE(log.find("prefix of the log of size 4"), std::string::npos) << log;

  auto bad_doc = files;
  FileOf(bad_doc, ev::DocumentPath(Sha256(docs_[0])))[0] ^= 1;
  EXPECT_NE(run(bad_doc, "bad-doc"), 0);
  auto bad_entry = files;
  std::string& e = FileOf(bad_entry, ev::EntryPath(1));
  e.replace(e.find("H-1-101"), 7, "H-1-102");
  EXPECT_NE(run(bad_entry, "bad-entry"), 0);
  auto bad_ts = files;
  FileOf(bad_ts, ev::CheckpointPath(4)) += " ";
  EXPECT_NE(run(bad_ts, "bad-checkpoint"), 0);
  fs::remove_all(work);
}

}  // namespace
}  // namespace tz::node::testing
