#include "api/proof_cache.h"

#include <algorithm>

#include "json_out.h"
#include "ledger/kv.h"
#include "log/merkle_proof.h"

namespace tz::api {
namespace {

// The ledger's documented key of a perfect log node (docs/ledger.md,
// "n/<u8 level><u64 index>"). A change there makes the cache miss every
// node and fail loudly ("merkle.node_missing"); proof_cache_test compares
// every proof with Ledger::InclusionProof.
std::string NodeKey(merkle::NodeId id) {
  std::string k = "n/";
  k.push_back(static_cast<char>(id.level));
  return k + ledger::EncodeU64(id.index);
}

Status Missing(merkle::NodeId id) {
  return Status::NotFound("merkle.node_missing", "log node " + std::to_string(id.level) + "/" +
                                                     std::to_string(id.index) + " is not stored");
}

Result<Digest> ParseNode(merkle::NodeId id, std::string_view v) {
  Digest d;
  if (!Digest::FromSpan(AsBytes(v), &d)) {
    return Status::Corruption("ledger.bad_node", "stored log node " + std::to_string(id.level) +
                                                     "/" + std::to_string(id.index) +
                                                     " is not 32 bytes");
  }
  return d;
}

}  // namespace

uint32_t ProofCache::MinLevelFor(uint64_t size) const {
  uint32_t level = 0;
  for (; level < 63; ++level) {
    uint64_t nodes = 0;
    for (uint32_t l = level; l < 64 && (size >> l) > 0; ++l) nodes += size >> l;
    if (nodes * Digest::kSize <= budget_) break;
  }
  return level;
}

// Callers hold fill_mu_ (fills are serialized); the scan runs without mu_,
// so proofs keep being served (from the store) while a level loads.
Status ProofCache::Fill(const ledger::Ledger& l, uint32_t level, uint64_t size) {
  uint64_t end = size >> level;
  uint64_t begin = 0;
  {
    tz::WriterLock lock(mu_);
    uint32_t min_level = std::max(min_level_, MinLevelFor(size));
    if (min_level > min_level_) {  // over budget: drop the lowest levels
      for (uint32_t k = min_level_; k < min_level && k < levels_.size(); ++k) {
        std::vector<Digest>().swap(levels_[k]);
      }
      min_level_ = min_level;
    }
    if (level < min_level_) return Status::Ok();
    if (levels_.size() <= level) levels_.resize(level + 1);
    begin = levels_[level].size();
    if (begin >= end) return Status::Ok();
  }
  std::vector<Digest> add;
  add.reserve(end - begin);
  Status bad = Status::Ok();
  TZ_RETURN_IF_ERROR(l.store().Scan(NodeKey({level, begin}), NodeKey({level, end}),
                                    [&](std::string_view key, std::string_view val) {
                                      merkle::NodeId id{level, begin + add.size()};
                                      if (key != NodeKey(id))
                                        return false;  // a gap: reported below
                                      auto d = ParseNode(id, val);
                                      if (!d.ok()) {
                                        bad = d.status();
                                        return false;
                                      }
                                      add.push_back(*d);
                                      return true;
                                    }));
  TZ_RETURN_IF_ERROR(bad);
  // Stopped early at a gap (or the store has fewer nodes than the tree needs).
  if (add.size() != end - begin) return Missing({level, begin + add.size()});
  tz::WriterLock lock(mu_);
  if (level < min_level_ || levels_[level].size() != begin) return Status::Ok();
  std::vector<Digest>& v = levels_[level];
  if (begin == 0) {
    v = std::move(add);
  } else {
    v.insert(v.end(), add.begin(), add.end());
  }
  return Status::Ok();
}

Result<Digest> ProofCache::Node(const ledger::Ledger& l, merkle::NodeId id, uint64_t size) {
  bool cached_level = false;
  {
    tz::ReaderLock lock(mu_);
    if (id.level < levels_.size() && id.index < levels_[id.level].size()) {
      return levels_[id.level][id.index];
    }
    cached_level = id.level >= min_level_ && id.level < 64;
  }
  // Every perfect node of this level within the tree of `size` is stored:
  // load the level, unless another request is loading (this or another
  // level) right now; then read this one node from the store.
  if (cached_level && fill_mu_.try_lock()) {
    Status filled = Fill(l, id.level, size);
    fill_mu_.unlock();
    TZ_RETURN_IF_ERROR(filled);
    tz::ReaderLock lock(mu_);
    if (id.level < levels_.size() && id.index < levels_[id.level].size()) {
      return levels_[id.level][id.index];
    }
    if (id.level >= min_level_) return Missing(id);
    // The level was just dropped to stay in budget: read it from the store.
  }
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, l.store().Get(NodeKey(id)));
  if (!v) return Missing(id);
  return ParseNode(id, *v);
}

