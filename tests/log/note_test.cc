// Signed notes: syntax, signing, opening, cosigning and quorum counting.
// Known-answer vectors from golang.org/x/mod/sumdb/note live in
// note_interop_test.cc.
#include "log/note.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace tz::log {
namespace {

using namespace std::string_literals;

const std::string kText = "Tiezheng checkpoint test\nsecond line\n";

NoteSigner MakeSigner(const std::string& name, uint8_t seed_byte) {
  Bytes seed(32, seed_byte);
  auto sk = SecretKey::FromBytes(SignatureAlgorithm::kEd25519, seed);
  EXPECT_TRUE(sk.ok()) << sk.status().ToString();
  auto s = NoteSigner::Create(name, std::move(sk).value());
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

std::string Sign1(const std::string& text, const NoteSigner& s) {
  auto n = SignNote(text, s);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() ? *n : "";
}

// The signature lines of a note (everything after the separator).
std::string SigLines(const std::string& note) { return note.substr(note.rfind("\n\n") + 2); }

std::string ReasonOf(std::string_view note, std::span<const NoteVerifier> known) {
  return OpenNote(note, known).status().reason();
}

class NoteTest : public ::testing::Test {
 protected:
  NoteTest() {
    signers_.push_back(MakeSigner("node-a.tiezheng.example", 1));
    signers_.push_back(MakeSigner("node-b.tiezheng.example", 2));
    signers_.push_back(MakeSigner("node-c.tiezheng.example", 3));
    signers_.push_back(MakeSigner("node-d.tiezheng.example", 4));
    for (const auto& s : signers_) keyset_.push_back(s.verifier());
  }
  std::vector<NoteSigner> signers_;
  std::vector<NoteVerifier> keyset_;
};

TEST_F(NoteTest, SignOpenRoundTrip) {
  auto note = SignNote(kText, signers_);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_TRUE(note->starts_with(kText + "\n\u2014 node-a.tiezheng.example "));
  auto opened = OpenNote(*note, keyset_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->text, kText);
  ASSERT_EQ(opened->verified.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(opened->verified[i].name, signers_[i].name());
    EXPECT_EQ(opened->verified[i].key_id, signers_[i].key_id());
  }
  EXPECT_TRUE(opened->unverified.empty());

  auto parsed = ParseNote(*note);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Format(), *note);
  EXPECT_EQ(parsed->signatures.size(), 4u);
}

TEST_F(NoteTest, TextMayContainBlankLines) {
  // The spec allows empty lines in the text; the last blank line separates.
  for (std::string text : {"a\n\nb\n", "a\n\n", "\n"}) {
    const std::string note = Sign1(text, signers_[0]);
    auto opened = OpenNote(note, keyset_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->text, text);
  }
}

TEST_F(NoteTest, UnknownSignersIgnored) {
  const NoteSigner outsider = MakeSigner("outsider.example", 9);
  // Same name as a known key but a different key: unknown, ignored.
  const NoteSigner impostor = MakeSigner("node-a.tiezheng.example", 10);
  std::vector<NoteSigner> ss;
  ss.push_back(MakeSigner("outsider.example", 9));
  ss.push_back(MakeSigner("node-a.tiezheng.example", 10));
  ss.push_back(MakeSigner("node-b.tiezheng.example", 2));
  auto note = SignNote(kText, ss);
  ASSERT_TRUE(note.ok());
  auto opened = OpenNote(*note, keyset_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_EQ(opened->verified.size(), 1u);
  EXPECT_EQ(opened->verified[0].name, "node-b.tiezheng.example");
  ASSERT_EQ(opened->unverified.size(), 2u);
  EXPECT_EQ(opened->unverified[0].key_id, outsider.key_id());
  EXPECT_EQ(opened->unverified[1].key_id, impostor.key_id());

  // Only unknown signers: no verifiable signature.
  auto r = OpenNote(Sign1(kText, outsider), keyset_);
  EXPECT_EQ(r.status().reason(), "note.unverified");
  EXPECT_EQ(r.status().code(), Code::kVerificationFailed);
  EXPECT_EQ(ReasonOf(Sign1(kText, outsider), {}), "note.unverified");
}

TEST_F(NoteTest, ForgedSignatureFromKnownKeyRejected) {
  // A line naming node-a with node-a's key ID but made by another key.
  const NoteSigner forger = MakeSigner("node-a.tiezheng.example", 66);
  auto sig = forger.Sign(kText);
  ASSERT_TRUE(sig.ok());
  Bytes raw = {static_cast<uint8_t>(signers_[0].key_id() >> 24),
               static_cast<uint8_t>(signers_[0].key_id() >> 16),
               static_cast<uint8_t>(signers_[0].key_id() >> 8),
               static_cast<uint8_t>(signers_[0].key_id())};
  raw.insert(raw.end(), sig->begin(), sig->end());
  const std::string forged = "\u2014 node-a.tiezheng.example " + Base64Encode(raw) + "\n";
  const std::string good_b = SigLines(Sign1(kText, signers_[1]));
  auto r = OpenNote(kText + "\n" + good_b + forged, keyset_);
  EXPECT_EQ(r.status().reason(), "note.bad_signature");
  EXPECT_EQ(r.status().code(), Code::kVerificationFailed);
  // Order does not matter, nor does an earlier valid line by the same key.
  const std::string good_a = SigLines(Sign1(kText, signers_[0]));
  EXPECT_EQ(ReasonOf(kText + "\n" + forged + good_b, keyset_), "note.bad_signature");
  EXPECT_EQ(ReasonOf(kText + "\n" + good_a + forged, keyset_), "note.bad_signature");
}

TEST_F(NoteTest, SignatureOverDifferentTextRejected) {
  const std::string note = Sign1(kText, signers_[0]);
  const std::string other = "Tiezheng checkpoint test\nsecond linE\n";
  EXPECT_EQ(ReasonOf(other + "\n" + SigLines(note), keyset_), "note.bad_signature");
  // A flipped signature bit.
  std::string flipped = note;
  const size_t pos = flipped.size() - 10;
  flipped[pos] = flipped[pos] == 'A' ? 'B' : 'A';
  EXPECT_EQ(ReasonOf(flipped, keyset_), "note.bad_signature");
  // A blank line between signature lines moves the first ones into the text.
  auto two = SignNote(kText, std::span<const NoteSigner>(signers_).first(2));
  ASSERT_TRUE(two.ok());
  const size_t second = two->rfind("\u2014 ");
  const std::string split = two->substr(0, second) + "\n" + two->substr(second);
  EXPECT_EQ(ReasonOf(split, keyset_), "note.bad_signature");
}

TEST_F(NoteTest, DuplicateSignaturesCountOnce) {
  const std::string a = SigLines(Sign1(kText, signers_[0]));
  auto opened = OpenNote(kText + "\n" + a + a + a, keyset_);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->verified.size(), 1u);
  // Identical unknown lines are listed once.
  const std::string x = SigLines(Sign1(kText, MakeSigner("x.example", 7)));
  opened = OpenNote(kText + "\n" + x + a + x, keyset_);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->unverified.size(), 1u);
}

