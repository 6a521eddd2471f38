#include "ledger/audit.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <thread>
#include <unordered_map>

#include "crypto/set_hash.h"
#include "crypto/thread_annotations.h"
#include "layout.h"
#include "ledger/ledger.h"

namespace tz::ledger {
namespace {

// Derived families are compared through keyed multiset fingerprints
// (crypto/set_hash.h) with a key drawn for this audit, so whoever wrote the
// store cannot craft a different set with the same fingerprint.
using Fingerprint = SetHash;
using Prints = std::map<std::string, Fingerprint, std::less<>>;

Fingerprint& PrintOf(Prints* prints, std::string_view family, const SetHash::Key& key) {
  auto it = prints->find(family);
  if (it == prints->end()) it = prints->emplace(std::string(family), Fingerprint(key)).first;
  return it->second;
}

// The family a derived key belongs to: "e" (entries), "i" (entry ids), "n"
// (log nodes), "x/<name>" (term indices), "x/time"; "" for everything else.
std::string_view Family(std::string_view key) {
  if (key.starts_with("i/")) return key.substr(0, 1);
  if (key.starts_with("n/")) return key.substr(0, 1);
  if (key.starts_with("e/")) return key.substr(0, 1);
  if (key.starts_with("x/")) {
    size_t slash = key.find('/', 2);
    return key.substr(0, slash == std::string_view::npos ? key.size() : slash);
  }
  return {};
}

// The family the state records ("s/...") are fingerprinted under.
constexpr std::string_view kStateFamily = "s";

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// The replay's store: keeps state and metadata ("s/", "m/") in a hash map to
// validate later blocks, and only fingerprints the derived families it is
// given. Used by the replay's thread only; Scan (for a detailed comparison
// after a mismatch) sorts what it returns.
class ReplayStore : public KvStore {
 public:
  // `expected_records`: a hint (the head's log size: most entries leave one
  // state record), so the map does not rehash as it grows.
  ReplayStore(const SetHash::Key& key, size_t expected_records) : key_(key) {
    map_.reserve(std::min<size_t>(expected_records + 1024, size_t{1} << 26));
  }
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    auto it = map_.find(key);
    if (it == map_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Write(const KvBatch& batch, bool) override {
    for (const auto& op : batch.ops()) {
      std::string_view fam = Family(op.key);
      if (fam == "e") {
        // The replay's entries are the stored ones it read (Audit counts the
        // stored "e/" keys instead of hashing them twice).
        ++entries_;
      } else if (!fam.empty()) {
        if (last_print_ == nullptr || fam != last_family_) {
          auto it = prints_.find(fam);
          if (it == prints_.end()) it = prints_.emplace(std::string(fam), Fingerprint(key_)).first;
          last_print_ = &it->second;
          last_family_ = it->first;
        }
        last_print_->Add({AsBytes(op.key), AsBytes(op.value)});
      } else if (op.key.starts_with("s/") || op.key.starts_with("m/")) {
        if (op.erase) {
          map_.erase(op.key);
        } else {
          map_.insert_or_assign(op.key, op.value);
        }
      }
    }
    return Status::Ok();
  }
  Status Scan(std::string_view begin, std::string_view end,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    std::vector<const std::pair<const std::string, std::string>*> items;
    for (const auto& kv : map_) {
      std::string_view k = kv.first;
      if (k >= begin && (end.empty() || k < end)) items.push_back(&kv);
    }
    std::sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->first < b->first; });
    for (auto* kv : items) {
      if (!fn(kv->first, kv->second)) break;
    }
    return Status::Ok();
  }
  // The fingerprint of the state records, to compare with the stored ones.
  Fingerprint StatePrint() const {
    Fingerprint f(key_);
    for (const auto& [k, v] : map_) {
      if (k.starts_with("s/")) f.Add({AsBytes(k), AsBytes(v)});
    }
    return f;
  }
  Prints prints_;
  uint64_t entries_ = 0;

