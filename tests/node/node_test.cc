// Init a data directory, open the Node, and check group commit: entries
// submitted together share blocks and every callback reports durability.
#include "node/node.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "node/config.h"

namespace tz::node {
namespace {

class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tz-node-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

Json AccessLog(int i) {
  std::string household(64, 'a');
  household[0] = static_cast<char>('a' + i % 6);
  return Json::MakeObject({{"type", Json("access.log")},
                           {"v", Json(1)},
                           {"household", Json(household)},
                           {"purpose", Json("audit")},
                           {"fields", Json::MakeArray({Json("file")})}});
}

TEST_F(NodeTest, InitRefusesToOverwriteAndOpens) {
  InitOptions o;
  o.data_dir = dir_ + "/d";
  auto r = InitDataDir(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->chain, "tiezheng-local");
  EXPECT_EQ(InitDataDir(o).status().reason(), "init.exists");
  o.force = true;
  ASSERT_TRUE(InitDataDir(o).ok());
  auto n = Node::Open(o.data_dir, {.sync = false});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ((*n)->ledger().head().log_size, 1u);
  EXPECT_EQ((*n)->ledger().NodeKeys().size(), 1u);
}

TEST_F(NodeTest, GroupCommitSharesBlocks) {
  InitOptions o;
  o.data_dir = dir_ + "/d";
  ASSERT_TRUE(InitDataDir(o).ok());
  auto n = Node::Open(o.data_dir, {.sync = true});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, ok = 0;
  constexpr int kEntries = 200;
  for (int i = 0; i < kEntries; ++i) {
    (*n)->SubmitAsNode(AccessLog(i), [&](Result<ledger::Receipt> r) {
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      if (r.ok()) ++ok;
      cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done == kEntries; });
  EXPECT_EQ(ok, kEntries);
  SequencerStats s = (*n)->sequencer().stats();
  EXPECT_EQ(s.entries, static_cast<uint64_t>(kEntries));
  EXPECT_LT(s.blocks, static_cast<uint64_t>(kEntries));  // shared fsyncs
  EXPECT_EQ((*n)->ledger().head().log_size, 1u + kEntries);
}

TEST_F(NodeTest, InvalidEntryIsRejectedAlone) {
  InitOptions o;
  o.data_dir = dir_ + "/d";
  ASSERT_TRUE(InitDataDir(o).ok());
  auto n = Node::Open(o.data_dir, {.sync = false});
  ASSERT_TRUE(n.ok());
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Status> results(2);
  int done = 0;
  (*n)->Submit("not an entry", [&](Result<ledger::Receipt> r) {
    std::lock_guard<std::mutex> lock(mu);
    results[0] = r.status();
    ++done;
    cv.notify_all();
  });
  (*n)->SubmitAsNode(AccessLog(1), [&](Result<ledger::Receipt> r) {
    std::lock_guard<std::mutex> lock(mu);
    results[1] = r.status();
    ++done;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done == 2; });
  EXPECT_EQ(results[0].reason(), "json.syntax");
  EXPECT_TRUE(results[1].ok()) << results[1].ToString();
}

}  // namespace
}  // namespace tz::node
