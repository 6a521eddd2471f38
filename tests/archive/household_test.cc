// Household files: per-household encryption, crypto-shredding, the KEK file.
#include "archive/household.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "archive/local_store.h"
#include "test_util.h"

namespace tz::archive {
namespace {

using testing::PseudoRandom;
using testing::TempDir;

std::string ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void WriteStringToFile(const std::string& path, const std::string& s) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << s;
}

class CollectSink : public ByteSink {
 public:
  Status Write(ByteSpan d) override {
    out.insert(out.end(), d.begin(), d.end());
    return Status::Ok();
  }
  Bytes out;
};

Result<Bytes> ReadAllFrom(ByteSource& src) {
  CollectSink sink;
  TZ_RETURN_IF_ERROR(Copy(src, sink));
  return sink.out;
}

class HouseholdTest : public ::testing::TestWithParam<AeadAlgorithm> {
 protected:
  void SetUp() override {
    store_ = std::move(LocalBlobStore::Open(Env::Default(), data_.path()).value());
    kek_path_ = keys_ / "node.kek";
    ASSERT_TRUE(WriteNodeKek(Env::Default(), kek_path_, GetParam()).ok());
    vault_ = OpenVault();
  }
  std::unique_ptr<HouseholdVault> OpenVault() {
    auto kek = LoadNodeKek(Env::Default(), kek_path_, data_.path());
    EXPECT_TRUE(kek.ok()) << kek.status().ToString();
    auto v = HouseholdVault::Open(store_.get(), Env::Default(), store_->HouseholdsDir(),
                                  std::move(*kek));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return std::move(*v);
  }
  Result<Bytes> Read(const HouseholdId& id, const Digest& d) {
    TZ_ASSIGN_OR_RETURN(auto src, vault_->Open(id, d));
    return ReadAllFrom(*src);
  }

