// In-memory caches for the public read path (GET /v1/documents/{sha256}):
// inclusion proofs and signed checkpoints without re-reading the same log
// nodes and notes from LevelDB for every request.
//
// What is cached and why it never goes stale:
//  - perfect log nodes of every level >= min_level(): a perfect subtree's
//    hash is written once, in the block that completes it, and never
//    changes. Each cached level is a dense array filled from the store by
//    one sequential scan. min_level() is the lowest level for which levels
//    min_level().. fit in the memory budget (64 MiB by default: every level
//    up to ~1M entries, so a proof then needs no store read at all; from
//    ~2M entries level 0 is dropped, and so on: 64 x n / 2^min_level bytes).
//    Nodes below min_level() are read from the store (one Get each).
//  - "ephemeral" proof hashes (the roots of the incomplete right edge of the
//    tree, recomputed from several perfect nodes) for the newest tree size
//    seen: every proof against the head checkpoint shares them.
//  - the checkpoint note of the newest height asked for, and its JSON
//    string form (notes are written once, in the block's batch).
// Results are identical to Ledger::InclusionProof / GetCheckpoint (tested).
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/status.h"
#include "crypto/thread_annotations.h"
#include "ledger/ledger.h"
#include "log/merkle.h"

namespace tz::api {

// A signed checkpoint note and its JSON string literal (quotes and
// escapes included), as responses embed it.
struct CachedNote {
  std::string text;
  std::string json;
};

class ProofCache {
 public:
  static constexpr size_t kDefaultBudget = 64u << 20;
  explicit ProofCache(size_t budget_bytes = kDefaultBudget) : budget_(budget_bytes) {}

  // As l.InclusionProof(index, size) (same reasons).
  Result<std::vector<Digest>> InclusionProof(const ledger::Ledger& l, uint64_t index, uint64_t size)
      TZ_EXCLUDES(fill_mu_, mu_);
  // As l.GetCheckpoint(height), shared, with its JSON form.
  Result<std::shared_ptr<const CachedNote>> Checkpoint(const ledger::Ledger& l, uint64_t height)
      TZ_EXCLUDES(mu_);

  // Loads every cached level for the ledger's current head (optional; the
  // first proofs do it lazily otherwise).
  Status Warm(const ledger::Ledger& l) TZ_EXCLUDES(fill_mu_, mu_);

  // The lowest level kept in memory for a log of `size` entries.
  uint32_t MinLevelFor(uint64_t size) const;
  // Nodes held in memory (for tests and metrics).
  size_t cached_nodes() const TZ_EXCLUDES(mu_);

 private:
  Result<Digest> Node(const ledger::Ledger& l, merkle::NodeId id, uint64_t size)
      TZ_EXCLUDES(fill_mu_, mu_);
  // Loads the stored nodes of `level` of the tree of `size` entries (and
  // first drops levels the budget no longer allows). Caller holds fill_mu_.
  Status Fill(const ledger::Ledger& l, uint32_t level, uint64_t size) TZ_REQUIRES(fill_mu_)
      TZ_EXCLUDES(mu_);

  size_t budget_;
  // One level load at a time (Fill); it guards no data of its own. Taken
  // before mu_.
  tz::Mutex fill_mu_ TZ_ACQUIRED_BEFORE(mu_);
  mutable tz::SharedMutex mu_;
  uint32_t min_level_ TZ_GUARDED_BY(mu_) = 0;  // raised (never lowered) as the log grows
  // [level][index], levels >= min_level_.
  std::vector<std::vector<Digest>> levels_ TZ_GUARDED_BY(mu_);
  uint64_t ephemeral_size_ TZ_GUARDED_BY(mu_) = 0;
  // Proof elements at ephemeral_size_.
  std::map<merkle::NodeId, Digest> ephemeral_ TZ_GUARDED_BY(mu_);
  uint64_t note_height_ TZ_GUARDED_BY(mu_) = UINT64_MAX;
  std::shared_ptr<const CachedNote> note_ TZ_GUARDED_BY(mu_);
};

}  // namespace tz::api
