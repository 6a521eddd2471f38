// The audit and ledger subcommands through the real binary (skipped when
// the binary has not been built).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "ledger/kv.h"

namespace tz::ledger {
namespace {

int RunCmd(const std::string& cmd, std::string* out = nullptr) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  std::string s;
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) s.append(buf, n);
  int status = pclose(p);
  if (out != nullptr) *out = s;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Cli, InitLoadAuditAndTamper) {
  std::string bin = TZ_BINARY;
  if (!std::filesystem::exists(bin)) GTEST_SKIP() << "tiezheng not built";
  std::string dir =
      (std::filesystem::temp_directory_path() / ("tz_cli_" + std::to_string(getpid()))).string();
  std::filesystem::remove_all(dir);
  std::string out;
  EXPECT_EQ(RunCmd(bin + " audit " + dir, &out), 3) << out;  // no ledger there
  ASSERT_EQ(RunCmd(bin + " init --data " + dir, &out), 0) << out;
  ASSERT_EQ(RunCmd(bin + " ledger load " + dir + " --count 700 --batch 300", &out), 0) << out;
  EXPECT_NE(out.find("ack 700 "), std::string::npos);
  ASSERT_EQ(RunCmd(bin + " audit " + dir, &out), 0) << out;
  EXPECT_NE(out.find("audit ok: 4 blocks, 701 entries"), std::string::npos) << out;
  // Progress lines go to a terminal only, raw; into a pipe nothing of them
  // (once the output filter turned their "\r" into a visible "\u000d").
  EXPECT_EQ(out.find("\\u000d"), std::string::npos) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
  ASSERT_EQ(RunCmd(bin + " audit --strict --quiet " + dir, &out), 0) << out;
  EXPECT_NE(out.find("audit ok: 4 blocks, 701 entries"), std::string::npos) << out;
  EXPECT_NE(out.find("newest signed checkpoint (height 3, size 701) is held"), std::string::npos)
      << out;
  EXPECT_EQ(RunCmd(bin + " audit --strict=yes " + dir, &out), 2) << out;  // a flag takes no value
  {
    // Without its checkpoint record the data directory does not open, until
    // the record is adopted (for directories made before it existed).
    std::string mark = dir + "/checkpoint.hwm";
    std::filesystem::rename(mark, mark + ".away");
    EXPECT_EQ(RunCmd(bin + " ledger info " + dir, &out), 3) << out;
    EXPECT_NE(out.find("ledger.mark_missing"), std::string::npos) << out;
    ASSERT_EQ(RunCmd(bin + " audit --quiet " + dir, &out), 0) << out;
    EXPECT_NE(out.find("is missing"), std::string::npos) << out;
    ASSERT_EQ(RunCmd(bin + " ledger adopt-mark " + dir, &out), 0) << out;
    EXPECT_EQ(RunCmd(bin + " ledger adopt-mark " + dir, &out), 3) << out;  // one exists now
    EXPECT_EQ(RunCmd(bin + " ledger info " + dir, &out), 0) << out;
    std::string adopted = ReadAll(mark), original = ReadAll(mark + ".away");
    EXPECT_EQ(adopted, original);  // the same signed checkpoint note
  }
  EXPECT_EQ(RunCmd(bin + " ledger append " + dir + " < /dev/null", &out), 3) << out;
  {
    // Change one stored entry; the audit names block 2, entry 400.
    auto store = OpenLevelDbStore(dir + "/ledger", false);
    ASSERT_TRUE(store.ok());
    std::string key = "e/" + EncodeU64(400);
    std::string v = **(*store)->Get(key);
    v[v.find("\"size\":") + 7] ^= 1;
    KvBatch b;
    b.Put(key, v);
    ASSERT_TRUE((*store)->Write(b, true).ok());
  }
  for (std::string mode : {"", " --strict"}) {
    EXPECT_EQ(RunCmd(bin + " audit" + mode + " " + dir, &out), 1) << mode << out;
    EXPECT_NE(out.find("block 2: entry 400"), std::string::npos) << mode << out;
    EXPECT_NE(out.find("envelope.bad_signature"), std::string::npos) << mode << out;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tz::ledger
