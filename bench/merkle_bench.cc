// Merkle log benchmarks: appends, proof building from the in-memory node
// store, and verification, at 1M leaves. Targets (docs/merkle.md): proof
// generation < 50 us, verification < 20 us.
//
//   cmake --build BUILD --target merkle_bench && BUILD/bench/merkle_bench
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "log/merkle.h"
#include "log/merkle_compact.h"
#include "log/merkle_proof.h"

namespace tz::merkle {
namespace {

// Not a power of two, so proofs near the right edge have an ephemeral node.
constexpr uint64_t kLeaves = 1'000'000;

LogHasher HasherFor(int64_t arg) {
  return LogHasher(arg == 0 ? HashAlgorithm::kSha256 : HashAlgorithm::kSm3);
}

Bytes Entry(uint64_t i) {
  std::string s = "handover-document-digest-" + std::to_string(i);
  return Bytes(s.begin(), s.end());
}

struct Fixture {
  LogHasher hasher;
  MemoryNodeStore store;
  std::vector<Digest> leaf_hashes;
  Digest root;
  explicit Fixture(LogHasher h) : hasher(h) {
    CompactRange range(hasher);
    std::vector<StoredNode> created;
    leaf_hashes.reserve(kLeaves);
    for (uint64_t i = 0; i < kLeaves; ++i) {
      leaf_hashes.push_back(hasher.HashLeaf(Entry(i)));
      range.Append(leaf_hashes.back(), &created);
    }
    store.PutAll(created);
    root = range.Root();
  }
};

// Built on first use, once per hash algorithm.
const Fixture& Get(int64_t arg) {
  if (arg == 0) {
    static const Fixture* sha = new Fixture(HasherFor(0));
    return *sha;
  }
  static const Fixture* sm3 = new Fixture(HasherFor(1));
  return *sm3;
}

// Appending 1M leaves: leaf hashing, compact-range merges and collecting the
// created nodes into the store. One iteration = 1M appends.
void BM_Append1M(benchmark::State& state) {
  LogHasher hasher = HasherFor(state.range(0));
  std::vector<Bytes> entries;
  entries.reserve(kLeaves);
  for (uint64_t i = 0; i < kLeaves; ++i) entries.push_back(Entry(i));
  for (auto _ : state) {
    CompactRange range(hasher);
    MemoryNodeStore store;
    std::vector<StoredNode> created;
    for (const Bytes& e : entries) {
      created.clear();
      range.Append(hasher.HashLeaf(e), &created);
      store.PutAll(created);
    }
    benchmark::DoNotOptimize(range.Root());
  }
  state.SetItemsProcessed(state.iterations() * kLeaves);
}
BENCHMARK(BM_Append1M)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_InclusionNodes(benchmark::State& state) {
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    Result<ProofNodes> plan = InclusionNodes(rng() % kLeaves, kLeaves);
    benchmark::DoNotOptimize(plan);
  }
}
BENCHMARK(BM_InclusionNodes);

void BM_InclusionProof(benchmark::State& state) {
  const Fixture& f = Get(state.range(0));
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    Result<std::vector<Digest>> proof = InclusionProof(f.store, f.hasher, rng() % kLeaves, kLeaves);
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_InclusionProof)->Arg(0)->Arg(1);

void BM_ConsistencyProof(benchmark::State& state) {
  const Fixture& f = Get(state.range(0));
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    Result<std::vector<Digest>> proof =
        ConsistencyProof(f.store, f.hasher, 1 + rng() % (kLeaves - 1), kLeaves);
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_ConsistencyProof)->Arg(0)->Arg(1);

void BM_VerifyInclusion(benchmark::State& state) {
  const Fixture& f = Get(state.range(0));
  std::mt19937_64 rng(4);
  struct Case {
    uint64_t index;
    std::vector<Digest> proof;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 1024; ++i) {
    uint64_t index = rng() % kLeaves;
    cases.push_back({index, InclusionProof(f.store, f.hasher, index, kLeaves).value()});
  }
  size_t i = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ % cases.size()];
    Status s = VerifyInclusion(f.hasher, c.index, kLeaves, f.leaf_hashes[c.index], c.proof, f.root);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
}
BENCHMARK(BM_VerifyInclusion)->Arg(0)->Arg(1);

void BM_VerifyConsistency(benchmark::State& state) {
  const Fixture& f = Get(state.range(0));
  std::mt19937_64 rng(5);
  struct Case {
    uint64_t size1;
    Digest root1;
    std::vector<Digest> proof;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 1024; ++i) {
    uint64_t size1 = 1 + rng() % (kLeaves - 1);
    cases.push_back({size1, RootAt(f.store, f.hasher, size1).value(),
                     ConsistencyProof(f.store, f.hasher, size1, kLeaves).value()});
  }
  size_t i = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ % cases.size()];
    Status s = VerifyConsistency(f.hasher, c.size1, kLeaves, c.proof, c.root1, f.root);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
}
BENCHMARK(BM_VerifyConsistency)->Arg(0)->Arg(1);

// Wire form: the proof as untrusted byte strings (size checks + copy).
void BM_VerifyInclusionWire(benchmark::State& state) {
  const Fixture& f = Get(0);
  uint64_t index = 777'777;
  std::vector<Digest> digests = InclusionProof(f.store, f.hasher, index, kLeaves).value();
  std::vector<Bytes> proof;
  for (const Digest& d : digests) {
    proof.emplace_back(d.data(), d.data() + d.size());
  }
  Bytes leaf(f.leaf_hashes[index].data(), f.leaf_hashes[index].data() + 32);
  Bytes root(f.root.data(), f.root.data() + 32);
  for (auto _ : state) {
    Status s = VerifyInclusion(f.hasher, index, kLeaves, leaf, proof, root);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
}
BENCHMARK(BM_VerifyInclusionWire);

}  // namespace
}  // namespace tz::merkle

BENCHMARK_MAIN();
