// Interoperability: known-answer vectors produced by other implementations.
//
//  * golang.org/x/mod/sumdb/note (note.go doc example, note_test.go): the
//    "PeterNeumann" signer/verifier keys and signed note, the "EnochRoot"
//    verifier key and cosignature, and the malformed notes Go rejects.
//  * Real signed tree heads of sum.golang.org (Go's checksum database, the
//    first production user of signed notes), as quoted in public write-ups,
//    with the sum.golang.org verifier key built into the go command.
//  * The examples of c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "log/checkpoint.h"
#include "log/note.h"

namespace tz::log {
namespace {

const char kPeterSkey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const char kPeterVkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const char kEnochVkey[] = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const char kGoText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
const char kPeterSig[] =
    "\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const char kEnochSig[] =
    "\u2014 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

NoteVerifier V(const char* vkey) {
  auto v = NoteVerifier::Parse(vkey);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return *v;
}

TEST(GoNoteVectors, SignerKeyReproducesGoSignature) {
  auto signer = NoteSigner::Parse(kPeterSkey);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(signer->name(), "PeterNeumann");
  EXPECT_EQ(signer->key_id(), 0xc74f20a3u);
  EXPECT_EQ(signer->verifier().ToString(), kPeterVkey);
  EXPECT_EQ(signer->ToSecretString(), kPeterSkey);

  auto note = SignNote(kGoText, *signer);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(*note, std::string(kGoText) + "\n" + kPeterSig);  // byte for byte

  // Go's Sign: re-signing replaces the signer's existing line.
  auto again = AddSignature(*note, *signer);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *note);
}

TEST(GoNoteVectors, VerifierKeys) {
  const NoteVerifier peter = V(kPeterVkey);
  EXPECT_EQ(peter.name(), "PeterNeumann");
  EXPECT_EQ(peter.key_id(), 0xc74f20a3u);
  EXPECT_EQ(peter.ToString(), kPeterVkey);
  EXPECT_EQ(NoteKeyId("PeterNeumann", peter.public_key()), 0xc74f20a3u);
  EXPECT_EQ(V(kEnochVkey).key_id(), 0xaf0cfe78u);

  // Go's TestNewVerifier: every proper substring and every single-byte
  // increment of the vkey must be rejected.
  const std::string vkey = kPeterVkey;
  for (size_t i = 0; i <= vkey.size(); ++i) {
    for (size_t j = i + 1; j <= vkey.size(); ++j) {
      if (i == 0 && j == vkey.size()) continue;
      EXPECT_FALSE(NoteVerifier::Parse(vkey.substr(i, j - i)).ok()) << vkey.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < vkey.size(); ++i) {
    std::string b = vkey;
    ++b[i];
    EXPECT_FALSE(NoteVerifier::Parse(b).ok()) << b;
  }
  // Wrong key length and unknown algorithm, each with an adjusted key hash.
  EXPECT_FALSE(NoteVerifier::Parse("PeterNeumann+cc469956+"
                                   "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
                   .ok());
  EXPECT_EQ(
      NoteVerifier::Parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .status()
          .reason(),
      "note.unknown_key_type");
}

TEST(GoNoteVectors, SignerKeyManglingsRejected) {
  const std::string skey = kPeterSkey;
  for (size_t i = 0; i <= skey.size(); ++i) {
    for (size_t j = i + 1; j <= skey.size(); ++j) {
      if (i == 0 && j == skey.size()) continue;
      EXPECT_FALSE(NoteSigner::Parse(skey.substr(i, j - i)).ok()) << skey.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < skey.size(); ++i) {
    std::string b = skey;
    ++b[i];
    EXPECT_FALSE(NoteSigner::Parse(b).ok()) << b;
  }
}

TEST(GoNoteVectors, Open) {
  const std::string text = kGoText;
  const std::vector<NoteVerifier> peter_only = {V(kPeterVkey)};
  const std::vector<NoteVerifier> both = {V(kPeterVkey), V(kEnochVkey)};
  const std::string msg = text + "\n" + kPeterSig + kEnochSig;

  auto n = OpenNote(msg, peter_only);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->text, text);
  ASSERT_EQ(n->verified.size(), 1u);
  EXPECT_EQ(n->verified[0].name, "PeterNeumann");
  EXPECT_EQ(n->verified[0].key_id, 0xc74f20a3u);
  ASSERT_EQ(n->unverified.size(), 1u);
  EXPECT_EQ(n->unverified[0].name, "EnochRoot");
  EXPECT_EQ(n->unverified[0].key_id, 0xaf0cfe78u);

  n = OpenNote(msg, both);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_EQ(n->verified.size(), 2u);
  EXPECT_EQ(n->verified[1].name, "EnochRoot");
  EXPECT_TRUE(VerifyQuorum(msg, both, 2).ok());

  EXPECT_EQ(OpenNote(msg, {}).status().reason(), "note.unverified");

  // Identical verifiers listed twice are one key, not an ambiguity.
  const std::vector<NoteVerifier> dup = {V(kEnochVkey), V(kPeterVkey), V(kEnochVkey)};
  EXPECT_TRUE(OpenNote(text + "\n" + kEnochSig, dup).ok());

  // Too many signatures.
  std::string many = text + "\n";
  for (int i = 0; i < 101; ++i) many += kPeterSig;
  EXPECT_EQ(OpenNote(many, peter_only).status().reason(), "note.malformed.too_many_signatures");
  EXPECT_EQ(OpenNote(many, {}).status().reason(), "note.malformed.too_many_signatures");

  // Invalid signature: "ABCD" spliced into Peter's.
  const std::string peter_sig = kPeterSig;
  const std::string bad = peter_sig.substr(0, 60) + "ABCD" + peter_sig.substr(60);
  EXPECT_EQ(OpenNote(text + "\n" + bad, peter_only).status().reason(), "note.bad_signature");

  // Duplicated verified and unverified signatures.
  const std::string enoch_sig = kEnochSig;
  const std::string enoch_abcd = enoch_sig.substr(0, 60) + "ABCD" + enoch_sig.substr(60);
  n = OpenNote(text + "\n" + kPeterSig + kPeterSig + kEnochSig + kEnochSig + enoch_abcd,
               peter_only);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->verified.size(), 1u);
  ASSERT_EQ(n->unverified.size(), 2u);
  EXPECT_EQ(n->unverified[1].Line(), enoch_abcd);

  // Go's malformed messages.
  const std::string bad_msgs[] = {
      text,
      text + "\n",
      text + "\n" + peter_sig.substr(0, peter_sig.size() - 1),
      "\x01" + text + "\n" + peter_sig,
      "\xff" + text + "\n" + peter_sig,
      text + "\n" + "\u2014 Bad Name " + peter_sig.substr(peter_sig.rfind(' ') + 1),
      text + "\n" + peter_sig + "Unexpected line.\n",
  };
  for (const std::string& m : bad_msgs) {
    auto r = OpenNote(m, peter_only);
    EXPECT_TRUE(IsMalformedNote(r.status())) << m << "\n" << r.status().ToString();
  }
}

// sum.golang.org's verifier key, as built into the go command.
const char kSumdbVkey[] = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

struct SumdbTreeHead {
  uint64_t size;
  const char* root;
  const char* sig;
};

// Signed tree heads served by sum.golang.org (from /latest and /lookup
// responses quoted in public posts), each a tlog-checkpoint with origin
// "go.sum database tree".
const SumdbTreeHead kSumdbHeads[] = {
    {445646, "jEFFy4AtYgBBNTSZTiNnQrgQqMbcH0mfO2oP2FxR9VU=",
     "Az3grkGho/"
     "PqvUmEuTv6+r2g303hUhu60FOD6vLpm19mBwH9UjquWY2OKxNmZ55z0gHrp24AgPC3Q5WO7uZrVdvdCQU="},
    {3784599, "7uvxIZ67TZygcq/AehTD8iHYt81Ih+Zl2Y7vXZbfszQ=",
     "Az3grn972wXskjQrsZhVGc93fTU2uOsmSTiId1Wn1lxDCup5z4ggl1/4gaUqOkMa6cMbYvjB7hn7yemNr7Zqanol/"
     "go="},
    {10680630, "k1UQFwFXWQa7MF1BREWVQxIhScvUdgRepXuyRS3sRuE=",
     "Az3grqgyWctiMcdUtITQpkGSxEoEvbaAq7J3FpbaVlW1Zo47LX/jmeeE7LiBktpmR2d/1RsdocLU9HMXYXxHCVyf/"
     "AQ="},
    {15368405, "/g9am3I6YWNKaZX/jkne1fqd9zEyjss+JXyPXG0WfkY=",
     "Az3grqJGUaSGukG9p8nI2vKgiFn7qGHxn0W+mrwyI6Gz3F0t1J3LzmWk/"
     "p96Ybf295EjwdSwlzgijq5WA9d1Ded7owM="},
    {19238995, "rYNqIZewerbOSOnMYPyCJKxl86UaEBZ1mrEpfiAQhcs=",
     "Az3grut2xBvodM8V9oOPG46SgC7w8BqMN9z5tsbaN9nTEEIPNjhvYZJ4aQOzCy8qW2LEaJBANgKjGlfW42nf3DmtVwc"
     "="},
    {59045944, "LE6Lx+GNVyuFBv/jKcFIiPkG1WC7DHwG0clpfN/TBlA=",
     "Az3grk9ctaTv+CITXOwxCEHU3APAw5X7Ck14+fvFlh0GCktwX15+XPzy//"
     "GgL2G50ZgY05e8eXFTWcvW6pN5tozsLQQ="},
    {63096908, "8lHrQPRYe4KT4WQ9/Qk8/taKnD6IRHbFgfN7vQE2Y54=",
     "Az3gri/oVBN1jAhNZ/iS+W31psFAWRT20/GyrhpU6taFwulQGetBkH5S7wpGXdS935jiIGiUUAXBVHzT/"
     "P6fYhqAmAk="},
    {63512409, "F7eHRPqN/cqPtqti14NKdGGaI1Giw8coWP3KxihFZbg=",
     "Az3gri1OBHKT87Xj8UXU8zjoHGy/X+7Nl94f8TZkELVaasolmGApUsWqwVG9vE6hgqYb/ph/w2vdkLIVRH7bMB/"
     "FPQ4="},
};

TEST(SumdbVectors, RealCheckpointsVerify) {
  const NoteVerifier sumdb = V(kSumdbVkey);
  EXPECT_EQ(sumdb.key_id(), 0x033de0aeu);
  const std::vector<NoteVerifier> known = {sumdb};
  for (const auto& h : kSumdbHeads) {
    const std::string body =
        "go.sum database tree\n" + std::to_string(h.size) + "\n" + h.root + "\n";
    const std::string note = body + "\n\u2014 sum.golang.org " + h.sig + "\n";
    SCOPED_TRACE(note);
    auto cp = OpenCheckpoint(note, known, "go.sum database tree");
    ASSERT_TRUE(cp.ok()) << cp.status().ToString();
    EXPECT_EQ(cp->checkpoint.size, h.size);
    EXPECT_EQ(Base64Encode(cp->checkpoint.root_hash.span()), h.root);
    EXPECT_FALSE(cp->checkpoint.block.has_value());
    EXPECT_EQ(cp->checkpoint.Body(), body);
    ASSERT_EQ(cp->verified.size(), 1u);
    EXPECT_TRUE(VerifyCertifiedCheckpoint(note, known, 1).ok());

    // The same signature over a neighbouring size does not verify.
    const std::string moved = "go.sum database tree\n" + std::to_string(h.size + 1) + "\n" +
                              h.root + "\n\n\u2014 sum.golang.org " + h.sig + "\n";
    EXPECT_EQ(OpenCheckpoint(moved, known).status().reason(), "note.bad_signature");
  }
}

// c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature examples. Their keys
// are not published, so they check syntax and that unknown keys (including
// a 0x04 timestamped cosignature) are ignored rather than rejected.
TEST(C2spVectors, SpecExamplesParse) {
  const std::string body =
      "example.com/behind-the-sofa\n"
      "20852163\n"
      "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  const std::string log_sig =
      "\u2014 example.com/behind-the-sofa "
      "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
      "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
  const std::string witness_sig =
      "\u2014 witness.example.com/w1 "
      "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/"
      "zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
  const std::string note = body + "\n" + log_sig + witness_sig;

  auto parsed = ParseNote(note);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->text, body);
  ASSERT_EQ(parsed->signatures.size(), 2u);
  EXPECT_EQ(parsed->signatures[1].name, "witness.example.com/w1");
  EXPECT_EQ(parsed->Format(), note);

  auto cp = Checkpoint::Parse(parsed->text);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(cp->size, 20852163u);
  EXPECT_EQ(cp->Body(), body);

  // Our own signature added to the spec's note; theirs stay, unknown.
  Bytes seed(32, 7);
  auto sk = SecretKey::FromBytes(SignatureAlgorithm::kEd25519, seed);
  ASSERT_TRUE(sk.ok());
  auto me = NoteSigner::Create("node-a.tiezheng.example", std::move(sk).value());
  ASSERT_TRUE(me.ok());
  auto cosigned = AddSignature(note, *me);
  ASSERT_TRUE(cosigned.ok());
  EXPECT_TRUE(cosigned->starts_with(note));
  const std::vector<NoteVerifier> known = {me->verifier()};
  auto opened = OpenCheckpoint(*cosigned, known, "example.com/behind-the-sofa");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(OpenNote(*cosigned, known)->unverified.size(), 2u);

  // The signed-note spec's example.
  const std::string poem =
      "Ognuno sta solo sul cuor della terra\n"
      "trafitto da un raggio di sole:\n"
      "\n"
      "ed \u00e8 subito sera.\n"
      "\n"
      "\u2014 quasimodo.example/salvatore "
      "NnugSzTjtVAewIS+Z/iJhUPeFDkO/"
      "5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
  auto p = ParseNote(poem);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->text,
            "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned \u00e8 "
            "subito sera.\n");
}

}  // namespace
}  // namespace tz::log
