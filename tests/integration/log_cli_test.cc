// `tiezheng log build|prove|verify` through the real binary.
#include <gtest/gtest.h>

#include "integration/subprocess.h"

namespace tz::testing {
namespace {

class LogCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 5; ++i) {
      files_.push_back(dir_.File("doc" + std::to_string(i) + ".txt"));
      WriteFile(files_.back(), "handover document " + std::to_string(i) + "\n");
    }
    auto k = Tz({"keygen", "--name", "dept.example", "-o", dir_.File("log.key")});
    ASSERT_EQ(k.exit_code, 0) << k.err;
    auto k2 = Tz({"keygen", "--name", "other.example", "-o", dir_.File("other.key")});
    ASSERT_EQ(k2.exit_code, 0) << k2.err;
  }

  RunResult Build(std::vector<std::string> files, bool append = false) {
    std::vector<std::string> args = {"log",      "build",
                                     "--key",    dir_.File("log.key"),
                                     "--out",    dir_.File("log.json"),
                                     "--origin", "example.org/handover"};
    if (append) args.push_back("--append");
    args.insert(args.end(), files.begin(), files.end());
    return Tz(args);
  }

  TempDir dir_;
  std::vector<std::string> files_;
};

TEST_F(LogCliTest, BuildProveVerifyInclusion) {
  auto b = Build({files_[0], files_[1], files_[2]});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  // The checkpoint is a C2SP signed note: origin, size, root, blank, signature.
  EXPECT_EQ(b.out.rfind("example.org/handover\n3\n", 0), 0u) << b.out;
  EXPECT_NE(b.out.find("\n\n\xE2\x80\x94 dept.example "), std::string::npos) << b.out;

  auto p = Tz({"log", "prove", "--log", dir_.File("log.json"), "--file", files_[1]});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.out.rfind("c2sp.org/tlog-proof@v1\nindex 1\n", 0), 0u) << p.out;
  WriteFile(dir_.File("p.tlog-proof"), p.out);

  auto v = Tz({"log", "verify", "--vkey", dir_.File("log.key.pub"), "--proof",
               dir_.File("p.tlog-proof"), files_[1]});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("VERIFIED"), std::string::npos);

  // The proof is for doc1, not doc2: same log, wrong file.
  auto wrong = Tz({"log", "verify", "--vkey", dir_.File("log.key.pub"), "--proof",
                   dir_.File("p.tlog-proof"), files_[2]});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.out;
  EXPECT_NE(wrong.out.find("proof.root_mismatch"), std::string::npos) << wrong.out;

  // A tampered file.
  WriteFile(files_[1], "handover document 1 (edited)\n");
  auto tampered = Tz({"log", "verify", "--vkey", dir_.File("log.key.pub"), "--proof",
                      dir_.File("p.tlog-proof"), files_[1], "--json"});
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_NE(tampered.out.find("\"verified\": false"), std::string::npos) << tampered.out;
}

TEST_F(LogCliTest, VerifyRejectsWrongKeyAndForgedProof) {
  ASSERT_EQ(Build({files_[0], files_[1], files_[2], files_[3]}).exit_code, 0);
  auto p = Tz({"log", "prove", "--log", dir_.File("log.json"), "--index", "2"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  WriteFile(dir_.File("p.tlog-proof"), p.out);

  // Signed by a key the verifier does not trust.
  auto other = Tz({"log", "verify", "--vkey", dir_.File("other.key.pub"), "--proof",
                   dir_.File("p.tlog-proof"), files_[2]});
  EXPECT_EQ(other.exit_code, 1) << other.out << other.err;

  // One proof hash changed (still canonical base64 of 32 bytes).
  std::string forged = p.out;
  size_t line = forged.find("index 2\n") + 8;
  forged[line] = forged[line] == 'A' ? 'B' : 'A';
  WriteFile(dir_.File("forged.tlog-proof"), forged);
  auto f = Tz({"log", "verify", "--vkey", dir_.File("log.key.pub"), "--proof",
               dir_.File("forged.tlog-proof"), files_[2]});
  EXPECT_NE(f.exit_code, 0);

  // Checkpoint signature changed: the note no longer verifies.
  std::string badsig = p.out;
  size_t sig = badsig.rfind(' ') + 5;
  badsig[sig] = badsig[sig] == 'A' ? 'B' : 'A';
  WriteFile(dir_.File("badsig.tlog-proof"), badsig);
  auto s = Tz({"log", "verify", "--vkey", dir_.File("log.key.pub"), "--proof",
               dir_.File("badsig.tlog-proof"), files_[2]});
  EXPECT_NE(s.exit_code, 0);

  // Garbage instead of a proof: bad input, exit 3.
  WriteFile(dir_.File("garbage"), "not a proof\n");
  auto g = Tz({"log", "verify", "--vkey", dir_.File("log.key.pub"), "--proof", dir_.File("garbage"),
               files_[2]});
  EXPECT_EQ(g.exit_code, 3) << g.out << g.err;
}

TEST_F(LogCliTest, ConsistencyAcrossAppends) {
  ASSERT_EQ(Build({files_[0], files_[1]}).exit_code, 0);
  ASSERT_EQ(Build({files_[2], files_[3], files_[4]}, /*append=*/true).exit_code, 0);
  auto c = Tz({"log", "prove", "--log", dir_.File("log.json"), "--from", "2", "--json"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  WriteFile(dir_.File("c.json"), c.out);
  auto v = Tz(
      {"log", "verify", "--vkey", dir_.File("log.key.pub"), "--consistency", dir_.File("c.json")});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

  // Swap the two checkpoints: a log cannot shrink.
  std::string swapped = c.out;
  size_t a = swapped.find("\"checkpoint1\"");
  size_t b = swapped.find("\"checkpoint2\"");
  swapped.replace(b, 13, "\"checkpointX\"");
  swapped.replace(a, 13, "\"checkpoint2\"");
  swapped.replace(swapped.find("\"checkpointX\""), 13, "\"checkpoint1\"");
  WriteFile(dir_.File("swapped.json"), swapped);
  auto s = Tz({"log", "verify", "--vkey", dir_.File("log.key.pub"), "--consistency",
               dir_.File("swapped.json")});
  EXPECT_EQ(s.exit_code, 1) << s.out;
  EXPECT_NE(s.out.find("proof.size_order"), std::string::npos) << s.out;
}

TEST_F(LogCliTest, UsageErrors) {
  EXPECT_EQ(Tz({"log"}).exit_code, 2);
  EXPECT_EQ(Tz({"log", "frobnicate"}).exit_code, 2);
  EXPECT_EQ(Tz({"log", "build", "--out", dir_.File("x.json")}).exit_code, 2);
  EXPECT_EQ(Tz({"log", "prove", "--log"}).exit_code, 2);
  auto h = Tz({"log", "--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("tlog-proof"), std::string::npos);
  EXPECT_EQ(Tz({"log", "prove", "--log", dir_.File("missing.json"), "--index", "0"}).exit_code, 3);
}

}  // namespace
}  // namespace tz::testing
