#include "crypto/ed25519_batch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "crypto/ed25519_batch_test_util.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/sign.h"

namespace tz {
namespace {

using namespace batch_test;  // NOLINT: test helpers

// ---- RFC 8032 section 7.1 ----

struct Rfc8032Vector {
  const char* name;
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

const Rfc8032Vector kVectors[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
     "b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1"
     "1d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984d"
     "c6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
     "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f"
     "77b1e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b27"
     "0b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1"
     "998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa6"
     "2100ab5d1a36553e06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96"
     "bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b"
     "74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17b"
     "a70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bd"
     "e1a9187ebb6092cf67bf2b13fd65f27088d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63b"
     "cbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d2"
     "38f5555a7a569d80c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d"
     "83d1255dc51addd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9"
     "af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb751fb73e666c6c655ade8297297d07ad1ba5e43f1bca3"
     "2301651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8ca61783a"
     "acec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b"
     "2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
     "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e488acba6b965610b5480109c8b17b"
     "80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504cc"
     "c493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346"
     "f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d9"
     "0d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380db2eaaa707b4c"
     "4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c"
     "15fc910840b94c00a0b9d0",
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436"
     "d94b5e8fcd4f681e30a6ac00a9704a188a03"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fe"
     "ebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431"
     "e0303dca179c138ac17ad9bef1177331a704"},
};

TEST(Ed25519Batch, Rfc8032Vectors) {
  std::vector<Bytes> msgs;
  std::vector<PublicKey> pks;
  std::vector<Signature> sigs;
  for (const auto& v : kVectors) {
    SCOPED_TRACE(v.name);
    msgs.push_back(H(v.message));
    pks.push_back(Pk(H(v.public_key)));
    auto sig = SignatureFromBytes(H(v.signature));
    ASSERT_TRUE(sig.ok());
    sigs.push_back(*sig);
    // The transcription is right: our signer reproduces key and signature.
    auto sk = SecretKey::FromBytes(kEd, H(v.secret));
    ASSERT_TRUE(sk.ok());
    EXPECT_EQ(HexEncode(DerivePublicKey(*sk)->bytes()), v.public_key);
    EXPECT_EQ(HexEncode(Sign(*sk, msgs.back())->span()), v.signature);
    EXPECT_TRUE(Single(pks.back(), msgs.back(), sigs.back()));
    EXPECT_TRUE(BatchOne(pks.back(), msgs.back(), sigs.back()));
  }
  EXPECT_EQ(msgs[3].size(), 1023u);
  Ed25519BatchVerifier batch;
  for (size_t i = 0; i < msgs.size(); ++i) batch.Add(pks[i], msgs[i], sigs[i]);
  EXPECT_EQ(batch.size(), 5u);
  EXPECT_TRUE(batch.VerifyAll());
  EXPECT_EQ(batch.VerifyEach(), std::vector<bool>(5, true));

  // Each vector's signature against the next vector's message: all fail.
  Ed25519BatchVerifier crossed;
  for (size_t i = 0; i < msgs.size(); ++i) crossed.Add(pks[i], msgs[(i + 1) % 5], sigs[i]);
  EXPECT_FALSE(crossed.VerifyAll());
  EXPECT_EQ(crossed.VerifyEach(), std::vector<bool>(5, false));
}

TEST(Ed25519Batch, EmptyBatch) {
  Ed25519BatchVerifier v;
  EXPECT_TRUE(v.empty());
  EXPECT_TRUE(v.VerifyAll());
  EXPECT_TRUE(v.VerifyEach().empty());
}

// ---- randomized differential test against libsodium ----

enum class Corruption { kMessageBit, kRBit, kSBit, kKeyBit, kSwapMessages, kOtherKey, kCount };

const char* CorruptionName(Corruption c) {
  switch (c) {
    case Corruption::kMessageBit:
      return "message bit";
    case Corruption::kRBit:
      return "R bit";
    case Corruption::kSBit:
      return "S bit";
    case Corruption::kKeyBit:
      return "A bit";
    case Corruption::kSwapMessages:
      return "swapped messages";
    case Corruption::kOtherKey:
      return "other key";
    default:
      return "?";
  }
}

struct Batch {
  std::vector<Bytes> msgs;
  std::vector<PublicKey> pks;
  std::vector<Signature> sigs;

