// `tiezheng archive` as users run it: sha256sum-compatible output, verified
// get, exit codes, uploads across separate processes, household shredding.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "archive/blob_store.h"
#include "test_util.h"

namespace tz::archive {
namespace {

using testing::PseudoRandom;
using testing::TempDir;

struct ShellRun {
  int code = -1;
  std::string out;
};

// Runs a shell command line; returns its exit code and stdout.
ShellRun Sh(const std::string& cmd) {
  ShellRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class ArchiveCli : public ::testing::Test {
 protected:
  std::string T(const std::string& args) {
    return "cd " + dir_.path() + " && " + TZ_BINARY + " archive --data data " + args;
  }
  void Write(const std::string& name, const Bytes& b) {
    std::ofstream(dir_ / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  TempDir dir_;
};

TEST_F(ArchiveCli, PutPrintsExactlyWhatSha256sumPrints) {
  Write("plan.pdf", PseudoRandom(300000, 1));
  Write("empty", {});
  Write("with space.jpg", PseudoRandom(10, 2));
  Write("back\\slash", PseudoRandom(10, 3));
  std::string files = "plan.pdf empty 'with space.jpg' 'back\\slash'";
  ShellRun ours = Sh(T("put " + files));
  ShellRun theirs = Sh("cd " + dir_.path() + " && sha256sum " + files);
  EXPECT_EQ(ours.code, 0);
  EXPECT_EQ(ours.out, theirs.out);
  // stdin is "-", as for sha256sum.
  EXPECT_EQ(Sh(T("put - < plan.pdf")).out,
            Sh("cd " + dir_.path() + " && sha256sum - < plan.pdf").out);
}

TEST_F(ArchiveCli, GetStatListFsckAndExitCodes) {
  Bytes data = PseudoRandom(200000, 4);
  Write("a.bin", data);
  ASSERT_EQ(Sh(T("put a.bin")).code, 0);
  std::string hex = ToHex(Sha256(data));
  EXPECT_EQ(Sh(T("get " + hex + " -o out.bin")).code, 0);
  EXPECT_EQ(Sh("cmp " + (dir_ / "a.bin") + " " + (dir_ / "out.bin")).code, 0);
  EXPECT_EQ(Sh(T("get " + hex + " | sha256sum")).out, hex + "  -\n");
  EXPECT_EQ(Sh(T("stat " + hex)).out, hex + " 200000\n");
  EXPECT_EQ(Sh(T("list")).out, hex + "\n");
  EXPECT_EQ(Sh(T("fsck")).code, 0);
  // Bad digests are input errors (3), absent blobs too; bad usage is 2.
  EXPECT_EQ(Sh(T("get ../../etc/passwd 2>/dev/null")).code, 3);
  EXPECT_EQ(Sh(T("get " + std::string(64, 'A') + " 2>/dev/null")).code, 3);
  EXPECT_EQ(Sh(T("get " + std::string(64, '0') + " 2>/dev/null")).code, 3);
  EXPECT_EQ(Sh(T("frobnicate 2>/dev/null")).code, 2);
  EXPECT_EQ(Sh(T("put nonexistent 2>/dev/null")).code, 3);
  EXPECT_EQ(Sh(T("--help")).code, 0);
  // Corrupt the blob: get fails with 1 and leaves no output file; fsck too.
  std::string path =
      dir_.path() + "/data/archive/blobs/" + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex;
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(777);
    f.put('\x42');
  }
  ShellRun get = Sh(T("get " + hex + " -o bad.bin 2>&1"));
  EXPECT_EQ(get.code, 1);
  EXPECT_NE(get.out.find("blob.corrupt"), std::string::npos) << get.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "bad.bin"));
  ShellRun fsck = Sh(T("fsck"));
  EXPECT_EQ(fsck.code, 1);
  EXPECT_NE(fsck.out.find("corrupt " + hex), std::string::npos) << fsck.out;
}

TEST_F(ArchiveCli, UploadAcrossProcesses) {
  Bytes data = PseudoRandom(250000, 5);
  Write("p0", Bytes(data.begin(), data.begin() + 100000));
  Write("p1", Bytes(data.begin() + 100000, data.end()));
  std::string hex = ToHex(Sha256(data));
  ShellRun begin = Sh(T("upload-begin --digest " + hex + " --size 250000"));
  ASSERT_EQ(begin.code, 0);
  std::string id = begin.out.substr(0, 32);
  EXPECT_EQ(Sh(T("upload-part " + id + " --offset 100000 p1")).code, 0);
  ShellRun status = Sh(T("upload-status " + id));
  EXPECT_NE(status.out.find("missing 0 100000"), std::string::npos) << status.out;
  EXPECT_EQ(Sh(T("upload-finish " + id + " 2>/dev/null")).code, 3);  // incomplete
  EXPECT_EQ(Sh(T("upload-part " + id + " --offset 200000 p1 2>/dev/null")).code, 3);
  EXPECT_EQ(Sh(T("upload-part " + id + " --offset 0 p0")).code, 0);
  EXPECT_EQ(Sh(T("upload-finish " + id)).out, hex + " 250000\n");
  EXPECT_EQ(Sh(T("get " + hex + " | sha256sum")).out, hex + "  -\n");
}

TEST_F(ArchiveCli, HouseholdPutGetShred) {
  TempDir keys;
  std::string kek = keys / "node.kek";
  ASSERT_EQ(Sh(T("kek-gen " + kek)).code, 0);
  EXPECT_EQ(Sh(T("kek-gen " + kek + " 2>/dev/null")).code, 3);  // never overwrites
  Bytes data = PseudoRandom(150000, 6);
  Write("income.pdf", data);
  std::string hh = " --household hh-42 --kek " + kek;
  ShellRun put = Sh(T("put income.pdf" + hh));
  ASSERT_EQ(put.code, 0);
  std::string hex = put.out.substr(0, 64);
  EXPECT_NE(hex, ToHex(Sha256(data)));  // the envelope's digest is stored
  EXPECT_EQ(Sh(T("get " + hex + hh + " | sha256sum")).out, ToHex(Sha256(data)) + "  -\n");
  EXPECT_EQ(Sh(T("shred hh-42 --kek " + kek)).code, 0);
  ShellRun after = Sh(T("get " + hex + hh + " 2>&1"));
  EXPECT_EQ(after.code, 3);
  EXPECT_NE(after.out.find("household.shredded"), std::string::npos) << after.out;
  EXPECT_EQ(Sh(T("get " + hex + " | sha256sum")).out, hex + "  -\n");  // still verifiable
  // A KEK inside the data directory is refused.
  Sh("cp " + kek + " " + dir_.path() + "/data/node.kek");
  ShellRun inside = Sh(T("put income.pdf --household hh-1 --kek data/node.kek 2>&1"));
  EXPECT_NE(inside.out.find("kek.inside_data_dir"), std::string::npos) << inside.out;
}

}  // namespace
}  // namespace tz::archive
