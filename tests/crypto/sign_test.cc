#include "crypto/sign.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tz {
namespace {

constexpr SignatureAlgorithm kEd = SignatureAlgorithm::kEd25519;
constexpr SignatureAlgorithm kSm2 = SignatureAlgorithm::kSm2;

Bytes H(std::string_view hex) {
  auto b = HexDecode(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : Bytes{};
}

struct Rfc8032Vector {
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 section 7.1, TEST 1 and TEST 2.
const Rfc8032Vector kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

TEST(Ed25519, Rfc8032KnownAnswers) {
  for (const auto& v : kRfc8032) {
    auto sk = SecretKey::FromBytes(kEd, H(v.secret));
    ASSERT_TRUE(sk.ok()) << sk.status().ToString();
    auto pk = DerivePublicKey(*sk);
    ASSERT_TRUE(pk.ok());
    EXPECT_EQ(HexEncode(pk->bytes()), v.public_key);
    Bytes msg = H(v.message);
    auto sig = Sign(*sk, msg);
    ASSERT_TRUE(sig.ok());
    EXPECT_EQ(HexEncode(sig->span()), v.signature);
    EXPECT_TRUE(Verify(*pk, msg, *sig).ok());
    // The published signature verifies under the published key too.
    auto pk2 = PublicKey::FromBytes(kEd, H(v.public_key));
    auto sig2 = SignatureFromBytes(H(v.signature));
    ASSERT_TRUE(pk2.ok() && sig2.ok());
    EXPECT_TRUE(Verify(*pk2, msg, *sig2).ok());
  }
}

class SignTest : public ::testing::TestWithParam<SignatureAlgorithm> {};

TEST_P(SignTest, RoundTripAndForgeries) {
  const SignatureAlgorithm alg = GetParam();
  KeyPair kp = GenerateKeyPair(alg);
  EXPECT_EQ(kp.public_key.algorithm(), alg);
  EXPECT_EQ(kp.public_key.bytes().size(), PublicKeySize(alg));
  EXPECT_EQ(kp.secret_key.bytes().size(), SecretKeySize(alg));
  Bytes msg = RandomBytes(200);
  auto sig = Sign(kp.secret_key, msg);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(Verify(kp.public_key, msg, *sig).ok());

  // Tampered message: every bit position of the first bytes, and the last byte.
  for (size_t i : {size_t{0}, size_t{1}, size_t{100}, msg.size() - 1}) {
    Bytes m = msg;
    m[i] ^= 0x01;
    Status s = Verify(kp.public_key, m, *sig);
    EXPECT_EQ(s.code(), Code::kVerificationFailed);
    EXPECT_EQ(s.reason(), "signature.invalid");
  }
  Bytes shorter(msg.begin(), msg.end() - 1);
  EXPECT_FALSE(Verify(kp.public_key, shorter, *sig).ok());

  // Mutated signature: flip one bit in each byte position.
  for (size_t i = 0; i < kSignatureSize; ++i) {
    Signature bad = *sig;
    bad.data()[i] ^= static_cast<uint8_t>(1u << (i % 8));
    EXPECT_EQ(Verify(kp.public_key, msg, bad).reason(), "signature.invalid") << i;
  }
  EXPECT_FALSE(Verify(kp.public_key, msg, Signature()).ok());  // all zeros
  Signature ones;
  for (size_t i = 0; i < kSignatureSize; ++i) ones.data()[i] = 0xff;
  EXPECT_FALSE(Verify(kp.public_key, msg, ones).ok());

  // Another key's signature.
  KeyPair other = GenerateKeyPair(alg);
  EXPECT_FALSE(Verify(other.public_key, msg, *sig).ok());
  auto other_sig = Sign(other.secret_key, msg);
  ASSERT_TRUE(other_sig.ok());
  EXPECT_FALSE(Verify(kp.public_key, msg, *other_sig).ok());
}

TEST_P(SignTest, KeysRoundTripThroughBytes) {
  const SignatureAlgorithm alg = GetParam();
  KeyPair kp = GenerateKeyPair(alg);
  auto sk = SecretKey::FromBytes(alg, kp.secret_key.bytes());
  ASSERT_TRUE(sk.ok());
  auto pk = DerivePublicKey(*sk);
  ASSERT_TRUE(pk.ok());
  EXPECT_EQ(*pk, kp.public_key);
  auto pk2 = PublicKey::FromBytes(alg, kp.public_key.bytes());
  ASSERT_TRUE(pk2.ok());
  EXPECT_EQ(*pk2, kp.public_key);
  SecretKey clone = sk->Clone();
  auto sig = Sign(clone, AsBytes("clone"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(Verify(kp.public_key, AsBytes("clone"), *sig).ok());
  SecretKey moved = std::move(clone);
  EXPECT_TRUE(Sign(moved, AsBytes("x")).ok());
}

TEST_P(SignTest, WrongLengthsRejectedWithReasons) {
  const SignatureAlgorithm alg = GetParam();
  for (size_t n : {size_t{0}, size_t{31}, size_t{33}, size_t{64}, size_t{66}}) {
    if (n == PublicKeySize(alg)) continue;
    auto pk = PublicKey::FromBytes(alg, Bytes(n, 4));
    EXPECT_EQ(pk.status().reason(), "key.bad_length") << n;
    EXPECT_EQ(pk.status().code(), Code::kInvalidArgument);
  }
  for (size_t n : {size_t{0}, size_t{16}, size_t{31}, size_t{33}, size_t{64}}) {
    auto sk = SecretKey::FromBytes(alg, Bytes(n, 1));
    EXPECT_EQ(sk.status().reason(), "key.bad_length") << n;
  }
  for (size_t n : {size_t{0}, size_t{63}, size_t{65}, size_t{72}}) {
    EXPECT_EQ(SignatureFromBytes(Bytes(n, 1)).status().reason(), "signature.bad_length") << n;
  }
  EXPECT_TRUE(SignatureFromBytes(Bytes(64, 1)).ok());
  // Empty keys are rejected rather than crashing.
  EXPECT_EQ(Sign(SecretKey(), AsBytes("m")).status().reason(), "key.bad_length");
  EXPECT_EQ(DerivePublicKey(SecretKey()).status().reason(), "key.bad_length");
  EXPECT_EQ(Verify(PublicKey(), AsBytes("m"), Signature()).reason(), "key.bad_length");
}

INSTANTIATE_TEST_SUITE_P(Both, SignTest, ::testing::Values(kEd, kSm2),
                         [](const auto& p) { return std::string(SignatureName(p.param)); });

TEST(Sm2, PointValidation) {
  KeyPair kp = GenerateKeyPair(kSm2);
  Bytes pub = kp.public_key.bytes();
  ASSERT_EQ(pub[0], 0x04);
  Bytes off_curve = pub;
  off_curve[64] ^= 0x01;  // change Y: no longer on the curve
  EXPECT_EQ(PublicKey::FromBytes(kSm2, off_curve).status().reason(), "key.bad_point");
  Bytes compressed_tag = pub;
  compressed_tag[0] = 0x02;
  EXPECT_EQ(PublicKey::FromBytes(kSm2, compressed_tag).status().reason(), "key.bad_point");
  EXPECT_EQ(PublicKey::FromBytes(kSm2, Bytes(65, 0)).status().reason(), "key.bad_point");
  Bytes ff(65, 0xff);
  ff[0] = 0x04;
  EXPECT_EQ(PublicKey::FromBytes(kSm2, ff).status().reason(), "key.bad_point");
}

TEST(Sm2, ScalarRange) {
  // n = order of the SM2 base point.
  const std::string n = "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123";
  auto with_last = [&](const char* last) { return H(n.substr(0, 62) + last); };
  EXPECT_EQ(SecretKey::FromBytes(kSm2, Bytes(32, 0)).status().reason(), "key.bad_scalar");
  EXPECT_EQ(SecretKey::FromBytes(kSm2, with_last("23")).status().reason(), "key.bad_scalar");
  EXPECT_EQ(SecretKey::FromBytes(kSm2, with_last("22")).status().reason(), "key.bad_scalar");
  EXPECT_EQ(SecretKey::FromBytes(kSm2, Bytes(32, 0xff)).status().reason(), "key.bad_scalar");
  auto max_ok = SecretKey::FromBytes(kSm2, with_last("21"));
  ASSERT_TRUE(max_ok.ok());
  Bytes one(32, 0);
  one[31] = 1;
  auto sk = SecretKey::FromBytes(kSm2, one);
  ASSERT_TRUE(sk.ok());
  // d = 1: the public key is the generator G.
  EXPECT_EQ(HexEncode(DerivePublicKey(*sk)->bytes()),
            "0432c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7"
            "bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0");
  auto sig = Sign(*max_ok, AsBytes("edge"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(Verify(*DerivePublicKey(*max_ok), AsBytes("edge"), *sig).ok());
}

TEST(Sm2, SignaturesAreRandomizedButAllVerify) {
  KeyPair kp = GenerateKeyPair(kSm2);
  auto a = Sign(kp.secret_key, AsBytes("m"));
  auto b = Sign(kp.secret_key, AsBytes("m"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(Verify(kp.public_key, AsBytes("m"), *a).ok());
  EXPECT_TRUE(Verify(kp.public_key, AsBytes("m"), *b).ok());
}

// DER INTEGER for a 32-byte big-endian unsigned value.
std::string DerInt(const uint8_t* p) {
  size_t i = 0;
  while (i < 31 && p[i] == 0) ++i;
  std::string v(reinterpret_cast<const char*>(p + i), 32 - i);
  if (static_cast<uint8_t>(v[0]) & 0x80) v.insert(v.begin(), '\0');
  return std::string("\x02", 1) + static_cast<char>(v.size()) + v;
}

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream(path, std::ios::binary)
      .write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Interoperability: `openssl pkeyutl` verifies our SM2 signatures with SM3 and
// the default distinguishing ID, so third parties can check them.
TEST(Sm2, VerifiesWithOpensslCli) {
  if (std::system("openssl version > /dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl CLI";
  KeyPair kp = GenerateKeyPair(kSm2);
  const std::string msg = "铁证 interop message";
  auto sig = Sign(kp.secret_key, AsBytes(msg));
  ASSERT_TRUE(sig.ok());
  // SubjectPublicKeyInfo: id-ecPublicKey with the SM2 curve OID.
  const char kSpkiPrefix[] =
      "\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x81\x1c\xcf\x55\x01\x82"
      "\x2d\x03\x42\x00";
  std::string spki(kSpkiPrefix, sizeof kSpkiPrefix - 1);
  spki += AsString(kp.public_key.bytes());
  std::string body = DerInt(sig->data()) + DerInt(sig->data() + 32);
  std::string der = std::string("\x30", 1) + static_cast<char>(body.size()) + body;
  char dir_tmpl[] = "/tmp/tz_sm2_XXXXXX";
  ASSERT_NE(mkdtemp(dir_tmpl), nullptr);
  const std::string dir = dir_tmpl;
  WriteFile(dir + "/pub.der", spki);
  WriteFile(dir + "/msg", msg);
  WriteFile(dir + "/sig.der", der);
  auto run = [&](const std::string& sigfile) {
    std::string cmd = "openssl pkeyutl -verify -pubin -keyform DER -inkey " + dir +
                      "/pub.der -rawin -digest sm3 -pkeyopt distid:1234567812345678 -in " + dir +
                      "/msg -sigfile " + sigfile + " > /dev/null 2>&1";
    return std::system(cmd.c_str());
  };
  EXPECT_EQ(run(dir + "/sig.der"), 0);
  WriteFile(dir + "/msg", msg + "!");
  EXPECT_NE(run(dir + "/sig.der"), 0);
  std::system(("rm -rf " + dir).c_str());
}

TEST(SignNames, ParseAndSizes) {
  EXPECT_EQ(*ParseSignatureName("ed25519"), kEd);
  EXPECT_EQ(*ParseSignatureName("sm2"), kSm2);
  EXPECT_EQ(ParseSignatureName("rsa").status().reason(), "signature.unknown_algorithm");
  EXPECT_EQ(SignatureName(kSm2), "sm2");
  EXPECT_EQ(PublicKeySize(kEd), 32u);
  EXPECT_EQ(PublicKeySize(kSm2), 65u);
  EXPECT_EQ(SecretKeySize(kEd), 32u);
  EXPECT_EQ(SecretKeySize(kSm2), 32u);
}

}  // namespace
}  // namespace tz
