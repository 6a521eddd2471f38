// Unit tests of the Merkle log pieces: compact range, plans, store, SM3,
// wire-form checks and extreme sizes.
#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "gtest/gtest.h"
#include "log/merkle.h"
#include "log/merkle_compact.h"
#include "log/merkle_proof.h"

namespace tz::merkle {
namespace {

Digest LeafHash(const LogHasher& h, uint64_t i) {
  std::string s = "entry-" + std::to_string(i);
  return h.HashLeaf(AsBytes(s));
}

struct Log {
  LogHasher hasher;
  CompactRange range;
  MemoryNodeStore store;
  explicit Log(uint64_t n, LogHasher h = LogHasher()) : hasher(h), range(h) {
    std::vector<StoredNode> created;
    for (uint64_t i = 0; i < n; ++i) range.Append(LeafHash(hasher, i), &created);
    store.PutAll(created);
  }
};

TEST(MerkleUnit, NodeIdArithmetic) {
  NodeId n{2, 3};
  EXPECT_EQ(n.begin(), 12u);
  EXPECT_EQ(n.end(), 16u);
  EXPECT_EQ(n.Parent(), (NodeId{3, 1}));
  EXPECT_EQ(n.Sibling(), (NodeId{2, 2}));
  EXPECT_LT((NodeId{0, 9}), (NodeId{1, 0}));
}

TEST(MerkleUnit, FrontierNodes) {
  EXPECT_TRUE(FrontierNodes(0).empty());
  EXPECT_EQ(FrontierNodes(13), (std::vector<NodeId>{{3, 0}, {2, 2}, {0, 12}}));
  EXPECT_EQ(FrontierNodes(16), (std::vector<NodeId>{{4, 0}}));
  EXPECT_EQ(FrontierNodes(std::numeric_limits<uint64_t>::max()).size(), 64u);
}

TEST(MerkleUnit, AppendReportsCreatedNodes) {
  LogHasher h;
  CompactRange r(h);
  std::vector<StoredNode> created;
  for (uint64_t i = 0; i < 3; ++i) r.Append(LeafHash(h, i));
  r.Append(LeafHash(h, 3), &created);  // completes (1,1) and (2,0)
  ASSERT_EQ(created.size(), 3u);
  EXPECT_EQ(created[0].id, (NodeId{0, 3}));
  EXPECT_EQ(created[1].id, (NodeId{1, 1}));
  EXPECT_EQ(created[2].id, (NodeId{2, 0}));
  EXPECT_EQ(created[0].hash, LeafHash(h, 3));
  EXPECT_EQ(created[1].hash, h.HashChildren(LeafHash(h, 2), LeafHash(h, 3)));
  EXPECT_EQ(created[2].hash, r.Root());
  EXPECT_EQ(r.size(), 4u);
  EXPECT_EQ(r.frontier().size(), 1u);

  // n appends create 2n - popcount(n) nodes: O(n) hashes in total.
  Log log(1000);
  EXPECT_EQ(log.store.node_count(), 2 * 1000u - std::popcount(1000u));
}

TEST(MerkleUnit, EmptyTree) {
  LogHasher h;
  CompactRange r(h);
  EXPECT_EQ(r.Root(), Sha256(ByteSpan()));
  MemoryNodeStore store;
  Result<Digest> root = RootAt(store, h, 0);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root.value(), h.EmptyRoot());
}

TEST(MerkleUnit, RestoreContinuesTheSameLog) {
  Log full(100);
  Log part(37);
  Result<std::vector<Digest>> frontier = part.store.GetNodes(FrontierNodes(37));
  ASSERT_TRUE(frontier.ok());
  Result<CompactRange> restored = CompactRange::Restore(part.hasher, 37, frontier.value());
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->Root(), part.range.Root());
  for (uint64_t i = 37; i < 100; ++i) restored->Append(LeafHash(part.hasher, i));
  EXPECT_EQ(restored->Root(), full.range.Root());

  Result<CompactRange> bad = CompactRange::Restore(part.hasher, 37, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().reason(), "merkle.bad_frontier");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
}

