// Verified range reads (archive/src/local_range.cc): every range is checked
// against the blob's digest, through a chunk index for large blobs.
#include <gtest/gtest.h>

#include <filesystem>

#include "archive/local_store.h"
#include "test_util.h"

namespace tz::archive {
namespace {

using testing::FlipByte;
using testing::PseudoRandom;
using testing::TempDir;

constexpr size_t kMiB = 1 << 20;

std::unique_ptr<LocalBlobStore> OpenStore(const std::string& root) {
  auto s = LocalBlobStore::Open(Env::Default(), root);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(*s);
}

Bytes Slice(const Bytes& b, size_t from, size_t n) {
  return Bytes(b.begin() + static_cast<ptrdiff_t>(from),
               b.begin() + static_cast<ptrdiff_t>(std::min(b.size(), from + n)));
}

// Reads a range through OpenRange in small, odd-sized reads.
Result<Bytes> ReadBySmallReads(LocalBlobStore* store, const Digest& d, uint64_t off, uint64_t len) {
  TZ_ASSIGN_OR_RETURN(auto src, store->OpenRange(d, off, len));
  Bytes out;
  uint8_t buf[4099];
  for (;;) {
    TZ_ASSIGN_OR_RETURN(size_t n, src->Read(buf, sizeof buf));
    if (n == 0) return out;
    out.insert(out.end(), buf, buf + n);
  }
}

TEST(RangeReads, LargeBlobRangesAcrossChunkBoundaries) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(5 * kMiB + 12345, 11);
  Digest d = store->Put(data)->digest;
  EXPECT_FALSE(std::filesystem::exists(store->ChunkIndexPath(d)));  // puts cost nothing extra
  struct Case {
    uint64_t off, len;
  } cases[] = {{0, 10},           {kMiB - 5, 10},       {3 * kMiB, kMiB}, {kMiB / 2, 3 * kMiB},
               {5 * kMiB, 20000}, {data.size() - 1, 1}, {data.size(), 7}};
  for (const Case& c : cases) {
    auto got = ReadBySmallReads(store.get(), d, c.off, c.len);
    ASSERT_TRUE(got.ok()) << c.off << ": " << got.status().ToString();
    EXPECT_EQ(*got, Slice(data, c.off, c.len)) << c.off << "+" << c.len;
  }
  EXPECT_TRUE(std::filesystem::exists(store->ChunkIndexPath(d)));
  EXPECT_EQ(store->ReadRange(d, data.size() + 1, 1).status().reason(), "blob.bad_range");
}

TEST(RangeReads, CorruptChunkIsRefusedOthersServed) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(6 * kMiB, 12);
  Digest d = store->Put(data)->digest;
  ASSERT_TRUE(store->ReadRange(d, 0, 1).ok());  // builds the index from a verified pass
  FlipByte(store->BlobPath(d), 3 * kMiB + 77);  // inside chunk 3
  auto bad = store->ReadRange(d, 3 * kMiB + 10, 100);
  EXPECT_EQ(bad.status().reason(), "blob.corrupt");
  EXPECT_NE(bad.status().message().find("chunk 3"), std::string::npos) << bad.status().message();
  // A range that ends in chunk 2 and one in chunk 4 are still served.
  EXPECT_EQ(store->ReadRange(d, 2 * kMiB, kMiB).value(), Slice(data, 2 * kMiB, kMiB));
  EXPECT_EQ(store->ReadRange(d, 4 * kMiB, 10).value(), Slice(data, 4 * kMiB, 10));
  // A range that crosses into chunk 3 delivers chunk 2's bytes, then fails.
  auto src = store->OpenRange(d, 3 * kMiB - 10, 100);
  ASSERT_TRUE(src.ok());
  uint8_t buf[64];
  auto first = (*src)->Read(buf, sizeof buf);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 10u);
  EXPECT_EQ((*src)->Read(buf, sizeof buf).status().reason(), "blob.corrupt");
}

TEST(RangeReads, CorruptionBeforeTheIndexExistsIsFound) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(5 * kMiB, 13);
  Digest d = store->Put(data)->digest;
  FlipByte(store->BlobPath(d), 4 * kMiB + 1);
  // The first range read hashes everything and finds the blob does not
  // match its key, even though the range itself is in an intact chunk.
  EXPECT_EQ(store->ReadRange(d, 0, 100).status().reason(), "blob.corrupt");
  EXPECT_FALSE(std::filesystem::exists(store->ChunkIndexPath(d)));
}

TEST(RangeReads, DamagedIndexIsRebuilt) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(5 * kMiB, 14);
  Digest d = store->Put(data)->digest;
  ASSERT_TRUE(store->ReadRange(d, 0, 1).ok());
  std::string index = store->ChunkIndexPath(d);
  FlipByte(index, 40);  // a chunk hash: the trailer no longer matches
  EXPECT_EQ(store->ReadRange(d, 2 * kMiB, 5000).value(), Slice(data, 2 * kMiB, 5000));
  std::filesystem::resize_file(index, 10);  // truncated
  EXPECT_EQ(store->ReadRange(d, 4 * kMiB, 5000).value(), Slice(data, 4 * kMiB, 5000));
  // An index copied from another blob is refused (its trailer binds the
  // digest) and rebuilt.
  Bytes other = PseudoRandom(5 * kMiB, 15);
  Digest d2 = store->Put(other)->digest;
  ASSERT_TRUE(store->ReadRange(d2, 0, 1).ok());
  std::filesystem::copy_file(store->ChunkIndexPath(d2), index,
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(store->ReadRange(d, kMiB, 5000).value(), Slice(data, kMiB, 5000));
}

TEST(RangeReads, SmallBlobIsVerifiedWhole) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(300000, 16);
  Digest d = store->Put(data)->digest;
  EXPECT_EQ(store->ReadRange(d, 1000, 50).value(), Slice(data, 1000, 50));
  FlipByte(store->BlobPath(d), 250000);
  EXPECT_EQ(store->ReadRange(d, 1000, 50).status().reason(), "blob.corrupt");
}

TEST(RangeReads, FsckQuarantineRemovesTheIndex) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Bytes data = PseudoRandom(5 * kMiB, 17);
  Digest d = store->Put(data)->digest;
  ASSERT_TRUE(store->ReadRange(d, 0, 1).ok());
  FlipByte(store->BlobPath(d), 10);
  auto report = store->Fsck();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->corrupt.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(store->ChunkIndexPath(d)));
  EXPECT_EQ(store->ReadRange(d, 0, 1).status().reason(), "blob.not_found");
  // Putting the good bytes again repairs it; ranges work again.
  ASSERT_TRUE(store->Put(data).ok());
  EXPECT_EQ(store->ReadRange(d, 3 * kMiB, 9).value(), Slice(data, 3 * kMiB, 9));
}

}  // namespace
}  // namespace tz::archive
