// LevelDB KvStore. The only file that includes LevelDB.
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include "ledger/kv.h"

namespace tz::ledger {
namespace {

leveldb::Slice ToSlice(std::string_view s) { return leveldb::Slice(s.data(), s.size()); }

// A failed write: "storage.full" when the disk (or quota) is full, which the
// API answers with 507, else "kv.io". LevelDB reports errno only as
// strerror's text.
Status WriteError(const leveldb::Status& s) {
  std::string text = s.ToString();
  if (s.IsIOError() && (text.find("No space left on device") != std::string::npos ||
                        text.find("Disk quota exceeded") != std::string::npos)) {
    return Status(Code::kResourceExhausted, "storage.full", text);
  }
  return Status::IOError("kv.io", text);
}

class LevelDbStore : public KvStore {
 public:
  LevelDbStore(leveldb::DB* db, const leveldb::FilterPolicy* filter, leveldb::Cache* cache)
      : db_(db), filter_(filter), cache_(cache) {}
  ~LevelDbStore() override {
    delete db_;
    delete filter_;
    delete cache_;
  }

  Result<std::optional<std::string>> Get(std::string_view key) const override {
    std::string value;
    leveldb::Status s = db_->Get(leveldb::ReadOptions(), ToSlice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return Status::IOError("kv.io", s.ToString());
    return std::optional<std::string>(std::move(value));
  }

  Status Write(const KvBatch& batch, bool sync) override {
    leveldb::WriteBatch wb;
    for (const auto& op : batch.ops()) {
      if (op.erase) {
        wb.Delete(op.key);
      } else {
        wb.Put(op.key, op.value);
      }
    }
    leveldb::WriteOptions wo;
    wo.sync = sync;
    leveldb::Status s = db_->Write(wo, &wb);
    if (!s.ok()) return WriteError(s);
    return Status::Ok();
  }

  Status Scan(std::string_view begin, std::string_view end,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(ToSlice(begin)); it->Valid(); it->Next()) {
      std::string_view k(it->key().data(), it->key().size());
      if (!end.empty() && k >= end) break;
      if (!fn(k, std::string_view(it->value().data(), it->value().size()))) break;
    }
    if (!it->status().ok()) return Status::IOError("kv.io", it->status().ToString());
    return Status::Ok();
  }

 private:
  leveldb::DB* db_;
  const leveldb::FilterPolicy* filter_;
  leveldb::Cache* cache_;
};

}  // namespace

Result<std::unique_ptr<KvStore>> OpenLevelDbStore(const std::string& dir, bool create_if_missing) {
  LevelDbOptions o;
  o.create_if_missing = create_if_missing;
  return OpenLevelDbStore(dir, o);
}

Result<std::unique_ptr<KvStore>> OpenLevelDbStore(const std::string& dir, const LevelDbOptions& o) {
  leveldb::Options options;
  options.create_if_missing = o.create_if_missing;
  options.paranoid_checks = true;
  options.filter_policy = leveldb::NewBloomFilterPolicy(10);
  options.block_cache = leveldb::NewLRUCache(64 << 20);
  options.write_buffer_size = o.write_buffer_size;
  if (o.env != nullptr) options.env = o.env;
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, dir, &db);
  if (!s.ok()) {
    delete options.filter_policy;
    delete options.block_cache;
    return Status::IOError("kv.open", s.ToString());
  }
  return std::unique_ptr<KvStore>(
      std::make_unique<LevelDbStore>(db, options.filter_policy, options.block_cache));
}

}  // namespace tz::ledger
