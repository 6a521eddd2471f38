// A storage error never costs acknowledged data. For every N across a run
// of appends through the Sequencer (the node's path, opening the ledger
// included), the N-th write, sync or rename of the ledger's LevelDB fails
// (tests/ledger/leveldb_fault_env.h), and in a second series the N-th record
// of the checkpoint mark. After each failure nothing more is acknowledged;
// after a restart (the ledger opened again over a healthy Env) every
// acknowledged entry is there, the audit passes (with the mark), and the
// ledger appends again.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "ledger/audit.h"
#include "ledger/ledger_test_util.h"
#include "ledger/leveldb_fault_env.h"
#include "node/sequencer.h"

namespace tz::ledger {
namespace {

namespace fs = std::filesystem;
using node::Sequencer;
using testing::Consortium;
using testing::FaultLevelDbEnv;
using testing::FaultMarkStore;
using testing::FaultOp;

constexpr int kBlocks = 16;
constexpr int kPerBlock = 8;
constexpr int kAfterFailure = 3;  // blocks submitted after the first failure

// The runs need no durability across a power cut (the restart is in the
// same process), so they go to a RAM file system when there is one.
std::string FastTempDir(const std::string& name) {
  fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
  fs::path dir = base / ("tz_storefault_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir.string();
}

LevelDbOptions SmallTables(leveldb::Env* env) {
  LevelDbOptions o;
  o.env = env;
  o.write_buffer_size = 64 << 10;  // tables and compactions within a short run
  return o;
}

struct RunResult {
  bool opened = false;
  std::vector<EntryId> acked;
  std::optional<Status> first_failure;
  std::vector<Status> later;  // results of the blocks submitted after it
  int acked_after_failure = 0;
  bool latched = false;  // store_status() reported the failure
};

class StoreFault : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = FastTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ + "/template");
    auto store = OpenLevelDbStore(root_ + "/template/ledger", true);
    ASSERT_TRUE(store.ok());
    c_ = std::make_unique<Consortium>(
        std::move(*store), true,
        NewFileCheckpointMarkStore(root_ + "/template/checkpoint.hwm", true));
    ASSERT_TRUE(c_->ledger);
    c_->ledger.reset();  // each run opens a copy
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string Fresh(const std::string& name) {
    std::string dir = root_ + "/" + name;
    fs::remove_all(dir);
    fs::copy(root_ + "/template", dir, fs::copy_options::recursive);
    return dir;
  }

  LedgerOptions Options(std::shared_ptr<CheckpointMarkStore> mark) {
    LedgerOptions o = testing::DomainOptions();
    o.sync = true;
    o.mark = std::move(mark);
    return o;
  }

  // Opens `dir` through `env` and appends kBlocks blocks (then kAfterFailure
  // more once one failed) through a Sequencer.
  RunResult Run(const std::string& dir, FaultLevelDbEnv* env,
                std::shared_ptr<CheckpointMarkStore> mark) {
    RunResult r;
    auto store = OpenLevelDbStore(dir + "/ledger", SmallTables(env));
    if (!store.ok()) return r;
    auto l = Ledger::Open(std::move(*store), Options(std::move(mark)));
    if (!l.ok()) return r;
    r.opened = true;
    testing::Client& b = c_->c("builder");
    b.next_seq = *(*l)->CommittedState().GetSeq(b.id) + 1;
    node::SequencerOptions so;
    so.max_block_entries = kPerBlock;
    Sequencer seq(l->get(), log::NoteSigner::Parse(c_->node.ToSecretString()).value(), "zhujian",
                  so);
    int after = 0;
    for (int block = 0; after < kAfterFailure && (block < kBlocks || r.first_failure); ++block) {
      std::vector<std::string> entries;
      for (int i = 0; i < kPerBlock; ++i) {
        std::string content = dir + "-" + std::to_string(b.next_seq);
        entries.push_back(b.Sign(c_->Notarize(content), Sequencer::NowMs()).bytes);
      }
      bool failed_before = r.first_failure.has_value();
      for (auto& res : seq.SubmitBatch(entries)) {
        if (res.ok()) {
          r.acked.push_back(res->id);
          if (failed_before) ++r.acked_after_failure;
        } else if (failed_before) {
          r.later.push_back(res.status());
        } else if (!r.first_failure) {
          r.first_failure = res.status();  // the rest of its block fails alike
        }
      }
      if (failed_before) ++after;
    }
    r.latched = !(*l)->store_status().ok();
    seq.Stop();
    return r;  // closes the store (LevelDB flushes what it buffered)
  }

