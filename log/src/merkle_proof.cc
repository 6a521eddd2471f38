// Proof plans (which perfect nodes, combined how) and their execution against
// a NodeStore. The plan follows transparency-dev/merkle proof.nodes: walk up
// from the seed node to the "fork", where its path leaves the path to the
// tree's right edge; below the fork every sibling is perfect, beside it lies
// the one ephemeral node, above it the perfect subtrees to the left.
#include "log/merkle_proof.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <string>

namespace tz::merkle {
namespace {

std::string N(uint64_t v) { return std::to_string(v); }

void AddPerfect(ProofNodes* plan, NodeId id) {
  uint32_t at = static_cast<uint32_t>(plan->ids.size());
  plan->ids.push_back(id);
  plan->elements.push_back(ProofElement{id, at, at + 1});
}

// Appends the proof path from node {level, index} (excluded) to the root of
// the tree of `size` leaves. Requires the node to be perfect in that tree and
// not to be its root.
void AddPath(uint32_t level, uint64_t index, uint64_t size, ProofNodes* plan) {
  // `inner` levels above the seed, its path and the path to the right edge
  // (node size >> level at this level) part: there sits the fork.
  int inner = std::bit_width(index ^ (size >> level)) - 1;
  NodeId fork{level + static_cast<uint32_t>(inner), index >> inner};

  for (NodeId node{level, index}; node.level < fork.level; node = node.Parent()) {
    AddPerfect(plan, node.Sibling());
  }

  // The fork's right sibling covers [fork.end(), size) if that is not empty:
  // the ephemeral node, tiled by the perfect subtrees of size - fork.end()
  // (fork.end() is aligned to a bigger power of two than that remainder).
  uint64_t right_begin = fork.end();
  if (right_begin < size) {
    uint32_t first = static_cast<uint32_t>(plan->ids.size());
    uint64_t pos = right_begin;
    for (uint64_t rest = size - right_begin; rest != 0;) {
      uint32_t lvl = static_cast<uint32_t>(std::bit_width(rest) - 1);
      plan->ids.push_back(NodeId{lvl, pos >> lvl});
      pos += uint64_t{1} << lvl;
      rest ^= uint64_t{1} << lvl;
    }
    std::reverse(plan->ids.begin() + first, plan->ids.end());  // lowest level first
    uint32_t last = static_cast<uint32_t>(plan->ids.size());
    NodeId id = last - first == 1 ? plan->ids[first] : fork.Sibling();
    plan->elements.push_back(ProofElement{id, first, last});
  }

  // Left of the fork: the perfect subtrees tiling [0, fork.begin()), nearest
  // (lowest level) first.
  std::vector<NodeId> left;
  uint64_t pos = 0;
  for (uint64_t rest = fork.begin(); rest != 0;) {
    uint32_t lvl = static_cast<uint32_t>(std::bit_width(rest) - 1);
    left.push_back(NodeId{lvl, pos >> lvl});
    pos += uint64_t{1} << lvl;
    rest ^= uint64_t{1} << lvl;
  }
  for (auto it = left.rbegin(); it != left.rend(); ++it) AddPerfect(plan, *it);
}

Result<std::vector<Digest>> Execute(const NodeStore& store, const LogHasher& hasher,
                                    const ProofNodes& plan) {
  TZ_ASSIGN_OR_RETURN(std::vector<Digest> hashes, store.GetNodes(plan.ids));
  return plan.Rehash(hasher, hashes);
}

}  // namespace

Result<std::vector<Digest>> ProofNodes::Rehash(const LogHasher& hasher,
                                               std::span<const Digest> hashes) const {
  if (hashes.size() != ids.size()) {
    return Status::Invalid("merkle.hash_count", "proof needs " + N(ids.size()) +
                                                    " node hashes, got " + N(hashes.size()));
  }
  std::vector<Digest> proof;
  proof.reserve(elements.size());
  for (const ProofElement& e : elements) {
    Digest h = hashes[e.begin];
    for (uint32_t k = e.begin + 1; k < e.end; ++k) h = hasher.HashChildren(hashes[k], h);
    proof.push_back(h);
  }
  return proof;
}

Result<ProofNodes> InclusionNodes(uint64_t index, uint64_t size) {
  if (index >= size) {
    return Status::Invalid(std::string(reason::kIndexOutOfRange),
                           "leaf index " + N(index) + " is not below tree size " + N(size));
  }
  ProofNodes plan;
  plan.ids.reserve(64);
  plan.elements.reserve(64);
  AddPath(0, index, size, &plan);
  return plan;
}

Result<ProofNodes> ConsistencyNodes(uint64_t size1, uint64_t size2) {
  if (size1 > size2) {
    return Status::Invalid(std::string(reason::kSizeOrder),
                           "first tree size " + N(size1) + " is larger than " + N(size2));
  }
  if (size1 == 0) {
    return Status::Invalid(std::string(reason::kEmptyFirstTree),
                           "consistency with the empty tree is not proved");
  }
  ProofNodes plan;
  if (size1 == size2) return plan;
  plan.ids.reserve(64);
  plan.elements.reserve(64);
  // The biggest perfect subtree ending at size1 ...
  uint32_t level = static_cast<uint32_t>(std::countr_zero(size1));
  uint64_t index = (size1 - 1) >> level;
  // ... leads the proof, unless it is the whole first tree, whose root the
  // verifier already has (RFC 6962 SUBPROOF with b = true).
  if (index != 0) AddPerfect(&plan, NodeId{level, index});
  AddPath(level, index, size2, &plan);
  return plan;
}

Result<std::vector<Digest>> NodeStore::GetNodes(std::span<const NodeId> ids) const {
  std::vector<Digest> out;
  out.reserve(ids.size());
  for (NodeId id : ids) {
    TZ_ASSIGN_OR_RETURN(Digest h, GetNode(id));
    out.push_back(h);
  }
  return out;
}

void MemoryNodeStore::Put(const StoredNode& node) {
  assert(node.id.level < 64);
  if (node.id.level >= levels_.size()) levels_.resize(node.id.level + 1);
  Level& l = levels_[node.id.level];
  if (node.id.index >= l.hashes.size()) {
    l.hashes.resize(node.id.index + 1);
    l.present.resize(node.id.index + 1);
  }
  if (!l.present[node.id.index]) ++count_;
  l.hashes[node.id.index] = node.hash;
  l.present[node.id.index] = true;
}

Result<Digest> MemoryNodeStore::GetNode(NodeId id) const {
  if (id.level < levels_.size()) {
    const Level& l = levels_[id.level];
    if (id.index < l.present.size() && l.present[id.index]) return l.hashes[id.index];
  }
  return Status::NotFound("merkle.node_missing",
                          "no node at level " + N(id.level) + " index " + N(id.index));
}

Result<std::vector<Digest>> InclusionProof(const NodeStore& store, const LogHasher& hasher,
                                           uint64_t index, uint64_t size) {
  TZ_ASSIGN_OR_RETURN(ProofNodes plan, InclusionNodes(index, size));
  return Execute(store, hasher, plan);
}

Result<std::vector<Digest>> ConsistencyProof(const NodeStore& store, const LogHasher& hasher,
                                             uint64_t size1, uint64_t size2) {
  TZ_ASSIGN_OR_RETURN(ProofNodes plan, ConsistencyNodes(size1, size2));
  return Execute(store, hasher, plan);
}

Result<Digest> RootAt(const NodeStore& store, const LogHasher& hasher, uint64_t size) {
  if (size == 0) return hasher.EmptyRoot();
  std::vector<NodeId> ids = FrontierNodes(size);
  TZ_ASSIGN_OR_RETURN(std::vector<Digest> hashes, store.GetNodes(ids));
  Digest root = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;) root = hasher.HashChildren(hashes[i], root);
  return root;
}

}  // namespace tz::merkle
