// Fail-stop on store errors and the checkpoint mark, at the ledger: a
// failed write latches the ledger, nothing of the failed block is
// published or kept, and a store that ends below (or differs from) the
// newest checkpoint the ledger recorded is refused on open and by the audit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ledger/checkpoint_mark.h"
#include "ledger/ledger_test_util.h"
#include "ledger/leveldb_fault_env.h"

namespace tz::ledger {
namespace {

namespace fs = std::filesystem;
using testing::Consortium;
using testing::Fill;
using testing::kT0;

// A store over another one the test keeps (so it can be reopened after the
// ledger is gone); write number `fail_at` (1-based, 0 = none) fails as a
// full disk would, after applying nothing.
class FailingStore : public KvStore {
 public:
  explicit FailingStore(KvStore* inner) : inner_(inner) {}
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    return inner_->Get(key);
  }
  Status Write(const KvBatch& batch, bool sync) override {
    if (++*writes_ == *fail_at_) {
      return Status(Code::kResourceExhausted, "storage.full", "injected: no space left");
    }
    return inner_->Write(batch, sync);
  }
  Status Scan(std::string_view begin, std::string_view end,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    return inner_->Scan(begin, end, fn);
  }
  std::shared_ptr<int> writes_ = std::make_shared<int>(0);
  std::shared_ptr<int> fail_at_ = std::make_shared<int>(0);

 private:
  KvStore* inner_;
};

class StoreFailure : public ::testing::Test {
 protected:
  void SetUp() override {
    inner_ = NewMemKvStore();
    auto s = std::make_unique<FailingStore>(inner_.get());
    writes_ = s->writes_;
    fail_at_ = s->fail_at_;
    c_ = std::make_unique<Consortium>(std::move(s));
    ASSERT_TRUE(c_->ledger);
  }
  std::unique_ptr<KvStore> inner_;
  std::shared_ptr<int> writes_, fail_at_;
  std::unique_ptr<Consortium> c_;
};

TEST_F(StoreFailure, AFailedWriteLatchesAndNothingOfTheBlockRemains) {
  Fill(*c_, 2, 3);
  Head before = c_->ledger->head();
  testing::Client& b = c_->c("builder");
  SignedEntry doc = b.Sign(c_->Notarize("lost-in-the-failed-block"));
  *fail_at_ = *writes_ + 1;
  BlockBuilder bb = c_->ledger->NewBlock(kT0, "zhujian");
  ASSERT_TRUE(bb.Add(doc).ok());
  auto h = c_->ledger->Commit(std::move(bb), c_->node);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().reason(), "storage.full");
  EXPECT_EQ(h.status().code(), Code::kResourceExhausted);
  // Nothing published.
  EXPECT_EQ(c_->ledger->head().height, before.height);
  EXPECT_EQ(c_->ledger->head().log_size, before.log_size);
  EXPECT_EQ(c_->ledger->store_status().reason(), "ledger.store_failed");
  // Every later commit fails without touching the store, even a valid one.
  int writes = *writes_;
  for (int i = 0; i < 3; ++i) {
    BlockBuilder next = c_->ledger->NewBlock(kT0, "zhujian");
    ASSERT_TRUE(next.Add(b.Sign(c_->Notarize("after-" + std::to_string(i)))).ok());
    auto r = c_->ledger->Commit(std::move(next), c_->node);
    EXPECT_EQ(r.status().reason(), "ledger.store_failed");
    EXPECT_EQ(r.status().code(), Code::kUnavailable);
    EXPECT_NE(r.status().message().find("storage.full"), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(*writes_, writes);
  EXPECT_EQ(c_->ledger->head().log_size, before.log_size);
  // Reopened, the ledger is where it was and the failed block left nothing:
  // the very same entry is accepted again (its document and sequence number
  // were never stored).
  c_->ledger.reset();
  auto l = Ledger::Open(std::make_unique<FailingStore>(inner_.get()), testing::DomainOptions());
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ((*l)->head().hash, before.hash);
  EXPECT_TRUE((*l)->store_status().ok());
  BlockBuilder again = (*l)->NewBlock(kT0, "zhujian");
  ASSERT_TRUE(again.Add(doc).ok());
  ASSERT_TRUE((*l)->Commit(std::move(again), c_->node).ok());
  EXPECT_TRUE((*l)->FindEntry(doc.id).ok());
}

// ---- the checkpoint mark ----

class Mark : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(Mark, FileStoreRoundTripAndDamage) {
  std::string path = dir_ + "/checkpoint.hwm";
  auto store = NewFileCheckpointMarkStore(path, true);
  EXPECT_FALSE(store->Load().value().has_value());  // nothing recorded yet
  Consortium c(NewMemKvStore(), false, store);
  Fill(c, 3, 2);
  auto m = store->Load();
  ASSERT_TRUE(m.ok() && *m) << m.status().ToString();
  EXPECT_EQ((*m)->height(), 3u);
  EXPECT_EQ((*m)->size(), c.ledger->head().log_size);
  EXPECT_EQ((*m)->note, c.ledger->GetCheckpoint(3).value());  // the signed note as published
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  // A damaged record is refused, never taken for "none".
  for (std::string bad :
       {std::string(""), std::string("garbage\n"), (*m)->note.substr(0, (*m)->note.size() / 2)}) {
    std::ofstream(path, std::ios::trunc) << bad;
    EXPECT_EQ(store->Load().status().reason(), "ledger.mark_corrupt") << bad;
  }
  // A checkpoint without the block lines names no block.
  log::Checkpoint bare = (*m)->checkpoint;
  bare.block.reset();
  std::string note =
      log::SignCheckpoint(bare, std::span<const log::NoteSigner>(&c.node, 1)).value();
  EXPECT_EQ(CheckpointMark::Parse(note).status().reason(), "ledger.mark_corrupt");
}

TEST_F(Mark, OpenRefusesALedgerBelowOrBesideTheMark) {
  // Ledger A records its checkpoints; a second ledger B with the same origin
  // but other blocks, and A's own store before its newest blocks, are both
  // refused against A's mark.
  std::string path = dir_ + "/checkpoint.hwm";
  auto mark = NewFileCheckpointMarkStore(path, true);
  Consortium a(OpenLevelDbStore(dir_ + "/a", true).value(), true, mark);
  Fill(a, 2, 2);
  a.ledger.reset();
  fs::copy(dir_ + "/a", dir_ + "/a-at-2", fs::copy_options::recursive);
  {
    auto l = Ledger::Open(OpenLevelDbStore(dir_ + "/a", false).value(), [&] {
      LedgerOptions o = testing::DomainOptions();
      o.mark = mark;
      return o;
    }());
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    a.ledger = std::move(*l);
    Fill(a, 2, 2);
    a.ledger.reset();
  }
  EXPECT_EQ(mark->Load().value()->height(), 4u);
  LedgerOptions o = testing::DomainOptions();
  o.mark = mark;
  // A's store as it was two blocks ago.
  auto old = Ledger::Open(OpenLevelDbStore(dir_ + "/a-at-2", false).value(), o);
  EXPECT_EQ(old.status().reason(), "ledger.rolled_back") << old.status().ToString();
  EXPECT_EQ(old.status().code(), Code::kCorruption);
  AuditOptions ao = testing::DomainAudit();
  ao.mark = *mark->Load().value();
  {
    auto store = OpenLevelDbStore(dir_ + "/a-at-2", false).value();
    AuditReport r = Audit(*store, ao);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure->status.reason(), "audit.rolled_back") << r.failure->ToString();
    ao.mark.reset();
    EXPECT_TRUE(Audit(*store, ao).ok());  // the store alone cannot tell
    ao.mark = *mark->Load().value();
  }
  // Another ledger with the same origin, longer than the mark, other blocks.
  Consortium b(OpenLevelDbStore(dir_ + "/b", true).value(), true);
  Fill(b, 6, 2);
  b.ledger.reset();
  auto other = Ledger::Open(OpenLevelDbStore(dir_ + "/b", false).value(), o);
  EXPECT_EQ(other.status().reason(), "ledger.diverged") << other.status().ToString();
  {
    auto store = OpenLevelDbStore(dir_ + "/b", false).value();
    AuditReport r = Audit(*store, ao);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure->status.reason(), "audit.diverged") << r.failure->ToString();
  }
  // A itself is fine, and so is its audit against the mark.
  auto whole = Ledger::Open(OpenLevelDbStore(dir_ + "/a", false).value(), o);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_TRUE(Audit((*whole)->store(), ao).ok());
}

