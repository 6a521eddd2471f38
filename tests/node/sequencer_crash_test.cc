// Reliability: a process appending under load is killed with SIGKILL at
// random moments; after each restart every acknowledged entry is present and
// the audit passes. TZ_CRASH_ROUNDS sets the number of kills (default 50).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>

#include "ledger/audit.h"
#include "ledger/ledger_test_util.h"
#include "node/sequencer.h"

namespace tz::ledger {
namespace {

using node::Sequencer;
using node::SequencerOptions;
using node::SequencerStats;

using testing::Consortium;

// The child: appends batches of notarizations through a Sequencer forever,
// writing the id of every acknowledged (durable) entry to `fd`.
[[noreturn]] void Appender(const std::string& dir, Consortium& c, int round, int fd) {
  auto store = OpenLevelDbStore(dir, false);
  if (!store.ok()) _exit(10);
  auto l = Ledger::Open(std::move(*store), testing::DomainOptions());
  if (!l.ok()) _exit(11);
  testing::Client& b = c.c("builder");
  b.next_seq = *(*l)->CommittedState().GetSeq(b.id) + 1;
  SequencerOptions so;
  so.max_block_entries = 64;
  Sequencer seq(l->get(), log::NoteSigner::Parse(c.node.ToSecretString()).value(), "zhujian", so);
  for (int batch = 0;; ++batch) {
    std::vector<std::string> entries;
    for (int i = 0; i < 32; ++i) {
      std::string content = "r" + std::to_string(round) + "-" + std::to_string(b.next_seq);
      entries.push_back(b.Sign(c.Notarize(content), Sequencer::NowMs()).bytes);
    }
    std::string acks;
    for (const auto& r : seq.SubmitBatch(entries)) {
      if (!r.ok()) _exit(12);
      acks += ToHex(r->id) + "\n";
    }
    if (write(fd, acks.data(), acks.size()) != static_cast<ssize_t>(acks.size())) _exit(13);
  }
}

TEST(Crash, SigkillWhileAppendingLosesNothingAcknowledged) {
  int rounds = 50;
  if (const char* r = std::getenv("TZ_CRASH_ROUNDS")) rounds = std::max(1, std::atoi(r));
  std::string dir =
      (std::filesystem::temp_directory_path() / ("tz_crash_" + std::to_string(getpid()))).string();
  std::filesystem::remove_all(dir);
  Consortium c(OpenLevelDbStore(dir, true).value(), true);
  c.ledger.reset();  // the children own the database
  std::mt19937 rng(12345);
  std::set<std::string> acked;
  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      Appender(dir, c, round, fds[1]);
    }
    close(fds[1]);
    usleep(std::uniform_int_distribution<int>(10000, 250000)(rng));
    kill(pid, SIGKILL);
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, n);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "appender exited early with " << WEXITSTATUS(status);
    for (size_t p = 0, nl; (nl = out.find('\n', p)) != std::string::npos; p = nl + 1) {
      acked.insert(out.substr(p, nl - p));  // only complete lines were acknowledged
    }
    auto l = Ledger::Open(OpenLevelDbStore(dir, false).value(), testing::DomainOptions());
    ASSERT_TRUE(l.ok()) << "round " << round << ": " << l.status().ToString();
    for (const std::string& id : acked) {
      ASSERT_TRUE((*l)->FindEntry(*EntryIdFromHex(id)).ok()) << "round " << round << " lost " << id;
    }
    if (round % 10 == 9 || round == rounds - 1) {
      AuditReport r = Audit((*l)->store(), testing::DomainAudit());
      ASSERT_TRUE(r.ok()) << "round " << round << ": " << r.failure->ToString();
    }
  }
  EXPECT_GT(acked.size(), 0u);
  std::printf("%d kills, %zu acknowledged entries, all present; audits passed\n", rounds,
              acked.size());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tz::ledger
