// Brute-force comparison with a reference written straight from RFC 6962
// §2.1 (MTH, PATH, PROOF/SUBPROOF as recursive functions over the leaf list),
// hashing with plain SHA-256 over concatenated bytes rather than LogHasher.
// Every tree size 1..300 with every index and every size pair, then random
// indices and pairs in trees up to 2^20 leaves.
#include <bit>
#include <cstring>
#include <random>
#include <unordered_map>
#include <vector>

#include "crypto/hash.h"
#include "gtest/gtest.h"
#include "log/merkle.h"
#include "log/merkle_compact.h"
#include "log/merkle_proof.h"

namespace tz::merkle {
namespace {

Bytes LeafData(uint64_t i) {
  Bytes b(8);
  for (int k = 0; k < 8; ++k) b[k] = static_cast<uint8_t>(i >> (56 - 8 * k));
  return b;
}

// RFC 6962 §2.1, over the leaf data D[0], D[1], ... of one growing log.
// MTH of big subtrees is memoised (a pure function of (lo, n)); the recursion
// is otherwise exactly the RFC's.
class Reference {
 public:
  explicit Reference(uint64_t leaves) {
    leaf_hashes_.reserve(leaves);
    for (uint64_t i = 0; i < leaves; ++i) {
      Bytes msg = {0x00};
      Bytes d = LeafData(i);
      msg.insert(msg.end(), d.begin(), d.end());
      leaf_hashes_.push_back(Sha256(msg));
    }
  }

  const Digest& LeafHash(uint64_t i) const { return leaf_hashes_[i]; }

  // MTH(D[lo:lo+n]).
  Digest Mth(uint64_t lo, uint64_t n) {
    if (n == 0) return Sha256(ByteSpan());
    if (n == 1) return leaf_hashes_[lo];
    uint64_t key = (lo << 32) | n;
    if (n >= 16) {
      auto it = memo_.find(key);
      if (it != memo_.end()) return it->second;
    }
    uint64_t k = K(n);
    Digest h = Node(Mth(lo, k), Mth(lo + k, n - k));
    if (n >= 16) memo_.emplace(key, h);
    return h;
  }

  // PATH(m, D[lo:lo+n]).
  std::vector<Digest> Path(uint64_t m, uint64_t lo, uint64_t n) {
    if (n == 1) return {};
    uint64_t k = K(n);
    std::vector<Digest> p;
    if (m < k) {
      p = Path(m, lo, k);
      p.push_back(Mth(lo + k, n - k));
    } else {
      p = Path(m - k, lo + k, n - k);
      p.push_back(Mth(lo, k));
    }
    return p;
  }

  // PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
  std::vector<Digest> Proof(uint64_t m, uint64_t n) { return Subproof(m, 0, n, true); }

 private:
  // The largest power of two smaller than n (n > 1).
  static uint64_t K(uint64_t n) { return std::bit_floor(n - 1); }

  static Digest Node(const Digest& l, const Digest& r) {
    Bytes msg = {0x01};
    msg.insert(msg.end(), l.data(), l.data() + 32);
    msg.insert(msg.end(), r.data(), r.data() + 32);
    return Sha256(msg);
  }

  std::vector<Digest> Subproof(uint64_t m, uint64_t lo, uint64_t n, bool b) {
    if (m == n) {
      if (b) return {};
      return {Mth(lo, n)};
    }
    uint64_t k = K(n);
    std::vector<Digest> p;
    if (m <= k) {
      p = Subproof(m, lo, k, b);
      p.push_back(Mth(lo + k, n - k));
    } else {
      p = Subproof(m - k, lo + k, n - k, false);
      p.push_back(Mth(lo, k));
    }
    return p;
  }

