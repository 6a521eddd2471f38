// Blocks, the global log and its proofs, storage, replicas, indices, audit.
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
#include "ledger/merkle.h"
#include "ledger/sequencer.h"
#include "ledger_test_util.h"

namespace tz::ledger {
namespace {

using testing::Consortium;
using testing::kT0;

std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("tz_ledger_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

// Appends `blocks` blocks of `per_block` notarizations by the builder.
void Fill(Consortium& c, int blocks, int per_block, int64_t t = kT0) {
  static int counter = 0;
  for (int b = 0; b < blocks; ++b) {
    std::vector<SignedEntry> es;
    for (int i = 0; i < per_block; ++i) {
      es.push_back(c.c("builder").Sign(c.Notarize("doc-" + std::to_string(counter++))));
    }
    for (const auto& r : c.Append(es, t + b)) ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
}

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
    auto cp = VerifyCertifiedCheckpoint(*c.ledger->GetCheckpoint(i), c.ledger->NodeKeys(), 1,
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
  auto replica = Ledger::NewReplica(NewMemKvStore(), testing::kChain, testing::kOrigin);
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
    auto l = Ledger::Open(std::move(*store));
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
    EXPECT_EQ(Audit((*l)->store()).failure->status.reason(), "audit.index_mismatch");
  }
  {
    auto l = Ledger::Open(OpenLevelDbStore(dir, false).value());
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    EXPECT_EQ((*l)->Lookup("type", "doc.notarize", 100)->size(), 20u);
    AuditReport r = Audit((*l)->store());
    EXPECT_TRUE(r.ok()) << r.failure->ToString();
    EXPECT_EQ(r.entries, 21u);
  }
  {
    // A corrupted head block is detected on open.
    auto store = OpenLevelDbStore(dir, false).value();
    KvBatch b;
    b.Put("b/" + EncodeU64(before.height), "{}");
    ASSERT_TRUE(store->Write(b, true).ok());
    EXPECT_EQ(Ledger::Open(std::move(store)).status().reason(), "ledger.head_corrupt");
  }
  std::filesystem::remove_all(dir);
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override { Fill(c, 4, 6); }
  AuditFailure Tamper(const std::string& key, const std::function<void(std::string*)>& edit) {
    auto v = c.ledger->store().Get(key);
    EXPECT_TRUE(v.ok() && *v) << key;
    std::string value = **v;
    edit(&value);
    KvBatch b;
    b.Put(key, value);
    EXPECT_TRUE(c.ledger->mutable_store()->Write(b, false).ok());
    AuditReport r = Audit(c.ledger->store());
    EXPECT_FALSE(r.ok());
    return r.ok() ? AuditFailure{} : *r.failure;
  }
  Consortium c;
};

TEST_F(AuditTest, CleanLedgerPasses) {
  AuditReport r = Audit(c.ledger->store());
  ASSERT_TRUE(r.ok()) << r.failure->ToString();
  EXPECT_EQ(r.blocks, 5u);
  EXPECT_EQ(r.entries, 25u);
}

TEST_F(AuditTest, TamperedEntryIsPinpointed) {
  // Entry 9 is in block 2 (block 1 holds entries 1..6).
  AuditFailure f = Tamper("e/" + EncodeU64(9), [](std::string* v) {
    size_t p = v->find("\"size\":") + 7;
    (*v)[p] = (*v)[p] == '9' ? '8' : '9';
  });
  EXPECT_EQ(f.height, 2u);
  EXPECT_EQ(f.entry_index, 9u);
  EXPECT_EQ(f.status.reason(), "envelope.bad_signature");
  EXPECT_EQ(f.entry_id.size(), 64u);
}

// Audit verifies signatures ahead of applying blocks with public keys from
// the stored (untrusted) state. A forger who rewrites an entry under the
// builder's key id and puts their own public key into the stored key record
// must still get the entry's precise failure, not a pass of the signature
// check: a stored key is used only when it hashes to the entry's key id.
TEST_F(AuditTest, ForgedEntryWithSwappedStoredKeyIsPinpointed) {
  testing::Client forger = testing::MakeClient("builder");
  testing::Client& builder = c.c("builder");
  // Entry 9 (block 2) is the builder's; re-sign its body under the builder's
  // key id with the forger's secret key.
  auto stored = c.ledger->store().Get("e/" + EncodeU64(9));
  ASSERT_TRUE(stored.ok() && *stored);
  auto original = ParseSignedEntry(**stored);
  ASSERT_TRUE(original.ok());
  ASSERT_EQ(original->key, builder.id);
  auto forged = SignEntry(testing::kChain, original->entry, builder.id, forger.keys.secret_key,
                          original->seq, original->time);
  ASSERT_TRUE(forged.ok());
  KvBatch b;
  b.Put("e/" + EncodeU64(9), forged->bytes);
  auto rec = c.ledger->CommittedState().GetKey(builder.id);
  ASSERT_TRUE(rec.ok() && *rec);
  KeyRecord swapped = **rec;
  swapped.public_key = forger.keys.public_key;
  b.Put(StateKeyForKey(builder.id), swapped.ToJson().Canonical());
  ASSERT_TRUE(c.ledger->mutable_store()->Write(b, false).ok());
  AuditReport r = Audit(c.ledger->store());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->height, 2u);
  EXPECT_EQ(r.failure->entry_index, 9u);
  EXPECT_EQ(r.failure->status.reason(), "envelope.bad_signature");
}

// The audit's batch signature check (default) and the strict one-by-one
// check name the same entry when one signature in a large block is bad:
// wherever it sits in a batch run, on either verification thread.
TEST(AuditSignatures, BatchAndStrictPinpointTheSameEntry) {
  Consortium c;
  Fill(c, 1, 700);  // entries 1..700 in block 1: three batch runs per thread
  ASSERT_TRUE(Audit(c.ledger->store()).ok());
  for (uint64_t index : {1u, 255u, 256u, 350u, 351u, 700u}) {
    std::string key = "e/" + EncodeU64(index);
    std::string original = **c.ledger->store().Get(key);
    std::string changed = original;
    size_t p = changed.find("\"size\":") + 7;
    changed[p] = changed[p] == '9' ? '8' : '9';
    KvBatch b;
    b.Put(key, changed);
    ASSERT_TRUE(c.ledger->mutable_store()->Write(b, false).ok());
    for (SignatureCheck check : {SignatureCheck::kBatch, SignatureCheck::kEach}) {
      AuditOptions o;
      o.signatures = check;
      AuditReport r = Audit(c.ledger->store(), o);
      ASSERT_FALSE(r.ok()) << index;
      EXPECT_EQ(r.failure->height, 1u);
      EXPECT_EQ(r.failure->entry_index, index);
      EXPECT_EQ(r.failure->status.reason(), "envelope.bad_signature");
    }
    KvBatch undo;
    undo.Put(key, original);
    ASSERT_TRUE(c.ledger->mutable_store()->Write(undo, false).ok());
  }
  for (SignatureCheck check : {SignatureCheck::kBatch, SignatureCheck::kEach}) {
    AuditOptions o;
    o.signatures = check;
    AuditReport r = Audit(c.ledger->store(), o);
    ASSERT_TRUE(r.ok()) << r.failure->ToString();
    EXPECT_EQ(r.entries, 701u);
  }
}

// PrepareEntries marks exactly the entries with good signatures, in both
// modes, including entries whose key is unknown to the given state.
TEST(AuditSignatures, PrepareEntriesModesAgree) {
  Consortium c;
  std::vector<std::string> bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(c.c("builder").Sign(c.Notarize("prep-" + std::to_string(i))).bytes);
  }
  testing::Client stranger = testing::MakeClient("builder");
  bytes[17] = SignEntry(testing::kChain, ParseSignedEntry(bytes[17])->entry, c.c("builder").id,
                        stranger.keys.secret_key, 1, kT0)
                  ->bytes;
  bytes[200] = SignEntry(testing::kChain, ParseSignedEntry(bytes[200])->entry, stranger.id,
                         stranger.keys.secret_key, 1, kT0)
                   ->bytes;
  bytes[250] = "{not json";
  State st = c.ledger->CommittedState();
  for (int threads : {1, 2, 3}) {
    PreparedEntries each = PrepareEntries(bytes, st, threads, SignatureCheck::kEach);
    PreparedEntries batch = PrepareEntries(bytes, st, threads, SignatureCheck::kBatch);
    ASSERT_EQ(each.verified.size(), bytes.size());
    EXPECT_EQ(each.verified, batch.verified) << threads;
    for (size_t i = 0; i < bytes.size(); ++i) {
      bool expect = i != 17 && i != 200 && i != 250;
      EXPECT_EQ(batch.verified[i] != 0, expect) << i;
      EXPECT_EQ(batch.parsed[i]->ok(), i != 250) << i;
    }
  }
}

// An entry record outside every block's key range (not at the head either)
// is found by counting the stored entries.
TEST_F(AuditTest, StrayEntryKeyIsFound) {
  KvBatch b;
  b.Put("e/zz", "{}");
  ASSERT_TRUE(c.ledger->mutable_store()->Write(b, false).ok());
  AuditReport r = Audit(c.ledger->store());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->status.reason(), "audit.extra_data");
}

