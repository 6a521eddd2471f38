// Archive ingest benchmark (not a test; see docs/archive.md for numbers).
//
//   archive_bench [--tiezheng PATH] [--dir DIR] [--gib N] [--small N] [--runs N]
//
// Measures, in one run and on the same file and file system:
//   1. durable ingest of a 1 GiB file with `tiezheng archive put` against
//      `cp` + `sync FILE`, `git hash-object -w` and `openssl dgst -sha256`
//      (wall time, median of --runs; ratio = other's time / ours);
//      and `tiezheng hash` (SHA-256 alone: the floor for any verified put);
//   2. the peak RSS of `tiezheng archive put` on that file (wait4 ru_maxrss);
//   3. `tiezheng archive put` of 10,000 files of 100 KiB against cp -r + sync.
// Each child runs via fork/exec so timings include what a user would see.
// Everything is created under DIR (default /tmp) and deleted at the end.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Measured {
  double seconds = 0;
  long max_rss_kib = 0;
  int status = -1;
};

// Runs `sh -c cmd` and measures wall time and the child's peak RSS.
Measured RunShell(const std::string& cmd) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  Measured m;
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.max_rss_kib = ru.ru_maxrss;
  m.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (m.status != 0) std::fprintf(stderr, "warning: `%s` exited %d\n", cmd.c_str(), m.status);
  return m;
}

// Incompressible pseudo-random bytes (xorshift), written in 1 MiB blocks.
void WriteRandomFile(const std::string& path, uint64_t bytes, uint64_t seed) {
  std::ofstream out(path, std::ios::binary);
  std::vector<uint64_t> block(1 << 17);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (uint64_t done = 0; done < bytes;) {
    for (auto& w : block) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      w = x;
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(block.size() * 8, bytes - done));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
    done += n;
  }
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string DefaultTiezheng() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return (self.parent_path().parent_path() / "tiezheng").string();
}

}  // namespace

int main(int argc, char** argv) {
  std::string tz = DefaultTiezheng();
  std::string base = "/tmp";
  double gib = 1;
  int small = 10000, runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--tiezheng") tz = argv[i + 1];
    if (a == "--dir") base = argv[i + 1];
    if (a == "--gib") gib = std::atof(argv[i + 1]);
    if (a == "--small") small = std::atoi(argv[i + 1]);
    if (a == "--runs") runs = std::atoi(argv[i + 1]);
  }
  std::string dir = base + "/tz-archive-bench-" + std::to_string(::getpid());
  fs::create_directories(dir);
  const std::string src = dir + "/big.bin";
  const uint64_t bytes = static_cast<uint64_t>(gib * (1ull << 30));
  std::printf("archive_bench: %s, file %.2f GiB, dir %s, %d runs\n", tz.c_str(), gib, dir.c_str(),
              runs);
  WriteRandomFile(src, bytes, 42);
  RunShell("sync");
  RunShell("cat " + src + " > /dev/null");  // same (warm) page cache for everyone

  std::vector<double> t_put, t_cp, t_git, t_ossl, t_hash;
  long rss = 0;
  for (int r = 0; r < runs; ++r) {
    // Fresh targets every run, so the put really writes (no dedup).
    fs::remove_all(dir + "/data");
    fs::remove_all(dir + "/git");
    fs::remove(dir + "/copy.bin");
    RunShell("sync");
    Measured put = RunShell(tz + " archive put --data " + dir + "/data " + src + " > /dev/null");
    t_put.push_back(put.seconds);
    rss = std::max(rss, put.max_rss_kib);
    RunShell("sync");
    t_cp.push_back(
        RunShell("cp " + src + " " + dir + "/copy.bin && sync " + dir + "/copy.bin").seconds);
    RunShell("git init -q " + dir + "/git && sync");
    t_git.push_back(
        RunShell("cd " + dir + "/git && git hash-object -w " + src + " > /dev/null").seconds);
    t_ossl.push_back(RunShell("openssl dgst -sha256 " + src + " > /dev/null").seconds);
    t_hash.push_back(RunShell(tz + " hash " + src + " > /dev/null").seconds);
  }
  double put = Median(t_put), cp = Median(t_cp), git = Median(t_git), ossl = Median(t_ossl),
         hash = Median(t_hash);
  double mib = static_cast<double>(bytes) / (1 << 20);
  std::printf("\n%-34s %9s %10s %18s\n", "1 GiB ingest (median)", "seconds", "MiB/s",
              "ratio (other/put)");
  std::printf("%-34s %9.2f %10.0f %18s\n", "tiezheng archive put (durable)", put, mib / put,
              "1.00");
  std::printf("%-34s %9.2f %10.0f %18.2f\n", "cp + sync FILE", cp, mib / cp, cp / put);
  std::printf("%-34s %9.2f %10.0f %18.2f\n", "git hash-object -w", git, mib / git, git / put);
  std::printf("%-34s %9.2f %10.0f %18.2f\n", "openssl dgst -sha256 (no write)", ossl, mib / ossl,
              ossl / put);
  std::printf("%-34s %9.2f %10.0f %18.2f\n", "tiezheng hash (SHA-256 only)", hash, mib / hash,
              hash / put);
  std::printf("peak RSS of tiezheng archive put: %.1f MiB\n", static_cast<double>(rss) / 1024);
  fs::remove_all(dir + "/data");
  fs::remove_all(dir + "/git");
  fs::remove(dir + "/copy.bin");
  fs::remove(src);

  if (small > 0) {
    std::string in = dir + "/small";
    fs::create_directories(in);
    for (int i = 0; i < small; ++i) {
      WriteRandomFile(in + "/f" + std::to_string(i), 100 * 1024, 1000 + static_cast<uint64_t>(i));
    }
    RunShell("sync");
    Measured p = RunShell("cd " + in + " && ls | xargs " + tz + " archive put --data " + dir +
                          "/sdata > /dev/null");
    Measured c = RunShell("cp -r " + in + " " + dir + "/scopy && sync -f " + dir + "/scopy");
    double total_mib = small * 100.0 / 1024;
    std::printf("\n%d files of 100 KiB (%.0f MiB):\n", small, total_mib);
    std::printf("  tiezheng archive put: %.2f s, %.0f files/s, %.0f MiB/s, peak RSS %.1f MiB\n",
                p.seconds, small / p.seconds, total_mib / p.seconds,
                static_cast<double>(p.max_rss_kib) / 1024);
    std::printf("  cp -r + sync -f:      %.2f s, %.0f files/s (no per-file fsync)\n", c.seconds,
                small / c.seconds);
  }
  fs::remove_all(dir);
  return 0;
}
