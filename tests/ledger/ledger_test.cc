// Blocks, the global log and its proofs, storage, replicas, indices.
#include "ledger/ledger.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "ledger/audit.h"
#include "ledger_test_util.h"
#include "log/merkle.h"

namespace tz::ledger {
namespace {

using testing::Consortium;
using testing::Fill;
using testing::kT0;
using testing::TempDir;

std::string Dump(const KvStore& s, std::string_view prefix) {
  std::string out;
  EXPECT_TRUE(ScanPrefix(s, prefix, [&](std::string_view k, std::string_view v) {
                out.append(k).append("=").append(v).append("\n");
                return true;
              }).ok());
  return out;
}

TEST(Ledger, BlocksChainAndProofsVerify) {
  Consortium c;
  Fill(c, 6, 7);
  Head h = c.ledger->head();
  EXPECT_EQ(h.height, 6u);
  EXPECT_EQ(h.log_size, 1u + 6 * 7);
  merkle::LogHasher hasher;
  Digest prev;
  std::vector<BlockHeader> headers;
  for (uint64_t i = 0; i <= h.height; ++i) {
    auto hdr = c.ledger->GetBlockHeader(i);
    ASSERT_TRUE(hdr.ok());
    EXPECT_EQ(hdr->prev, prev);
    prev = hdr->Hash();
    EXPECT_EQ(*c.ledger->RootAt(hdr->log_size), hdr->log_root);
    auto cp = log::VerifyCertifiedCheckpoint(*c.ledger->GetCheckpoint(i), c.ledger->NodeKeys(), 1,
                                             testing::kOrigin);
    ASSERT_TRUE(cp.ok()) << cp.status().ToString();
    EXPECT_EQ(cp->checkpoint.size, hdr->log_size);
    EXPECT_EQ(cp->checkpoint.block->block_hash, hdr->Hash());
    headers.push_back(*hdr);
  }
  EXPECT_EQ(prev, h.hash);
  // Inclusion of every entry in the head tree and in its own block's tree.
  for (uint64_t i = 0; i < h.log_size; ++i) {
    std::string bytes = *c.ledger->GetEntry(i);
    Digest leaf = hasher.HashLeaf(AsBytes(bytes));
    auto proof = c.ledger->InclusionProof(i, h.log_size);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(merkle::VerifyInclusion(hasher, i, h.log_size, leaf, *proof, h.log_root).ok());
    EXPECT_EQ(*c.ledger->FindEntry(EntryIdOf(AsBytes(bytes))), i);
    uint64_t height = *c.ledger->BlockOfEntry(i);
    EXPECT_LT(i, headers[height].log_size);
    EXPECT_TRUE(height == 0 || i >= headers[height - 1].log_size);
  }
  // Consistency between every pair of checkpoints.
  for (const auto& a : headers) {
    for (const auto& b : headers) {
      if (a.log_size > b.log_size) continue;
      auto proof = c.ledger->ConsistencyProof(a.log_size, b.log_size);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(
          merkle::VerifyConsistency(hasher, a.log_size, b.log_size, *proof, a.log_root, b.log_root)
              .ok());
    }
  }
  EXPECT_EQ(c.ledger->InclusionProof(0, h.log_size + 1).status().reason(), "ledger.beyond_head");
  // Type, party and time indices.
  EXPECT_EQ(c.ledger->Lookup("type", "doc.notarize", 1000)->size(), 42u);
  EXPECT_EQ(c.ledger->Lookup("party", "builder", 1000)->size(), 42u);
  auto page = c.ledger->Lookup("party", "builder", 10, 20);
  ASSERT_EQ(page->size(), 10u);
  EXPECT_EQ((*page)[0], 21u);
  EXPECT_EQ(c.ledger->LookupTime(kT0 + 1, kT0 + 3, 1000)->size(), 14u);
}

TEST(Ledger, TwoReplicasReachIdenticalBytes) {
  Consortium c;
  Fill(c, 5, 9);
  auto replica = Ledger::NewReplica(NewMemKvStore(), testing::kChain, testing::kOrigin,
                                    testing::DomainOptions());
  for (uint64_t h = 0; h <= c.ledger->head().height; ++h) {
    Block b{*c.ledger->GetBlockHeader(h), {}};
    uint64_t begin = h == 0 ? 0 : c.ledger->GetBlockHeader(h - 1)->log_size;
    for (uint64_t i = begin; i < b.header.log_size; ++i)
      b.entries.push_back(*c.ledger->GetEntry(i));
    ASSERT_TRUE(replica->ApplyBlock(b, c.node).ok());
  }
  EXPECT_EQ(replica->head().hash, c.ledger->head().hash);
  EXPECT_EQ(replica->head().log_root, c.ledger->head().log_root);
  for (std::string_view p : {"s/", "e/", "n/", "x/", "i/", "b/", "m/"}) {
    EXPECT_EQ(Dump(replica->store(), p), Dump(c.ledger->store(), p)) << p;
  }
  // A block that differs in any header field is refused and changes nothing.
  SignedEntry e = c.c("builder").Sign(c.Notarize("late"));
  BlockBuilder bb = c.ledger->NewBlock(kT0 + 100, "zhujian");
  ASSERT_TRUE(bb.Add(e).ok());
  auto hdr = c.ledger->Commit(std::move(bb), c.node);
  ASSERT_TRUE(hdr.ok());
  Block good{*hdr, {e.bytes}};
  std::string state_before = Dump(replica->store(), "s/");
  Block bad = good;
  bad.header.log_root = Sha256("x");
  EXPECT_EQ(replica->ApplyBlock(bad, c.node).reason(), "block.header_mismatch");
  bad = good;
  bad.header.prev = Sha256("x");
  EXPECT_EQ(replica->ApplyBlock(bad, c.node).reason(), "block.bad_prev");
  bad = good;
  bad.entries[0][10] ^= 1;
  EXPECT_FALSE(replica->ApplyBlock(bad, c.node).ok());
  EXPECT_TRUE(replica->ApplyBlock(good, c.node).ok());
  EXPECT_EQ(replica->head().hash, c.ledger->head().hash);
}

TEST(Ledger, LevelDbReopenVerifiesHeadAndRebuildsIndices) {
  std::string dir = TempDir("reopen");
  Head before;
  {
    auto store = OpenLevelDbStore(dir, true);
    ASSERT_TRUE(store.ok());
    Consortium c(std::move(*store), true);
    Fill(c, 4, 5);
    before = c.ledger->head();
  }
  {
    auto store = OpenLevelDbStore(dir, false);
    ASSERT_TRUE(store.ok());
    auto l = Ledger::Open(std::move(*store), testing::DomainOptions());
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    EXPECT_EQ((*l)->head().hash, before.hash);
    // Drop a derived index and the index marker.
    KvBatch del;
    ASSERT_TRUE(ScanPrefix((*l)->store(), "x/type/", [&](std::string_view k, std::string_view) {
                  del.Delete(std::string(k));
                  return true;
                }).ok());
    del.Delete("m/indices");
    ASSERT_TRUE((*l)->mutable_store()->Write(del, true).ok());
    EXPECT_EQ((*l)->Lookup("type", "doc.notarize", 100)->size(), 0u);
    EXPECT_EQ(Audit((*l)->store(), testing::DomainAudit()).failure->status.reason(),
              "audit.index_mismatch");
  }
  {
    auto l = Ledger::Open(OpenLevelDbStore(dir, false).value(), testing::DomainOptions());
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    EXPECT_EQ((*l)->Lookup("type", "doc.notarize", 100)->size(), 20u);
    AuditReport r = Audit((*l)->store(), testing::DomainAudit());
    EXPECT_TRUE(r.ok()) << r.failure->ToString();
    EXPECT_EQ(r.entries, 21u);
  }
  {
    // A corrupted head block is detected on open.
    auto store = OpenLevelDbStore(dir, false).value();
    KvBatch b;
    b.Put("b/" + EncodeU64(before.height), "{}");
    ASSERT_TRUE(store->Write(b, true).ok());
    EXPECT_EQ(Ledger::Open(std::move(store), testing::DomainOptions()).status().reason(),
              "ledger.head_corrupt");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tz::ledger