// Audits run with any number of verification threads agree.
TEST_F(AuditTest, VerifyThreadCountsAgree) {
  for (int threads : {1, 2, 4}) {
    AuditOptions o;
    o.verify_threads = threads;
    AuditReport r = Audit(c.ledger->store(), o);
    ASSERT_TRUE(r.ok()) << threads << ": " << r.failure->ToString();
    EXPECT_EQ(r.entries, 25u);
  }
}

TEST_F(AuditTest, TamperedHeaderStateIndexCheckpoint) {
  {
    AuditFailure f = Tamper("b/" + EncodeU64(3), [](std::string* v) {
      size_t p = v->find("zhujian");
      (*v)[p] = 'Z';
    });
    EXPECT_EQ(f.height, 3u);
    EXPECT_EQ(f.status.reason(), "block.bad_proposer");
  }
}

TEST_F(AuditTest, TamperedCheckpoint) {
  AuditFailure f = Tamper("c/" + EncodeU64(2), [](std::string* v) { (*v)[v->size() - 5] ^= 1; });
  EXPECT_EQ(f.height, 2u);
  EXPECT_EQ(f.status.reason(), "audit.checkpoint");
}

TEST_F(AuditTest, TamperedStateRecord) {
  std::string key = StateKeyForSeq(c.c("builder").id);
  AuditFailure f = Tamper(key, [](std::string* v) { (*v)[7] = 1; });
  EXPECT_EQ(f.status.reason(), "audit.state_mismatch");
  EXPECT_NE(f.status.message().find(key), std::string::npos);
}

