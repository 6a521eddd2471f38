// Building inclusion and consistency proofs.
//
// Two layers, as in transparency-dev/merkle:
//  1. InclusionNodes / ConsistencyNodes are pure arithmetic: they say which
//     stored perfect nodes a proof needs and how to combine them. No I/O.
//  2. InclusionProof / ConsistencyProof fetch those nodes from a NodeStore and
//     combine them into the RFC 9162 proof.
//
// Why combining is needed: a proof hash stands for one node of the RFC 6962
// tree of the proof's size. Most are perfect subtrees, stored once and for
// all. At most one per proof is "ephemeral": the root of the right-hand,
// still-incomplete subtree (e.g. leaves [4, 7) in a tree of 7), whose hash
// changes while the log grows and so is not stored. It is recomputed from the
// perfect subtrees that tile its leaves.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/hash.h"
#include "crypto/status.h"
#include "log/merkle.h"
#include "log/merkle_compact.h"

namespace tz::merkle {

// One hash of a proof: it stands for node `id` of the tree of the proof's
// size, and equals the fold of the stored nodes ProofNodes::ids[begin, end):
//   h = hash(ids[begin]);  for k in (begin, end): h = HashChildren(hash(ids[k]), h)
// The parts are ordered lowest level (rightmost) first, so each step hashes a
// left sibling onto the accumulated right part. A perfect element has exactly
// one part, equal to `id`. An ephemeral element has two or more; its `id`
// is the node of the infinite tree at that position, which must never be
// fetched (its leaves extend past the tree size).
struct ProofElement {
  NodeId id;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool ephemeral() const { return end - begin > 1; }
  bool operator==(const ProofElement&) const = default;
};

// The plan of one proof.
struct ProofNodes {
  // Perfect nodes to fetch, each once, grouped by element in element order.
  std::vector<NodeId> ids;
  // The proof hashes in proof order (leaf to root, as RFC 6962 PATH/SUBPROOF).
  std::vector<ProofElement> elements;

  // Folds fetched hashes (hashes[i] is the hash of ids[i]) into the proof.
  // Reason "merkle.hash_count" (kInvalidArgument) if hashes.size() != ids.size().
  Result<std::vector<Digest>> Rehash(const LogHasher& hasher, std::span<const Digest> hashes) const;
};

// Plan of the inclusion proof of leaf `index` in the tree of `size` leaves.
// Reason "proof.index_out_of_range" (kInvalidArgument) unless index < size.
Result<ProofNodes> InclusionNodes(uint64_t index, uint64_t size);

// Plan of the consistency proof from size1 to size2 (empty if size1 ==
// size2). Reasons (kInvalidArgument): "proof.size_order" if size1 > size2,
// "proof.empty_first_tree" if size1 == 0 (the verifier would refuse it).
Result<ProofNodes> ConsistencyNodes(uint64_t size1, uint64_t size2);

// Where perfect node hashes live: an in-memory map, LevelDB, ...
// A store serving proofs for a tree of size n must hold every perfect node of
// that tree (every id with id.end() <= n), as CompactRange::Append reports them.
class NodeStore {
 public:
  virtual ~NodeStore() = default;
  // The hash of perfect node `id`. Reason "merkle.node_missing" (kNotFound)
  // if it was never stored; other codes (kIOError, kCorruption) from the
  // storage itself.
  virtual Result<Digest> GetNode(NodeId id) const = 0;
  // The hashes of `ids`, in order; fails with the first failure. The default
  // calls GetNode for each; stores with batched reads may override.
  virtual Result<std::vector<Digest>> GetNodes(std::span<const NodeId> ids) const;
};

// NodeStore in memory (tests, benchmarks, small logs): one dense array per
// level, sized to the largest index put, so it suits logs filled from leaf 0.
// Not thread-safe for writes; concurrent reads are fine.
class MemoryNodeStore final : public NodeStore {
 public:
  // Stores (or overwrites) one node. Requires node.id.level < 64.
  void Put(const StoredNode& node);
  void PutAll(std::span<const StoredNode> nodes) {
    for (const StoredNode& n : nodes) Put(n);
  }
  Result<Digest> GetNode(NodeId id) const override;
  size_t node_count() const { return count_; }

 private:
  struct Level {
    std::vector<Digest> hashes;
    std::vector<bool> present;
  };
  std::vector<Level> levels_;
  size_t count_ = 0;
};

// The RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves,
// from the nodes in `store`. Errors: those of InclusionNodes and the store.
Result<std::vector<Digest>> InclusionProof(const NodeStore& store, const LogHasher& hasher,
                                           uint64_t index, uint64_t size);

// The RFC 9162 consistency proof from size1 to size2. Errors: those of
// ConsistencyNodes and the store.
Result<std::vector<Digest>> ConsistencyProof(const NodeStore& store, const LogHasher& hasher,
                                             uint64_t size1, uint64_t size2);

// The root of the tree of `size` leaves (any size the store has reached),
// from the FrontierNodes(size) in `store`.
Result<Digest> RootAt(const NodeStore& store, const LogHasher& hasher, uint64_t size);

}  // namespace tz::merkle
