// No silent rollback: a stopped ledger's newest LevelDB files are truncated
// or removed in every way we could think of, or the directory is replaced
// by an older copy. Each time the ledger either refuses to open, or opens
// at its full size; it never opens lower, so it never signs a second
// checkpoint for a size it signed. Where LevelDB itself opens the damaged
// store, the audit with the checkpoint mark reports it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "ledger/checkpoint_mark.h"
#include "ledger/ledger_test_util.h"

namespace tz::ledger {
namespace {

namespace fs = std::filesystem;
using testing::Consortium;
using testing::Fill;

LevelDbOptions SmallTables(bool create) {
  LevelDbOptions o;
  o.create_if_missing = create;
  o.write_buffer_size = 64 << 10;  // several tables, a MANIFEST with history
  return o;
}

// LevelDB's files of one kind ("log", "ldb", "MANIFEST"), oldest first (by
// file number).
std::vector<fs::path> FilesOf(const std::string& dir, const std::string& kind) {
  std::vector<std::pair<uint64_t, fs::path>> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    uint64_t number = 0;
    if (kind == "MANIFEST") {
      if (!name.starts_with("MANIFEST-")) continue;
      number = std::stoull(name.substr(9));
    } else {
      std::string ext = "." + kind;
      if (!name.ends_with(ext)) continue;
      number = std::stoull(name.substr(0, name.size() - ext.size()));
    }
    found.emplace_back(number, e.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& [n, p] : found) out.push_back(p);
  return out;
}

void Truncate(const fs::path& p, uintmax_t size) { fs::resize_file(p, size); }

class Rollback : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::TempDir("rollback");
    fs::create_directories(root_ + "/src");
    mark_path_ = root_ + "/src/checkpoint.hwm";
    auto mark = NewFileCheckpointMarkStore(mark_path_, true);
    c_ = std::make_unique<Consortium>(
        OpenLevelDbStore(root_ + "/src/ledger", SmallTables(true)).value(), true, mark);
    ASSERT_TRUE(c_->ledger);
    // Three sessions: the store ends with tables of the first two and a log
    // holding only the last session's blocks (each open writes the previous
    // log out as a table).
    Fill(*c_, 6, 20);
    Reopen(mark);
    Fill(*c_, 6, 20);
    Reopen(mark);
    fs::copy(root_ + "/src/ledger", root_ + "/backup", fs::copy_options::recursive);
    Fill(*c_, 3, kLastBlockEntries);  // small enough to stay in the log (no table written)
    full_ = c_->ledger->head();
    for (uint64_t h = 0; h <= full_.height; ++h) {
      auto cp = CheckpointMark::Parse(c_->ledger->GetCheckpoint(h).value()).value();
      signed_[cp.size()] = cp.checkpoint.root_hash;
    }
    c_->ledger.reset();
    ASSERT_EQ(FilesOf(root_ + "/src/ledger", "log").size(), 1u);
    ASSERT_GE(FilesOf(root_ + "/src/ledger", "ldb").size(), 2u);
  }
  void TearDown() override { fs::remove_all(root_); }

  void Reopen(std::shared_ptr<CheckpointMarkStore> mark) {
    c_->ledger.reset();
    LedgerOptions o = testing::DomainOptions();
    o.sync = true;
    o.mark = std::move(mark);
    auto l = Ledger::Open(OpenLevelDbStore(root_ + "/src/ledger", SmallTables(false)).value(), o);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    c_->ledger = std::move(*l);
  }

  static constexpr int kLastBlockEntries = 6;

  struct Outcome {
    bool opened = false;
    uint64_t size = 0;                 // when opened: the log size it opened at
    Status refused;                    // when not opened
    std::optional<AuditReport> audit;  // when LevelDB opened the damaged store
  };

  // A fresh copy of the stopped node's data, damaged by `damage` (given its
  // LevelDB directory), then opened as the node opens it.
  Outcome Try(const std::function<void(const std::string&)>& damage) {
    std::string work = root_ + "/work";
    fs::remove_all(work);
    fs::create_directories(work);
    fs::copy(root_ + "/src", work, fs::copy_options::recursive);
    damage(work + "/ledger");
    Outcome o;
    auto mark = NewFileCheckpointMarkStore(work + "/checkpoint.hwm", true);
    {
      auto store = OpenLevelDbStore(work + "/ledger", false);
      if (store.ok()) {
        AuditOptions ao = testing::DomainAudit();
        ao.mark = *mark->Load().value();
        o.audit = Audit(**store, ao);
      }
    }
    auto store = OpenLevelDbStore(work + "/ledger", false);
    if (!store.ok()) {
      o.refused = store.status();
      return o;
    }
    LedgerOptions lo = testing::DomainOptions();
    lo.mark = mark;
    auto l = Ledger::Open(std::move(*store), lo);
    if (!l.ok()) {
      o.refused = l.status();
      return o;
    }
    o.opened = true;
    // Opened: at the full size, and a checkpoint it signs now (for a block
    // as large as the last ones, so that a ledger that came back lower
    // would land on a size it signed) is for a size it never signed. A
    // damaged table the open did not read may still fail a later read, and
    // with it this block: the audit finds that.
    o.size = (*l)->head().log_size;
    EXPECT_EQ((*l)->head().hash, full_.hash);
    EXPECT_EQ((*l)->head().log_size, full_.log_size);
    BlockBuilder b = (*l)->NewBlock(testing::kT0 + 100, "zhujian");
    for (int i = 0; i < kLastBlockEntries; ++i) {
      if (!b.Add(c_->c("builder").Sign(c_->Notarize("after-" + std::to_string(++n_)))).ok()) {
        return o;
      }
    }
    auto h = (*l)->Commit(std::move(b), c_->node);
    if (h.ok()) {
      auto it = signed_.find(h->log_size);
      EXPECT_TRUE(it == signed_.end() || it->second == h->log_root)
          << "signed a second checkpoint for size " << h->log_size;
    }
    return o;
  }