TEST_F(AuditTest, ExtraAndMissingStateRecords) {
  // The state is compared by fingerprint; a mismatch still names the record.
  {
    KvBatch b;
    b.Put("s/d/" + std::string(64, 'a'), "{}");
    ASSERT_TRUE(c.ledger->mutable_store()->Write(b, false).ok());
    AuditReport r = Audit(c.ledger->store());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure->status.reason(), "audit.state_mismatch");
    EXPECT_NE(r.failure->status.message().find("s/d/aaaa"), std::string::npos);
    KvBatch undo;
    undo.Delete("s/d/" + std::string(64, 'a'));
    ASSERT_TRUE(c.ledger->mutable_store()->Write(undo, false).ok());
    ASSERT_TRUE(Audit(c.ledger->store()).ok());
  }
  std::string key = StateKeyForSeq(c.c("builder").id);
  KvBatch b;
  b.Delete(key);
  ASSERT_TRUE(c.ledger->mutable_store()->Write(b, false).ok());
  AuditReport r = Audit(c.ledger->store());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->status.reason(), "audit.state_mismatch");
  EXPECT_NE(r.failure->status.message().find(key), std::string::npos);
}

TEST_F(AuditTest, MissingAndExtraIndexKeys) {
  KvBatch b;
  b.Put("x/house/H-9-999" + std::string(1, '\0') + EncodeU64(3), "");
  ASSERT_TRUE(c.ledger->mutable_store()->Write(b, false).ok());
  AuditReport r = Audit(c.ledger->store());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->status.reason(), "audit.index_mismatch");
  EXPECT_NE(r.failure->status.message().find("x/house"), std::string::npos);
}

TEST(Sequencer, ConcurrentSubmittersAllDurable) {
  std::string dir = TempDir("seq");
  Consortium c(OpenLevelDbStore(dir, true).value(), true);
  std::vector<std::vector<SignedEntry>> per_thread(4);
  const char* names[] = {"builder", "receiver", "operator", "dept"};
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 50; ++i) {
      per_thread[t].push_back(c.c(names[t]).Sign(
          c.Notarize(std::string(names[t]) + std::to_string(i)), Sequencer::NowMs()));
    }
  }
  std::vector<Receipt> receipts[4];
  {
    SequencerOptions so;
    so.max_block_entries = 16;
    Sequencer seq(c.ledger.get(), NoteSigner::Parse(c.node.ToSecretString()).value(), "zhujian",
                  so);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (const auto& e : per_thread[t]) {
          auto r = seq.Submit(e.bytes);
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          receipts[t].push_back(*r);
        }
      });
    }
    for (auto& t : threads) t.join();
    // A replayed entry is refused at once.
    EXPECT_EQ(seq.Submit(per_thread[0][0].bytes).status().reason(), "envelope.replayed");
  }
  EXPECT_EQ(c.ledger->head().log_size, 201u);
  for (int t = 0; t < 4; ++t) {
    for (const Receipt& r : receipts[t]) EXPECT_EQ(*c.ledger->FindEntry(r.id), r.index);
  }
  c.ledger.reset();
  auto l = Ledger::Open(OpenLevelDbStore(dir, false).value());
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(Audit((*l)->store()).ok());
  std::filesystem::remove_all(dir);
}

