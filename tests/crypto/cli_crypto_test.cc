// The `tiezheng hash` and `tiezheng keygen` commands, run as a user would.
// Skipped when the tiezheng binary has not been built.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "crypto/encoding.h"
#include "crypto/keyfile.h"
#include "crypto/random.h"

namespace tz {
namespace {

struct Proc {
  int exit_code = -1;
  std::string out;
};

// Runs a shell command line, capturing stdout.
Proc Sh(const std::string& cmd) {
  Proc r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class CliCryptoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(TZ_BINARY, X_OK) != 0) GTEST_SKIP() << "tiezheng binary not built";
    char tmpl[] = "/tmp/tz_cli_crypto_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf " + Quote(dir_)).c_str());
  }
  std::string Put(const std::string& name, const Bytes& data) {
    std::string p = dir_ + "/" + name;
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(data.data()),
               static_cast<std::streamsize>(data.size()));
    return p;
  }
  std::string Tz(const std::string& args) { return std::string(TZ_BINARY) + " " + args; }
  std::string dir_;
};

TEST_F(CliCryptoTest, HashOutputEqualsSha256sumByteForByte) {
  if (Sh("command -v sha256sum").exit_code != 0) GTEST_SKIP() << "no sha256sum";
  Put("empty", {});
  Put("small.txt", Bytes{'a', 'b', 'c'});
  Put("with space.bin", RandomBytes(100000));
  Put("移交资料 图纸.pdf", RandomBytes(3 * (1 << 20) + 17));
  Put("back\\slash", RandomBytes(10));
  const std::string files = "empty small.txt 'with space.bin' '移交资料 图纸.pdf' 'back\\slash'";
  const std::string cd = "cd " + Quote(dir_) + " && ";
  Proc ours = Sh(cd + Tz("hash " + files));
  Proc theirs = Sh(cd + "sha256sum " + files);
  EXPECT_EQ(ours.exit_code, 0);
  ASSERT_EQ(theirs.exit_code, 0);
  EXPECT_EQ(ours.out, theirs.out);
  // Explicit --algo sha256, and absolute paths.
  Proc abs_ours = Sh(Tz("hash --algo sha256 " + Quote(dir_ + "/small.txt")));
  Proc abs_theirs = Sh("sha256sum " + Quote(dir_ + "/small.txt"));
  EXPECT_EQ(abs_ours.out, abs_theirs.out);
  // Standard input, as "-" and with no file at all.
  Proc stdin_ours = Sh("printf abc | " + Tz("hash -"));
  EXPECT_EQ(stdin_ours.out, Sh("printf abc | sha256sum -").out);
  EXPECT_EQ(Sh("printf abc | " + Tz("hash")).out, Sh("printf abc | sha256sum").out);
}

TEST_F(CliCryptoTest, HashSm3AndErrors) {
  Put("abc", Bytes{'a', 'b', 'c'});
  Proc r = Sh("cd " + Quote(dir_) + " && " + Tz("hash --algo sm3 abc"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0  abc\n");
  // A missing file is reported, the others are still hashed, exit code 3.
  Proc missing = Sh("cd " + Quote(dir_) + " && " + Tz("hash nope abc 2>/dev/null"));
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_EQ(missing.out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc\n");
  EXPECT_EQ(Sh(Tz("hash --algo md5 x 2>/dev/null")).exit_code, 2);
  EXPECT_EQ(Sh(Tz("hash --bogus 2>/dev/null")).exit_code, 2);
  Proc help = Sh(Tz("hash --help"));
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Usage: tiezheng hash"), std::string::npos);
}

TEST_F(CliCryptoTest, KeygenEd25519) {
  const std::string key = dir_ + "/node1.key";
  Proc r = Sh(Tz("keygen --name zjj.fuzhou/node1 -o " + Quote(key) + " 2>/dev/null"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto sk = ReadKeyFile(key);
  ASSERT_TRUE(sk.ok()) << sk.status().ToString();
  EXPECT_EQ(sk->name, "zjj.fuzhou/node1");
  EXPECT_EQ(sk->keys.public_key.algorithm(), SignatureAlgorithm::kEd25519);
  struct stat st;
  ASSERT_EQ(stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto pub = ReadPublicKeyFile(key + ".pub");
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->key, sk->keys.public_key);
  std::string vkey = *SignedNoteVerifierKey("zjj.fuzhou/node1", pub->key);
  EXPECT_EQ(r.out, "name: zjj.fuzhou/node1\nalgorithm: ed25519\npublic: " +
                       Base64Encode(pub->key.bytes()) + "\nverifier: " + vkey + "\n");
  // Refuses to overwrite; exit code 3.
  EXPECT_EQ(Sh(Tz("keygen --name n -o " + Quote(key) + " 2>/dev/null")).exit_code, 3);
  EXPECT_TRUE(ReadKeyFile(key).ok());
}

TEST_F(CliCryptoTest, KeygenSm2AndUsage) {
  const std::string key = dir_ + "/gm.key";
  Proc r = Sh(Tz("keygen --name gm-node --algo sm2 --out " + Quote(key) + " 2>/dev/null"));
  ASSERT_EQ(r.exit_code, 0);
  auto sk = ReadKeyFile(key);
  ASSERT_TRUE(sk.ok());
  EXPECT_EQ(sk->keys.public_key.algorithm(), SignatureAlgorithm::kSm2);
  EXPECT_EQ(r.out.find("verifier:"), std::string::npos);
  EXPECT_EQ(Sh(Tz("keygen -o x 2>/dev/null")).exit_code, 2);      // no name
  EXPECT_EQ(Sh(Tz("keygen --name a 2>/dev/null")).exit_code, 2);  // no file
  EXPECT_EQ(
      Sh(Tz("keygen --name a --algo rsa -o " + Quote(dir_ + "/r") + " 2>/dev/null")).exit_code, 2);
  EXPECT_EQ(Sh(Tz("keygen --name 'a b' -o " + Quote(dir_ + "/s") + " 2>/dev/null")).exit_code, 3);
  EXPECT_NE(access((dir_ + "/s").c_str(), F_OK), 0);
  Proc help = Sh(Tz("keygen --help"));
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Usage: tiezheng keygen"), std::string::npos);
}

}  // namespace
}  // namespace tz
