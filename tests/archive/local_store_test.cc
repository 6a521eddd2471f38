// LocalBlobStore: put/get/stat/list/range, dedup, strict digests, corruption,
// fsck, temp cleanup, concurrency, injected disk faults, read-only directory.
#include "archive/local_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "crypto/encoding.h"
#include "fault_env.h"
#include "test_util.h"

namespace tz::archive {
namespace {

using testing::CountFiles;
using testing::FaultEnv;
using testing::FlipByte;
using testing::PseudoRandom;
using testing::TempDir;

std::unique_ptr<LocalBlobStore> OpenStore(const std::string& root, Env* env = Env::Default()) {
  auto s = LocalBlobStore::Open(env, root);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

TEST(BlobDigest, StrictParsing) {
  std::string good(64, 'a');
  EXPECT_TRUE(ParseBlobDigest(good).ok());
  for (std::string bad :
       {std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'A'),
        std::string("../") + std::string(61, 'a'), std::string("ab/") + std::string(61, 'a'),
        std::string(64, 'g'), std::string(), std::string(63, 'a') + '\0',
        std::string(63, 'a') + ' ', std::string(63, 'a') + '\n', std::string("..")}) {
    auto d = ParseBlobDigest(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().reason(), "digest.bad_format");
    EXPECT_EQ(d.status().code(), Code::kInvalidArgument);
  }
}

TEST(LocalBlobStore, PutGetStatHas) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(3 * 1024 * 1024 + 17, 1);
  auto info = store->Put(data);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->digest, Sha256(data));
  EXPECT_EQ(info->size, data.size());
  // The key is the SHA-256 of the whole file, stored under a fan-out path.
  std::string hex = ToHex(info->digest);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/blobs/" + hex.substr(0, 2) + "/" +
                                      hex.substr(2, 2) + "/" + hex));
  EXPECT_EQ(store->ReadAll(info->digest).value(), data);
  EXPECT_TRUE(store->Has(info->digest).value());
  EXPECT_EQ(store->Stat(info->digest).value(), *info);
  EXPECT_TRUE(store->Verify(info->digest).ok());

  Digest absent = Sha256(std::string_view("absent"));
  EXPECT_FALSE(store->Has(absent).value());
  EXPECT_EQ(store->Stat(absent).status().reason(), "blob.not_found");
  EXPECT_EQ(store->Open(absent).status().reason(), "blob.not_found");
  EXPECT_EQ(store->Open(absent).status().code(), Code::kNotFound);
}

TEST(LocalBlobStore, EmptyBlob) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  auto info = store->Put(Bytes{});
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(ToHex(info->digest),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(store->ReadAll(info->digest)->empty());
}

TEST(LocalBlobStore, DedupStoresOnce) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(100000, 2);
  auto a = store->Put(data);
  auto b = store->Put(data);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(CountFiles(dir.path() + "/blobs"), 1u);
  EXPECT_EQ(CountFiles(dir.path() + "/tmp"), 1u);  // only our owner lock
}

TEST(LocalBlobStore, ExpectedDigestAndSize) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(1000, 3);
  PutOptions wrong_digest;
  wrong_digest.expected_digest = Sha256(std::string_view("other"));
  auto r = store->Put(data, wrong_digest);
  EXPECT_EQ(r.status().reason(), "blob.digest_mismatch");
  EXPECT_EQ(r.status().code(), Code::kVerificationFailed);
  PutOptions wrong_size;
  wrong_size.expected_size = 999;
  EXPECT_EQ(store->Put(data, wrong_size).status().reason(), "blob.size_mismatch");
  EXPECT_EQ(CountFiles(dir.path() + "/blobs"), 0u);
  EXPECT_EQ(CountFiles(dir.path() + "/tmp"), 1u);
  PutOptions right;
  right.expected_digest = Sha256(data);
  right.expected_size = data.size();
  EXPECT_TRUE(store->Put(data, right).ok());
}

TEST(LocalBlobStore, WriterAbortLeavesNothing) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  {
    auto w = store->NewWriter();
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(PseudoRandom(5000, 4)).ok());
  }  // destroyed uncommitted
  auto w = store->NewWriter();
  ASSERT_TRUE((*w)->Append(PseudoRandom(10, 4)).ok());
  (*w)->Abort();
  EXPECT_EQ((*w)->Commit().status().reason(), "blob.writer_closed");
  EXPECT_EQ(CountFiles(dir.path() + "/blobs"), 0u);
  EXPECT_EQ(CountFiles(dir.path() + "/tmp"), 1u);
}