 private:
  SetHash::Key key_;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> map_;
  // The family of the previous derived key (a string_view into prints_'s
  // key, stable in a std::map) and its fingerprint: consecutive keys of a
  // batch usually share a family.
  std::string_view last_family_;
  Fingerprint* last_print_ = nullptr;
};

AuditFailure Fail(std::optional<uint64_t> height, Status s) {
  return AuditFailure{height, std::nullopt, "", std::move(s)};
}

Status Bad(std::string reason, std::string message) {
  return Status::Verification(std::move(reason), std::move(message));
}

std::optional<AuditFailure> CheckCheckpoint(const KvStore& store, const Ledger& replay,
                                            const BlockHeader& h, std::string* note_out) {
  auto note = store.Get(layout::CheckpointKey(h.height));
  if (!note.ok()) return Fail(h.height, note.status());
  if (!*note) return Fail(h.height, Bad("audit.checkpoint", "the block has no checkpoint"));
  std::vector<log::NoteVerifier> keys = replay.NodeKeys();
  auto cp = log::VerifyCertifiedCheckpoint(**note, keys, 1, replay.origin());
  if (!cp.ok()) {
    return Fail(h.height, Bad("audit.checkpoint",
                              "checkpoint does not verify with the members' "
                              "node keys: " +
                                  cp.status().ToString()));
  }
  const log::Checkpoint& c = cp->checkpoint;
  if (c.size != h.log_size || c.root_hash != h.log_root || !c.block ||
      c.block->height != h.height || c.block->block_hash != h.Hash() ||
      c.block->time_ms != static_cast<uint64_t>(h.time)) {
    return Fail(h.height, Bad("audit.checkpoint", "checkpoint differs from its block"));
  }
  *note_out = **note;
  return std::nullopt;
}

// Stored fingerprints of the derived families and of the state records
// (family "s"), and the number of stored entries.
Status StoredPrints(const KvStore& store, const SetHash::Key& key, Prints* prints,
                    uint64_t* entries) {
  *entries = 0;
  TZ_RETURN_IF_ERROR(ScanPrefix(store, "e/", [&](std::string_view, std::string_view) {
    ++*entries;
    return true;
  }));
  for (std::string_view prefix : {"i/", "n/", "x/"}) {
    TZ_RETURN_IF_ERROR(ScanPrefix(store, prefix, [&](std::string_view k, std::string_view v) {
      PrintOf(prints, Family(k), key).Add({AsBytes(k), AsBytes(v)});
      return true;
    }));
  }
  Fingerprint& state = PrintOf(prints, kStateFamily, key);
  return ScanPrefix(store, "s/", [&](std::string_view k, std::string_view v) {
    state.Add({AsBytes(k), AsBytes(v)});
    return true;
  });
}

// Names the first state record that differs (run only when the state
// fingerprints differ).
std::optional<AuditFailure> CompareState(const KvStore& stored, const KvStore& replayed) {
  std::vector<std::pair<std::string, std::string>> a, b;
  auto collect = [](const KvStore& s, std::vector<std::pair<std::string, std::string>>* out) {
    return ScanPrefix(s, "s/", [&](std::string_view k, std::string_view v) {
      out->emplace_back(k, v);
      return true;
    });
  };
  Status s = collect(stored, &a);
  if (s.ok()) s = collect(replayed, &b);
  if (!s.ok()) return Fail(std::nullopt, s);
  size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (i >= a.size() || i >= b.size() || a[i] != b[i]) {
      std::string key = i < a.size() ? a[i].first : b[i].first;
      if (i < b.size() && i < a.size() && a[i].first > b[i].first) key = b[i].first;
      return Fail(std::nullopt, Bad("audit.state_mismatch",
                                    "state record '" + key + "' differs from the replay"));
    }
  }
  return std::nullopt;
}

}  // namespace

std::string AuditFailure::ToString() const {
  std::string out;
  if (height) out += "block " + std::to_string(*height) + ": ";
  if (entry_index) out += "entry " + std::to_string(*entry_index) + " ";
  if (!entry_id.empty()) out += "(" + entry_id + ") ";
  if (entry_index || !entry_id.empty()) out += ": ";
  out += status.ToString();
  return out;
}

namespace {

// A block read from the store with its entries parsed and signatures
// checked, or the failure that stopped reading.
struct PreparedBlock {
  uint64_t height = 0;
  std::optional<AuditFailure> failure;
  Block block;
  PreparedEntries prepared;
};

// Reads blocks 0..head in order on its own thread and prepares each
// (PrepareEntries on `threads` threads, keys from the stored state: safe,
// see PrepareEntries), staying at most kAhead blocks ahead of the consumer,
// so that verifying the next blocks overlaps with applying this one.
class BlockReader {
 public:
  static constexpr size_t kAhead = 2;