  // The restart: every acknowledged entry is there, the audit passes with
  // the mark, and the ledger appends again.
  void CheckRestart(const std::string& dir, const RunResult& r, const std::string& what) {
    SCOPED_TRACE(what);
    auto mark = NewFileCheckpointMarkStore(dir + "/checkpoint.hwm", true);
    auto store = OpenLevelDbStore(dir + "/ledger", false);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto l = Ledger::Open(std::move(*store), Options(mark));
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    for (const EntryId& id : r.acked) {
      ASSERT_TRUE((*l)->FindEntry(id).ok()) << "lost acknowledged entry " << ToHex(id);
    }
    AuditOptions ao = testing::DomainAudit();
    ao.mark = *mark->Load().value();
    AuditReport audit = Audit((*l)->store(), ao);
    ASSERT_TRUE(audit.ok()) << audit.failure->ToString();
    testing::Client& b = c_->c("builder");
    b.next_seq = *(*l)->CommittedState().GetSeq(b.id) + 1;
    BlockBuilder bb = (*l)->NewBlock(Sequencer::NowMs(), "zhujian");
    ASSERT_TRUE(bb.Add(b.Sign(c_->Notarize(dir + "-after"), Sequencer::NowMs())).ok());
    ASSERT_TRUE((*l)->Commit(std::move(bb), c_->node).ok());
  }

  // What every failing run must show.
  static void CheckLatched(const RunResult& r, const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_EQ(r.acked_after_failure, 0) << "acknowledged after a failed write";
    if (!r.first_failure) return;
    const std::string& reason = r.first_failure->reason();
    EXPECT_TRUE(reason == "storage.full" || reason == "kv.io") << r.first_failure->ToString();
    EXPECT_TRUE(r.latched);
    EXPECT_FALSE(r.later.empty());
    for (const Status& s : r.later) {
      EXPECT_EQ(s.reason(), "ledger.store_failed") << s.ToString();
      EXPECT_EQ(s.code(), Code::kUnavailable);
    }
  }

  std::string root_;
  std::unique_ptr<Consortium> c_;
};

TEST_F(StoreFault, EveryNthWriteSyncOrRenameOfLevelDbLosesNothingAcknowledged) {
  FaultLevelDbEnv env;
  int failed_runs = 0, runs = 0;
  for (FaultOp op : {FaultOp::kWrite, FaultOp::kSync, FaultOp::kRename}) {
    // A clean run counts the operations of this kind.
    std::string dir = Fresh("count");
    env.Arm(op, 0);
    RunResult clean = Run(dir, &env, NewFileCheckpointMarkStore(dir + "/checkpoint.hwm", true));
    ASSERT_TRUE(clean.opened);
    ASSERT_FALSE(clean.first_failure) << clean.first_failure->ToString();
    int total = env.count(op);
    ASSERT_GT(total, 0) << FaultOpName(op);
    std::printf("%s: %d in a clean run\n", FaultOpName(op), total);
    for (int n = 1; n <= total + 2; ++n) {
      std::string what =
          std::string(FaultOpName(op)) + " #" + std::to_string(n) + " of " + std::to_string(total);
      dir = Fresh("run");
      env.Arm(op, n);
      RunResult r = Run(dir, &env, NewFileCheckpointMarkStore(dir + "/checkpoint.hwm", true));
      env.Arm(op, 0);
      ++runs;
      if (!r.opened || r.first_failure) ++failed_runs;
      CheckLatched(r, what);
      CheckRestart(dir, r, what);
      if (HasFatalFailure()) return;
    }
  }
  std::printf("%d runs, %d with a failed open or commit\n", runs, failed_runs);
  EXPECT_GT(failed_runs, 0);
}

TEST_F(StoreFault, EveryNthCheckpointMarkRecordLosesNothingAcknowledged) {
  FaultLevelDbEnv env;  // never armed
  int failed_runs = 0;
  for (bool after : {false, true}) {
    for (int n = 1; n <= kBlocks; ++n) {
      std::string what = std::string("mark record #") + std::to_string(n) +
                         (after ? " (failing after writing)" : " (failing before writing)");
      std::string dir = Fresh("run");
      auto mark = std::make_shared<FaultMarkStore>(
          NewFileCheckpointMarkStore(dir + "/checkpoint.hwm", true), n, after);
      RunResult r = Run(dir, &env, mark);
      ASSERT_TRUE(r.opened) << what;
      ASSERT_EQ(mark->injected(), 1) << what;
      ASSERT_TRUE(r.first_failure) << what;
      EXPECT_EQ(r.first_failure->reason(), "storage.full") << what;
      ++failed_runs;
      CheckLatched(r, what);
      CheckRestart(dir, r, what);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_EQ(failed_runs, 2 * kBlocks);
}

// A disk that stays full: every write from the N-th on fails. Appends fail
// and stay failed; the restart (with the space back) finds everything.
TEST_F(StoreFault, PersistentlyFullDiskLatchesAndRecovers) {
  FaultLevelDbEnv env;
  int latched_runs = 0;  // opened, then a commit hit the full disk
  for (int n : {1, 10, 40, 80, 160}) {
    std::string what = "full from write #" + std::to_string(n);
    std::string dir = Fresh("run");
    env.Arm(FaultOp::kWrite, n, true);
    RunResult r = Run(dir, &env, NewFileCheckpointMarkStore(dir + "/checkpoint.hwm", true));
    env.Arm(FaultOp::kWrite, 0);
    CheckLatched(r, what);
    if (r.opened) {
      ASSERT_TRUE(r.first_failure) << what;
      EXPECT_EQ(r.first_failure->reason(), "storage.full") << what;
      ++latched_runs;
    }
    CheckRestart(dir, r, what);
    if (HasFatalFailure()) return;
  }
  EXPECT_GE(latched_runs, 3);
}

}  // namespace
}  // namespace tz::ledger