Result<std::vector<Digest>> ProofCache::InclusionProof(const ledger::Ledger& l, uint64_t index,
                                                       uint64_t size) {
  if (size > l.head().log_size) {
    return Status::Invalid("ledger.beyond_head", "size is beyond the log's head");
  }
  TZ_ASSIGN_OR_RETURN(merkle::ProofNodes plan, merkle::InclusionNodes(index, size));
  merkle::LogHasher hasher;
  std::vector<Digest> proof;
  proof.reserve(plan.elements.size());
  for (const merkle::ProofElement& e : plan.elements) {
    if (!e.ephemeral()) {
      TZ_ASSIGN_OR_RETURN(Digest d, Node(l, plan.ids[e.begin], size));
      proof.push_back(d);
      continue;
    }
    {
      tz::ReaderLock lock(mu_);
      if (ephemeral_size_ == size) {
        auto it = ephemeral_.find(e.id);
        if (it != ephemeral_.end()) {
          proof.push_back(it->second);
          continue;
        }
      }
    }
    TZ_ASSIGN_OR_RETURN(Digest h, Node(l, plan.ids[e.begin], size));
    for (uint32_t k = e.begin + 1; k < e.end; ++k) {
      TZ_ASSIGN_OR_RETURN(Digest left, Node(l, plan.ids[k], size));
      h = hasher.HashChildren(left, h);
    }
    proof.push_back(h);
    tz::WriterLock lock(mu_);
    if (size > ephemeral_size_) {  // a newer head: the old edge is history
      ephemeral_size_ = size;
      ephemeral_.clear();
    }
    if (size == ephemeral_size_) ephemeral_.emplace(e.id, h);
  }
  return proof;
}

Result<std::shared_ptr<const CachedNote>> ProofCache::Checkpoint(const ledger::Ledger& l,
                                                                 uint64_t height) {
  {
    tz::ReaderLock lock(mu_);
    if (note_height_ == height && note_) return note_;
  }
  TZ_ASSIGN_OR_RETURN(std::string note, l.GetCheckpoint(height));
  auto built = std::make_shared<CachedNote>();
  jsonout::String(&built->json, note);
  built->text = std::move(note);
  std::shared_ptr<const CachedNote> shared = std::move(built);
  tz::WriterLock lock(mu_);
  if (note_height_ == UINT64_MAX || height >= note_height_) {
    note_height_ = height;
    note_ = shared;
  }
  return shared;
}

Status ProofCache::Warm(const ledger::Ledger& l) {
  uint64_t size = l.head().log_size;
  // From the top down: the few upper levels serve every proof soonest.
  for (uint32_t level = 64; level-- > MinLevelFor(size);) {
    if ((size >> level) == 0) continue;
    tz::MutexLock filling(fill_mu_);
    TZ_RETURN_IF_ERROR(Fill(l, level, size));
  }
  return Status::Ok();
}

size_t ProofCache::cached_nodes() const {
  tz::ReaderLock lock(mu_);
  size_t n = 0;
  for (const auto& v : levels_) n += v.size();
  return n;
}

}  // namespace tz::api