TEST(MerkleUnit, InclusionPlanWithEphemeralNode) {
  // Leaf 2 of 7: siblings (0,3) and (1,0), then the ephemeral node over
  // leaves [4,7), folded from (0,6) and (1,2).
  Result<ProofNodes> plan = InclusionNodes(2, 7);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->ids, (std::vector<NodeId>{{0, 3}, {1, 0}, {0, 6}, {1, 2}}));
  ASSERT_EQ(plan->elements.size(), 3u);
  EXPECT_EQ(plan->elements[0], (ProofElement{{0, 3}, 0, 1}));
  EXPECT_EQ(plan->elements[1], (ProofElement{{1, 0}, 1, 2}));
  EXPECT_EQ(plan->elements[2], (ProofElement{{2, 1}, 2, 4}));
  EXPECT_TRUE(plan->elements[2].ephemeral());

  Log log(7);
  Result<std::vector<Digest>> hashes = log.store.GetNodes(plan->ids);
  ASSERT_TRUE(hashes.ok());
  Result<std::vector<Digest>> proof = plan->Rehash(log.hasher, hashes.value());
  ASSERT_TRUE(proof.ok());
  EXPECT_EQ(proof->at(2), log.hasher.HashChildren(hashes->at(3), hashes->at(2)));
  EXPECT_TRUE(
      VerifyInclusion(log.hasher, 2, 7, LeafHash(log.hasher, 2), proof.value(), log.range.Root())
          .ok());

  Result<std::vector<Digest>> short_hashes = plan->Rehash(log.hasher, {});
  ASSERT_FALSE(short_hashes.ok());
  EXPECT_EQ(short_hashes.status().reason(), "merkle.hash_count");
}

TEST(MerkleUnit, PlanErrors) {
  Result<ProofNodes> p = InclusionNodes(5, 5);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().reason(), reason::kIndexOutOfRange);
  EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(InclusionNodes(0, 0).status().reason(), reason::kIndexOutOfRange);
  EXPECT_EQ(ConsistencyNodes(3, 2).status().reason(), reason::kSizeOrder);
  EXPECT_EQ(ConsistencyNodes(0, 5).status().reason(), reason::kEmptyFirstTree);
  Result<ProofNodes> same = ConsistencyNodes(4, 4);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->ids.empty());
  EXPECT_TRUE(same->elements.empty());
}

TEST(MerkleUnit, MissingNodesAreNotFound) {
  Log log(10);
  Result<std::vector<Digest>> p = InclusionProof(log.store, log.hasher, 3, 12);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kNotFound);
  EXPECT_EQ(p.status().reason(), "merkle.node_missing");
  EXPECT_EQ(log.store.GetNode(NodeId{40, 0}).status().reason(), "merkle.node_missing");
  EXPECT_FALSE(RootAt(log.store, log.hasher, 11).ok());
  EXPECT_TRUE(ConsistencyProof(log.store, log.hasher, 3, 10).ok());
}

