#include "crypto/keyfile.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "crypto/encoding.h"
#include "crypto/suite.h"

namespace tz {
namespace {

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tz_keyfile_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Writes `text` as a key file with the given mode.
  std::string Put(const std::string& name, const std::string& text, mode_t mode = 0600) {
    std::string p = Path(name);
    std::ofstream(p, std::ios::binary) << text;
    chmod(p.c_str(), mode);
    return p;
  }

  std::string dir_;
};

NamedKeyPair MakeKey(SignatureAlgorithm alg, std::string name = "住建局-node1") {
  return NamedKeyPair{std::move(name), GenerateKeyPair(alg)};
}

TEST_F(KeyFileTest, RoundTripBothAlgorithms) {
  for (auto alg : {SignatureAlgorithm::kEd25519, SignatureAlgorithm::kSm2}) {
    NamedKeyPair k = MakeKey(alg);
    std::string path = Path(std::string(SignatureName(alg)) + ".key");
    ASSERT_TRUE(WriteKeyFile(path, k).ok());
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    std::string text = Slurp(path);
    std::string want =
        "tiezheng-key v1\nname: 住建局-node1\nalgorithm: " + std::string(SignatureName(alg)) +
        "\npublic: " + Base64Encode(k.keys.public_key.bytes()) +
        "\nsecret: " + Base64Encode(k.keys.secret_key.bytes()) + "\n";
    EXPECT_EQ(text, want);

    auto back = ReadKeyFile(path);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->name, k.name);
    EXPECT_EQ(back->keys.public_key, k.keys.public_key);
    auto sig = Sign(back->keys.secret_key, AsBytes("m"));
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(Verify(k.keys.public_key, AsBytes("m"), *sig).ok());

    std::string pub_path = path + ".pub";
    ASSERT_TRUE(WritePublicKeyFile(pub_path, {k.name, k.keys.public_key}).ok());
    auto pub = ReadPublicKeyFile(pub_path);
    ASSERT_TRUE(pub.ok()) << pub.status().ToString();
    EXPECT_EQ(pub->key, k.keys.public_key);
    EXPECT_EQ(pub->name, k.name);
    // The public reader also accepts the secret file.
    auto pub2 = ReadPublicKeyFile(path);
    ASSERT_TRUE(pub2.ok());
    EXPECT_EQ(pub2->key, k.keys.public_key);
    // A public file is not a secret key file.
    EXPECT_EQ(ReadKeyFile(pub_path).status().reason(), "keyfile.no_secret");
  }
}

TEST_F(KeyFileTest, RefusesToOverwrite) {
  std::string path = Path("k");
  ASSERT_TRUE(WriteKeyFile(path, MakeKey(SignatureAlgorithm::kEd25519)).ok());
  std::string before = Slurp(path);
  Status s = WriteKeyFile(path, MakeKey(SignatureAlgorithm::kEd25519));
  EXPECT_EQ(s.reason(), "keyfile.exists");
  EXPECT_EQ(s.code(), Code::kAlreadyExists);
  EXPECT_EQ(Slurp(path), before);
  // No temporary files are left behind.
  EXPECT_EQ(std::system(("test $(ls " + dir_ + " | wc -l) -eq 1").c_str()), 0);
}

TEST_F(KeyFileTest, RejectsGroupOrOtherReadableSecret) {
  std::string path = Path("k");
  ASSERT_TRUE(WriteKeyFile(path, MakeKey(SignatureAlgorithm::kEd25519)).ok());
  for (mode_t mode : {0644, 0640, 0604, 0660, 0601}) {
    chmod(path.c_str(), mode);
    auto r = ReadKeyFile(path);
    EXPECT_EQ(r.status().reason(), "keyfile.permissions") << std::oct << mode;
    EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
    EXPECT_TRUE(ReadPublicKeyFile(path).ok());  // the public part is public
  }
  chmod(path.c_str(), 0400);
  EXPECT_TRUE(ReadKeyFile(path).ok());
}

