// The single-node sequencer: group commit, concurrency, refusals.
#include "node/sequencer.h"

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
#include "ledger/ledger.h"
#include "ledger/ledger_test_util.h"
#include "log/merkle.h"

namespace tz::ledger {
namespace {

using node::Sequencer;
using node::SequencerOptions;
using node::SequencerStats;

using testing::Consortium;
using testing::Fill;
using testing::kT0;
using testing::TempDir;

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
    Sequencer seq(c.ledger.get(), log::NoteSigner::Parse(c.node.ToSecretString()).value(),
                  "zhujian", so);
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
  auto l = Ledger::Open(OpenLevelDbStore(dir, false).value(), testing::DomainOptions());
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(Audit((*l)->store(), testing::DomainAudit()).ok());
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
      c.ledger.get(), log::NoteSigner::Parse(c.node.ToSecretString()).value(), "zhujian", so);
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
  Sequencer small(c.ledger.get(), log::NoteSigner::Parse(c.node.ToSecretString()).value(),
                  "zhujian", so);
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
    small.Submit(b.Sign(c.Notarize("q" + std::to_string(i + 2))).bytes, [&](Result<Receipt> r) {
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
  EXPECT_TRUE(Audit(c.ledger->store(), testing::DomainAudit()).ok());
}

// Sparse single submissions (one at a time, the CLI's pattern) are each
// committed promptly: no submission may wait for a later one to wake the
// sequencer's threads.
TEST(Sequencer, SparseSubmissionsAreNotStranded) {
  Consortium c;
  testing::Client& b = c.c("builder");
  SequencerOptions so;
  so.clock = [] { return kT0; };
  Sequencer seq(c.ledger.get(), log::NoteSigner::Parse(c.node.ToSecretString()).value(), "zhujian",
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
