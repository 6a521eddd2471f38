// Storage failures of a real node, over HTTP:
//  - a full disk (a real tmpfs under the data directory; needs root or
//    CAP_SYS_ADMIN, skipped otherwise): appends answer 507 storage.full, the
//    node then acknowledges nothing more (503 ledger.store_failed, also on
//    /v1/health) even once space is back, and after a restart every
//    acknowledged entry is there and the audit passes;
//  - a rolled-back ledger (the newest LevelDB log truncated, or the ledger
//    directory replaced by an older copy, while the node is stopped): the
//    node refuses to start (ledger.rolled_back) instead of signing those
//    sizes again, and `tiezheng audit` reports it.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "integration/node_fixture.h"

namespace tz::testing {
namespace {

namespace fs = std::filesystem;

Json Notarize(const std::string& content) {
  return Json::MakeObject({{"type", Json("doc.notarize")},
                           {"v", Json(1)},
                           {"digest", Json(ToHex(Sha256(content)))},
                           {"size", Json(static_cast<int64_t>(content.size()))},
                           {"media_type", Json("application/pdf")},
                           {"title", Json("document " + content)},
                           {"doc_type", Json("as_built_drawings")},
                           {"project", Json("proj-1")},
                           {"house", Json("H-1")},
                           {"in_archive", Json(false)},
                           {"encrypted", Json(false)}});
}

// A tmpfs mounted for the life of the object (or until Unmount).
struct Tmpfs {
  std::string path;
  bool mounted = false;
  void Mount(const std::string& p, const std::string& size) {
    path = p;
    fs::create_directories(p);
    mounted = ::mount("tmpfs", p.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  void Unmount() {
    if (mounted) ::umount2(path.c_str(), MNT_DETACH);
    mounted = false;
  }
  ~Tmpfs() { Unmount(); }
};

// Fills the file system holding `path` until it is full.
void FillDisk(const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  std::string chunk(64 << 10, 'z');
  while (f.write(chunk.data(), static_cast<std::streamsize>(chunk.size()))) f.flush();
}

// Posts one entry; its HTTP status (0 without an answer) and error code.
std::pair<int, std::string> Post(httplib::Client& c, const std::string& entry, std::string* id) {
  auto r = c.Post("/v1/entries", entry, "application/json");
  if (!r) return {0, ""};
  if (r->status == 201 && id != nullptr) *id = ParseJson(r->body)->find("id")->as_string();
  return {r->status, ErrorCode(r->body)};
}

void FullDisk(NodeProcess& n) {
  ASSERT_GT(n.port, 0) << n.init_output << n.start_output;
  auto c = n.Client();
  std::vector<std::string> acked;
  int k = 0;
  for (; k < 5; ++k) {
    std::string id;
    ASSERT_EQ(Post(c, n.Entry(n.builder, Notarize("before-" + std::to_string(k))), &id).first, 201);
    acked.push_back(id);
  }
  std::string filler = n.dir.File("data/filler");
  FillDisk(filler);
  // The disk is full: appends fail with 507 (a few may still fit in pages
  // the files already have).
  std::pair<int, std::string> full;
  for (int tries = 0; tries < 500; ++tries, ++k) {
    std::string id;
    full = Post(c, n.Entry(n.builder, Notarize("full-" + std::to_string(k))), &id);
    if (full.first != 201) break;
    acked.push_back(id);
  }
  EXPECT_EQ(full.first, 507) << full.second;
  EXPECT_EQ(full.second, "storage.full");
  // So does a blob upload that does not fit.
  std::string blob(2 << 20, 'b');
  std::string target = "/v1/blobs/" + ToHex(Sha256(blob));
  auto put = c.Put(target, NodeProcess::Signed(n.builder, "PUT", target, blob), blob,
                   "application/octet-stream");
  if (put) {  // the node may cut the connection while the body still comes
    EXPECT_EQ(put->status, 507) << put->body;
    EXPECT_EQ(ErrorCode(put->body), "storage.full") << put->body;
  }
  // Space is back. The node still acknowledges nothing: the store failed,
  // and only a restart (which re-verifies it) may write again.
  fs::remove(filler);
  for (int i = 0; i < 3; ++i, ++k) {
    auto r = Post(c, n.Entry(n.builder, Notarize("after-" + std::to_string(k))), nullptr);
    EXPECT_EQ(r.first, 503) << r.second;
    EXPECT_EQ(r.second, "ledger.store_failed");
  }
  auto health = c.Get("/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503) << health->body;
  EXPECT_EQ(ParseJson(health->body)->find("status")->as_string(), "store_failed");
  auto metrics = c.Get("/v1/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("tz_ledger_store_failed 1"), std::string::npos);
  // Restart: everything acknowledged is there, and appends work again.
  EXPECT_EQ(n.Stop(), 0);
  n.Restart();
  ASSERT_GT(n.port, 0) << n.start_output;
  auto c2 = n.Client();
  for (const std::string& id : acked) {
    auto r = c2.Get("/v1/entries/" + id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << "lost acknowledged entry " << id;
  }
  health = c2.Get("/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << health->body;
  EXPECT_EQ(Post(c2, n.Entry(n.builder, Notarize("restarted")), nullptr).first, 201);
  EXPECT_EQ(n.Stop(), 0);
  RunResult audit = Tz({"audit", "--quiet", n.dir.File("data")});
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  EXPECT_NE(audit.out.find("newest signed checkpoint"), std::string::npos) << audit.out;
  std::printf("%zu entries acknowledged before and while the disk was full, all present\n",
              acked.size());
}

TEST(StoreFault, FullDiskAnswers507ThenAcknowledgesNothingUntilRestart) {
  Tmpfs disk;
  NodeProcess n({}, [&](const std::string& data) { disk.Mount(data, "16m"); });
  if (!disk.mounted) GTEST_SKIP() << "cannot mount a tmpfs here (not root?)";
  FullDisk(n);
  // Stopped and unmounted (also after a failed assertion) before the
  // fixture removes the data directory.
  n.Stop();
  disk.Unmount();
}

// The newest LevelDB log file of a stopped node.
fs::path NewestLog(const std::string& ledger_dir) {
  std::vector<fs::path> logs;
  for (const auto& e : fs::directory_iterator(ledger_dir)) {
    if (e.path().extension() == ".log") logs.push_back(e.path());
  }
  std::sort(logs.begin(), logs.end(), [](const fs::path& a, const fs::path& b) {
    return std::stoull(a.stem().string()) < std::stoull(b.stem().string());
  });
  return logs.empty() ? fs::path() : logs.back();
}

// Starts the node on `data` and waits at most 20 s for it to exit.
RunResult StartAndWait(const std::string& data) {
  return Run({"timeout", "20", TZ_BINARY, "node", "run", "--data", data, "--listen", "127.0.0.1:0",
              "--no-sync"});
}

TEST(StoreFault, RolledBackLedgerRefusesToStartAndFailsTheAudit) {
  NodeProcess n;
  ASSERT_GT(n.port, 0) << n.init_output << n.start_output;
  std::string data = n.dir.File("data");
  auto c = n.Client();
  // One block now, copied away as an "older backup"; three more after.
  ASSERT_EQ(Post(c, n.Entry(n.builder, Notarize("one")), nullptr).first, 201);
  ASSERT_EQ(n.Stop(), 0);
  fs::copy(data + "/ledger", n.dir.File("backup"), fs::copy_options::recursive);
  n.Restart();
  ASSERT_GT(n.port, 0) << n.start_output;
  auto c2 = n.Client();
  std::vector<std::string> acked;
  for (int i = 0; i < 3; ++i) {
    std::string id;
    ASSERT_EQ(Post(c2, n.Entry(n.builder, Notarize("more-" + std::to_string(i))), &id).first, 201);
    acked.push_back(id);
  }
  ASSERT_EQ(n.Stop(), 0);
  fs::copy(data + "/ledger", n.dir.File("whole"), fs::copy_options::recursive);
  struct Case {
    std::string name;
    std::function<void()> damage;
  };
  std::vector<Case> cases = {
      {"newest log truncated", [&] { fs::resize_file(NewestLog(data + "/ledger"), 0); }},
      {"newest log short of its last record",
       [&] {
         fs::path p = NewestLog(data + "/ledger");
         fs::resize_file(p, fs::file_size(p) - 1);
       }},
      {"ledger replaced by an older copy",
       [&] {
         fs::remove_all(data + "/ledger");
         fs::copy(n.dir.File("backup"), data + "/ledger", fs::copy_options::recursive);
       }},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    fs::remove_all(data + "/ledger");
    fs::copy(n.dir.File("whole"), data + "/ledger", fs::copy_options::recursive);
    k.damage();
    RunResult r = StartAndWait(data);
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.exit_code, 124) << "the node started on a rolled-back ledger: " << r.out;
    EXPECT_NE(r.err.find("ledger.rolled_back"), std::string::npos) << r.err;
    RunResult audit = Tz({"audit", "--quiet", data});
    EXPECT_EQ(audit.exit_code, 1) << audit.out << audit.err;
    EXPECT_NE(audit.out.find("audit.rolled_back"), std::string::npos) << audit.out;
  }
  // With the whole ledger back, the node starts with every entry.
  fs::remove_all(data + "/ledger");
  fs::copy(n.dir.File("whole"), data + "/ledger", fs::copy_options::recursive);
  n.Restart();
  ASSERT_GT(n.port, 0) << n.start_output;
  auto c3 = n.Client();
  for (const std::string& id : acked) {
    auto r = c3.Get("/v1/entries/" + id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << id;
  }
}

}  // namespace
}  // namespace tz::testing