  TempDir data_, keys_;
  std::string kek_path_;
  std::unique_ptr<LocalBlobStore> store_;
  std::unique_ptr<HouseholdVault> vault_;
};

INSTANTIATE_TEST_SUITE_P(Algorithms, HouseholdTest,
                         ::testing::Values(AeadAlgorithm::kXChaCha20Poly1305,
                                           AeadAlgorithm::kSm4Gcm),
                         [](const auto& param_info) {
                           return param_info.param == AeadAlgorithm::kSm4Gcm ? "sm4" : "xchacha";
                         });

TEST_P(HouseholdTest, RoundTripAtChunkBoundaries) {
  auto id = HouseholdId::Parse("hh-000123").value();
  for (size_t n : {size_t{0}, size_t{1}, kAeadChunkSize - 1, kAeadChunkSize, kAeadChunkSize + 1,
                   3 * kAeadChunkSize, size_t{200000}}) {
    Bytes plain = PseudoRandom(n, static_cast<uint32_t>(n));
    auto info = vault_->Put(id, plain);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    // What is stored (and notarized) is the ciphertext envelope.
    Bytes stored = store_->ReadAll(info->digest).value();
    EXPECT_EQ(Sha256(stored), info->digest);
    if (n > 16) {
      EXPECT_EQ(std::search(stored.begin(), stored.end(), plain.begin(), plain.begin() + 16),
                stored.end());
    }
    EXPECT_EQ(Read(id, info->digest).value(), plain) << n;
  }
  EXPECT_EQ(vault_->State(id).value(), HouseholdKeyState::kActive);
}

TEST_P(HouseholdTest, ShreddingMakesBlobsUnreadableButVerifiable) {
  auto a = HouseholdId::Parse("hh-a").value();
  auto b = HouseholdId::Parse("hh-b").value();
  Bytes pa = PseudoRandom(100000, 1), pb = PseudoRandom(5000, 2);
  Digest da = vault_->Put(a, pa)->digest;
  Digest db = vault_->Put(b, pb)->digest;
  ASSERT_TRUE(vault_->Shred(a).ok());
  EXPECT_TRUE(vault_->Shred(a).ok());  // idempotent
  auto r = vault_->Open(a, da);
  EXPECT_EQ(r.status().reason(), "household.shredded");
  EXPECT_EQ(vault_->Put(a, pa).status().reason(), "household.shredded");
  EXPECT_EQ(vault_->State(a).value(), HouseholdKeyState::kShredded);
  // The ciphertext and its notarized digest are untouched.
  EXPECT_TRUE(store_->Verify(da).ok());
  EXPECT_TRUE(store_->Fsck()->clean());
  // Other households are unaffected; a new vault object (restart) agrees.
  EXPECT_EQ(Read(b, db).value(), pb);
  vault_ = OpenVault();
  EXPECT_EQ(vault_->Open(a, da).status().reason(), "household.shredded");
  EXPECT_EQ(Read(b, db).value(), pb);
  // No key material for `a` is left in the data directory.
  EXPECT_FALSE(std::filesystem::exists(store_->HouseholdsDir() + "/hh-a.key"));
}

TEST_P(HouseholdTest, InterruptedShredIsCompletedOnOpen) {
  auto a = HouseholdId::Parse("hh-a").value();
  Digest d = vault_->Put(a, PseudoRandom(10, 3))->digest;
  // A crash right after the tombstone was written.
  std::ofstream(store_->HouseholdsDir() + "/hh-a.shredded") << "shredded-at: 0\n";
  EXPECT_EQ(vault_->Open(a, d).status().reason(), "household.shredded");
  vault_ = OpenVault();
  EXPECT_FALSE(std::filesystem::exists(store_->HouseholdsDir() + "/hh-a.key"));
}

TEST_P(HouseholdTest, WrongHouseholdTamperAndPlainBlobs) {
  auto a = HouseholdId::Parse("hh-a").value();
  auto b = HouseholdId::Parse("hh-b").value();
  Digest da = vault_->Put(a, PseudoRandom(1000, 4))->digest;
  ASSERT_TRUE(vault_->Put(b, PseudoRandom(10, 5)).ok());
  EXPECT_EQ(vault_->Open(b, da).status().reason(), "household.mismatch");
  auto none = HouseholdId::Parse("hh-none").value();
  EXPECT_EQ(vault_->Open(none, da).status().reason(), "household.no_key");
  Digest plain = store_->Put(PseudoRandom(100, 6))->digest;
  EXPECT_EQ(vault_->Open(a, plain).status().reason(), "household.not_encrypted");
  // Flip a ciphertext byte: decryption fails before any forged plaintext.
  std::string path = store_->BlobPath(da);
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(-5, std::ios::end);
  f.put('\x55');
  f.close();
  auto src = vault_->Open(a, da);
  ASSERT_TRUE(src.ok());
  auto r = ReadAllFrom(**src);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(store_->Verify(da).reason(), "blob.corrupt");
}

TEST_P(HouseholdTest, ConcurrentFirstPutsAgreeOnOneKey) {
  auto id = HouseholdId::Parse("hh-race").value();
  std::vector<Digest> digests(8);
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i) {
    ts.emplace_back([&, i] { digests[i] = vault_->Put(id, PseudoRandom(100, 10 + i))->digest; });
  }
  for (auto& t : ts) t.join();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(Read(id, digests[i]).value(), PseudoRandom(100, 10 + i));
}

