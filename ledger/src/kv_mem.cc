// In-memory KvStore: a std::map under a mutex; batches apply atomically.
#include <map>

#include "crypto/thread_annotations.h"
#include "ledger/kv.h"

namespace tz::ledger {
namespace {

class MemKvStore : public KvStore {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) const override TZ_EXCLUDES(mu_) {
    tz::MutexLock lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  Status Write(const KvBatch& batch, bool) override TZ_EXCLUDES(mu_) {
    tz::MutexLock lock(mu_);
    for (const auto& op : batch.ops()) {
      if (op.erase) {
        map_.erase(op.key);
      } else {
        map_[op.key] = op.value;
      }
    }
    return Status::Ok();
  }

  Status Scan(std::string_view begin, std::string_view end,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override
      TZ_EXCLUDES(mu_) {
    tz::MutexLock lock(mu_);
    // Copy the range first so fn may call back into the store.
    std::vector<std::pair<std::string, std::string>> items;
    for (auto it = map_.lower_bound(begin); it != map_.end(); ++it) {
      if (!end.empty() && std::string_view(it->first) >= end) break;
      items.emplace_back(it->first, it->second);
    }
    lock.unlock();
    for (const auto& [k, v] : items) {
      if (!fn(k, v)) break;
    }
    return Status::Ok();
  }

 private:
  mutable tz::Mutex mu_;
  std::map<std::string, std::string, std::less<>> map_ TZ_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<KvStore> NewMemKvStore() { return std::make_unique<MemKvStore>(); }

Status ScanPrefix(const KvStore& store, std::string_view prefix,
                  const std::function<bool(std::string_view, std::string_view)>& fn) {
  std::string end(prefix);
  // The smallest key greater than every key with this prefix.
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return store.Scan(prefix, end, fn);
}

std::string EncodeU64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

uint64_t DecodeU64(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < b.size(); ++i) v = (v << 8) | static_cast<unsigned char>(b[i]);
  return v;
}

}  // namespace tz::ledger
