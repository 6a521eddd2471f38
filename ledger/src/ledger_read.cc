// Ledger reads: entries, blocks, checkpoints, proofs from stored nodes, and
// the derived indices (lookup, rebuild).
#include "layout.h"
#include "ledger/governance.h"
#include "ledger/ledger.h"
#include "log/merkle_proof.h"

namespace tz::ledger {
namespace {

// The merkle NodeStore over the ledger's KvStore ("n/" keys).
class KvNodeStore final : public merkle::NodeStore {
 public:
  explicit KvNodeStore(const KvStore* store) : store_(store) {}
  Result<Digest> GetNode(merkle::NodeId id) const override {
    TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, store_->Get(layout::NodeKey(id)));
    if (!v) {
      return Status::NotFound("merkle.node_missing", "log node " + std::to_string(id.level) + "/" +
                                                         std::to_string(id.index) +
                                                         " is not stored");
    }
    Digest d;
    if (!Digest::FromSpan(AsBytes(*v), &d)) {
      return Status::Corruption("ledger.bad_node", "stored log node is not 32 bytes");
    }
    return d;
  }

 private:
  const KvStore* store_;
};

Status NoEntry(const std::string& m) { return Status::NotFound("ledger.no_entry", m); }

}  // namespace

Result<std::string> Ledger::GetEntry(uint64_t index) const {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, store_->Get(layout::EntryKey(index)));
  if (!v || index >= head().log_size) {
    return NoEntry("no entry at index " + std::to_string(index));
  }
  return *v;
}

Result<uint64_t> Ledger::FindEntry(const EntryId& id) const {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, store_->Get(layout::IdKey(id)));
  if (!v || v->size() != 8) return NoEntry("no entry " + ToHex(id));
  return DecodeU64(*v);
}

Result<BlockHeader> Ledger::GetBlockHeader(uint64_t height) const {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, store_->Get(layout::BlockKey(height)));
  if (!v) return Status::NotFound("ledger.no_block", "no block " + std::to_string(height));
  return BlockHeader::Parse(*v);
}

Result<std::string> Ledger::GetCheckpoint(uint64_t height) const {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, store_->Get(layout::CheckpointKey(height)));
  if (!v) {
    return Status::NotFound("ledger.no_checkpoint", "no checkpoint " + std::to_string(height));
  }
  return *v;
}

