#include "log/merkle_compact.h"

#include <bit>
#include <string>
#include <utility>

namespace tz::merkle {

std::vector<NodeId> FrontierNodes(uint64_t size) {
  std::vector<NodeId> ids;
  ids.reserve(std::popcount(size));
  uint64_t begin = 0;
  // One perfect subtree per set bit of size, from the highest bit down.
  for (uint64_t rest = size; rest != 0;) {
    uint32_t level = static_cast<uint32_t>(std::bit_width(rest) - 1);
    ids.push_back(NodeId{level, begin >> level});
    begin += uint64_t{1} << level;
    rest ^= uint64_t{1} << level;
  }
  return ids;
}

Result<CompactRange> CompactRange::Restore(LogHasher hasher, uint64_t size,
                                           std::vector<Digest> frontier) {
  if (frontier.size() != static_cast<size_t>(std::popcount(size))) {
    return Status::Invalid("merkle.bad_frontier",
                           "a tree of " + std::to_string(size) + " leaves has " +
                               std::to_string(std::popcount(size)) + " frontier nodes, got " +
                               std::to_string(frontier.size()));
  }
  CompactRange range(hasher);
  range.size_ = size;
  range.frontier_ = std::move(frontier);
  return range;
}

void CompactRange::Append(const Digest& leaf_hash, std::vector<StoredNode>* created) {
  NodeId id{0, size_};
  Digest hash = leaf_hash;
  if (created != nullptr) created->push_back({id, hash});
  // The new node is a right child while its index is odd: merge it with its
  // left sibling, which is the last (smallest) subtree of the frontier.
  while ((id.index & 1) != 0) {
    hash = hasher_.HashChildren(frontier_.back(), hash);
    frontier_.pop_back();
    id = id.Parent();
    if (created != nullptr) created->push_back({id, hash});
  }
  frontier_.push_back(hash);
  ++size_;
}

Digest CompactRange::Root() const {
  if (frontier_.empty()) return hasher_.EmptyRoot();
  // MTH splits at the largest power of two below the size, so the root folds
  // the frontier from the right: H(f0, H(f1, ... H(f[n-2], f[n-1]))).
  Digest root = frontier_.back();
  for (size_t i = frontier_.size() - 1; i-- > 0;) root = hasher_.HashChildren(frontier_[i], root);
  return root;
}

}  // namespace tz::merkle