  std::string root_, mark_path_;
  std::unique_ptr<Consortium> c_;
  Head full_;
  std::map<uint64_t, Digest> signed_;  // every checkpoint signed: size -> root
  int n_ = 0;
};

TEST_F(Rollback, DamagedNewestFilesNeverOpenLower) {
  struct Case {
    std::string name;
    std::function<void(const std::string&)> damage;
    // LevelDB opens this damage at an earlier state: the mark must refuse
    // it, and the audit must report it.
    bool rolls_back;
  };
  auto newest = [](const std::string& dir, const std::string& kind) {
    return FilesOf(dir, kind).back();
  };
  std::string backup = root_ + "/backup";
  std::vector<Case> cases = {
      {"newest log emptied", [&](const std::string& d) { Truncate(newest(d, "log"), 0); }, true},
      {"newest log cut in half",
       [&](const std::string& d) {
         auto p = newest(d, "log");
         Truncate(p, fs::file_size(p) / 2);
       },
       true},
      {"newest log short of its last byte",
       [&](const std::string& d) {
         auto p = newest(d, "log");
         Truncate(p, fs::file_size(p) - 1);
       },
       true},
      {"newest log short of its last 4 KiB",
       [&](const std::string& d) {
         auto p = newest(d, "log");
         Truncate(p, fs::file_size(p) > 4096 ? fs::file_size(p) - 4096 : 0);
       },
       true},
      {"newest log removed", [&](const std::string& d) { fs::remove(newest(d, "log")); }, true},
      {"every log removed",
       [&](const std::string& d) {
         for (auto& p : FilesOf(d, "log")) fs::remove(p);
       },
       true},
      {"newest table removed", [&](const std::string& d) { fs::remove(newest(d, "ldb")); }, false},
      {"newest table cut in half",
       [&](const std::string& d) {
         auto p = newest(d, "ldb");
         Truncate(p, fs::file_size(p) / 2);
       },
       false},
      {"newest table emptied", [&](const std::string& d) { Truncate(newest(d, "ldb"), 0); }, false},
      {"every table removed",
       [&](const std::string& d) {
         for (auto& p : FilesOf(d, "ldb")) fs::remove(p);
       },
       false},
      {"MANIFEST removed", [&](const std::string& d) { fs::remove(newest(d, "MANIFEST")); }, false},
      {"MANIFEST cut in half",
       [&](const std::string& d) {
         auto p = newest(d, "MANIFEST");
         Truncate(p, fs::file_size(p) / 2);
       },
       false},
      {"MANIFEST emptied", [&](const std::string& d) { Truncate(newest(d, "MANIFEST"), 0); },
       false},
      {"CURRENT removed", [&](const std::string& d) { fs::remove(d + "/CURRENT"); }, false},
      {"CURRENT emptied", [&](const std::string& d) { Truncate(d + "/CURRENT", 0); }, false},
      {"CURRENT names the backup's MANIFEST, log and tables of the backup",
       [&](const std::string& d) {
         for (auto& e : fs::directory_iterator(backup)) {
           fs::copy(e.path(), d / e.path().filename(), fs::copy_options::overwrite_existing);
         }
       },
       true},
      {"the whole directory replaced by an older copy",
       [&](const std::string& d) {
         fs::remove_all(d);
         fs::copy(backup, d, fs::copy_options::recursive);
       },
       true},
      {"the directory removed", [&](const std::string& d) { fs::remove_all(d); }, false},
      {"the directory emptied",
       [&](const std::string& d) {
         fs::remove_all(d);
         fs::create_directories(d);
       },
       false},
  };
  int refused = 0, opened_whole = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Outcome o = Try(c.damage);
    if (o.opened) {
      ++opened_whole;
      EXPECT_FALSE(c.rolls_back) << "opened although it lost blocks";
    } else {
      ++refused;
      EXPECT_FALSE(o.refused.ok());
      if (c.rolls_back) {
        EXPECT_EQ(o.refused.reason(), "ledger.rolled_back") << o.refused.ToString();
      }
    }
    if (c.rolls_back) {
      ASSERT_TRUE(o.audit.has_value()) << "LevelDB did not open it";
      ASSERT_FALSE(o.audit->ok());
      EXPECT_EQ(o.audit->failure->status.reason(), "audit.rolled_back")
          << o.audit->failure->ToString();
    }
    std::string what = o.opened ? "opened at size " + std::to_string(o.size) + " of " +
                                      std::to_string(full_.log_size)
                                : "refused: " + o.refused.ToString().substr(0, 80);
    std::printf("%-66s %s\n", c.name.c_str(), what.c_str());
  }
  EXPECT_GT(refused, 0);
  (void)opened_whole;
}

// A store that was removed and created anew: the new genesis is refused
// (it would sign size 1 again).
TEST_F(Rollback, NewGenesisInARemovedDirectoryIsRefused) {
  fs::remove_all(root_ + "/src/ledger");
  LedgerOptions o = testing::DomainOptions();
  o.mark = NewFileCheckpointMarkStore(mark_path_, true);
  auto l = Ledger::CreateGenesis(OpenLevelDbStore(root_ + "/src/ledger", true).value(),
                                 c_->genesis_entry, testing::kT0, c_->node, o);
  EXPECT_EQ(l.status().reason(), "ledger.rolled_back") << l.status().ToString();
}

}  // namespace
}  // namespace tz::ledger
