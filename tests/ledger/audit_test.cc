// tiezheng audit: replay from genesis, and every kind of tampering it must pinpoint.
#include "ledger/audit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "ledger/ledger.h"
#include "ledger_test_util.h"
#include "log/merkle.h"

namespace tz::ledger {
namespace {

using testing::Consortium;
using testing::Fill;
using testing::kT0;
using testing::TempDir;

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
    AuditReport r = Audit(c.ledger->store(), testing::DomainAudit());
    EXPECT_FALSE(r.ok());
    return r.ok() ? AuditFailure{} : *r.failure;
  }
  Consortium c;
};

TEST_F(AuditTest, CleanLedgerPasses) {
  AuditReport r = Audit(c.ledger->store(), testing::DomainAudit());
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
  AuditReport r = Audit(c.ledger->store(), testing::DomainAudit());
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
  ASSERT_TRUE(Audit(c.ledger->store(), testing::DomainAudit()).ok());
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
      AuditReport r = Audit(c.ledger->store(), testing::DomainAudit(o));
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
    AuditReport r = Audit(c.ledger->store(), testing::DomainAudit(o));
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
  AuditReport r = Audit(c.ledger->store(), testing::DomainAudit());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->status.reason(), "audit.extra_data");
}

// Audits run with any number of verification threads agree.
TEST_F(AuditTest, VerifyThreadCountsAgree) {
  for (int threads : {1, 2, 4}) {
    AuditOptions o;
    o.verify_threads = threads;
    AuditReport r = Audit(c.ledger->store(), testing::DomainAudit(o));
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
    AuditReport r = Audit(c.ledger->store(), testing::DomainAudit());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure->status.reason(), "audit.state_mismatch");
    EXPECT_NE(r.failure->status.message().find("s/d/aaaa"), std::string::npos);
    KvBatch undo;
    undo.Delete("s/d/" + std::string(64, 'a'));
    ASSERT_TRUE(c.ledger->mutable_store()->Write(undo, false).ok());
    ASSERT_TRUE(Audit(c.ledger->store(), testing::DomainAudit()).ok());
  }
  std::string key = StateKeyForSeq(c.c("builder").id);
  KvBatch b;
  b.Delete(key);
  ASSERT_TRUE(c.ledger->mutable_store()->Write(b, false).ok());
  AuditReport r = Audit(c.ledger->store(), testing::DomainAudit());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->status.reason(), "audit.state_mismatch");
  EXPECT_NE(r.failure->status.message().find(key), std::string::npos);
}

TEST_F(AuditTest, MissingAndExtraIndexKeys) {
  KvBatch b;
  b.Put("x/house/H-9-999" + std::string(1, '\0') + EncodeU64(3), "");
  ASSERT_TRUE(c.ledger->mutable_store()->Write(b, false).ok());
  AuditReport r = Audit(c.ledger->store(), testing::DomainAudit());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->status.reason(), "audit.index_mismatch");
  EXPECT_NE(r.failure->status.message().find("x/house"), std::string::npos);
}

}  // namespace
}  // namespace tz::ledger