  std::vector<Digest> leaf_hashes_;
  std::unordered_map<uint64_t, Digest> memo_;
};

// A log of `leaves` leaves built with CompactRange, its nodes in a store and,
// for small logs, the root at every size.
struct Log {
  LogHasher hasher;
  MemoryNodeStore store;
  std::vector<Digest> roots;
  Log(uint64_t leaves, bool keep_roots) {
    CompactRange range(hasher);
    std::vector<StoredNode> created;
    if (keep_roots) roots.push_back(range.Root());
    for (uint64_t i = 0; i < leaves; ++i) {
      range.Append(hasher.HashLeaf(LeafData(i)), &created);
      if (keep_roots) roots.push_back(range.Root());
      if (created.size() > 4096) {
        store.PutAll(created);
        created.clear();
      }
    }
    store.PutAll(created);
  }
};

Digest FlipBit(Digest d, size_t bit) {
  d.data()[bit / 8 % 32] ^= static_cast<uint8_t>(1u << (bit % 8));
  return d;
}

constexpr uint64_t kSmall = 300;

TEST(MerkleReference, RootsAtEverySize) {
  Reference ref(kSmall);
  Log log(kSmall, true);
  for (uint64_t n = 0; n <= kSmall; ++n) {
    Digest want = ref.Mth(0, n);
    ASSERT_EQ(log.roots[n], want) << n;
    Result<Digest> at = RootAt(log.store, log.hasher, n);
    ASSERT_TRUE(at.ok());
    ASSERT_EQ(at.value(), want) << n;
  }
  // Every perfect node, and only those, was stored: 2n - popcount(n).
  EXPECT_EQ(log.store.node_count(), 2 * kSmall - std::popcount(kSmall));
}

TEST(MerkleReference, AllInclusionProofsUpTo300) {
  Reference ref(kSmall);
  Log log(kSmall, true);
  std::mt19937_64 rng(1);
  size_t checked = 0;
  for (uint64_t n = 1; n <= kSmall; ++n) {
    for (uint64_t m = 0; m < n; ++m) {
      std::vector<Digest> want = ref.Path(m, 0, n);
      Result<std::vector<Digest>> got = InclusionProof(log.store, log.hasher, m, n);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ(got.value(), want) << m << "/" << n;
      ASSERT_EQ(InclusionProofLength(m, n), want.size());
      const Digest& leaf = ref.LeafHash(m);
      ASSERT_TRUE(VerifyInclusion(log.hasher, m, n, leaf, want, log.roots[n]).ok())
          << m << "/" << n;
      Result<Digest> root = RootFromInclusionProof(log.hasher, m, n, leaf, want);
      ASSERT_TRUE(root.ok());
      ASSERT_EQ(root.value(), log.roots[n]);

      // Mutations must fail for the right reason.
      if (!want.empty()) {
        std::vector<Digest> bad = want;
        size_t i = rng() % bad.size();
        bad[i] = FlipBit(bad[i], rng() % 256);
        ASSERT_EQ(VerifyInclusion(log.hasher, m, n, leaf, bad, log.roots[n]).reason(),
                  reason::kRootMismatch);
        bad = want;
        bad.pop_back();
        ASSERT_EQ(VerifyInclusion(log.hasher, m, n, leaf, bad, log.roots[n]).reason(),
                  reason::kWrongLength);
      }
      ASSERT_FALSE(VerifyInclusion(log.hasher, m, n, FlipBit(leaf, 7), want, log.roots[n]).ok());
      ASSERT_FALSE(VerifyInclusion(log.hasher, m, n, leaf, want, log.roots[n - 1]).ok());
      if (m + 1 < n) {
        ASSERT_FALSE(VerifyInclusion(log.hasher, m + 1, n, leaf, want, log.roots[n]).ok());
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, kSmall * (kSmall + 1) / 2);
}

TEST(MerkleReference, AllConsistencyProofsUpTo300) {
  Reference ref(kSmall);
  Log log(kSmall, true);
  std::mt19937_64 rng(2);
  size_t checked = 0;
  for (uint64_t n = 1; n <= kSmall; ++n) {
    for (uint64_t m = 1; m <= n; ++m) {
      std::vector<Digest> want = ref.Proof(m, n);
      Result<std::vector<Digest>> got = ConsistencyProof(log.store, log.hasher, m, n);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ(got.value(), want) << m << " -> " << n;
      if (m < n) {
        ASSERT_EQ(ConsistencyProofLength(m, n), want.size());
      }
      ASSERT_TRUE(VerifyConsistency(log.hasher, m, n, want, log.roots[m], log.roots[n]).ok())
          << m << " -> " << n;
      if (m == n) continue;
      std::vector<Digest> bad = want;
      size_t i = rng() % bad.size();
      bad[i] = FlipBit(bad[i], rng() % 256);
      ASSERT_EQ(VerifyConsistency(log.hasher, m, n, bad, log.roots[m], log.roots[n]).reason(),
                reason::kRootMismatch)
          << m << " -> " << n;
      bad = want;
      bad.pop_back();
      ASSERT_EQ(VerifyConsistency(log.hasher, m, n, bad, log.roots[m], log.roots[n]).reason(),
                reason::kWrongLength);
      ASSERT_EQ(VerifyConsistency(log.hasher, m, n, want, log.roots[m - 1], log.roots[n]).reason(),
                reason::kRootMismatch);
      ASSERT_FALSE(VerifyConsistency(log.hasher, m, n, want, log.roots[m], log.roots[n - 1]).ok());
      ASSERT_FALSE(VerifyConsistency(log.hasher, m, n, want, log.roots[n], log.roots[m]).ok());
      ++checked;
    }
  }
  EXPECT_EQ(checked, kSmall * (kSmall - 1) / 2);
}

// Plans never ask for a node outside the tree and have at most one ephemeral
// element, whose parts tile exactly the leaves its id covers inside the tree.
TEST(MerkleReference, PlansUseOnlyPerfectNodes) {
  auto check = [](const ProofNodes& plan, uint64_t size) {
    int ephemeral = 0;
    for (NodeId id : plan.ids) ASSERT_LE(id.end(), size);
    for (const ProofElement& e : plan.elements) {
      ASSERT_LT(e.begin, e.end);
      if (!e.ephemeral()) {
        ASSERT_EQ(plan.ids[e.begin], e.id);
        continue;
      }
      ++ephemeral;
      ASSERT_GT(e.id.end(), size);
      // Parts run right to left and tile [id.begin(), size).
      uint64_t end = size;
      for (uint32_t k = e.begin; k < e.end; ++k) {
        ASSERT_EQ(plan.ids[k].end(), end);
        end = plan.ids[k].begin();
      }
      ASSERT_EQ(end, e.id.begin());
    }
    ASSERT_LE(ephemeral, 1);
  };
  for (uint64_t n = 1; n <= 130; ++n) {
    for (uint64_t m = 0; m < n; ++m) {
      Result<ProofNodes> plan = InclusionNodes(m, n);
      ASSERT_TRUE(plan.ok());
      check(plan.value(), n);
      if (m == 0) continue;
      Result<ProofNodes> cplan = ConsistencyNodes(m, n);
      ASSERT_TRUE(cplan.ok());
      check(cplan.value(), n);
    }
  }
}

// Random indices and size pairs in trees of up to 2^20 leaves.
TEST(MerkleReference, RandomLargeTrees) {
  constexpr uint64_t kMax = uint64_t{1} << 20;
  Reference ref(kMax);
  Log log(kMax, false);
  std::mt19937_64 rng(3);
  std::vector<uint64_t> sizes = {kMax, kMax - 1, (kMax >> 1) + 1, 1000003 % kMax};
  for (int i = 0; i < 4; ++i) sizes.push_back(1 + rng() % kMax);
  for (uint64_t n : sizes) {
    SCOPED_TRACE("size " + std::to_string(n));
    Digest root = ref.Mth(0, n);
    Result<Digest> at = RootAt(log.store, log.hasher, n);
    ASSERT_TRUE(at.ok());
    ASSERT_EQ(at.value(), root);
    for (int j = 0; j < 16; ++j) {
      uint64_t m = j == 0 ? n - 1 : rng() % n;
      std::vector<Digest> want = ref.Path(m, 0, n);
      Result<std::vector<Digest>> got = InclusionProof(log.store, log.hasher, m, n);
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(got.value(), want) << m;
      ASSERT_TRUE(VerifyInclusion(log.hasher, m, n, ref.LeafHash(m), want, root).ok()) << m;
    }
    for (int j = 0; j < 16; ++j) {
      uint64_t m = j == 0 ? n - 1 : 1 + rng() % n;
      std::vector<Digest> want = ref.Proof(m, n);
      Result<std::vector<Digest>> got = ConsistencyProof(log.store, log.hasher, m, n);
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(got.value(), want) << m;
      ASSERT_TRUE(VerifyConsistency(log.hasher, m, n, want, ref.Mth(0, m), root).ok()) << m;
    }
  }
}

}  // namespace
}  // namespace tz::merkle
