// Incremental appends to the Merkle log: the compact range ("frontier").
//
// A log of n leaves is summarised by the roots of the perfect subtrees that
// the binary decomposition of n gives, biggest (leftmost) first: popcount(n)
// hashes, at most 64. Appending a leaf merges equal-sized subtrees, so n
// appends cost n leaf hashes plus fewer than n node hashes: O(1) amortised.
// Each append reports the perfect nodes it created, which is exactly what a
// NodeStore (merkle_proof.h) must persist to serve every proof later.
#pragma once

#include <cstdint>
#include <vector>

#include "crypto/hash.h"
#include "crypto/status.h"
#include "log/merkle.h"

namespace tz::merkle {

// A perfect node and its hash, as a store persists it. Immutable once created.
struct StoredNode {
  NodeId id;
  Digest hash;
  bool operator==(const StoredNode&) const = default;
};

// Ids of the perfect subtrees that make up a tree of `size` leaves, left to
// right (highest level first): the nodes CompactRange keeps, and the nodes
// from which a store recomputes the root of any past size.
std::vector<NodeId> FrontierNodes(uint64_t size);

// The compact range [0, size) of the log. Not thread-safe; copyable.
class CompactRange {
 public:
  explicit CompactRange(LogHasher hasher = LogHasher()) : hasher_(hasher) {}

  // Rebuilds the range of a log of `size` leaves (after a restart) from the
  // hashes of FrontierNodes(size), in that order. Reason
  // "merkle.bad_frontier" (kInvalidArgument) if the count does not match.
  static Result<CompactRange> Restore(LogHasher hasher, uint64_t size,
                                      std::vector<Digest> frontier);

  uint64_t size() const { return size_; }
  const LogHasher& hasher() const { return hasher_; }
  // Hashes of FrontierNodes(size()), in that order.
  const std::vector<Digest>& frontier() const { return frontier_; }

  // Appends the leaf whose leaf hash (LogHasher::HashLeaf) is `leaf_hash`, as
  // leaf number size(). If `created` is not null, appends to it (without
  // clearing) the new leaf node and every node this append completes,
  // bottom-up: 1 + countr_zero(size() after the append) nodes. Collecting
  // several appends into one vector gives one write batch for a store.
  // Requires size() < 2^64 - 1.
  void Append(const Digest& leaf_hash, std::vector<StoredNode>* created = nullptr);

  // MTH of the current tree (RFC 6962 §2.1): EmptyRoot() for size 0.
  // Costs popcount(size()) - 1 node hashes.
  Digest Root() const;

 private:
  LogHasher hasher_;
  uint64_t size_ = 0;
  std::vector<Digest> frontier_;
};

}  // namespace tz::merkle