TEST(LocalBlobStore, ListInOrderWithPaging) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  std::set<Digest> want;
  for (int i = 0; i < 60; ++i) want.insert(store->Put(PseudoRandom(10, 100 + i))->digest);
  std::vector<Digest> got;
  std::optional<Digest> after;
  for (;;) {
    auto page = store->List(after, 7);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    got.insert(got.end(), page->begin(), page->end());
    after = page->back();
  }
  EXPECT_EQ(got, std::vector<Digest>(want.begin(), want.end()));
}

// A source that hands out at most `step` bytes per read and can fail after
// `fail_at` bytes (an HTTP body, a flaky disk).
class TrickleSource : public ByteSource {
 public:
  TrickleSource(ByteSpan data, size_t step, size_t fail_at = SIZE_MAX)
      : data_(data), step_(step), fail_at_(fail_at) {}
  Result<size_t> Read(uint8_t* buf, size_t n) override {
    if (pos_ >= fail_at_) return Status::IOError("io.read", "injected read failure");
    size_t k = std::min({n, step_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  ByteSpan data_;
  size_t step_, fail_at_, pos_ = 0;
};

// Put(ByteSource&) reads large blobs straight into the writer's buffers;
// small, odd-sized reads, a wrong declared digest and a failing source.
TEST(LocalBlobStore, StreamingPutFromSmallReads) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom((13 << 20) + 4321, 23);
  TrickleSource src(data, 7777);
  auto info = store->Put(src);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->digest, Sha256(data));
  EXPECT_EQ(info->size, data.size());
  EXPECT_EQ(store->ReadAll(info->digest, 32 << 20).value(), data);

  Bytes other = PseudoRandom(9 << 20, 24);
  PutOptions wrong;
  wrong.expected_digest = Sha256(data);
  TrickleSource src2(other, 1 << 20);
  EXPECT_EQ(store->Put(src2, wrong).status().reason(), "blob.digest_mismatch");
  EXPECT_FALSE(store->Has(Sha256(other)).value());

  TrickleSource failing(other, 65536, 6 << 20);  // fails past the inline part
  EXPECT_EQ(store->Put(failing).status().reason(), "io.read");
  EXPECT_FALSE(store->Has(Sha256(other)).value());
  EXPECT_EQ(CountFiles(dir / "tmp"), 1u);  // only the owner token
}

// A large put flushes behind its writes (writeback hints and intermediate
// fdatasyncs from the flusher thread); a failure of one of those intermediate
// syncs fails the put and publishes nothing.
TEST(LocalBlobStore, LargePutFlushesBehindTheWrites) {
  TempDir dir;
  FaultEnv env;
  LocalStoreOptions o;
  o.writeback_chunk = 1 << 20;
  o.sync_every = 4 << 20;
  auto opened = LocalBlobStore::Open(&env, dir.path(), o);
  ASSERT_TRUE(opened.ok());
  auto& store = *opened;
  env.append_delay_us = 5000;  // 5 ms per MiB: the flusher keeps up with the writer
  Bytes data = PseudoRandom(21 << 20, 21);
  auto info = store->Put(data);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  // 4 MiB inline, then 17 MiB through the writer: 17 chunks of 1 MiB, of
  // which the last may be left to the final sync.
  EXPECT_GE(env.writebacks.load(), 16);
  EXPECT_GE(env.file_syncs.load(), 1 + 4);  // intermediate ones plus the final one
  EXPECT_EQ(store->ReadAll(info->digest, 32 << 20).value(), data);

  Bytes other = PseudoRandom(21 << 20, 22);
  int before = env.file_syncs;
  env.fail_file_sync_at = before + 1;  // the first intermediate fdatasync fails
  auto failed = store->Put(other);
  EXPECT_EQ(failed.status().reason(), "io.sync");
  EXPECT_EQ(env.file_syncs.load(), before + 1);  // the put stopped there: no final sync
  EXPECT_FALSE(store->Has(Sha256(other)).value());
  env.fail_file_sync_at = 0;
  EXPECT_EQ(CountFiles(dir / "tmp"), 1u);  // only the owner token
}

TEST(LocalBlobStore, RangeReads) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(200000, 5);
  Digest d = store->Put(data)->digest;
  EXPECT_EQ(store->ReadRange(d, 1000, 50).value(), Bytes(data.begin() + 1000, data.begin() + 1050));
  EXPECT_EQ(store->ReadRange(d, 199990, 100)->size(), 10u);  // clamped
  EXPECT_TRUE(store->ReadRange(d, 200000, 10)->empty());
  EXPECT_EQ(store->ReadRange(d, 200001, 1).status().reason(), "blob.bad_range");
  EXPECT_EQ(store->ReadRange(d, 0, 17 << 20).status().reason(), "blob.range_too_large");
}

