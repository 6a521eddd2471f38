// ProofCache and ReadEntryFacts give exactly what the ledger gives.
#include "api/proof_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api/entry_facts.h"
#include "ledger/ledger_test_util.h"

namespace tz::api {
namespace {

using ledger::testing::Consortium;
using ledger::testing::Obj;

// Appends `blocks` blocks of the given sizes of notarizations.
void Grow(Consortium* c, const std::vector<int>& blocks, int* counter) {
  for (int n : blocks) {
    std::vector<ledger::SignedEntry> es;
    for (int i = 0; i < n; ++i) {
      es.push_back(c->c("builder").Sign(c->Notarize("doc-" + std::to_string((*counter)++))));
    }
    for (auto& r : c->Append(es)) ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
}

void ExpectSameProofs(ProofCache* cache, const ledger::Ledger& l, uint64_t size) {
  for (uint64_t i = 0; i < size; ++i) {
    auto want = l.InclusionProof(i, size);
    auto got = cache->InclusionProof(l, i, size);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(*got, *want) << "index " << i << " size " << size;
  }
}

TEST(ProofCacheTest, EqualsLedgerProofsWhileTheLogGrows) {
  Consortium c;
  ASSERT_NE(c.ledger, nullptr);
  ProofCache cache;
  int counter = 0;
  std::vector<uint64_t> sizes;
  // Sizes that are and are not powers of two, so proofs have ephemeral
  // elements that change as the log grows.
  for (const std::vector<int>& blocks :
       std::vector<std::vector<int>>{{6}, {1}, {24, 33}, {63}, {1, 1, 127}}) {
    Grow(&c, blocks, &counter);
    uint64_t size = c.ledger->head().log_size;
    sizes.push_back(size);
    ExpectSameProofs(&cache, *c.ledger, size);
    // Earlier sizes still give the proofs of their checkpoints.
    for (uint64_t old : sizes) {
      for (uint64_t i = 0; i < old; i += 7) {
        ASSERT_EQ(*cache.InclusionProof(*c.ledger, i, old), *c.ledger->InclusionProof(i, old));
      }
    }
  }
  EXPECT_GT(cache.cached_nodes(), 0u);
}

TEST(ProofCacheTest, WarmLoadsEveryUpperLevel) {
  Consortium c;
  int counter = 0;
  Grow(&c, {100, 57}, &counter);
  ProofCache cache;
  ASSERT_TRUE(cache.Warm(*c.ledger).ok());
  uint64_t n = c.ledger->head().log_size;
  size_t expect = 0;
  EXPECT_EQ(cache.MinLevelFor(n), 0u);  // 158 entries: everything fits in 64 MiB
  for (uint32_t level = 0; (n >> level) > 0; ++level) expect += n >> level;
  EXPECT_EQ(cache.cached_nodes(), expect);
  ExpectSameProofs(&cache, *c.ledger, n);
}

// A small budget: as the log grows, the lowest levels are dropped and read
// from the store instead; proofs stay exact and memory stays in budget.
TEST(ProofCacheTest, StaysWithinItsBudget) {
  Consortium c;
  int counter = 0;
  const size_t budget = 40 * Digest::kSize;
  ProofCache cache(budget);
  EXPECT_EQ(cache.MinLevelFor(20), 0u);  // 20 + 10 + 5 + 2 + 1 = 38 nodes
  EXPECT_EQ(cache.MinLevelFor(21), 0u);  // 21 + 10 + 5 + 2 + 1 = 39
  EXPECT_EQ(cache.MinLevelFor(22), 1u);  // 22 + 11 + 5 + 2 + 1 = 41; 11 + 5 + 2 + 1 = 19
  uint32_t last = 0;
  for (int round = 0; round < 6; ++round) {
    Grow(&c, {17 + round * 9}, &counter);
    uint64_t n = c.ledger->head().log_size;
    ExpectSameProofs(&cache, *c.ledger, n);
    EXPECT_LE(cache.cached_nodes() * Digest::kSize, budget) << "size " << n;
    EXPECT_GE(cache.MinLevelFor(n), last);
    last = cache.MinLevelFor(n);
  }
  EXPECT_GE(last, 2u);
}

// Proofs asked for while levels load (Warm on another thread, and several
// readers racing to load): every answer still equals the ledger's.
TEST(ProofCacheTest, ConcurrentReadersWhileLevelsLoad) {
  Consortium c;
  int counter = 0;
  Grow(&c, {200, 111}, &counter);
  uint64_t n = c.ledger->head().log_size;
  std::vector<std::vector<Digest>> want;
  for (uint64_t i = 0; i < n; ++i) want.push_back(*c.ledger->InclusionProof(i, n));
  for (int round = 0; round < 5; ++round) {
    ProofCache cache;
    std::atomic<int> bad{0};
    std::vector<std::thread> ts;
    ts.emplace_back([&] {
      if (!cache.Warm(*c.ledger).ok()) ++bad;
    });
    for (int t = 0; t < 3; ++t) {
      ts.emplace_back([&, t] {
        for (uint64_t i = static_cast<uint64_t>(t); i < n; i += 3) {
          auto p = cache.InclusionProof(*c.ledger, i, n);
          if (!p.ok() || *p != want[i]) ++bad;
        }
      });
    }
    for (auto& th : ts) th.join();
    EXPECT_EQ(bad.load(), 0);
  }
}

TEST(ProofCacheTest, Errors) {
  Consortium c;
  int counter = 0;
  Grow(&c, {10}, &counter);
  ProofCache cache;
  uint64_t n = c.ledger->head().log_size;
  EXPECT_EQ(cache.InclusionProof(*c.ledger, 0, n + 1).status().reason(), "ledger.beyond_head");
  EXPECT_EQ(cache.InclusionProof(*c.ledger, n, n).status().reason(), "proof.index_out_of_range");
  // A missing stored node is reported, not papered over.
  ledger::KvBatch del;
  del.Delete("n/" + std::string(1, '\x02') + ledger::EncodeU64(1));
  ASSERT_TRUE(c.ledger->mutable_store()->Write(del, false).ok());
  EXPECT_EQ(cache.InclusionProof(*c.ledger, 0, n).status().reason(), "merkle.node_missing");
}

TEST(ProofCacheTest, CheckpointFollowsTheHead) {
  Consortium c;
  int counter = 0;
  Grow(&c, {3}, &counter);
  ProofCache cache;
  uint64_t h1 = c.ledger->head().height;
  EXPECT_EQ((*cache.Checkpoint(*c.ledger, h1))->text, *c.ledger->GetCheckpoint(h1));
  Grow(&c, {2}, &counter);
  uint64_t h2 = c.ledger->head().height;
  ASSERT_NE(h1, h2);
  EXPECT_EQ((*cache.Checkpoint(*c.ledger, h2))->text, *c.ledger->GetCheckpoint(h2));
  EXPECT_EQ((*cache.Checkpoint(*c.ledger, h2))->json,
            Json(*c.ledger->GetCheckpoint(h2)).Canonical());
  EXPECT_EQ((*cache.Checkpoint(*c.ledger, h1))->text, *c.ledger->GetCheckpoint(h1));
  EXPECT_EQ(cache.Checkpoint(*c.ledger, h2 + 5).status().reason(), "ledger.no_checkpoint");
}

TEST(EntryFactsTest, SameAsFullParse) {
  Consortium c;
  std::vector<ledger::SignedEntry> entries;
  entries.push_back(c.genesis_entry);
  entries.push_back(c.c("builder").Sign(c.Notarize("plain")));
  // Quotes, backslashes, control characters and braces in strings; nested
  // objects that have their own "type" and "key" members.
  Json tricky = c.Notarize("x\"}{\\\n\t\x01 \xe6\x96\x87");
  tricky.set("meta",
             Obj({{"type", Json("not-the-type")},
                  {"key", Json("ffffffffffffffffffffffffffffffff")},
                  {"list", ledger::testing::Arr({Json("]}"), Json(int64_t{-5}), Json()})}}));
  entries.push_back(c.c("operator").Sign(tricky));
  for (const auto& e : entries) {
    auto parsed = ledger::ParseSignedEntry(e.bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    auto f = ReadEntryFacts(e.bytes);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(f->type, parsed->type);
    EXPECT_EQ(f->key, parsed->key);
    EXPECT_EQ(f->id, parsed->id);
  }
  // Not canonical (whitespace): the full parse gives the same facts.
  std::string spaced = entries[1].bytes;
  spaced.insert(1, " ");
  auto f = ReadEntryFacts(spaced);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->type, "doc.notarize");
  EXPECT_EQ(f->key, entries[1].key);
  EXPECT_EQ(ReadEntryFacts("{\"entry\":{\"v\":1},\"key\":\"00\"}").status().reason(),
            "ledger.bad_entry");
  EXPECT_FALSE(ReadEntryFacts("{\"entry\":{\"type\":\"x\"},\"key\":\"zz\"}").ok());
  EXPECT_FALSE(ReadEntryFacts("not json").ok());
}

}  // namespace
}  // namespace tz::api