TEST_F(KeyFileTest, MissingFileAndDirectory) {
  EXPECT_EQ(ReadKeyFile(Path("nope")).status().reason(), "keyfile.open");
  EXPECT_EQ(ReadKeyFile(Path("nope")).status().code(), Code::kNotFound);
  chmod(dir_.c_str(), 0700);
  EXPECT_EQ(ReadPublicKeyFile(dir_).status().reason(), "keyfile.not_regular");
  EXPECT_EQ(WriteKeyFile(Path("no/such/dir/k"), MakeKey(SignatureAlgorithm::kEd25519)).reason(),
            "keyfile.write");
}

TEST_F(KeyFileTest, RejectsMalformedFiles) {
  NamedKeyPair k = MakeKey(SignatureAlgorithm::kEd25519, "node1");
  NamedKeyPair other = MakeKey(SignatureAlgorithm::kEd25519, "node1");
  const std::string pub = Base64Encode(k.keys.public_key.bytes());
  const std::string sec = Base64Encode(k.keys.secret_key.bytes());
  const std::string head = "tiezheng-key v1\n";
  const std::string name = "name: node1\n", alg = "algorithm: ed25519\n";
  const std::string publ = "public: " + pub + "\n", secl = "secret: " + sec + "\n";
  const std::string good = head + name + alg + publ + secl;
  ASSERT_TRUE(ReadKeyFile(Put("good", good)).ok());

  const std::pair<std::string, std::string> kCases[] = {
      {"", "keyfile.truncated"},
      {good.substr(0, good.size() - 1), "keyfile.truncated"},
      {good.substr(0, good.size() - 10), "keyfile.truncated"},
      {head + name + alg, "keyfile.missing_field"},
      {head + name + alg + publ, "keyfile.no_secret"},
      {head + name + publ + secl, "keyfile.unexpected_line"},
      {head + alg + name + publ + secl, "keyfile.unexpected_line"},
      {head + name + name + alg + publ + secl, "keyfile.duplicate_field"},
      {head + name + alg + publ + publ + secl, "keyfile.duplicate_field"},
      {good + secl, "keyfile.duplicate_field"},
      {good + "comment: hi\n", "keyfile.unexpected_line"},
      {good + "\n", "keyfile.unexpected_line"},
      {"\n" + good, "keyfile.bad_header"},
      {"tiezheng-key v2\n" + name + alg + publ + secl, "keyfile.bad_header"},
      {"tiezheng-key v1 \n" + name + alg + publ + secl, "keyfile.bad_header"},
      {"tiezheng-key v1\r\nname: node1\r\nalgorithm: ed25519\r\npublic: " + pub +
           "\r\nsecret: " + sec + "\r\n",
       "keyfile.bad_line_ending"},
      {head + "name:node1\n" + alg + publ + secl, "keyfile.unexpected_line"},
      {head + "name:  node1\n" + alg + publ + secl, "keyfile.bad_name"},
      {head + "name: node1 \n" + alg + publ + secl, "keyfile.bad_name"},
      {head + "name: \n" + alg + publ + secl, "keyfile.bad_name"},
      {head + "name: a+b\n" + alg + publ + secl, "keyfile.bad_name"},
      {head + name + "algorithm: Ed25519\n" + publ + secl, "keyfile.bad_algorithm"},
      {head + name + "algorithm: rsa\n" + publ + secl, "keyfile.bad_algorithm"},
      {head + name + "algorithm: sm2\n" + publ + secl, "keyfile.bad_key"},
      {head + name + alg + "public: " + pub.substr(0, pub.size() - 1) + "\n" + secl,
       "keyfile.bad_base64"},
      {head + name + alg + "public: " + pub + " \n" + secl, "keyfile.bad_base64"},
      {head + name + alg + "public: " + Base64Encode(Bytes(31, 1)) + "\n" + secl,
       "keyfile.bad_key"},
      {head + name + alg + publ + "secret: " + Base64Encode(Bytes(33, 1)) + "\n",
       "keyfile.bad_key"},
      {head + name + alg + publ + "secret: " + sec + "=\n", "keyfile.bad_base64"},
      {head + name + alg + publ + "secret: " + Base64Encode(other.keys.secret_key.bytes()) + "\n",
       "keyfile.key_mismatch"},
      {std::string(70000, 'a'), "keyfile.too_large"},
  };
  int i = 0;
  for (const auto& [text, reason] : kCases) {
    auto r = ReadKeyFile(Put("case" + std::to_string(i++), text));
    EXPECT_EQ(r.status().reason(), reason) << "case " << i - 1 << ":\n" << text;
    EXPECT_NE(r.status().code(), Code::kOk);
  }
}