TEST_F(Mark, NoNewGenesisOverARecordedLedger) {
  auto mark = NewFileCheckpointMarkStore(dir_ + "/checkpoint.hwm", true);
  Consortium a(NewMemKvStore(), false, mark);
  Fill(a, 1, 1);
  // The store is gone (a removed ledger directory); a new genesis would
  // sign size 1 again.
  LedgerOptions o = testing::DomainOptions();
  o.mark = mark;
  auto again = Ledger::CreateGenesis(NewMemKvStore(), a.genesis_entry, kT0, a.node, o);
  EXPECT_EQ(again.status().reason(), "ledger.rolled_back") << again.status().ToString();
}

TEST_F(Mark, AFailedRecordLatchesAndLeavesTheBlockUnpublished) {
  auto file = NewFileCheckpointMarkStore(dir_ + "/checkpoint.hwm", true);
  auto fault = std::make_shared<testing::FaultMarkStore>(file, 3, false);  // genesis is #1
  Consortium c(OpenLevelDbStore(dir_ + "/l", true).value(), true, fault);
  Fill(c, 1, 2);
  Head before = c.ledger->head();
  BlockBuilder bb = c.ledger->NewBlock(kT0, "zhujian");
  ASSERT_TRUE(bb.Add(c.c("builder").Sign(c.Notarize("durable-unpublished"))).ok());
  auto h = c.ledger->Commit(std::move(bb), c.node);
  EXPECT_EQ(h.status().reason(), "storage.full");
  EXPECT_EQ(c.ledger->head().height, before.height);  // not published
  EXPECT_EQ(c.ledger->store_status().reason(), "ledger.store_failed");
  c.ledger.reset();
  // The block was durable in the store; the record is one block behind,
  // which is not a rollback: the ledger opens, with that block.
  LedgerOptions o = testing::DomainOptions();
  o.mark = file;
  auto l = Ledger::Open(OpenLevelDbStore(dir_ + "/l", false).value(), o);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ((*l)->head().height, before.height + 1);
  EXPECT_EQ(file->Load().value()->height(), before.height);
}

}  // namespace
}  // namespace tz::ledger
