// An Env that injects the failures a real disk produces (after LevelDB's
// SpecialEnv): a full disk after N bytes, failing fdatasync, failing rename
// or directory sync, and a clock that can be moved forward.
#pragma once

#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "archive/env.h"

namespace tz::archive::testing {

class FaultEnv : public EnvWrapper {
 public:
  FaultEnv() : EnvWrapper(Env::Default()) {}

  // Bytes that may still be written before writes fail with ENOSPC
  // ("io.no_space"); negative = unlimited.
  std::atomic<int64_t> space_left{-1};
  std::atomic<bool> fail_sync{false};
  std::atomic<bool> fail_rename{false};
  std::atomic<bool> fail_dir_sync{false};
  std::atomic<int64_t> clock_offset{0};
  std::atomic<int> syncs{0};
  std::atomic<int> file_syncs{0};  // fdatasync calls on files
  std::atomic<int> writebacks{0};  // StartWriteback hints
  // The file fdatasync with this 1-based call number fails (0 = none).
  std::atomic<int> fail_file_sync_at{0};
  // Each file append sleeps this long (a slow disk).
  std::atomic<int> append_delay_us{0};

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        OpenMode mode) override;
  Status RenameFile(const std::string& from, const std::string& to) override {
    if (fail_rename) return Status::IOError("io.rename", "injected rename failure");
    return EnvWrapper::RenameFile(from, to);
  }
  Status SyncDir(const std::string& path) override {
    if (fail_dir_sync) return Status::IOError("io.sync", "injected directory fsync failure");
    return EnvWrapper::SyncDir(path);
  }
  Status SyncFileSystem(const std::string& path) override {
    syncs++;
    if (fail_sync) return Status::IOError("io.sync", "injected syncfs failure");
    return EnvWrapper::SyncFileSystem(path);
  }
  int64_t NowUnixSeconds() override { return EnvWrapper::NowUnixSeconds() + clock_offset; }

  // Charges n bytes against space_left; false when the disk is "full".
  bool Charge(size_t n) {
    if (space_left < 0) return true;
    if (space_left.fetch_sub(static_cast<int64_t>(n)) < static_cast<int64_t>(n)) {
      space_left = 0;
      return false;
    }
    return true;
  }
};

class FaultFile : public WritableFile {
 public:
  FaultFile(FaultEnv* env, std::unique_ptr<WritableFile> f) : env_(env), f_(std::move(f)) {}
  Status Append(ByteSpan data) override {
    if (!env_->Charge(data.size())) return NoSpace();
    if (int us = env_->append_delay_us; us > 0) ::usleep(static_cast<useconds_t>(us));
    return f_->Append(data);
  }
  Status WriteAt(uint64_t offset, ByteSpan data) override {
    if (!env_->Charge(data.size())) return NoSpace();
    return f_->WriteAt(offset, data);
  }
  Status Sync() override {
    env_->syncs++;
    int n = ++env_->file_syncs;
    if (env_->fail_sync || n == env_->fail_file_sync_at) {
      return Status::IOError("io.sync", "injected fdatasync failure");
    }
    return f_->Sync();
  }
  void StartWriteback(uint64_t offset, uint64_t length) override {
    env_->writebacks++;
    f_->StartWriteback(offset, length);
  }
  Status Close() override { return f_->Close(); }

 private:
  static Status NoSpace() {
    return Status(Code::kResourceExhausted, "io.no_space", "injected: no space left on device");
  }
  FaultEnv* env_;
  std::unique_ptr<WritableFile> f_;
};

inline Result<std::unique_ptr<WritableFile>> FaultEnv::NewWritableFile(const std::string& path,
                                                                       OpenMode mode) {
  TZ_ASSIGN_OR_RETURN(auto f, EnvWrapper::NewWritableFile(path, mode));
  return std::unique_ptr<WritableFile>(new FaultFile(this, std::move(f)));
}

}  // namespace tz::archive::testing
