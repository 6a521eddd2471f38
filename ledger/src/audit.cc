#include "ledger/audit.h"

#include <chrono>
#include <map>

#include "layout.h"
#include "ledger/ledger.h"

namespace tz::ledger {
namespace {

// An order-independent fingerprint of a set of key/value pairs: the sum,
// lane-wise mod 2^64, of SHA-256(len(key) || key || value). Equal sets give
// equal fingerprints; a missing, extra or altered pair changes it.
struct Fingerprint {
  uint64_t lanes[4] = {0, 0, 0, 0};
  uint64_t count = 0;
  void Add(std::string_view key, std::string_view value) {
    std::string len = EncodeU64(key.size());
    Digest d = HashParts(HashAlgorithm::kSha256, {AsBytes(len), AsBytes(key), AsBytes(value)});
    for (int i = 0; i < 4; ++i) lanes[i] += DecodeU64(AsString(d.span().subspan(8 * i, 8)));
    ++count;
  }
  bool operator==(const Fingerprint&) const = default;
};

// The family a derived key belongs to: "i" (entry ids), "n" (log nodes),
// "x/<name>" (term indices), "x/time"; "" for everything else.
std::string Family(std::string_view key) {
  if (key.starts_with("i/")) return "i";
  if (key.starts_with("n/")) return "n";
  if (key.starts_with("e/")) return "e";
  if (key.starts_with("x/")) {
    size_t slash = key.find('/', 2);
    return std::string(key.substr(0, slash == std::string::npos ? key.size() : slash));
  }
  return "";
}

// The replay's store: keeps state and metadata ("s/", "m/") to validate
// later blocks, and only fingerprints the derived families it is given.
class ReplayStore : public KvStore {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    return mem_->Get(key);
  }
  Status Write(const KvBatch& batch, bool sync) override {
    KvBatch keep;
    for (const auto& op : batch.ops()) {
      std::string fam = Family(op.key);
      if (!fam.empty()) {
        prints_[fam].Add(op.key, op.value);
      } else if (op.key.starts_with("s/") || op.key.starts_with("m/")) {
        if (op.erase) {
          keep.Delete(op.key);
        } else {
          keep.Put(op.key, op.value);
        }
      }
    }
    return mem_->Write(keep, sync);
  }
  Status Scan(std::string_view begin, std::string_view end,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    return mem_->Scan(begin, end, fn);
  }
  std::map<std::string, Fingerprint> prints_;