TEST_F(NoteTest, SignRejectsBadText) {
  EXPECT_EQ(SignNote("no newline", signers_[0]).status().reason(),
            "note.malformed.no_final_newline");
  EXPECT_EQ(SignNote("", signers_[0]).status().reason(), "note.malformed.no_final_newline");
  EXPECT_EQ(SignNote("a\r\n", signers_[0]).status().reason(), "note.malformed.crlf");
  EXPECT_EQ(SignNote("a\tb\n", signers_[0]).status().reason(), "note.malformed.control_char");
  EXPECT_EQ(SignNote("\xc3\x28\n", signers_[0]).status().reason(), "note.malformed.bad_utf8");
  EXPECT_EQ(SignNote(std::string(kMaxNoteSize, 'a') + "\n", signers_[0]).status().reason(),
            "note.malformed.too_large");
  EXPECT_EQ(SignNote(kText, std::span<const NoteSigner>()).status().reason(), "note.no_signers");
  // The same key twice signs once.
  std::vector<NoteSigner> twice;
  twice.push_back(MakeSigner("n", 1));
  twice.push_back(MakeSigner("n", 1));
  auto note = SignNote(kText, twice);
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(ParseNote(*note)->signatures.size(), 1u);
}

TEST_F(NoteTest, AddSignatureCosigns) {
  std::string note = Sign1(kText, signers_[0]);
  const std::string first_line = SigLines(note);
  for (size_t i = 1; i < 4; ++i) {
    auto next = AddSignature(note, signers_[i]);
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_TRUE(next->starts_with(note)) << "existing signatures must be kept in place";
    note = *next;
  }
  EXPECT_TRUE(SigLines(note).starts_with(first_line));
  auto opened = OpenNote(note, keyset_);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->verified.size(), 4u);
  // Re-signing with a key already present replaces its line (no duplicate).
  auto again = AddSignature(note, signers_[0]);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ParseNote(*again)->signatures.size(), 4u);
  EXPECT_EQ(OpenNote(*again, keyset_)->verified.size(), 4u);
  // Unknown signers' lines are preserved too.
  const NoteSigner outsider = MakeSigner("outsider.example", 9);
  auto with_outsider = AddSignature(Sign1(kText, outsider), signers_[1]);
  ASSERT_TRUE(with_outsider.ok());
  EXPECT_EQ(ParseNote(*with_outsider)->signatures.size(), 2u);
  // Malformed input is rejected, not repaired.
  EXPECT_EQ(AddSignature(kText, signers_[0]).status().reason(), "note.malformed.no_separator");
}

