// Crash safety: `tiezheng archive _crash-writer` is SIGKILLed at random
// moments, many times, over one data directory. After every kill the store
// must hold every acknowledged blob intact, no partial blob, and no temp
// garbage once reopened; at the end fsck is clean and abandoned upload
// sessions expire.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "archive/local_store.h"
#include "archive/upload.h"
#include "fault_env.h"
#include "test_util.h"

namespace tz::archive {
namespace {

using testing::TempDir;

// Starts the writer with stdout on a pipe; returns its pid and the read end.
pid_t SpawnWriter(const std::string& data, uint64_t seed, int* out_fd) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, STDERR_FILENO);
    std::string seed_s = std::to_string(seed);
    ::execl(TZ_BINARY, TZ_BINARY, "archive", "_crash-writer", "--data", data.c_str(), "--seed",
            seed_s.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  *out_fd = fds[0];
  return pid;
}

std::string ReadAllFd(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

TEST(ArchiveCrash, SigkillAtRandomPointsLosesNothingAcknowledged) {
  ASSERT_TRUE(std::filesystem::exists(TZ_BINARY)) << TZ_BINARY;
  TempDir dir;
  const std::string root = dir.path() + "/archive";
  constexpr int kRounds = 40;
  std::mt19937 rng(20240601);
  std::map<std::string, uint64_t> acked;  // digest hex -> size
  int killed_mid_run = 0;
  auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < kRounds; ++round) {
    int fd = -1;
    pid_t pid = SpawnWriter(dir.path(), rng(), &fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 250));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) ++killed_mid_run;
    // Only complete lines are acknowledgements (the kill may cut one short).
    std::istringstream lines(ReadAllFd(fd));
    std::string line;
    while (std::getline(lines, line)) {
      if (lines.eof()) break;  // no trailing newline: cut short
      std::istringstream f(line);
      std::string tag, hex;
      uint64_t size = 0;
      f >> tag >> hex >> size;
      ASSERT_EQ(tag, "ack") << line;
      acked[hex] = size;
    }
    if (!std::filesystem::exists(root)) continue;  // killed before creating it
    auto store = LocalBlobStore::Open(Env::Default(), root);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    // Every acknowledged blob is there and verifies.
    for (const auto& [hex, size] : acked) {
      Digest d = ParseBlobDigest(hex).value();
      auto st = (*store)->Stat(d);
      ASSERT_TRUE(st.ok()) << "round " << round << ": lost " << hex;
      ASSERT_EQ(st->size, size);
      ASSERT_TRUE((*store)->Verify(d).ok()) << "round " << round << ": corrupt " << hex;
    }
    // Reopening removed the dead writer's temp files: only our owner lock
    // (and at most a ".new" lock being born when the kill came) remain.
    size_t temp_files = 0;
    for (const auto& e : std::filesystem::directory_iterator(root + "/tmp")) {
      if (e.path().extension() != ".new") ++temp_files;
    }
    EXPECT_EQ(temp_files, 1u) << "round " << round;
  }
  EXPECT_GE(killed_mid_run, kRounds - 2);  // the writer never exits on its own
  EXPECT_GT(acked.size(), 10u);
  // No partial blob anywhere: every stored file hashes to its name.
  auto store = LocalBlobStore::Open(Env::Default(), root);
  ASSERT_TRUE(store.ok());
  auto report = (*store)->Fsck();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean()) << report->corrupt.size() << " corrupt, " << report->stray.size()
                               << " stray, " << report->errors.size() << " errors";
  // Abandoned and interrupted upload sessions expire, leaving nothing.
  testing::FaultEnv env;
  env.clock_offset = 3 * 24 * 3600;
  auto later = LocalBlobStore::Open(&env, root);
  ASSERT_TRUE(later.ok());
  auto uploads = LocalUploadSessions::Open(later->get());
  ASSERT_TRUE(uploads.ok());
  for (const auto& e : std::filesystem::recursive_directory_iterator(root + "/uploads")) {
    ADD_FAILURE() << "left behind: " << e.path();
  }
  RecordProperty("acknowledged_blobs", static_cast<int>(acked.size()));
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("crash test: %d kills, %zu acknowledged blobs, %.1f s\n", kRounds, acked.size(),
              secs);
}

}  // namespace
}  // namespace tz::archive