 private:
  std::unique_ptr<KvStore> mem_ = NewMemKvStore();
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
  std::vector<NoteVerifier> keys = replay.NodeKeys();
  auto cp = VerifyCertifiedCheckpoint(**note, keys, 1, replay.origin());
  if (!cp.ok()) {
    return Fail(h.height, Bad("audit.checkpoint",
                              "checkpoint does not verify with the members' "
                              "node keys: " +
                                  cp.status().ToString()));
  }
  const Checkpoint& c = cp->checkpoint;
  if (c.size != h.log_size || c.root_hash != h.log_root || !c.block ||
      c.block->height != h.height || c.block->block_hash != h.Hash() ||
      c.block->time_ms != static_cast<uint64_t>(h.time)) {
    return Fail(h.height, Bad("audit.checkpoint", "checkpoint differs from its block"));
  }
  *note_out = **note;
  return std::nullopt;
}

// Stored fingerprints of the derived families.
Result<std::map<std::string, Fingerprint>> StoredPrints(const KvStore& store) {
  std::map<std::string, Fingerprint> prints;
  for (std::string_view prefix : {"e/", "i/", "n/", "x/"}) {
    TZ_RETURN_IF_ERROR(ScanPrefix(store, prefix, [&](std::string_view k, std::string_view v) {
      prints[Family(k)].Add(k, v);
      return true;
    }));
  }
  return prints;
}

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

AuditReport Audit(const KvStore& store, const AuditOptions& options) {
  auto start = std::chrono::steady_clock::now();
  AuditReport r;
  auto done = [&](std::optional<AuditFailure> f) {
    r.failure = std::move(f);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
  };
  auto chain_rec = store.Get(layout::kChain);
  auto head_rec = store.Get(layout::kHead);
  if (!chain_rec.ok()) return done(Fail(std::nullopt, chain_rec.status()));
  if (!head_rec.ok()) return done(Fail(std::nullopt, head_rec.status()));
  if (!*chain_rec || !*head_rec) {
    return done(Fail(std::nullopt, Status(Code::kFailedPrecondition, "audit.not_initialized",
                                          "the store holds no ledger")));
  }
  auto chain_json = ParseJson(**chain_rec);
  auto head_json = ParseJson(**head_rec);
  if (!chain_json.ok() || !head_json.ok() || !GetString(*chain_json, "chain").ok() ||
      !GetString(*chain_json, "origin").ok() || !GetInt(*head_json, "height").ok()) {
    return done(Fail(std::nullopt, Bad("audit.head_mismatch", "head or chain record is corrupt")));
  }
  uint64_t head_height = static_cast<uint64_t>(*GetInt(*head_json, "height"));
  auto owned = std::make_unique<ReplayStore>();
  ReplayStore* replay_store = owned.get();
  LedgerOptions lo;
  lo.sync = false;
  lo.verify_threads = options.verify_threads;
  std::unique_ptr<Ledger> replay = Ledger::NewReplica(
      std::move(owned), *GetString(*chain_json, "chain"), *GetString(*chain_json, "origin"), lo);
  uint64_t log_size = 0;
  for (uint64_t h = 0; h <= head_height; ++h) {
    auto header_bytes = store.Get(layout::BlockKey(h));
    if (!header_bytes.ok()) return done(Fail(h, header_bytes.status()));
    if (!*header_bytes) return done(Fail(h, Bad("audit.block_missing", "block is not stored")));
    auto header = BlockHeader::Parse(**header_bytes);
    if (!header.ok()) return done(Fail(h, header.status()));
    Block block{*header, {}};
    if (header->log_size < log_size) {
      return done(Fail(h, Bad("block.header_mismatch", "log size decreases")));
    }
    block.entries.reserve(header->log_size - log_size);
    Status scan = store.Scan(layout::EntryKey(log_size), layout::EntryKey(header->log_size),
                             [&](std::string_view, std::string_view v) {
                               block.entries.emplace_back(v);
                               return true;
                             });
    if (!scan.ok()) return done(Fail(h, scan));
    if (block.entries.size() != header->log_size - log_size) {
      return done(Fail(h, Bad("audit.entry_missing", "the block's entries are not all stored")));
    }
    uint64_t bad = UINT64_MAX;
    auto built = replay->ReplayBlock(block, &bad);
    if (!built.ok()) {
      AuditFailure f{h, std::nullopt, "", built.status()};
      if (bad != UINT64_MAX) {
        f.entry_index = bad;
        f.entry_id = ToHex(EntryIdOf(AsBytes(block.entries[bad - log_size])));
      }
      return done(std::move(f));
    }
    auto committed = replay->CommitWithCheckpoint(std::move(*built), "");
    if (!committed.ok()) return done(Fail(h, committed.status()));
    std::string note;
    if (auto f = CheckCheckpoint(store, *replay, *header, &note)) return done(std::move(f));
    log_size = header->log_size;
    ++r.blocks;
    r.entries += header->entries;
    if (options.progress) options.progress(h);
  }
  // Nothing beyond the head.
  auto next_block = store.Get(layout::BlockKey(head_height + 1));
  auto next_entry = store.Get(layout::EntryKey(log_size));
  if (!next_block.ok() || !next_entry.ok() || *next_block || *next_entry) {
    return done(Fail(std::nullopt, Bad("audit.extra_data", "blocks or entries beyond the head")));
  }
  auto replay_head = replay_store->Get(layout::kHead);
  if (!replay_head.ok() || !*replay_head || **replay_head != **head_rec) {
    return done(Fail(head_height,
                     Bad("audit.head_mismatch", "the head record differs from the last block")));
  }
  auto stored = StoredPrints(store);
  if (!stored.ok()) return done(Fail(std::nullopt, stored.status()));
  std::map<std::string, Fingerprint>& replayed = replay_store->prints_;
  std::vector<std::string> families;
  for (const auto& [k, v] : *stored) families.push_back(k);
  for (const auto& [k, v] : replayed) families.push_back(k);
  for (const std::string& fam : families) {
    if ((*stored)[fam] == replayed[fam]) continue;
    if (fam == "n") {
      return done(Fail(std::nullopt,
                       Bad("audit.node_mismatch", "stored log nodes differ from the replay")));
    }
    if (fam == "e") {
      return done(Fail(std::nullopt, Bad("audit.extra_data", "stored entries differ")));
    }
    return done(Fail(std::nullopt, Bad("audit.index_mismatch",
                                       "index '" + fam + "' differs from the replay (" +
                                           std::to_string((*stored)[fam].count) + " stored, " +
                                           std::to_string(replayed[fam].count) + " expected)")));
  }
  return done(CompareState(store, *replay_store));
}

}  // namespace tz::ledger