TEST_F(NoteTest, MergeNotes) {
  const std::string a = Sign1(kText, signers_[0]);
  auto bc = SignNote(kText, std::span<const NoteSigner>(signers_).subspan(1, 2));
  ASSERT_TRUE(bc.ok());
  auto merged = MergeNotes(a, *bc);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_TRUE(merged->starts_with(a));
  EXPECT_EQ(OpenNote(*merged, keyset_)->verified.size(), 3u);
  auto self = MergeNotes(*merged, *merged);
  ASSERT_TRUE(self.ok());
  EXPECT_EQ(*self, *merged);
  EXPECT_EQ(MergeNotes(a, Sign1("other\n", signers_[1])).status().reason(), "note.text_mismatch");
}

TEST_F(NoteTest, QuorumCounting) {
  const auto signed_by = [&](std::initializer_list<size_t> idx) {
    std::string note;
    for (size_t i : idx) {
      note = note.empty() ? Sign1(kText, signers_[i]) : *AddSignature(note, signers_[i]);
    }
    return note;
  };
  // Exactly k.
  auto ok = VerifyQuorum(signed_by({0, 2, 3}), keyset_, 3);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->verified.size(), 3u);
  EXPECT_TRUE(VerifyQuorum(signed_by({0, 1, 2, 3}), keyset_, 4).ok());
  // k - 1.
  auto short_by_one = VerifyQuorum(signed_by({0, 1}), keyset_, 3);
  EXPECT_EQ(short_by_one.status().reason(), "note.quorum_not_met");
  EXPECT_EQ(short_by_one.status().code(), Code::kVerificationFailed);
  // Duplicates of one key count once.
  const std::string a = SigLines(Sign1(kText, signers_[0]));
  const std::string b = SigLines(Sign1(kText, signers_[1]));
  EXPECT_EQ(VerifyQuorum(kText + "\n" + a + a + b + a, keyset_, 3).status().reason(),
            "note.quorum_not_met");
  // Unknown signers do not count.
  std::string with_outsiders = signed_by({0, 1});
  with_outsiders = *AddSignature(with_outsiders, MakeSigner("outsider.example", 9));
  with_outsiders = *AddSignature(with_outsiders, MakeSigner("node-c.tiezheng.example", 33));
  EXPECT_EQ(VerifyQuorum(with_outsiders, keyset_, 3).status().reason(), "note.quorum_not_met");
  EXPECT_EQ(VerifyQuorum(Sign1(kText, MakeSigner("o", 9)), keyset_, 1).status().reason(),
            "note.quorum_not_met");
  // One invalid signature by a member rejects the note even above quorum.
  const std::string good = signed_by({0, 1, 2});
  std::string forged_line = SigLines(Sign1("something else\n", signers_[3]));
  EXPECT_EQ(VerifyQuorum(good + forged_line, keyset_, 3).status().reason(), "note.bad_signature");
  // Malformed notes are rejected before counting.
  EXPECT_TRUE(IsMalformedNote(VerifyQuorum(good + "junk\n", keyset_, 1).status()));
}

