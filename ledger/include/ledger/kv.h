// A small ordered key-value store: the only storage the ledger needs.
//
// Two implementations: LevelDB (production; the only place LevelDB is
// included) and an in-memory twin for tests. Both apply a KvBatch
// atomically: after a crash either every operation of a batch is visible or
// none is. With sync=true, Write returns only after the batch is durable.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.h"

namespace leveldb {
class Env;
}

namespace tz::ledger {

class KvBatch {
 public:
  void Put(std::string key, std::string value) {
    bytes_ += key.size() + value.size();
    ops_.push_back({std::move(key), std::move(value), false});
  }
  void Delete(std::string key) {
    bytes_ += key.size();
    ops_.push_back({std::move(key), std::string(), true});
  }
  void Clear() {
    ops_.clear();
    bytes_ = 0;
  }
  struct Op {
    std::string key, value;
    bool erase;
  };
  const std::vector<Op>& ops() const { return ops_; }
  size_t approximate_bytes() const { return bytes_; }

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

class KvStore {
 public:
  virtual ~KvStore() = default;
  // The value, std::nullopt when absent; non-OK only when the store failed
  // ("kv.io").
  virtual Result<std::optional<std::string>> Get(std::string_view key) const = 0;
  // Applies all of batch atomically; durable before returning when sync.
  // A failed write may have reached the disk in part or entirely ("kv.io",
  // or "storage.full" (kResourceExhausted) when the disk is full): the
  // caller must not write again before reopening the store (Ledger latches
  // it).
  virtual Status Write(const KvBatch& batch, bool sync) = 0;
  // Calls fn(key, value) for keys in [begin, end) in order until it returns
  // false. An empty `end` means no upper bound.
  virtual Status Scan(std::string_view begin, std::string_view end,
                      const std::function<bool(std::string_view, std::string_view)>& fn) const = 0;
};

// Keys with this prefix, in order.
Status ScanPrefix(const KvStore& store, std::string_view prefix,
                  const std::function<bool(std::string_view, std::string_view)>& fn);

std::unique_ptr<KvStore> NewMemKvStore();

struct LevelDbOptions {
  bool create_if_missing = false;
  // The file system LevelDB works through; null means leveldb::Env::Default().
  // Tests pass a fault-injecting leveldb::EnvWrapper; it must outlive the
  // store.
  leveldb::Env* env = nullptr;
  // Bytes of writes kept in memory before LevelDB writes them out as a table.
  size_t write_buffer_size = 16 << 20;
};

// Opens (creating when create_if_missing) a LevelDB database in dir.
// Reasons: "kv.open" (including "already locked by another process").
Result<std::unique_ptr<KvStore>> OpenLevelDbStore(const std::string& dir,
                                                  const LevelDbOptions& options);
Result<std::unique_ptr<KvStore>> OpenLevelDbStore(const std::string& dir, bool create_if_missing);

// Big-endian fixed-width encoding for integer key parts, so that keys sort
// numerically.
std::string EncodeU64(uint64_t v);
uint64_t DecodeU64(std::string_view b);  // requires b.size() == 8

}  // namespace tz::ledger
