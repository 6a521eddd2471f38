// tlog-checkpoint bodies, Tiezheng block extension lines, certified
// checkpoints.
#include "log/checkpoint.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/encoding.h"

namespace tz::log {
namespace {

Digest D(uint8_t fill) {
  Digest d;
  for (size_t i = 0; i < Digest::kSize; ++i) d.data()[i] = static_cast<uint8_t>(fill + i);
  return d;
}

NoteSigner MakeSigner(const std::string& name, uint8_t seed_byte) {
  auto sk = SecretKey::FromBytes(SignatureAlgorithm::kEd25519, Bytes(32, seed_byte));
  EXPECT_TRUE(sk.ok());
  auto s = NoteSigner::Create(name, std::move(sk).value());
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

Checkpoint BlockCheckpoint() {
  Checkpoint c;
  c.origin = "tiezheng.example/consortium-1";
  c.size = 1234;
  c.root_hash = D(0x10);
  c.block = BlockAnchor{42, D(0xa0), 1735689600123};
  return c;
}

TEST(CheckpointTest, BodyFormat) {
  Checkpoint c;
  c.origin = "example.com/behind-the-sofa";
  c.size = 20852163;
  ASSERT_TRUE(Digest::FromSpan(*Base64Decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="),
                               &c.root_hash));
  EXPECT_EQ(
      c.Body(),
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");

  const Checkpoint b = BlockCheckpoint();
  EXPECT_EQ(b.Body(), "tiezheng.example/consortium-1\n1234\n" + Base64Encode(D(0x10).span()) +
                          "\nheight 42\nblock " + ToHex(D(0xa0)) + "\ntime-ms 1735689600123\n");
  Checkpoint empty;
  empty.origin = "log";
  EXPECT_TRUE(empty.Body().starts_with("log\n0\n"));
}

TEST(CheckpointTest, ParseRoundTrips) {
  Checkpoint with_ext = BlockCheckpoint();
  with_ext.extensions = {"opaque extension", "heights are not ours", "blockchain"};
  Checkpoint plain = BlockCheckpoint();
  plain.block.reset();
  Checkpoint only_ext = plain;
  only_ext.extensions = {"x"};
  Checkpoint max = plain;
  max.size = UINT64_MAX;
  max.block = BlockAnchor{UINT64_MAX, D(0), UINT64_MAX};
  for (const Checkpoint& c : {BlockCheckpoint(), with_ext, plain, only_ext, max}) {
    ASSERT_TRUE(c.Validate().ok()) << c.Validate().ToString();
    auto p = Checkpoint::Parse(c.Body());
    ASSERT_TRUE(p.ok()) << p.status().ToString() << "\n" << c.Body();
    EXPECT_EQ(*p, c);
    EXPECT_EQ(p->Body(), c.Body());
  }
}

struct BadBody {
  const char* what;
  std::string body;
  std::string reason;
};

TEST(CheckpointTest, ParseRejectsMalformed) {
  const std::string root = Base64Encode(D(1).span());
  const std::string hex = ToHex(D(2));
  const std::string head = "log\n5\n" + root + "\n";
  const std::vector<BadBody> cases = {
      {"empty", "", "malformed"},
      {"no final newline", "log\n5\n" + root, "malformed"},
      {"two lines", "log\n5\n", "malformed"},
      {"empty origin", "\n5\n" + root + "\n", "empty_line"},
      {"empty line", head + "\next\n", "empty_line"},
      {"trailing blank line", head + "\n", "empty_line"},
      {"origin with tab", "a\tb\n5\n" + root + "\n", "bad_origin"},
      {"origin with CR", "log\r\n5\n" + root + "\n", "bad_origin"},
      {"origin bad utf8", "\xff\n5\n" + root + "\n", "bad_origin"},
      {"leading zero", "log\n05\n" + root + "\n", "bad_size"},
      {"zero zero", "log\n00\n" + root + "\n", "bad_size"},
      {"negative", "log\n-5\n" + root + "\n", "bad_size"},
      {"plus", "log\n+5\n" + root + "\n", "bad_size"},
      {"space", "log\n 5\n" + root + "\n", "bad_size"},
      {"hex size", "log\n0x5\n" + root + "\n", "bad_size"},
      {"2^64", "log\n18446744073709551616\n" + root + "\n", "bad_size"},
      {"huge", "log\n99999999999999999999999\n" + root + "\n", "bad_size"},
      {"hex root", "log\n5\n" + hex + "\n", "bad_root_hash"},
      {"short root", "log\n5\n" + Base64Encode(Bytes(31, 1)) + "\n", "bad_root_hash"},
      {"long root", "log\n5\n" + Base64Encode(Bytes(33, 1)) + "\n", "bad_root_hash"},
      {"unpadded root", "log\n5\n" + root.substr(0, root.size() - 1) + "\n", "bad_root_hash"},
      {"height alone", head + "height 1\n", "bad_extension"},
      {"height, block", head + "height 1\nblock " + hex + "\n", "bad_extension"},
      {"wrong order", head + "block " + hex + "\nheight 1\ntime-ms 5\n", "bad_extension"},
      {"height leading zero", head + "height 01\nblock " + hex + "\ntime-ms 5\n", "bad_extension"},
      {"height empty", head + "height \nblock " + hex + "\ntime-ms 5\n", "bad_extension"},
      {"bare height", head + "height\nblock " + hex + "\ntime-ms 5\n", "bad_extension"},
      {"uppercase block hash",
       head + "height 1\nblock " + ToHex(D(0xab)).substr(0, 60) + "ABCD\ntime-ms 5\n",
       "bad_extension"},
      {"short block hash", head + "height 1\nblock abcd\ntime-ms 5\n", "bad_extension"},
      {"time in seconds keyword", head + "height 1\nblock " + hex + "\ntime 5\n", "bad_extension"},
      {"time not decimal", head + "height 1\nblock " + hex + "\ntime-ms 1.5\n", "bad_extension"},
      {"anchor twice",
       head + "height 1\nblock " + hex + "\ntime-ms 5\nheight 1\nblock " + hex + "\ntime-ms 5\n",
       "bad_extension"},
      {"anchor after other", head + "x\nheight 1\nblock " + hex + "\ntime-ms 5\n", "bad_extension"},
      {"control char in extension", head + "a\x01z\n", "bad_extension"},
      {"too large", "log\n5\n" + root + "\n" + std::string(kMaxNoteSize, 'x') + "\n", "too_large"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto p = Checkpoint::Parse(c.body);
    EXPECT_EQ(p.status().reason(), "checkpoint." + c.reason) << p.status().ToString();
    EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
  }
  EXPECT_TRUE(Checkpoint::Parse("log\n18446744073709551615\n" + root + "\n").ok());
  EXPECT_TRUE(Checkpoint::Parse("o r i g i n + \u00e9\n0\n" + root + "\n").ok());
}

TEST(CheckpointTest, ValidateRejectsUnformattable) {
  Checkpoint c = BlockCheckpoint();
  c.origin = "";
  EXPECT_FALSE(c.Validate().ok());
  c.origin = "a\nb";
  EXPECT_EQ(c.Validate().reason(), "checkpoint.bad_origin");
  c = BlockCheckpoint();
  for (std::string bad : {"", "a\nb", "height 5", "block x", "time-ms 1", "a\tb"}) {
    c.extensions = {bad};
    EXPECT_FALSE(c.Validate().ok()) << bad;
    EXPECT_FALSE(SignCheckpoint(c, std::vector<NoteSigner>()).ok());
  }
}

class CertifiedCheckpointTest : public ::testing::Test {
 protected:
  CertifiedCheckpointTest() {
    const char* names[] = {"zhujian.node.tiezheng.example", "caizheng.node.tiezheng.example",
                           "jiedao.node.tiezheng.example", "yunying.node.tiezheng.example"};
    for (uint8_t i = 0; i < 4; ++i) nodes_.push_back(MakeSigner(names[i], 20 + i));
    for (const auto& n : nodes_) keyset_.push_back(n.verifier());
  }
  std::vector<NoteSigner> nodes_;
  std::vector<NoteVerifier> keyset_;
};

TEST_F(CertifiedCheckpointTest, CosignToQuorum) {
  const Checkpoint c = BlockCheckpoint();
  // The proposer signs; the others cosign the note it produced.
  auto note = SignCheckpoint(c, std::span<const NoteSigner>(nodes_).first(1));
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(VerifyCertifiedCheckpoint(*note, keyset_, 3).status().reason(), "note.quorum_not_met");
  std::string n = *note;
  for (size_t i : {2, 3}) {
    auto opened = OpenCheckpoint(n, keyset_, c.origin);  // a cosigner checks first
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->checkpoint, c);
    n = *AddSignature(n, nodes_[i]);
  }
  auto cert = VerifyCertifiedCheckpoint(n, keyset_, 3, c.origin);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(cert->checkpoint, c);
  EXPECT_EQ(cert->note, n);
  EXPECT_EQ(cert->signers,
            (std::vector<std::string>{nodes_[0].name(), nodes_[2].name(), nodes_[3].name()}));
  EXPECT_EQ(VerifyCertifiedCheckpoint(n, keyset_, 4).status().reason(), "note.quorum_not_met");
  EXPECT_EQ(VerifyCertifiedCheckpoint(n, keyset_, 3, "other/origin").status().reason(),
            "checkpoint.wrong_origin");
  EXPECT_EQ(OpenCheckpoint(n, keyset_, "other/origin").status().code(), Code::kVerificationFailed);
}

TEST_F(CertifiedCheckpointTest, SignedNonCheckpointRejected) {
  // Valid signatures over a text that is not a checkpoint body.
  for (std::string text :
       {std::string("log\n5\n\n"), "log\n05\n" + Base64Encode(D(1).span()) + "\n",
        std::string("just a note\n")}) {
    auto note = SignNote(text, nodes_);
    ASSERT_TRUE(note.ok());
    auto cert = VerifyCertifiedCheckpoint(*note, keyset_, 3);
    EXPECT_FALSE(cert.ok());
    EXPECT_TRUE(cert.status().reason().starts_with("checkpoint.")) << cert.status().ToString();
  }
}

TEST_F(CertifiedCheckpointTest, TamperedBodyRejected) {
  const Checkpoint c = BlockCheckpoint();
  auto note = SignCheckpoint(c, nodes_);
  ASSERT_TRUE(note.ok());
  ASSERT_TRUE(VerifyCertifiedCheckpoint(*note, keyset_, 4).ok());
  Checkpoint later = c;
  later.block->height = 43;
  const std::string swapped =
      later.Body() + "\n" + note->substr(note->rfind("\n\n") + 2);  // old signatures
  EXPECT_EQ(VerifyCertifiedCheckpoint(swapped, keyset_, 1).status().reason(), "note.bad_signature");
}

// Notes from fixed keys, checked byte for byte against a committed fixture
// that tests/log/data/verify_notes.py verifies with an independent
// implementation (Python `cryptography`), so a change in the format shows up
// here and there.
TEST(CheckpointFixtureTest, MatchesFixture) {
  std::vector<NoteSigner> nodes;
  nodes.push_back(MakeSigner("node-1.tiezheng.example", 0x11));
  nodes.push_back(MakeSigner("node-2.tiezheng.example", 0x22));
  nodes.push_back(MakeSigner("node-3.tiezheng.example", 0x33));
  // Format: "vkey <vkey>" lines, then each note after a "--- note" line.
  std::string out;
  for (const auto& n : nodes) out += "vkey " + n.verifier().ToString() + "\n";
  Checkpoint c = BlockCheckpoint();
  auto note = SignCheckpoint(c, nodes);
  ASSERT_TRUE(note.ok());
  out += "--- note\n" + *note;
  Checkpoint plain = c;
  plain.block.reset();
  plain.size = 0;
  note = SignCheckpoint(plain, std::span<const NoteSigner>(nodes).first(1));
  ASSERT_TRUE(note.ok());
  out += "--- note\n" + *note;

  const std::string path = std::string(TZ_SOURCE_DIR) + "/tests/log/data/checkpoint_notes.txt";
  if (std::getenv("TZ_REGENERATE_FIXTURES") != nullptr) {
    std::ofstream(path, std::ios::binary) << out;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << path;
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(out, want.str()) << "regenerate " << path << " if the format changed on purpose";
}

// The fixture verifies with the independent Python implementation.
TEST(CheckpointFixtureTest, IndependentImplementationVerifiesFixture) {
  const std::string dir = std::string(TZ_SOURCE_DIR) + "/tests/log/data";
  const std::string cmd =
      "python3 " + dir + "/verify_notes.py " + dir + "/checkpoint_notes.txt > /dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) == 127 || WEXITSTATUS(rc) == 2) {
    GTEST_SKIP() << "python3 with the cryptography package is not available";
  }
  EXPECT_EQ(WEXITSTATUS(rc), 0) << cmd;
}

}  // namespace
}  // namespace tz::log