TEST_F(NoteTest, QuorumArguments) {
  const std::string note = Sign1(kText, signers_[0]);
  EXPECT_EQ(VerifyQuorum(note, keyset_, 0).status().reason(), "note.bad_threshold");
  EXPECT_EQ(VerifyQuorum(note, keyset_, 5).status().reason(), "note.bad_threshold");
  EXPECT_EQ(VerifyQuorum(note, {}, 1).status().reason(), "note.bad_threshold");
  // The same public key under two names would let one member count twice.
  std::vector<NoteVerifier> dup = keyset_;
  dup.push_back(*NoteVerifier::Create("alias", keyset_[0].public_key()));
  EXPECT_EQ(VerifyQuorum(note, dup, 1).status().reason(), "note.bad_keyset");
  std::vector<NoteVerifier> twice = {keyset_[0], keyset_[0]};
  EXPECT_EQ(VerifyQuorum(note, twice, 1).status().reason(), "note.bad_keyset");
}

// ---- Malformed notes: each rejected as a whole with its reason ----

struct MalformedCase {
  const char* what;
  std::string note;
  std::string reason;
};

TEST_F(NoteTest, MalformedNotesRejected) {
  const std::string good = Sign1(kText, signers_[0]);
  const std::string line = SigLines(good);  // "— name b64\n"
  const std::string b64 = line.substr(line.rfind(' ') + 1, line.size() - line.rfind(' ') - 2);
  const std::string name = signers_[0].name();
  const std::string dash = "\u2014 ";
  std::string crlf = good;
  for (size_t p = 0; (p = crlf.find('\n', p)) != std::string::npos; p += 2) crlf.insert(p, "\r");
  std::string non_canonical = b64;
  non_canonical[non_canonical.size() - 2] ^= 1;  // sets a padding bit ("...A=" style)
  std::string too_many = kText + "\n";
  for (size_t i = 0; i <= kMaxNoteSignatures; ++i) too_many += line;
  std::string ok_many = kText + "\n";
  for (size_t i = 0; i < kMaxNoteSignatures; ++i) ok_many += line;
  ASSERT_TRUE(OpenNote(ok_many, keyset_).ok());

  const std::vector<MalformedCase> cases = {
      {"no final newline", good.substr(0, good.size() - 1), "no_final_newline"},
      {"text only", kText, "no_separator"},
      {"empty", "", "no_final_newline"},
      {"single newline", "\n", "no_separator"},
      {"no signatures", kText + "\n", "no_signatures"},
      {"blank line after signatures", good + "\n", "blank_line"},
      {"two blank lines after signatures", good + "\n\n", "blank_line"},
      {"crlf", crlf, "crlf"},
      {"crlf before separator", kText + "\r\n" + line, "crlf"},
      {"cr in text", "a\rb\n\n" + line, "control_char"},
      {"nul", "a\0b\n\n"s + line, "control_char"},
      {"tab in text", "a\tb\n\n" + line, "control_char"},
      {"escape", "\x1b[0m\n\n" + line, "control_char"},
      {"bad utf8 byte", "\xff\n\n" + line, "bad_utf8"},
      {"overlong utf8", "\xc0\xaf\n\n" + line, "bad_utf8"},
      {"surrogate", "\xed\xa0\x80\n\n" + line, "bad_utf8"},
      {"truncated utf8", kText + "\n" + dash + name + " " + b64 + "\xe2\x80\n", "bad_utf8"},
      {"above U+10FFFF", "\xf4\x90\x80\x80\n\n" + line, "bad_utf8"},
      {"too large", std::string(kMaxNoteSize, 'a') + "\n\n" + line, "too_large"},
      {"unexpected line", good + "Unexpected line.\n", "bad_signature_line"},
      {"hyphens", kText + "\n-- " + name + " " + b64 + "\n", "bad_signature_line"},
      {"en dash", kText + "\n\u2013 " + name + " " + b64 + "\n", "bad_signature_line"},
      {"no space after dash", kText + "\n\u2014" + name + " " + b64 + "\n", "bad_signature_line"},
      {"no signature", kText + "\n" + dash + name + "\n", "bad_signature_line"},
      {"empty signature", kText + "\n" + dash + name + " \n", "bad_signature_line"},
      {"empty name", kText + "\n" + dash + " " + b64 + "\n", "bad_key_name"},
      {"name with plus", kText + "\n" + dash + "a+b " + b64 + "\n", "bad_key_name"},
      {"name with nbsp", kText + "\n" + dash + "a\u00a0b " + b64 + "\n", "bad_key_name"},
      {"name with ideographic space", kText + "\n" + dash + "a\u3000b " + b64 + "\n",
       "bad_key_name"},
      {"space inside signature", kText + "\n" + dash + "Bad Name " + b64 + "\n", "bad_base64"},
      {"double space", kText + "\n" + dash + name + "  " + b64 + "\n", "bad_base64"},
      {"trailing space", kText + "\n" + dash + name + " " + b64 + " \n", "bad_base64"},
      {"non-base64", kText + "\n" + dash + name + " !!!!\n", "bad_base64"},
      {"missing padding", kText + "\n" + dash + name + " " + b64.substr(0, b64.size() - 1) + "\n",
       "bad_base64"},
      {"non-canonical base64", kText + "\n" + dash + name + " " + non_canonical + "\n",
       "bad_base64"},
      {"url-safe base64", kText + "\n" + dash + name + " ____\n", "bad_base64"},
      {"4-byte signature", kText + "\n" + dash + name + " AAAAAA==\n", "short_signature"},
      {"1-byte signature", kText + "\n" + dash + name + " AA==\n", "short_signature"},
      {"line too long",
       kText + "\n" + dash + name + " " + std::string(kMaxNoteSignatureLineSize, 'A') + "\n",
       "line_too_long"},
      {"too many signatures", too_many, "too_many_signatures"},
      {"valid then malformed", good + dash + "x\n", "bad_signature_line"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto parsed = ParseNote(c.note);
    EXPECT_EQ(parsed.status().reason(), "note.malformed." + c.reason);
    EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
    auto opened = OpenNote(c.note, keyset_);
    EXPECT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().reason(), "note.malformed." + c.reason);
    EXPECT_TRUE(IsMalformedNote(opened.status()));
    EXPECT_FALSE(VerifyQuorum(c.note, keyset_, 1).ok());
    EXPECT_FALSE(AddSignature(c.note, signers_[1]).ok());
  }
}