// The asynchronous form: a batch with an invalid entry in the middle commits
// the others in one block and reports the bad one with its own reason; the
// queue bound and a stopped sequencer refuse at once.
TEST(Sequencer, AsyncBatchGroupCommitAndRefusals) {
  Consortium c;
  testing::Client& b = c.c("builder");
  std::vector<std::string> entries;
  for (int i = 0; i < 5; ++i) entries.push_back(b.Sign(c.Notarize("a" + std::to_string(i))).bytes);
  entries[2] = entries[1];  // a replay of the entry before it
  uint64_t height_before = c.ledger->head().height;
  SequencerOptions so;
  so.clock = [] { return kT0; };
  auto seq = std::make_unique<Sequencer>(
      c.ledger.get(), NoteSigner::Parse(c.node.ToSecretString()).value(), "zhujian", so);
  std::vector<Result<Receipt>> results = seq->SubmitBatch(entries);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[2].status().reason(), "envelope.replayed");
  for (int i : {0, 1, 3, 4}) ASSERT_TRUE(results[i].ok()) << results[i].status().ToString();
  // All accepted entries went into one block (they were queued together).
  EXPECT_EQ(results[0]->height, results[4]->height);
  EXPECT_EQ(c.ledger->head().height, height_before + 1);
  SequencerStats st = seq->stats();
  EXPECT_EQ(st.blocks, 1u);
  EXPECT_EQ(st.entries, 4u);
  EXPECT_EQ(st.rejected, 1u);

  seq->Stop();
  std::string reason;
  seq->Submit(b.Sign(c.Notarize("late")).bytes,
              [&](Result<Receipt> r) { reason = r.status().reason(); });
  EXPECT_EQ(reason, "sequencer.stopped");
  seq.reset();

  // A queue of one: while the commit thread is held inside a callback, at
  // most one more block can be prepared and one entry can wait in the
  // queue; the next submission is refused at once. Everything accepted is
  // committed once the callback returns.
  so.max_queue = 1;
  Sequencer small(c.ledger.get(), NoteSigner::Parse(c.node.ToSecretString()).value(), "zhujian",
                  so);
  std::mutex gate;
  gate.lock();
  std::atomic<int> done{0};
  small.Submit(b.Sign(c.Notarize("q1")).bytes, [&](Result<Receipt> r) {
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::lock_guard<std::mutex> hold(gate);  // blocks the commit thread
    ++done;
  });
  while (small.stats().entries < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  int accepted = 1;
  std::string busy;
  for (int i = 0; i < 4 && busy.empty(); ++i) {
    bool refused_now = false;
    small.Submit(b.Sign(c.Notarize("q" + std::to_string(i + 2))).bytes,
                 [&](Result<Receipt> r) {
                   if (r.ok()) {
                     ++done;
                   } else if (r.status().reason() == "sequencer.busy") {
                     busy = r.status().reason();
                     refused_now = true;
                   } else {
                     ADD_FAILURE() << r.status().ToString();
                   }
                 });
    if (!refused_now) ++accepted;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the prepare thread move
  }
  EXPECT_EQ(busy, "sequencer.busy");
  EXPECT_LE(accepted, 3);  // q1 committed, one prepared, one queued
  gate.unlock();
  small.Stop();
  EXPECT_EQ(done.load(), accepted);
  EXPECT_TRUE(Audit(c.ledger->store()).ok());
}

// Sparse single submissions (one at a time, the CLI's pattern) are each
// committed promptly: no submission may wait for a later one to wake the
// sequencer's threads.
TEST(Sequencer, SparseSubmissionsAreNotStranded) {
  Consortium c;
  testing::Client& b = c.c("builder");
  SequencerOptions so;
  so.clock = [] { return kT0; };
  Sequencer seq(c.ledger.get(), NoteSigner::Parse(c.node.ToSecretString()).value(), "zhujian",
                so);
  for (int i = 0; i < 200; ++i) {
    std::mutex mu;
    std::condition_variable cv;
    bool got = false;
    seq.Submit(b.Sign(c.Notarize("sparse" + std::to_string(i))).bytes, [&](Result<Receipt> r) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      std::lock_guard<std::mutex> lock(mu);
      got = true;
      cv.notify_all();
    });
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return got; }))
        << "submission " << i << " was not committed";
  }
  EXPECT_EQ(seq.stats().entries, 200u);
}

}  // namespace
}  // namespace tz::ledger