  BlockReader(const KvStore& store, uint64_t head_height, int threads, SignatureCheck check)
      : store_(store), keys_(&store), head_(head_height), threads_(threads), check_(check) {
    thread_ = std::thread([this] { Run(); });
  }
  ~BlockReader() {
    {
      tz::MutexLock lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // The next block, in height order.
  PreparedBlock Next() TZ_EXCLUDES(mu_) {
    tz::MutexLock lock(mu_);
    cv_.wait(lock, [&]() TZ_REQUIRES(mu_) { return !ready_.empty(); });
    PreparedBlock b = std::move(ready_.front());
    ready_.pop_front();
    cv_.notify_all();
    return b;
  }

 private:
  void Run() TZ_EXCLUDES(mu_) {
    uint64_t log_size = 0;
    for (uint64_t h = 0; h <= head_; ++h) {
      {
        tz::MutexLock lock(mu_);
        cv_.wait(lock, [&]() TZ_REQUIRES(mu_) { return stop_ || ready_.size() < kAhead; });
        if (stop_) return;
      }
      PreparedBlock b = Read(h, &log_size);
      bool failed = b.failure.has_value();
      {
        tz::MutexLock lock(mu_);
        ready_.push_back(std::move(b));
      }
      cv_.notify_all();
      if (failed) return;
    }
  }

  PreparedBlock Read(uint64_t h, uint64_t* log_size) {
    PreparedBlock out;
    out.height = h;
    auto header_bytes = store_.Get(layout::BlockKey(h));
    if (!header_bytes.ok()) {
      out.failure = Fail(h, header_bytes.status());
      return out;
    }
    if (!*header_bytes) {
      out.failure = Fail(h, Bad("audit.block_missing", "block is not stored"));
      return out;
    }
    auto header = BlockHeader::Parse(**header_bytes);
    if (!header.ok()) {
      out.failure = Fail(h, header.status());
      return out;
    }
    if (header->log_size < *log_size) {
      out.failure = Fail(h, Bad("block.header_mismatch", "log size decreases"));
      return out;
    }
    out.block.header = *header;
    std::vector<std::string>& entries = out.block.entries;
    entries.reserve(header->log_size - *log_size);
    Status scan = store_.Scan(layout::EntryKey(*log_size), layout::EntryKey(header->log_size),
                              [&](std::string_view, std::string_view v) {
                                entries.emplace_back(v);
                                return true;
                              });
    if (!scan.ok()) {
      out.failure = Fail(h, scan);
      return out;
    }
    if (entries.size() != header->log_size - *log_size) {
      out.failure = Fail(h, Bad("audit.entry_missing", "the block's entries are not all stored"));
      return out;
    }
    out.prepared = PrepareEntries(entries, keys_, threads_, check_);
    *log_size = header->log_size;
    return out;
  }

  const KvStore& store_;
  const State keys_;
  const uint64_t head_;
  const int threads_;
  const SignatureCheck check_;
  tz::Mutex mu_;
  std::condition_variable_any cv_;
  std::deque<PreparedBlock> ready_ TZ_GUARDED_BY(mu_);
  bool stop_ TZ_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// The stored chain and head records: what the replay starts from and must
// end at.
struct StoredHead {
  std::string record;  // the head record as stored
  std::string chain, origin;
  uint64_t height = 0;
  size_t log_size = 0;  // 0 if absent (only a size hint for ReplayStore)
};

// Reads and parses the chain and head records.
std::optional<AuditFailure> ReadStoredHead(const KvStore& store, StoredHead* out) {
  auto chain_rec = store.Get(layout::kChain);
  auto head_rec = store.Get(layout::kHead);
  if (!chain_rec.ok()) return Fail(std::nullopt, chain_rec.status());
  if (!head_rec.ok()) return Fail(std::nullopt, head_rec.status());
  if (!*chain_rec || !*head_rec) {
    return Fail(std::nullopt, Status(Code::kFailedPrecondition, "audit.not_initialized",
                                     "the store holds no ledger"));
  }
  auto chain_json = ParseJson(**chain_rec);
  auto head_json = ParseJson(**head_rec);
  if (!chain_json.ok() || !head_json.ok() || !GetString(*chain_json, "chain").ok() ||
      !GetString(*chain_json, "origin").ok() || !GetInt(*head_json, "height").ok()) {
    return Fail(std::nullopt, Bad("audit.head_mismatch", "head or chain record is corrupt"));
  }
  out->record = **head_rec;
  out->chain = *GetString(*chain_json, "chain");
  out->origin = *GetString(*chain_json, "origin");
  out->height = static_cast<uint64_t>(*GetInt(*head_json, "height"));
  auto head_size = GetInt(*head_json, "log_size");
  out->log_size = head_size.ok() && *head_size > 0 ? static_cast<size_t>(*head_size) : 0;
  return std::nullopt;
}

// The ledger the blocks are replayed into (nothing is persisted: no fsync).
std::unique_ptr<Ledger> NewReplayLedger(std::unique_ptr<ReplayStore> store, const StoredHead& head,
                                        const AuditOptions& options) {
  LedgerOptions lo;
  lo.sync = false;
  lo.verify_threads = options.verify_threads;
  lo.types = options.types;
  return Ledger::NewReplica(std::move(store), head.chain, head.origin, lo);
}

// The stored side of the index comparison. It depends only on the store, so
// it is fingerprinted on its own thread while the blocks are replayed.
class StoredSide {
 public:
  StoredSide(const KvStore& store, const SetHash::Key& key)
      : thread_([this, &store, &key] { status_ = StoredPrints(store, key, &prints_, &entries_); }) {
  }
  ~StoredSide() {
    if (thread_.joinable()) thread_.join();
  }
  // Waits for the fingerprints; the error that stopped them, if any.
  Status Wait() {
    thread_.join();
    return status_;
  }
  // After Wait: the fingerprints and the number of stored entries.
  Prints& prints() { return prints_; }
  uint64_t entries() const { return entries_; }

 private:
  Prints prints_;
  uint64_t entries_ = 0;
  Status status_;
  std::thread thread_;  // last: starts once the members above exist
};

// Replays and commits block `h`; on a failure, names the entry at fault
// when ReplayBlock does. `log_size`: the log size before the block.
std::optional<AuditFailure> ApplyBlock(Ledger& replay, uint64_t h, uint64_t log_size,
                                       PreparedBlock& pb) {
  uint64_t bad = UINT64_MAX;
  auto built = replay.ReplayBlock(pb.block, std::move(pb.prepared), &bad);
  if (!built.ok()) {
    AuditFailure f{h, std::nullopt, "", built.status()};
    if (bad != UINT64_MAX) {
      f.entry_index = bad;
      f.entry_id = ToHex(EntryIdOf(AsBytes(pb.block.entries[bad - log_size])));
    }
    return f;
  }
  auto committed = replay.CommitWithCheckpoint(std::move(*built), "");
  if (!committed.ok()) return Fail(h, committed.status());
  return std::nullopt;
}

// Replays blocks 0..head_height from `reader` into `replay`, each checked
// against its stored checkpoint; counts blocks and entries into `r` and
// leaves in *log_size the log size reached.
std::optional<AuditFailure> ReplayBlocks(const KvStore& store, BlockReader& reader,
                                         uint64_t head_height, Ledger& replay,
                                         const AuditOptions& options, AuditReport* r,
                                         uint64_t* log_size, std::optional<BlockHeader>* at_mark) {
  for (uint64_t h = 0; h <= head_height; ++h) {
    PreparedBlock pb = reader.Next();
    if (pb.failure) return std::move(pb.failure);
    const BlockHeader& header = pb.block.header;
    if (auto f = ApplyBlock(replay, h, *log_size, pb)) return f;
    if (options.mark && options.mark->height() == h) *at_mark = header;
    std::string note;
    if (auto f = CheckCheckpoint(store, replay, header, &note)) return f;
    *log_size = header.log_size;
    ++r->blocks;
    r->entries += header.entries;
    if (options.progress) options.progress(h);
  }
  return std::nullopt;
}

// The replayed ledger reaches the node's checkpoint mark and holds that
// block (at_mark: the replayed header at the mark's height, if any).
std::optional<AuditFailure> CheckAuditMark(const CheckpointMark& mark, const StoredHead& head,
                                           uint64_t log_size,
                                           const std::optional<BlockHeader>& at_mark) {
  Status s = CheckMark(mark, head.origin, head.height, log_size, at_mark);
  if (s.ok()) return std::nullopt;
  std::string reason = s.reason();
  if (reason.starts_with("ledger.")) reason = "audit." + reason.substr(7);
  return Fail(std::nullopt, Bad(reason, s.message()));
}

// Nothing is stored beyond the head, and the replay ends at the stored head
// record.
std::optional<AuditFailure> CheckEnd(const KvStore& store, const StoredHead& head,
                                     uint64_t log_size, const ReplayStore& replay_store) {
  auto next_block = store.Get(layout::BlockKey(head.height + 1));
  auto next_entry = store.Get(layout::EntryKey(log_size));
  if (!next_block.ok() || !next_entry.ok() || *next_block || *next_entry) {
    return Fail(std::nullopt, Bad("audit.extra_data", "blocks or entries beyond the head"));
  }
  auto replay_head = replay_store.Get(layout::kHead);
  if (!replay_head.ok() || !*replay_head || **replay_head != head.record) {
    return Fail(head.height,
                Bad("audit.head_mismatch", "the head record differs from the last block"));
  }
  return std::nullopt;
}

// Compares the stored derived families but the state with the replay's:
// entries by count, the others by fingerprint.
std::optional<AuditFailure> CompareDerived(Prints* stored, uint64_t stored_entries,
                                           ReplayStore* replay_store, const SetHash::Key& key) {
  // Every replayed block read its entries from one contiguous key range, so
  // equal counts mean there is no stored entry outside those ranges.
  if (stored_entries != replay_store->entries_) {
    return Fail(std::nullopt, Bad("audit.extra_data", "stored entries differ"));
  }
  Prints& replayed = replay_store->prints_;
  std::vector<std::string> families;
  for (const auto& [k, v] : *stored) families.push_back(k);
  for (const auto& [k, v] : replayed) families.push_back(k);
  for (const std::string& fam : families) {
    if (fam == kStateFamily) continue;  // CompareStateRecords
    const Fingerprint& a = PrintOf(stored, fam, key);
    const Fingerprint& b = PrintOf(&replayed, fam, key);
    if (a == b) continue;
    if (fam == "n") {
      return Fail(std::nullopt,
                  Bad("audit.node_mismatch", "stored log nodes differ from the replay"));
    }
    return Fail(std::nullopt,
                Bad("audit.index_mismatch", "index '" + fam + "' differs from the replay (" +
                                                std::to_string(a.count()) + " stored, " +
                                                std::to_string(b.count()) + " expected)"));
  }
  return std::nullopt;
}

// Compares the state records: by fingerprint, and record by record only on
// a mismatch.
std::optional<AuditFailure> CompareStateRecords(Prints* stored, const KvStore& store,
                                                const ReplayStore& replay_store,
                                                const SetHash::Key& key) {
  Fingerprint& stored_state = PrintOf(stored, kStateFamily, key);
  if (stored_state == replay_store.StatePrint()) return std::nullopt;
  if (auto f = CompareState(store, replay_store)) return f;
  // Equal records, different fingerprints: cannot happen unless the store
  // changed under the audit.
  return Fail(std::nullopt, Bad("audit.state_mismatch", "state records changed during the audit"));
}

}  // namespace

AuditReport Audit(const KvStore& store, const AuditOptions& options) {
  auto start = std::chrono::steady_clock::now();
  AuditReport r;
  // Times the audit when it ends, before the locals below are destroyed
  // (after an early failure, StoredSide may still be scanning the store).
  auto done = [&](std::optional<AuditFailure> f) {
    r.failure = std::move(f);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
  };
  StoredHead head;
  if (auto f = ReadStoredHead(store, &head)) return done(std::move(f));
  const SetHash::Key print_key = SetHash::RandomKey();
  auto owned = std::make_unique<ReplayStore>(print_key, head.log_size);
  ReplayStore* replay_store = owned.get();
  std::unique_ptr<Ledger> replay = NewReplayLedger(std::move(owned), head, options);
  StoredSide stored(store, print_key);
  uint64_t log_size = 0;
  std::optional<BlockHeader> at_mark;
  {
    BlockReader reader(store, head.height, options.verify_threads, options.signatures);
    if (auto f =
            ReplayBlocks(store, reader, head.height, *replay, options, &r, &log_size, &at_mark)) {
      return done(std::move(f));
    }
  }
  if (options.mark) {
    if (auto f = CheckAuditMark(*options.mark, head, log_size, at_mark)) return done(std::move(f));
  }
  if (auto f = CheckEnd(store, head, log_size, *replay_store)) return done(std::move(f));
  if (Status s = stored.Wait(); !s.ok()) return done(Fail(std::nullopt, s));
  if (auto f = CompareDerived(&stored.prints(), stored.entries(), replay_store, print_key)) {
    return done(std::move(f));
  }
  return done(CompareStateRecords(&stored.prints(), store, *replay_store, print_key));
}

}  // namespace tz::ledger