  size_t size() const { return msgs.size(); }
  Ed25519BatchVerifier Verifier() const {
    Ed25519BatchVerifier v;
    for (size_t i = 0; i < size(); ++i) v.Add(pks[i], msgs[i], sigs[i]);
    return v;
  }
  std::vector<bool> SingleResults() const {
    std::vector<bool> r;
    for (size_t i = 0; i < size(); ++i) r.push_back(Single(pks[i], msgs[i], sigs[i]));
    return r;
  }
};

Batch MakeBatch(std::mt19937_64& rng, const std::vector<Signer>& signers, size_t n) {
  Batch b;
  for (size_t i = 0; i < n; ++i) {
    const Signer& s = signers[rng() % signers.size()];
    b.msgs.push_back(RandomBytes(rng() % 300));
    b.pks.push_back(s.kp.public_key);
    b.sigs.push_back(*Sign(s.kp.secret_key, b.msgs.back()));
  }
  return b;
}

// Corrupts item i; returns the items whose single verification must now fail.
std::vector<size_t> Corrupt(std::mt19937_64& rng, Batch& b, size_t i, Corruption c,
                            const std::vector<Signer>& signers) {
  switch (c) {
    case Corruption::kMessageBit:
      if (b.msgs[i].empty())
        b.msgs[i].push_back(0);
      else
        b.msgs[i][rng() % b.msgs[i].size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      return {i};
    case Corruption::kRBit:
      b.sigs[i].data()[rng() % 32] ^= static_cast<uint8_t>(1u << (rng() % 8));
      return {i};
    case Corruption::kSBit:
      b.sigs[i].data()[32 + rng() % 32] ^= static_cast<uint8_t>(1u << (rng() % 8));
      return {i};
    case Corruption::kKeyBit: {
      Bytes k = b.pks[i].bytes();
      k[rng() % 32] ^= static_cast<uint8_t>(1u << (rng() % 8));
      b.pks[i] = Pk(k);
      return {i};
    }
    case Corruption::kSwapMessages: {
      if (b.size() < 2) {  // nothing to swap with: append a byte instead
        b.msgs[i].push_back(1);
        return {i};
      }
      size_t j = rng() % (b.size() - 1);
      if (j >= i) ++j;
      std::swap(b.msgs[i], b.msgs[j]);
      std::vector<size_t> bad;
      for (size_t k : {std::min(i, j), std::max(i, j)}) {
        if (!Single(b.pks[k], b.msgs[k], b.sigs[k])) bad.push_back(k);
      }
      return bad;  // both, unless the two messages were equal under the same key
    }
    case Corruption::kOtherKey: {
      PublicKey other = b.pks[i];
      while (other == b.pks[i]) other = signers[rng() % signers.size()].kp.public_key;
      b.pks[i] = other;
      return {i};
    }
    default:
      return {};
  }
}

TEST(Ed25519Batch, DifferentialAgainstLibsodium) {
  std::mt19937_64 rng(std::random_device{}());
  std::vector<Signer> signers(9);
  size_t total_items = 0;
  int batches = 0;
  while (total_items < 4000) {
    const size_t n = 1 + rng() % 300;
    Batch b = MakeBatch(rng, signers, n);
    total_items += n;
    ++batches;
    SCOPED_TRACE("batch " + std::to_string(batches) + " of " + std::to_string(n));
    {
      Ed25519BatchVerifier v = b.Verifier();
      ASSERT_EQ(v.size(), n);
      ASSERT_TRUE(v.VerifyAll());
      ASSERT_EQ(v.VerifyEach(), std::vector<bool>(n, true));
    }
    // One to three corrupted items (the same item may be hit twice).
    const size_t hits = 1 + rng() % 3;
    std::vector<size_t> bad;
    std::string what;
    for (size_t h = 0; h < hits; ++h) {
      const size_t i = rng() % n;
      const auto c = static_cast<Corruption>(rng() % static_cast<int>(Corruption::kCount));
      what += std::string(CorruptionName(c)) + " at " + std::to_string(i) + "; ";
      for (size_t k : Corrupt(rng, b, i, c, signers)) bad.push_back(k);
    }
    SCOPED_TRACE(what);
    const std::vector<bool> single = b.SingleResults();
    std::vector<bool> expected(n, true);
    for (size_t k = 0; k < n; ++k) expected[k] = single[k];
    // Every item libsodium rejects is one we corrupted (a corruption can be
    // undone by a second one, e.g. the same bit flipped twice).
    for (size_t k = 0; k < n; ++k) {
      if (!single[k]) {
        EXPECT_NE(std::find(bad.begin(), bad.end(), k), bad.end()) << k;
      }
    }
    Ed25519BatchVerifier v = b.Verifier();
    const bool any_bad = std::find(single.begin(), single.end(), false) != single.end();
    EXPECT_EQ(v.VerifyAll(), !any_bad);
    EXPECT_EQ(v.VerifyEach(), expected);
    if (n == 1) {
      EXPECT_EQ(BatchOne(b.pks[0], b.msgs[0], b.sigs[0]), single[0]);
    }
  }
  EXPECT_GE(total_items, 4000u);
}

TEST(Ed25519Batch, SingleItemEqualsSingleVerify) {
  Signer s;
  Bytes msg = RandomBytes(100);
  Signature sig = *Sign(s.kp.secret_key, msg);
  EXPECT_TRUE(BatchOne(s.kp.public_key, msg, sig));
  for (size_t byte = 0; byte < 64; ++byte) {
    Signature bad = sig;
    bad.data()[byte] ^= 0x10;
    EXPECT_EQ(BatchOne(s.kp.public_key, msg, bad), Single(s.kp.public_key, msg, bad)) << byte;
    EXPECT_FALSE(BatchOne(s.kp.public_key, msg, bad)) << byte;
  }
  Bytes m2 = msg;
  m2.back() ^= 1;
  EXPECT_FALSE(BatchOne(s.kp.public_key, m2, sig));
}

TEST(Ed25519Batch, ManyChunksAndDistinctKeys) {
  std::mt19937_64 rng(std::random_device{}());
  // More items than one chunk, every item its own key.
  std::vector<Signer> signers(Ed25519BatchVerifier::kChunkSize + 100);
  Batch b;
  for (const Signer& s : signers) {
    b.msgs.push_back(RandomBytes(1 + rng() % 64));
    b.pks.push_back(s.kp.public_key);
    b.sigs.push_back(*Sign(s.kp.secret_key, b.msgs.back()));
  }
  EXPECT_TRUE(b.Verifier().VerifyAll());
  const size_t bad = Ed25519BatchVerifier::kChunkSize + 7;  // in the second chunk
  b.sigs[bad].data()[40] ^= 1;
  std::vector<bool> expected(b.size(), true);
  expected[bad] = false;
  EXPECT_FALSE(b.Verifier().VerifyAll());
  EXPECT_EQ(b.Verifier().VerifyEach(), expected);
  // And a bad item in the first chunk with many good ones after it.
  b.sigs[3].data()[5] ^= 0x80;
  expected[3] = false;
  EXPECT_FALSE(b.Verifier().VerifyAll());
  EXPECT_EQ(b.Verifier().VerifyEach(), expected);
}

TEST(Ed25519Batch, AllItemsBadInOneChunk) {
  std::mt19937_64 rng(1);
  std::vector<Signer> signers(3);
  Batch b = MakeBatch(rng, signers, 40);
  for (Bytes& m : b.msgs) m.push_back(0x55);
  EXPECT_FALSE(b.Verifier().VerifyAll());
  EXPECT_EQ(b.Verifier().VerifyEach(), std::vector<bool>(40, false));
}

TEST(Ed25519Batch, RejectsNonEd25519Keys) {
  Signer s;
  KeyPair sm2 = GenerateKeyPair(SignatureAlgorithm::kSm2);
  Bytes msg = RandomBytes(50);
  Signature ed_sig = *Sign(s.kp.secret_key, msg);
  Signature sm2_sig = *Sign(sm2.secret_key, msg);
  ASSERT_TRUE(Single(sm2.public_key, msg, sm2_sig));
  Ed25519BatchVerifier v;
  v.Add(s.kp.public_key, msg, ed_sig);
  v.Add(sm2.public_key, msg, sm2_sig);  // a valid SM2 signature, but not Ed25519
  v.Add(PublicKey{}, msg, ed_sig);      // empty key
  v.Add(s.kp.public_key, msg, ed_sig);
  EXPECT_FALSE(v.VerifyAll());
  EXPECT_EQ(v.VerifyEach(), (std::vector<bool>{true, false, false, true}));
  v.Clear();
  EXPECT_TRUE(v.empty());
  v.Add(s.kp.public_key, msg, ed_sig);
  EXPECT_TRUE(v.VerifyAll());
}

}  // namespace
}  // namespace tz
