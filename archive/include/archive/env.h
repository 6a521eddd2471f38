// The operating-system seam of the archive, after LevelDB's Env: every file
// operation of the local backend goes through an Env, so that tests can
// inject a full disk, failing fsyncs, failing renames or a moved clock, and
// the store never calls the OS directly.
//
// Errors are values with stable reasons:
//   "io.not_found"     (kNotFound)          the path does not exist
//   "io.exists"        (kAlreadyExists)     exclusive create / link target exists
//   "io.no_space"      (kResourceExhausted) ENOSPC or EDQUOT
//   "io.read_only"     (kIOError)           EROFS, EACCES or EPERM on a write
//   "io.locked"        (kUnavailable)       TryLockFile: held by someone else
//   "io.write", "io.read", "io.sync", "io.rename", "io.open", "io.remove",
//   "io.mkdir", "io.stat", "io.list", "io.lock" (kIOError) anything else.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace tz::archive {

// A file open for writing. Not thread-safe.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends at the current end. On failure the file content past the last
  // successful Sync() is unspecified.
  [[nodiscard]] virtual Status Append(ByteSpan data) = 0;
  // Writes at an absolute offset (upload parts); does not move the append
  // position.
  [[nodiscard]] virtual Status WriteAt(uint64_t offset, ByteSpan data) = 0;
  // Asks the OS to start writing back bytes [offset, offset+length) already
  // written, so that a later Sync() has less to do. A hint: no durability
  // promise, no error. May be called from another thread than the writer's.
  virtual void StartWriteback(uint64_t offset, uint64_t length) {
    (void)offset;
    (void)length;
  }
  // Makes everything written so far durable (fdatasync). May be called from
  // another thread while the writer appends (what it covers then is at least
  // what was appended before the call).
  [[nodiscard]] virtual Status Sync() = 0;
  // Closes the descriptor; further calls are invalid. Idempotent.
  [[nodiscard]] virtual Status Close() = 0;
};

// A file open for reading. Not thread-safe.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to n bytes at the current position; returns 0 only at the end.
  [[nodiscard]] virtual Result<size_t> Read(uint8_t* buf, size_t n) = 0;
  // Reads up to n bytes at offset without moving the position; 0 at the end.
  [[nodiscard]] virtual Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) = 0;
  [[nodiscard]] virtual Result<uint64_t> Size() = 0;
};

// An advisory lock (flock); released when destroyed or when the process dies.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

struct FileAttr {
  uint64_t size = 0;
  int64_t mtime = 0;  // Unix seconds
  bool is_dir = false;
  uint32_t mode = 0;  // permission bits (0777 mask)
};

class Env {
 public:
  enum class OpenMode {
    kCreateExclusive,  // fail with "io.exists" if the file exists
    kOpenOrCreate,     // open existing (no truncation) or create
  };

  virtual ~Env() = default;
  // The real POSIX file system. Never null; lives forever.
  static Env* Default();

  [[nodiscard]] virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path, OpenMode mode) = 0;
  [[nodiscard]] virtual Result<std::unique_ptr<ReadableFile>> NewReadableFile(
      const std::string& path) = 0;
  // Atomically replaces `to` (rename(2)). Both in the same file system.
  [[nodiscard]] virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Hard link; "io.exists" if `to` exists (an atomic publish-if-absent).
  [[nodiscard]] virtual Status LinkFile(const std::string& from, const std::string& to) = 0;
  [[nodiscard]] virtual Status RemoveFile(const std::string& path) = 0;
  // Removes an empty directory.
  [[nodiscard]] virtual Status RemoveDir(const std::string& path) = 0;
  // Returns true if created, false if a directory already existed there.
  [[nodiscard]] virtual Result<bool> CreateDir(const std::string& path) = 0;
  // fsyncs a directory, making renames, links and unlinks in it durable.
  [[nodiscard]] virtual Status SyncDir(const std::string& path) = 0;
  // Flushes everything written to the file system holding `path` (data and
  // metadata of every file: syncfs(2)). Used for group commit.
  [[nodiscard]] virtual Status SyncFileSystem(const std::string& path) = 0;
  [[nodiscard]] virtual Result<FileAttr> Stat(const std::string& path) = 0;
  // Entry names (not paths), without "." and "..", in no particular order.
  [[nodiscard]] virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  // Opens (creating if `create`) and exclusively locks the file. TryLockFile
  // fails with "io.locked" instead of waiting.
  [[nodiscard]] virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                                                   bool create) = 0;
  [[nodiscard]] virtual Result<std::unique_ptr<FileLock>> TryLockFile(const std::string& path) = 0;
  // Sets permission bits (chmod).
  [[nodiscard]] virtual Status SetPermissions(const std::string& path, uint32_t mode) = 0;
  // Absolute path with symlinks, "." and ".." resolved (realpath(3)).
  [[nodiscard]] virtual Result<std::string> RealPath(const std::string& path) = 0;
  // Wall clock, Unix seconds (upload session expiry).
  virtual int64_t NowUnixSeconds() = 0;
};

// An Env that forwards everything to another one; subclass it in tests and
// override what should fail.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        OpenMode mode) override {
    return target_->NewWritableFile(path, mode);
  }
  Result<std::unique_ptr<ReadableFile>> NewReadableFile(const std::string& path) override {
    return target_->NewReadableFile(path);
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return target_->RenameFile(from, to);
  }
  Status LinkFile(const std::string& from, const std::string& to) override {
    return target_->LinkFile(from, to);
  }
  Status RemoveFile(const std::string& path) override { return target_->RemoveFile(path); }
  Status RemoveDir(const std::string& path) override { return target_->RemoveDir(path); }
  Result<bool> CreateDir(const std::string& path) override { return target_->CreateDir(path); }
  Status SyncDir(const std::string& path) override { return target_->SyncDir(path); }
  Status SyncFileSystem(const std::string& path) override { return target_->SyncFileSystem(path); }
  Result<FileAttr> Stat(const std::string& path) override { return target_->Stat(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return target_->ListDir(path);
  }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, bool create) override {
    return target_->LockFile(path, create);
  }
  Result<std::unique_ptr<FileLock>> TryLockFile(const std::string& path) override {
    return target_->TryLockFile(path);
  }
  Status SetPermissions(const std::string& path, uint32_t mode) override {
    return target_->SetPermissions(path, mode);
  }
  Result<std::string> RealPath(const std::string& path) override { return target_->RealPath(path); }
  int64_t NowUnixSeconds() override { return target_->NowUnixSeconds(); }

 private:
  Env* target_;
};

// Helpers over an Env.
// Writes `data` to `path` atomically and durably: temp file beside it, fsync,
// rename, fsync the directory. Replaces an existing file.
[[nodiscard]] Status WriteFileAtomic(Env* env, const std::string& path, ByteSpan data);
// Reads a whole (small) file; "io.too_large" (kResourceExhausted) past max_bytes.
[[nodiscard]] Result<std::string> ReadSmallFile(Env* env, const std::string& path,
                                                size_t max_bytes = 1 << 20);
// Creates a directory and its missing parents (each newly created one synced
// into its parent).
[[nodiscard]] Status CreateDirs(Env* env, const std::string& path);
// Removes a directory tree (files and subdirectories). Missing is not an error.
[[nodiscard]] Status RemoveTree(Env* env, const std::string& path);

}  // namespace tz::archive