TEST(LocalBlobStore, CorruptionIsReportedAndQuarantined) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(300000, 6);
  Digest d = store->Put(data)->digest;
  Digest good = store->Put(PseudoRandom(1000, 7))->digest;
  FlipByte(store->BlobPath(d), 123456);

  auto all = store->ReadAll(d);
  EXPECT_EQ(all.status().reason(), "blob.corrupt");
  EXPECT_EQ(all.status().code(), Code::kCorruption);
  EXPECT_EQ(store->Verify(d).reason(), "blob.corrupt");

  FsckOptions opts;
  Digest missing = Sha256(std::string_view("never stored"));
  opts.expected = {d, good, missing};
  auto report = store->Fsck(opts);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->blobs_checked, 2u);
  EXPECT_EQ(report->corrupt, std::vector<Digest>{d});
  ASSERT_EQ(report->quarantined.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(dir / report->quarantined[0]));
  // After quarantine the blob is missing, so the expected list reports it.
  EXPECT_EQ(report->missing, (std::vector<Digest>{d, missing}));
  EXPECT_EQ(store->Open(d).status().reason(), "blob.not_found");
  EXPECT_TRUE(store->Verify(good).ok());

  // Putting the right bytes again repairs it.
  EXPECT_TRUE(store->Put(data).ok());
  auto again = store->Fsck();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->clean());
}

TEST(LocalBlobStore, TruncatedBlobReplacedByPut) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(5000, 8);
  Digest d = store->Put(data)->digest;
  std::filesystem::resize_file(store->BlobPath(d), 100);
  EXPECT_EQ(store->Verify(d).reason(), "blob.corrupt");
  EXPECT_TRUE(store->Put(data).ok());
  EXPECT_TRUE(store->Verify(d).ok());
}

TEST(LocalBlobStore, FsckReportsStrays) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Digest d = store->Put(PseudoRandom(10, 9))->digest;
  std::string hex = ToHex(d);
  std::ofstream(dir.path() + "/blobs/" + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/junk")
      << "x";
  std::ofstream(dir.path() + "/blobs/README") << "x";
  auto r = store->Fsck();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stray.size(), 2u);
  EXPECT_TRUE(r->corrupt.empty());
}

TEST(LocalBlobStore, StaleTempFilesCleanedOnOpen) {
  TempDir dir;
  { auto store = OpenStore(dir.path()); }
  // What a killed writer leaves: an unlocked owner file and its temp files,
  // plus a temp file whose owner file is gone.
  std::ofstream(dir.path() + "/tmp/deadbeefdeadbeef.owner");
  std::ofstream(dir.path() + "/tmp/deadbeefdeadbeef.0") << "partial";
  std::ofstream(dir.path() + "/tmp/0123456789abcdef.7") << "partial";
  auto live = OpenStore(dir.path());  // holds its own owner lock
  EXPECT_EQ(CountFiles(dir.path() + "/tmp"), 1u);
  // A second store object does not remove the first one's files.
  auto w = live->NewWriter();
  ASSERT_TRUE((*w)->Append(PseudoRandom(10, 1)).ok());
  auto other = OpenStore(dir.path());
  EXPECT_EQ(CountFiles(dir.path() + "/tmp"), 3u);
  EXPECT_TRUE((*w)->Commit().ok());
}

TEST(LocalBlobStore, RefusesForeignDirectory) {
  TempDir dir;
  std::ofstream(dir.path() + "/something") << "x";
  auto s = LocalBlobStore::Open(Env::Default(), dir.path());
  EXPECT_EQ(s.status().reason(), "store.bad_format");
  LocalStoreOptions no_create;
  no_create.create_if_missing = false;
  EXPECT_EQ(LocalBlobStore::Open(Env::Default(), dir.path() + "/nope", no_create).status().reason(),
            "store.not_found");
}

TEST(LocalBlobStore, ConcurrentOverlappingPuts) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  constexpr int kThreads = 8, kPerThread = 40, kDistinct = 25;
  std::vector<Bytes> contents;
  for (int i = 0; i < kDistinct; ++i) contents.push_back(PseudoRandom(1000 + i * 3000, 50 + i));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const Bytes& c = contents[(t * 7 + i) % kDistinct];
        auto r = store->Put(c);
        if (!r.ok() || r->digest != Sha256(c)) failures++;
        auto back = store->ReadAll(Sha256(c));
        if (!back.ok() || *back != c) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(CountFiles(dir.path() + "/blobs"), static_cast<size_t>(kDistinct));
  EXPECT_EQ(CountFiles(dir.path() + "/tmp"), 1u);
  EXPECT_TRUE(store->Fsck()->clean());
}