TEST_P(HouseholdTest, PrivateRecordsAreSealedOutsideTheBlobStore) {
  auto a = HouseholdId::Parse("hh-rec-a").value();
  auto b = HouseholdId::Parse("hh-rec-b").value();
  std::string name(64, 'c');
  std::string reason = R"({"reason":"核查欠缴 110105198807124321"})";
  ASSERT_TRUE(vault_->PutRecord(a, name, AsBytes(reason)).ok());
  EXPECT_EQ(AsString(vault_->GetRecord(a, name).value()), reason);
  // Not in the blob store, and not readable on disk.
  std::string path = store_->HouseholdsDir() + "/records/hh-rec-a." + name + ".rec";
  std::string disk = ReadFileToString(path);
  EXPECT_EQ(disk.substr(0, 8), "tzhhrec1");
  EXPECT_EQ(disk.find("110105198807124321"), std::string::npos);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(vault_->PutRecord(a, name, AsBytes(reason)).reason(), "household.record_exists");
  // Bound to its household: moved under another household's name it does
  // not decrypt.
  std::string moved = store_->HouseholdsDir() + "/records/hh-rec-b." + name + ".rec";
  ASSERT_TRUE(vault_->PutRecord(b, std::string(64, 'd'), AsBytes("x")).ok());
  std::filesystem::copy_file(path, moved);
  EXPECT_EQ(vault_->GetRecord(b, name).status().code(), Code::kCorruption);
  // Tampered: one flipped byte.
  disk[disk.size() - 3] ^= 1;
  WriteStringToFile(path, disk);
  EXPECT_EQ(vault_->GetRecord(a, name).status().code(), Code::kCorruption);
  EXPECT_EQ(vault_->GetRecord(a, std::string(64, 'e')).status().reason(), "household.no_record");
  EXPECT_EQ(vault_->PutRecord(a, "../x", AsBytes("x")).reason(), "household.bad_record_name");
  EXPECT_EQ(vault_->PutRecord(a, "A1", AsBytes("x")).reason(), "household.bad_record_name");
  EXPECT_EQ(vault_->PutRecord(a, "ab", Bytes(64 * 1024 + 1)).reason(),
            "household.record_too_large");
  // Shredded: the record can never be read again.
  std::string kept(64, 'f');
  ASSERT_TRUE(vault_->PutRecord(b, kept, AsBytes("why")).ok());
  ASSERT_TRUE(vault_->Shred(b).ok());
  EXPECT_EQ(vault_->GetRecord(b, kept).status().reason(), "household.shredded");
}

TEST(HouseholdId, Strict) {
  EXPECT_TRUE(HouseholdId::Parse("HH_01-x").ok());
  for (std::string bad :
       std::vector<std::string>{"", "../x", "a/b", "a.b", "a b", std::string(65, 'a'), "户"}) {
    EXPECT_EQ(HouseholdId::Parse(bad).status().reason(), "household.bad_id") << bad;
  }
}

TEST(NodeKek, FileChecks) {
  TempDir dir;
  Env* env = Env::Default();
  std::string path = dir / "node.kek";
  ASSERT_TRUE(WriteNodeKek(env, path, AeadAlgorithm::kXChaCha20Poly1305).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(WriteNodeKek(env, path, AeadAlgorithm::kXChaCha20Poly1305).reason(), "kek.exists");
  EXPECT_TRUE(LoadNodeKek(env, path, "").ok());
  // Inside the data directory: refused.
  EXPECT_EQ(LoadNodeKek(env, path, dir.path()).status().reason(), "kek.inside_data_dir");
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(LoadNodeKek(env, path, "").status().reason(), "kek.permissions");
  std::string junk = dir / "junk.kek";
  std::ofstream(junk) << "tiezheng-kek v1\nalgorithm: rot13\nkey: AAAA\n";
  ::chmod(junk.c_str(), 0600);
  EXPECT_EQ(LoadNodeKek(env, junk, "").status().reason(), "kek.bad_format");
}

TEST(NodeKek, WrongKekCannotUnwrap) {
  TempDir data, keys;
  auto store = std::move(LocalBlobStore::Open(Env::Default(), data.path()).value());
  ASSERT_TRUE(WriteNodeKek(Env::Default(), keys / "a", AeadAlgorithm::kXChaCha20Poly1305).ok());
  ASSERT_TRUE(WriteNodeKek(Env::Default(), keys / "b", AeadAlgorithm::kXChaCha20Poly1305).ok());
  auto id = HouseholdId::Parse("hh").value();
  auto va = HouseholdVault::Open(store.get(), Env::Default(), store->HouseholdsDir(),
                                 LoadNodeKek(Env::Default(), keys / "a", "").value());
  Digest d = (*va)->Put(id, PseudoRandom(10, 1))->digest;
  auto vb = HouseholdVault::Open(store.get(), Env::Default(), store->HouseholdsDir(),
                                 LoadNodeKek(Env::Default(), keys / "b", "").value());
  EXPECT_EQ((*vb)->Open(id, d).status().reason(), "kek.mismatch");
}

}  // namespace
}  // namespace tz::archive