// Every single-byte change, deletion or insertion anywhere in a signed note
// either is rejected or leaves the verified text unchanged (a change to a
// signer's name or key ID turns that line into an unknown one).
TEST_F(NoteTest, MutationsNeverVerifyAnotherText) {
  auto note = SignNote(kText, std::span<const NoteSigner>(signers_).first(2));
  ASSERT_TRUE(note.ok());
  const auto check = [&](const std::string& m) {
    auto r = OpenNote(m, keyset_);
    if (r.ok()) {
      EXPECT_EQ(r->text, kText) << m;
    }
  };
  for (size_t i = 0; i < note->size(); ++i) {
    for (uint8_t x : {0x01, 0x20, 0x80}) {
      std::string m = *note;
      m[i] = static_cast<char>(m[i] ^ x);
      check(m);
    }
    std::string del = *note;
    del.erase(i, 1);
    check(del);
    std::string ins = *note;
    ins.insert(i, "\n");
    check(ins);
  }
}

// ---- Keys ----

TEST(NoteKeyTest, KeyNames) {
  for (std::string ok : {"a", "example.com/log42", "sum.golang.org", "住建局-节点1", "oid/1.2.3",
                         "a-b_c.d/e:f", "\xef\xbf\xbd"}) {
    EXPECT_TRUE(IsValidNoteKeyName(ok)) << ok;
  }
  for (std::string bad : {"", "a b", "a+b", "+", "a\tb", "a\nb", "a\x01b", "a\x7f", "a\u00a0b",
                          "a\u0085b", "a\u1680b", "a\u2000b", "a\u200ab", "a\u2028b", "a\u202fb",
                          "a\u205fb", "a\u3000b", "\xff", "\xc0\x80"}) {
    EXPECT_FALSE(IsValidNoteKeyName(bad)) << bad;
  }
  EXPECT_TRUE(IsValidNoteKeyName(std::string(kMaxNoteKeyNameSize, 'n')));
  EXPECT_FALSE(IsValidNoteKeyName(std::string(kMaxNoteKeyNameSize + 1, 'n')));
}