TEST(LocalBlobStore, FullDiskLeavesNothingHalfWritten) {
  TempDir dir;
  FaultEnv env;
  auto store = OpenStore(dir.path(), &env);
  Digest kept = store->Put(PseudoRandom(1000, 10))->digest;
  env.space_left = 500000;
  auto r = store->Put(PseudoRandom(2 << 20, 11));
  EXPECT_EQ(r.status().reason(), "io.no_space");
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(CountFiles(dir.path() + "/blobs"), 1u);
  EXPECT_EQ(CountFiles(dir.path() + "/tmp"), 1u);
  EXPECT_TRUE(store->Verify(kept).ok());
  env.space_left = -1;
  EXPECT_TRUE(store->Put(PseudoRandom(2 << 20, 11)).ok());
}

TEST(LocalBlobStore, SyncAndRenameFailuresAreNotAcknowledged) {
  TempDir dir;
  FaultEnv env;
  auto store = OpenStore(dir.path(), &env);
  Bytes data = PseudoRandom(10000, 12);
  env.fail_sync = true;
  EXPECT_EQ(store->Put(data).status().reason(), "io.sync");
  env.fail_sync = false;
  env.fail_rename = true;
  EXPECT_EQ(store->Put(data).status().reason(), "io.rename");
  env.fail_rename = false;
  EXPECT_EQ(CountFiles(dir.path() + "/blobs"), 0u);
  EXPECT_EQ(CountFiles(dir.path() + "/tmp"), 1u);
  // A failed directory fsync is reported even though the rename happened.
  env.fail_dir_sync = true;
  EXPECT_EQ(store->Put(data).status().reason(), "io.sync");
  env.fail_dir_sync = false;
  EXPECT_TRUE(store->Put(data).ok());
  EXPECT_TRUE(store->Verify(Sha256(data)).ok());
}

TEST(LocalBlobStore, BatchGroupCommit) {
  TempDir dir;
  FaultEnv env;
  auto store = OpenStore(dir.path(), &env);
  std::vector<Bytes> contents;
  for (int i = 0; i < 50; ++i) contents.push_back(PseudoRandom(1000 + i % 40, 200 + i % 40));
  {
    auto batch = store->NewBatch();
    for (const auto& c : contents) {
      MemorySource src(c);
      ASSERT_TRUE(batch->Add(src).ok());
    }
    EXPECT_EQ(CountFiles(dir.path() + "/blobs"), 0u);  // nothing visible yet
    int syncs_before = env.syncs;
    ASSERT_TRUE(batch->Commit().ok());
    EXPECT_EQ(env.syncs - syncs_before, 2);  // two syncfs for the whole batch
  }
  EXPECT_EQ(CountFiles(dir.path() + "/blobs"), 40u);  // duplicates stored once
  EXPECT_EQ(CountFiles(dir.path() + "/tmp"), 1u);
  for (const auto& c : contents) EXPECT_TRUE(store->Verify(Sha256(c)).ok());
  // An uncommitted batch and a failed commit leave no blob and no temp file.
  Bytes extra = PseudoRandom(500, 999);
  {
    auto batch = store->NewBatch();
    MemorySource src(extra);
    ASSERT_TRUE(batch->Add(src).ok());
  }
  {
    auto batch = store->NewBatch();
    MemorySource src(extra);
    PutOptions wrong;
    wrong.expected_size = 1;
    EXPECT_EQ(batch->Add(src, wrong).status().reason(), "blob.size_mismatch");
    MemorySource again(extra);
    ASSERT_TRUE(batch->Add(again).ok());
    env.fail_sync = true;
    EXPECT_EQ(batch->Commit().reason(), "io.sync");
    env.fail_sync = false;
  }
  EXPECT_FALSE(store->Has(Sha256(extra)).value());
  EXPECT_EQ(CountFiles(dir.path() + "/blobs"), 40u);
  EXPECT_EQ(CountFiles(dir.path() + "/tmp"), 1u);
}

// Permission bits bind only non-root users; as root, tmpfs_test.cc covers a
// read-only mount instead.
TEST(LocalBlobStore, ReadOnlyDirectory) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores permission bits; see ArchiveTmpfs";
  TempDir dir;
  std::string root = dir / "store";
  auto store = OpenStore(root);
  Digest d = store->Put(PseudoRandom(100, 13))->digest;
  namespace fs = std::filesystem;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_directory())
      fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::remove);
  }
  fs::permissions(root, fs::perms::owner_write, fs::perm_options::remove);
  auto r = store->Put(PseudoRandom(100, 14));
  EXPECT_EQ(r.status().reason(), "io.read_only");
  EXPECT_EQ(LocalBlobStore::Open(Env::Default(), root).status().reason(), "io.read_only");
  EXPECT_TRUE(store->Verify(d).ok());
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_directory()) fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  }
  fs::permissions(root, fs::perms::owner_write, fs::perm_options::add);
}

}  // namespace
}  // namespace tz::archive
