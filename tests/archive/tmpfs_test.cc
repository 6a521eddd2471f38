// A real full disk and a real read-only file system: a 1 MiB tmpfs (needs
// root / CAP_SYS_ADMIN; skipped cleanly otherwise).
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <filesystem>

#include "archive/local_store.h"
#include "archive/upload.h"
#include "test_util.h"

namespace tz::archive {
namespace {

using testing::CountFiles;
using testing::PseudoRandom;
using testing::TempDir;

class ArchiveTmpfs : public ::testing::Test {
 protected:
  void SetUp() override {
    mnt_ = dir_ / "mnt";
    std::filesystem::create_directory(mnt_);
    if (::mount("tmpfs", mnt_.c_str(), "tmpfs", 0, "size=1m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (not root?); fault-injection tests cover it";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) ::umount2(mnt_.c_str(), MNT_DETACH);
  }
  bool Remount(unsigned long flags) {
    return ::mount("tmpfs", mnt_.c_str(), "tmpfs", MS_REMOUNT | flags, "size=1m") == 0;
  }

  TempDir dir_;
  std::string mnt_;
  bool mounted_ = false;
};

TEST_F(ArchiveTmpfs, FullDiskFailsCleanlyAndRecovers) {
  auto store = std::move(LocalBlobStore::Open(Env::Default(), mnt_ + "/a").value());
  Bytes kept = PseudoRandom(100000, 1);
  ASSERT_TRUE(store->Put(kept).ok());
  auto r = store->Put(PseudoRandom(2 << 20, 2));
  EXPECT_EQ(r.status().reason(), "io.no_space") << r.status().ToString();
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(CountFiles(mnt_ + "/a/blobs"), 1u);  // nothing half-written
  EXPECT_EQ(CountFiles(mnt_ + "/a/tmp"), 1u);    // temp file removed
  EXPECT_TRUE(store->Verify(Sha256(kept)).ok());
  // An upload that does not fit fails on the part, and can be aborted.
  auto uploads = std::move(LocalUploadSessions::Open(store.get()).value());
  Bytes big = PseudoRandom(1500000, 3);
  auto st = uploads->Begin(Sha256(big), big.size());
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(uploads->PutPart(st->id, 0, big).reason(), "io.no_space");
  EXPECT_TRUE(uploads->Query(st->id)->received.empty());
  EXPECT_TRUE(uploads->Abort(st->id).ok());
  // The space is back: a put that fits succeeds.
  EXPECT_TRUE(store->Put(PseudoRandom(300000, 4)).ok());
  EXPECT_TRUE(store->Fsck()->clean());
}

TEST_F(ArchiveTmpfs, ReadOnlyMount) {
  auto store = std::move(LocalBlobStore::Open(Env::Default(), mnt_ + "/a").value());
  Bytes kept = PseudoRandom(1000, 5);
  ASSERT_TRUE(store->Put(kept).ok());
  if (!Remount(MS_RDONLY)) GTEST_SKIP() << "cannot remount read-only";
  auto r = store->Put(PseudoRandom(1000, 6));
  EXPECT_EQ(r.status().reason(), "io.read_only") << r.status().ToString();
  EXPECT_EQ(LocalBlobStore::Open(Env::Default(), mnt_ + "/b").status().reason(), "io.read_only");
  EXPECT_EQ(LocalBlobStore::Open(Env::Default(), mnt_ + "/a").status().reason(), "io.read_only");
  // Reads keep working and nothing changed.
  EXPECT_EQ(store->ReadAll(Sha256(kept)).value(), kept);
  EXPECT_EQ(CountFiles(mnt_ + "/a/blobs"), 1u);
  ASSERT_TRUE(Remount(0));
}

}  // namespace
}  // namespace tz::archive
