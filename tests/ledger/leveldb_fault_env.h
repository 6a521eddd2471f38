// A LevelDB Env that fails the N-th write, sync or rename (in the spirit of
// LevelDB's fault_injection_test and tests/archive/fault_env.h), and a
// checkpoint-mark store that fails the N-th record.
//
// The failures are the ones a disk produces:
//   - a write (WritableFile::Append or Flush) that fails with ENOSPC after
//     putting a prefix of its bytes on the file (a torn record, which LevelDB
//     would bury in the middle of its log if it wrote on afterwards);
//   - an fsync that fails, leaving what was written in the page cache (it
//     may or may not be there after a restart);
//   - a rename that fails and leaves both names as they were.
// With `persistent` every later operation of the same kind fails too (a
// disk that stays full); otherwise only the N-th (a transient error).
#pragma once

#include <leveldb/env.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include "ledger/checkpoint_mark.h"

namespace tz::ledger::testing {

enum class FaultOp { kWrite, kSync, kRename };

inline const char* FaultOpName(FaultOp op) {
  switch (op) {
    case FaultOp::kWrite:
      return "write";
    case FaultOp::kSync:
      return "sync";
    case FaultOp::kRename:
      return "rename";
  }
  return "?";
}

class FaultLevelDbEnv : public leveldb::EnvWrapper {
 public:
  FaultLevelDbEnv() : EnvWrapper(leveldb::Env::Default()) {}

  // Fails operation number `n` (1-based, counted per kind from now) of kind
  // `op`; n = 0 disarms.
  void Arm(FaultOp op, int n, bool persistent = false) {
    op_ = op;
    persistent_ = persistent;
    count_[0] = count_[1] = count_[2] = 0;
    injected_ = 0;
    fail_at_ = n;
  }
  int count(FaultOp op) const { return count_[static_cast<int>(op)]; }
  int injected() const { return injected_; }

  // True when this operation must fail (and counts it).
  bool Hit(FaultOp op) {
    int n = ++count_[static_cast<int>(op)];
    if (fail_at_ == 0 || op != op_) return false;
    if (n == fail_at_ || (persistent_ && n > fail_at_)) {
      ++injected_;
      return true;
    }
    return false;
  }

  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override {
    leveldb::Status s = target()->NewWritableFile(f, r);
    if (s.ok()) *r = new File(this, f, *r);
    return s;
  }
  leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override {
    leveldb::Status s = target()->NewAppendableFile(f, r);
    if (s.ok()) *r = new File(this, f, *r);
    return s;
  }
  leveldb::Status RenameFile(const std::string& from, const std::string& to) override {
    if (Hit(FaultOp::kRename)) return leveldb::Status::IOError(from, "Input/output error");
    return target()->RenameFile(from, to);
  }

 private:
  class File : public leveldb::WritableFile {
   public:
    File(FaultLevelDbEnv* env, std::string name, leveldb::WritableFile* f)
        : env_(env), name_(std::move(name)), f_(f) {}
    leveldb::Status Append(const leveldb::Slice& data) override {
      if (env_->Hit(FaultOp::kWrite)) {
        // A torn write: part of the bytes reach the file.
        leveldb::Status s = f_->Append(leveldb::Slice(data.data(), data.size() / 2));
        (void)s;
        return NoSpace();
      }
      return f_->Append(data);
    }
    leveldb::Status Flush() override {
      if (env_->Hit(FaultOp::kWrite)) return NoSpace();
      return f_->Flush();
    }
    leveldb::Status Sync() override {
      if (env_->Hit(FaultOp::kSync)) return leveldb::Status::IOError(name_, "Input/output error");
      return f_->Sync();
    }
    leveldb::Status Close() override { return f_->Close(); }

   private:
    leveldb::Status NoSpace() const {
      return leveldb::Status::IOError(name_, "No space left on device");
    }
    FaultLevelDbEnv* env_;
    std::string name_;
    std::unique_ptr<leveldb::WritableFile> f_;
  };

  FaultOp op_ = FaultOp::kWrite;
  bool persistent_ = false;
  std::atomic<int> fail_at_{0};
  std::atomic<int> count_[3] = {0, 0, 0};
  std::atomic<int> injected_{0};
};

// Wraps a real mark store; record number `fail_at` (1-based) fails, either
// before anything is written (`after` false: the old record stays) or after
// the inner store wrote it (`after` true: a failure reported late, e.g. by
// the directory fsync, with the new record in place).
class FaultMarkStore : public CheckpointMarkStore {
 public:
  FaultMarkStore(std::shared_ptr<CheckpointMarkStore> inner, int fail_at, bool after)
      : inner_(std::move(inner)), fail_at_(fail_at), after_(after) {}
  Result<std::optional<CheckpointMark>> Load() const override { return inner_->Load(); }
  Status Store(const CheckpointMark& m) override {
    int n = ++stores_;
    if (n != fail_at_) return inner_->Store(m);
    ++injected_;
    if (after_) (void)inner_->Store(m);
    return Status(Code::kResourceExhausted, "storage.full", "injected: no space left on device");
  }
  int stores() const { return stores_; }
  int injected() const { return injected_; }

 private:
  std::shared_ptr<CheckpointMarkStore> inner_;
  int fail_at_;
  bool after_;
  std::atomic<int> stores_{0};
  std::atomic<int> injected_{0};
};

}  // namespace tz::ledger::testing
