// LocalBlobStore: the embedded, local-file-system BlobStore.
//
// Layout under the root directory (see docs/archive.md):
//   FORMAT                  "tiezheng-archive v1"
//   blobs/ab/cd/abcd…(64)   one immutable file per blob, named by its digest
//   tmp/                    in-flight writes: <owner>.owner lock + <owner>.<n>
//   uploads/<id>/           resumable upload sessions (archive/upload.h)
//   quarantine/             corrupt blobs moved aside by Fsck
//   households/             wrapped household data keys (archive/household.h)
//
// Durability: a put writes tmp/<owner>.<n>, fdatasyncs it, renames it to its
// digest path and fsyncs that directory before Commit returns. A crash at any
// moment therefore leaves either no blob or the complete blob under the
// digest. Each open store object holds a flock on its tmp/<owner>.owner file;
// Open removes the temp files of owners whose lock is free (dead processes),
// so a crash leaves no garbage that is never cleaned.
//
// Thread-safe; several processes may open the same root at once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "archive/blob_store.h"
#include "archive/env.h"
#include "crypto/thread_annotations.h"

namespace tz::archive {

struct LocalStoreOptions {
  // Create the root and its layout if absent; otherwise "store.not_found".
  bool create_if_missing = true;
  // Large puts (past 4 MiB; written by a background thread while the caller
  // hashes): a third thread starts writeback of every `writeback_chunk`
  // bytes once written and makes every `sync_every` bytes durable on the way
  // (fdatasync), so the final sync has little left to flush. Measured in
  // docs/archive.md; 0 turns either off.
  uint64_t writeback_chunk = 8 << 20;
  uint64_t sync_every = 64 << 20;
};

struct FsckOptions {
  // Move corrupt blobs to quarantine/ (otherwise only report them).
  bool quarantine = true;
  // Digests that must be present (e.g. from the ledger); absent ones are
  // reported as missing.
  std::vector<Digest> expected;
};

struct FsckReport {
  uint64_t blobs_checked = 0;
  uint64_t bytes_checked = 0;
  std::vector<Digest> corrupt;           // content does not hash to its name
  std::vector<Digest> missing;           // in FsckOptions::expected, not stored
  std::vector<std::string> quarantined;  // where corrupt blobs were moved
  std::vector<std::string> stray;        // files under blobs/ not named like a blob
  std::vector<std::string> errors;       // blobs that could not be read (I/O)
  bool clean() const {
    return corrupt.empty() && missing.empty() && stray.empty() && errors.empty();
  }
};

class LocalBlobStore : public BlobStore {
 public:
  // Opens the store at `root`. Fails with "store.not_found" (absent and not
  // create_if_missing), "store.bad_format" (FORMAT is not ours) or an io.*
  // reason (e.g. "io.read_only" when the directory cannot be written: a
  // store needs its tmp/ lock even to read). `env` must outlive the store.
  [[nodiscard]] static Result<std::unique_ptr<LocalBlobStore>> Open(
      Env* env, const std::string& root, const LocalStoreOptions& options = {});
  ~LocalBlobStore() override;
  LocalBlobStore(const LocalBlobStore&) = delete;
  LocalBlobStore& operator=(const LocalBlobStore&) = delete;

  Result<std::unique_ptr<BlobWriter>> NewWriter(const PutOptions& options = {}) override;
  Result<std::unique_ptr<BlobReader>> Open(const Digest& digest) override;
  Result<std::unique_ptr<ByteSource>> OpenRange(const Digest& digest, uint64_t offset,
                                                uint64_t length) override;
  Result<bool> Has(const Digest& digest) override;
  Result<BlobInfo> Stat(const Digest& digest) override;
  Result<std::vector<Digest>> List(const std::optional<Digest>& start_after, size_t limit) override;

  // Group commit for many blobs (`tiezheng archive put FILE...`, bulk
  // imports): Add() hashes each blob into a temp file; Commit() makes all of
  // them durable and visible with two file-system syncs (syncfs) in total
  // instead of several fsyncs per blob. Nothing added is visible or may be
  // acknowledged before Commit returns OK; after a crash any subset of the
  // batch is present, each blob complete. A Batch is not thread-safe;
  // destroying it uncommitted discards it.
  class Batch {
   public:
    ~Batch();
    // Same contract and reasons as BlobStore::Put, except durability.
    [[nodiscard]] Result<BlobInfo> Add(ByteSource& source, const PutOptions& options = {});
    [[nodiscard]] Status Commit();
    size_t size() const { return pending_.size(); }

   private:
    friend class LocalBlobStore;
    explicit Batch(LocalBlobStore* store) : store_(store) {}
    struct Pending {
      std::string temp;
      BlobInfo info;
    };
    LocalBlobStore* store_;
    std::vector<Pending> pending_;
  };
  std::unique_ptr<Batch> NewBatch() { return std::unique_ptr<Batch>(new Batch(this)); }

  // Re-hashes every blob; reports (and by default quarantines) corrupt ones.
  // Per-blob read errors are reported, not returned; the Status is an error
  // only if the store itself cannot be walked.
  [[nodiscard]] Result<FsckReport> Fsck(const FsckOptions& options = {});

  Env* env() const { return env_; }
  const std::string& root() const { return root_; }
  const LocalStoreOptions& options() const { return options_; }
  std::string BlobPath(const Digest& digest) const;
  // The chunk index of a blob, used to verify range reads (local_range.cc).
  std::string ChunkIndexPath(const Digest& digest) const;
  std::string UploadsDir() const;
  std::string HouseholdsDir() const;

  // For producers in this module that assemble a blob on the same file
  // system (upload sessions). Requires: `path` is durable (synced) and its
  // content verified to hash to info.digest with info.size bytes. Moves it
  // under its digest (or discards it if already stored) and makes that
  // durable.
  // With sync_dirs false the caller makes the rename durable itself (Batch).
  [[nodiscard]] Status PublishVerifiedFile(const std::string& path, const BlobInfo& info,
                                           bool sync_dirs = true);
  // A fresh path under tmp/ owned by this object: if the process dies, the
  // next Open removes it.
  std::string NewTempPath() TZ_EXCLUDES(mu_);

 private:
  LocalBlobStore(Env* env, std::string root, LocalStoreOptions options);
  Status Init();
  Status CleanTemp();
  Status EnsureFanoutDirs(const Digest& digest, bool sync) TZ_EXCLUDES(mu_);
  Status ListInto(const std::optional<Digest>& start_after, size_t limit, std::vector<Digest>* out);
  void FsckDir(const std::string& rel, int depth, const FsckOptions& options, FsckReport* report);
  void FsckFile(const std::string& rel, const std::string& name, const FsckOptions& options,
                FsckReport* report);

  Env* env_;
  std::string root_;
  LocalStoreOptions options_;
  std::string owner_;  // random token naming this object's temp files
  std::unique_ptr<FileLock> owner_lock_;
  tz::Mutex mu_;
  uint64_t next_temp_ TZ_GUARDED_BY(mu_) = 0;
  // Fan-out directories known to exist: [0, 256) level 1, [256, 65792) level 2.
  std::vector<bool> fanout_known_ TZ_GUARDED_BY(mu_);
};

}  // namespace tz::archive