Result<uint64_t> Ledger::BlockOfEntry(uint64_t index) const {
  Head h = head();
  if (index >= h.log_size) return NoEntry("no entry at index " + std::to_string(index));
  // The first block whose log_size exceeds index.
  uint64_t lo = 0, hi = h.height;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    TZ_ASSIGN_OR_RETURN(BlockHeader b, GetBlockHeader(mid));
    if (b.log_size > index) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

Result<std::vector<Digest>> Ledger::InclusionProof(uint64_t index, uint64_t size) const {
  if (size > head().log_size) {
    return Status::Invalid("ledger.beyond_head", "size is beyond the log's head");
  }
  KvNodeStore nodes(store_.get());
  return merkle::InclusionProof(nodes, merkle::LogHasher(), index, size);
}

Result<std::vector<Digest>> Ledger::ConsistencyProof(uint64_t size1, uint64_t size2) const {
  if (size2 > head().log_size) {
    return Status::Invalid("ledger.beyond_head", "size is beyond the log's head");
  }
  KvNodeStore nodes(store_.get());
  return merkle::ConsistencyProof(nodes, merkle::LogHasher(), size1, size2);
}

Result<Digest> Ledger::RootAt(uint64_t size) const {
  if (size > head().log_size) {
    return Status::Invalid("ledger.beyond_head", "size is beyond the log's head");
  }
  KvNodeStore nodes(store_.get());
  return merkle::RootAt(nodes, merkle::LogHasher(), size);
}

Result<std::vector<uint64_t>> Ledger::Lookup(std::string_view index, std::string_view value,
                                             size_t limit, std::optional<uint64_t> after) const {
  std::string prefix = layout::TermPrefix(index, value);
  std::string begin = after ? prefix + EncodeU64(*after + 1) : prefix;
  std::string end = prefix;
  end.back() = '\x01';  // the byte after the '\0' separator
  std::vector<uint64_t> out;
  uint64_t size = head().log_size;
  TZ_RETURN_IF_ERROR(store_->Scan(begin, end, [&](std::string_view k, std::string_view) {
    if (out.size() >= limit) return false;
    uint64_t i = DecodeU64(k.substr(k.size() - 8));
    if (i < size) out.push_back(i);
    return true;
  }));
  return out;
}

Result<std::vector<uint64_t>> Ledger::LookupTime(int64_t from_ms, int64_t to_ms,
                                                 size_t limit) const {
  std::vector<uint64_t> out;
  if (from_ms < 0) from_ms = 0;
  if (to_ms <= from_ms) return out;
  std::string begin = "x/time/" + EncodeU64(static_cast<uint64_t>(from_ms));
  std::string end = "x/time/" + EncodeU64(static_cast<uint64_t>(to_ms));
  TZ_RETURN_IF_ERROR(store_->Scan(begin, end, [&](std::string_view k, std::string_view) {
    if (out.size() >= limit) return false;
    out.push_back(DecodeU64(k.substr(k.size() - 8)));
    return true;
  }));
  return out;
}

Status Ledger::RebuildIndices() {
  // Delete every derived key, then regenerate them block by block.
  for (std::string_view prefix : {"i/", "x/"}) {
    KvBatch del;
    TZ_RETURN_IF_ERROR(ScanPrefix(*store_, prefix, [&](std::string_view k, std::string_view) {
      del.Delete(std::string(k));
      return true;
    }));
    TZ_RETURN_IF_ERROR(WriteStore(del, false));
  }
  State state(store_.get());
  Head h = head();
  uint64_t index = 0;
  KvBatch batch;
  for (uint64_t height = 0; height <= h.height; ++height) {
    TZ_ASSIGN_OR_RETURN(BlockHeader b, GetBlockHeader(height));
    for (; index < b.log_size; ++index) {
      TZ_ASSIGN_OR_RETURN(std::string bytes, GetEntry(index));
      TZ_ASSIGN_OR_RETURN(SignedEntry e, ParseSignedEntry(bytes));
      batch.Put(layout::IdKey(e.id), EncodeU64(index));
      for (const IndexTerm& t : IndexTermsOf(types(), e)) {
        batch.Put(layout::TermKey(t.index, t.value, index), "");
      }
      std::string party;
      if (e.type == "genesis") {
        Result<Genesis> genesis = Genesis::Parse(e.entry);
        if (genesis.ok()) party = genesis->members.front().name;  // its signer
      } else {
        TZ_ASSIGN_OR_RETURN(std::optional<KeyRecord> key, state.GetKey(e.key));
        if (key) party = key->party;
      }
      batch.Put(layout::TermKey("type", e.type, index), "");
      batch.Put(layout::TermKey("party", party, index), "");
      batch.Put(layout::TimeKey(b.time, index), "");
      if (batch.approximate_bytes() > (8 << 20)) {
        TZ_RETURN_IF_ERROR(WriteStore(batch, false));
        batch.Clear();
      }
    }
  }
  batch.Put(std::string(layout::kIndices), std::string(layout::kIndexVersion));
  return WriteStore(batch, true);
}

Status Ledger::CheckIndices() {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> version, store_->Get(layout::kIndices));
  bool rebuild = !version || *version != layout::kIndexVersion;
  Head h = head();
  if (!rebuild && h.log_size > 0) {
    // Spot-check the newest entry's derived keys.
    TZ_ASSIGN_OR_RETURN(std::string bytes, GetEntry(h.log_size - 1));
    TZ_ASSIGN_OR_RETURN(SignedEntry e, ParseSignedEntry(bytes));
    TZ_ASSIGN_OR_RETURN(std::optional<std::string> id, store_->Get(layout::IdKey(e.id)));
    TZ_ASSIGN_OR_RETURN(std::optional<std::string> type,
                        store_->Get(layout::TermKey("type", e.type, h.log_size - 1)));
    TZ_ASSIGN_OR_RETURN(uint64_t height, BlockOfEntry(h.log_size - 1));
    TZ_ASSIGN_OR_RETURN(BlockHeader block, GetBlockHeader(height));
    TZ_ASSIGN_OR_RETURN(std::optional<std::string> time,
                        store_->Get(layout::TimeKey(block.time, h.log_size - 1)));
    rebuild = !id || !type || !time;
  }
  if (rebuild) return RebuildIndices();
  return Status::Ok();
}

}  // namespace tz::ledger