TEST_F(KeyFileTest, WriteValidatesNameAndKeys) {
  NamedKeyPair k = MakeKey(SignatureAlgorithm::kEd25519, "has space");
  EXPECT_EQ(WriteKeyFile(Path("a"), k).reason(), "keyfile.bad_name");
  NamedKeyPair mismatched{"n", GenerateKeyPair(SignatureAlgorithm::kEd25519)};
  mismatched.keys.public_key = GenerateKeyPair(SignatureAlgorithm::kEd25519).public_key;
  EXPECT_EQ(WriteKeyFile(Path("b"), mismatched).reason(), "keyfile.key_mismatch");
  EXPECT_EQ(WritePublicKeyFile(Path("c"), {"n", PublicKey()}).reason(), "keyfile.bad_key");
  EXPECT_NE(access(Path("a").c_str(), F_OK), 0);
  EXPECT_NE(access(Path("b").c_str(), F_OK), 0);
}

TEST(KeyName, Validation) {
  EXPECT_TRUE(ValidateKeyName("example.com/log").ok());
  EXPECT_TRUE(ValidateKeyName("福州市住建局").ok());
  const std::string kBad[] = {
      "", "a b", "a\tb", "a\nb", "a+b", std::string(257, 'x'), std::string("a\x7f", 2)};
  for (const std::string& bad : kBad) {
    EXPECT_EQ(ValidateKeyName(bad).reason(), "keyfile.bad_name") << bad;
  }
}

// The example key pair in the C2SP signed-note specification / Go's
// golang.org/x/mod/sumdb/note documentation.
TEST(SignedNote, VerifierKeyMatchesSpecExample) {
  auto skey = Base64Decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
  ASSERT_TRUE(skey.ok());
  ASSERT_EQ(skey->size(), 33u);
  auto sk = SecretKey::FromBytes(SignatureAlgorithm::kEd25519,
                                 ByteSpan(skey->data() + 1, skey->size() - 1));
  ASSERT_TRUE(sk.ok());
  auto vkey = SignedNoteVerifierKey("PeterNeumann", *DerivePublicKey(*sk));
  ASSERT_TRUE(vkey.ok()) << vkey.status().ToString();
  EXPECT_EQ(*vkey, "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  EXPECT_EQ(SignedNoteVerifierKey("a+b", *DerivePublicKey(*sk)).status().reason(),
            "keyfile.bad_name");
  KeyPair sm2 = GenerateKeyPair(SignatureAlgorithm::kSm2);
  EXPECT_EQ(SignedNoteVerifierKey("x", sm2.public_key).status().reason(), "key.wrong_algorithm");
}

TEST(Suite, IntlAndGm) {
  CryptoSuite intl = CryptoSuite::Intl();
  EXPECT_EQ(intl.name, "intl");
  EXPECT_EQ(intl.hash, HashAlgorithm::kSha256);
  EXPECT_EQ(intl.signature, SignatureAlgorithm::kEd25519);
  EXPECT_EQ(intl.aead, AeadAlgorithm::kXChaCha20Poly1305);
  CryptoSuite gm = CryptoSuite::Gm();
  EXPECT_EQ(gm.hash, HashAlgorithm::kSm3);
  EXPECT_EQ(gm.signature, SignatureAlgorithm::kSm2);
  EXPECT_EQ(gm.aead, AeadAlgorithm::kSm4Gcm);
  EXPECT_EQ(*CryptoSuite::Parse("gm"), gm);
  EXPECT_EQ(*CryptoSuite::Parse("intl"), intl);
  EXPECT_EQ(CryptoSuite::Parse("GM").status().reason(), "suite.unknown");
  EXPECT_EQ(CryptoSuite::Parse("").status().reason(), "suite.unknown");
}

}  // namespace
}  // namespace tz