TEST(MerkleUnit, Sm3Suite) {
  LogHasher sm3(HashAlgorithm::kSm3);
  // GB/T 32905 SM3 of the empty string.
  EXPECT_EQ(ToHex(sm3.EmptyRoot()),
            "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
  Bytes leaf_msg = {0x00, 'a', 'b', 'c'};
  EXPECT_EQ(sm3.HashLeaf(AsBytes("abc")), Sm3(leaf_msg));

  Log log(37, sm3);
  Log sha(37);
  EXPECT_NE(log.range.Root(), sha.range.Root());
  Result<std::vector<Digest>> p = InclusionProof(log.store, sm3, 20, 37);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(VerifyInclusion(sm3, 20, 37, LeafHash(sm3, 20), p.value(), log.range.Root()).ok());
  // The same proof does not verify under the other suite's hash.
  EXPECT_FALSE(
      VerifyInclusion(LogHasher(), 20, 37, LeafHash(sm3, 20), p.value(), log.range.Root()).ok());
  Result<std::vector<Digest>> c = ConsistencyProof(log.store, sm3, 13, 37);
  ASSERT_TRUE(c.ok());
  Result<Digest> root13 = RootAt(log.store, sm3, 13);
  ASSERT_TRUE(root13.ok());
  EXPECT_TRUE(VerifyConsistency(sm3, 13, 37, c.value(), root13.value(), log.range.Root()).ok());
}

TEST(MerkleUnit, WireFormReasonOrder) {
  Log log(5);
  LogHasher h;
  Result<std::vector<Digest>> p = InclusionProof(log.store, h, 1, 5);
  ASSERT_TRUE(p.ok());
  std::vector<Bytes> proof;
  for (const Digest& d : p.value()) proof.emplace_back(d.data(), d.data() + 32);
  Digest leaf = LeafHash(h, 1);
  Digest root = log.range.Root();
  Bytes leaf_b(leaf.data(), leaf.data() + 32), root_b(root.data(), root.data() + 32);
  EXPECT_TRUE(VerifyInclusion(h, 1, 5, leaf_b, proof, root_b).ok());

  Bytes short_leaf(31, 0);
  EXPECT_EQ(VerifyInclusion(h, 5, 5, short_leaf, proof, root_b).reason(), reason::kIndexOutOfRange);
  EXPECT_EQ(VerifyInclusion(h, 1, 5, short_leaf, proof, root_b).reason(), reason::kBadLeafHashSize);
  std::vector<Bytes> long_node = proof;
  long_node[1].push_back(0);
  EXPECT_EQ(VerifyInclusion(h, 1, 5, leaf_b, long_node, root_b).reason(), reason::kBadNodeSize);
  long_node.push_back(Bytes(32, 0));
  EXPECT_EQ(VerifyInclusion(h, 1, 5, leaf_b, long_node, root_b).reason(), reason::kWrongLength);
  EXPECT_EQ(VerifyInclusion(h, 1, 5, leaf_b, proof, Bytes(31, 0)).reason(), reason::kBadRootSize);
  Result<Digest> r = RootFromInclusionProof(h, 1, 5, leaf_b, proof);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), root);

  Result<std::vector<Digest>> c = ConsistencyProof(log.store, h, 3, 5);
  ASSERT_TRUE(c.ok());
  std::vector<Bytes> cproof;
  for (const Digest& d : c.value()) cproof.emplace_back(d.data(), d.data() + 32);
  Result<Digest> root3 = RootAt(log.store, h, 3);
  ASSERT_TRUE(root3.ok());
  Bytes root3_b(root3->data(), root3->data() + 32);
  EXPECT_TRUE(VerifyConsistency(h, 3, 5, cproof, root3_b, root_b).ok());
  EXPECT_EQ(VerifyConsistency(h, 3, 5, cproof, Bytes(), root_b).reason(), reason::kBadRootSize);
  EXPECT_EQ(VerifyConsistency(h, 3, 5, cproof, root3_b, Bytes(33, 1)).reason(),
            reason::kBadRootSize);
  EXPECT_EQ(VerifyConsistency(h, 3, 5, {}, root3_b, root_b).reason(), reason::kWrongLength);
  EXPECT_EQ(VerifyConsistency(h, 5, 3, cproof, root3_b, root_b).reason(), reason::kSizeOrder);
  EXPECT_EQ(VerifyConsistency(h, 0, 3, cproof, root3_b, root_b).reason(), reason::kEmptyFirstTree);
  EXPECT_EQ(VerifyConsistency(h, 3, 3, cproof, root3_b, root3_b).reason(),
            reason::kNonemptyForEqualSizes);
  EXPECT_TRUE(VerifyConsistency(h, 3, 3, std::vector<Bytes>{}, root3_b, root3_b).ok());
  EXPECT_EQ(VerifyConsistency(h, 3, 3, std::vector<Bytes>{}, root3_b, root_b).reason(),
            reason::kRootMismatch);
}

TEST(MerkleUnit, ExtremeSizes) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  // Shapes are computable without overflow at the largest sizes.
  EXPECT_EQ(InclusionProofLength(kMax - 1, kMax), 63u);  // rightmost leaf: 63 left turns
  EXPECT_EQ(InclusionProofLength(0, kMax), 64u);
  EXPECT_EQ(ConsistencyProofLength(uint64_t{1} << 63, kMax), 1u);  // MTH(D[k:n])
  for (uint64_t index : {uint64_t{0}, kMax / 3, kMax - 1}) {
    Result<ProofNodes> plan = InclusionNodes(index, kMax);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->elements.size(), InclusionProofLength(index, kMax));
    for (NodeId id : plan->ids) EXPECT_LE(id.end(), kMax);
  }
  Result<ProofNodes> c = ConsistencyNodes(kMax - 1, kMax);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->elements.size(), ConsistencyProofLength(kMax - 1, kMax));
  // A hostile proof of the wrong length is refused before any hashing.
  LogHasher h;
  std::vector<Digest> junk(3);
  EXPECT_EQ(VerifyInclusion(h, kMax - 1, kMax, Digest(), junk, Digest()).reason(),
            reason::kWrongLength);
  EXPECT_EQ(VerifyConsistency(h, 1, kMax, junk, Digest(), Digest()).reason(), reason::kWrongLength);
}

}  // namespace
}  // namespace tz::merkle