TEST(NoteKeyTest, VerifierKeyRoundTripAndKeyId) {
  const NoteSigner s = MakeSigner("example.com/log", 5);
  const std::string vkey = s.verifier().ToString();
  auto v = NoteVerifier::Parse(vkey);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, s.verifier());
  // key ID = SHA-256(name || 0x0A || 0x01 || pubkey)[:4]
  Bytes pre(s.name().begin(), s.name().end());
  pre.push_back('\n');
  pre.push_back(0x01);
  const Bytes& pk = s.verifier().public_key().bytes();
  pre.insert(pre.end(), pk.begin(), pk.end());
  const Digest d = Sha256(pre);
  const uint32_t want = (uint32_t{d.data()[0]} << 24) | (uint32_t{d.data()[1]} << 16) |
                        (uint32_t{d.data()[2]} << 8) | d.data()[3];
  EXPECT_EQ(s.key_id(), want);
  EXPECT_EQ(NoteKeyId(s.name(), s.verifier().public_key()), want);

  auto back = NoteSigner::Parse(s.ToSecretString());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->verifier(), s.verifier());
  EXPECT_TRUE(s.ToSecretString().starts_with("PRIVATE+KEY+example.com/log+"));
}

// A vkey with arbitrary key bytes and a matching key ID, to reach the checks
// behind the key ID check.
std::string VkeyWithKeyBytes(const std::string& name, const Bytes& typed) {
  Bytes pre(name.begin(), name.end());
  pre.push_back('\n');
  pre.insert(pre.end(), typed.begin(), typed.end());
  const Digest d = Sha256(pre);
  return name + "+" + HexEncode(ByteSpan(d.data(), 4)) + "+" + Base64Encode(typed);
}

TEST(NoteKeyTest, TruncatedAndOversizedKeysRejected) {
  const NoteSigner s = MakeSigner("example.com/log", 5);
  Bytes typed = {0x01};
  const Bytes& pk = s.verifier().public_key().bytes();
  typed.insert(typed.end(), pk.begin(), pk.end());
  ASSERT_TRUE(NoteVerifier::Parse(VkeyWithKeyBytes("example.com/log", typed)).ok());

  Bytes truncated(typed.begin(), typed.end() - 1);
  Bytes oversized = typed;
  oversized.push_back(0);
  EXPECT_EQ(NoteVerifier::Parse(VkeyWithKeyBytes("example.com/log", truncated)).status().reason(),
            "note.bad_vkey");
  EXPECT_EQ(NoteVerifier::Parse(VkeyWithKeyBytes("example.com/log", oversized)).status().reason(),
            "note.bad_vkey");
  EXPECT_EQ(NoteVerifier::Parse(VkeyWithKeyBytes("example.com/log", {0x01})).status().reason(),
            "note.bad_vkey");
  Bytes unknown_type = typed;
  unknown_type[0] = 0x02;
  EXPECT_EQ(
      NoteVerifier::Parse(VkeyWithKeyBytes("example.com/log", unknown_type)).status().reason(),
      "note.unknown_key_type");
  Bytes bare_ff = {0xff};
  bare_ff.insert(bare_ff.end(), pk.begin(), pk.end());
  EXPECT_EQ(NoteVerifier::Parse(VkeyWithKeyBytes("example.com/log", bare_ff)).status().reason(),
            "note.unknown_key_type");

  // Wrong key ID, uppercase hex, missing parts, bad names.
  const std::string vkey = s.verifier().ToString();
  const size_t key_at = vkey.find('+', vkey.find('+') + 1);
  std::string wrong_id = vkey;
  wrong_id[wrong_id.find('+') + 1] = wrong_id[wrong_id.find('+') + 1] == '0' ? '1' : '0';
  EXPECT_EQ(NoteVerifier::Parse(wrong_id).status().reason(), "note.bad_vkey_id");
  for (std::string bad : {std::string(""), std::string("example.com/log"), vkey.substr(0, key_at),
                          vkey.substr(0, key_at + 1), "a b" + vkey.substr(vkey.find('+'))}) {
    EXPECT_EQ(NoteVerifier::Parse(bad).status().reason(), "note.bad_vkey") << bad;
  }

  // Signatures of the wrong length from a known key are bad signatures.
  EXPECT_EQ(s.verifier().Verify("x\n", Bytes(63, 0)).reason(), "note.bad_signature");
  EXPECT_EQ(s.verifier().Verify("x\n", Bytes(65, 0)).reason(), "note.bad_signature");
  const std::string note = Sign1(kText, s);
  std::string line = SigLines(note);
  Bytes raw = *Base64Decode(line.substr(line.rfind(' ') + 1, line.size() - line.rfind(' ') - 2));
  raw.pop_back();
  const std::string short_note = kText + "\n\u2014 " + s.name() + " " + Base64Encode(raw) + "\n";
  const std::vector<NoteVerifier> known = {s.verifier()};
  EXPECT_EQ(ReasonOf(short_note, known), "note.bad_signature");
}

TEST(NoteKeyTest, CreateRejectsBadInput) {
  EXPECT_EQ(NoteVerifier::Create("a b", PublicKey()).status().reason(), "note.bad_key_name");
  EXPECT_EQ(NoteVerifier::Create("ok", PublicKey()).status().reason(), "note.bad_key");
  EXPECT_EQ(NoteSigner::Create("ok", SecretKey()).status().reason(), "note.bad_key");
  auto sk = SecretKey::FromBytes(SignatureAlgorithm::kEd25519, Bytes(32, 1));
  ASSERT_TRUE(sk.ok());
  EXPECT_EQ(NoteSigner::Create("a+b", std::move(sk).value()).status().reason(),
            "note.bad_key_name");
  EXPECT_EQ(NoteSigner::Parse("PRIVATE+KEY+x").status().reason(), "note.bad_skey");
  EXPECT_EQ(NoteSigner::Parse("x+00000000+AA==").status().reason(), "note.bad_skey");
}

// ---- gm suite: SM2 under the non-standard 0xff key type ----

TEST(NoteGmTest, Sm2NotesSignAndVerify) {
  KeyPair kp = GenerateKeyPair(SignatureAlgorithm::kSm2);
  auto s = NoteSigner::Create("gm-node.tiezheng.example", std::move(kp.secret_key));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const std::string vkey = s->verifier().ToString();
  const size_t key_at = vkey.find('+', vkey.find('+') + 1) + 1;  // base64 may hold '+'
  auto typed = Base64Decode(vkey.substr(key_at));
  ASSERT_TRUE(typed.ok());
  ASSERT_EQ(typed->size(), 1 + kNoteGmTypeIdentifier.size() + 65);
  EXPECT_EQ((*typed)[0], 0xff);
  EXPECT_EQ(AsString(ByteSpan(*typed).subspan(1, kNoteGmTypeIdentifier.size())),
            kNoteGmTypeIdentifier);
  auto v = NoteVerifier::Parse(vkey);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->public_key().algorithm(), SignatureAlgorithm::kSm2);

  auto note = SignNote(kText, *s);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  const std::vector<NoteVerifier> known = {*v};
  EXPECT_TRUE(OpenNote(*note, known).ok());
  EXPECT_EQ(ReasonOf("other\n\n" + SigLines(*note), known), "note.bad_signature");
  auto back = NoteSigner::Parse(s->ToSecretString());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->verifier(), *v);

  // Mixed suites on one note: an Ed25519 verifier ignores the SM2 line.
  const NoteSigner ed = MakeSigner("ed-node", 8);
  auto both = AddSignature(*note, ed);
  ASSERT_TRUE(both.ok());
  const std::vector<NoteVerifier> ed_only = {ed.verifier()};
  auto opened = OpenNote(*both, ed_only);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->unverified.size(), 1u);
}

}  // namespace
}  // namespace tz::log
