// Reliability: a process appending under load is killed with SIGKILL at
// random moments; after each restart the ledger opens (against its
// checkpoint mark: it never comes back below a checkpoint it signed), every
// acknowledged entry is present and the audit passes.
//
// TZ_CRASH_KILLS=N sets the number of kills (default 50; TZ_CRASH_ROUNDS is
// the older name). Up to 200 kills every acknowledged entry is looked up
// after every kill and the audit runs every 10th; in the long mode (more
// than 200, e.g. TZ_CRASH_KILLS=1000, docs/node.md) each kill's new
// acknowledgements are looked up at once and all of them, with the audit,
// every 100th kill and after the last, which keeps the run linear in time.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "ledger/audit.h"
#include "ledger/ledger_test_util.h"
#include "node/sequencer.h"

namespace tz::ledger {
namespace {

using node::Sequencer;
using node::SequencerOptions;

using testing::Consortium;

// The child: appends batches of notarizations through a Sequencer forever,
// writing the id of every acknowledged (durable) entry to `fd`.
[[noreturn]] void Appender(const std::string& dir, Consortium& c, int round, int fd) {
  auto store = OpenLevelDbStore(dir, false);
  if (!store.ok()) _exit(10);
  LedgerOptions lo = testing::DomainOptions();
  lo.mark = NewFileCheckpointMarkStore(dir + ".hwm", true);
  auto l = Ledger::Open(std::move(*store), lo);
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
  int kills = 50;
  for (const char* var : {"TZ_CRASH_ROUNDS", "TZ_CRASH_KILLS"}) {
    if (const char* v = std::getenv(var)) kills = std::max(1, std::atoi(v));
  }
  const bool long_mode = kills > 200;
  const int full_every = long_mode ? 100 : 1;
  const int audit_every = long_mode ? 100 : 10;
  auto start = std::chrono::steady_clock::now();
  std::string dir =
      (std::filesystem::temp_directory_path() / ("tz_crash_" + std::to_string(getpid()))).string();
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir + ".hwm");
  // The checkpoint mark lives beside the LevelDB directory, as in a node.
  Consortium c(OpenLevelDbStore(dir, true).value(), true,
               NewFileCheckpointMarkStore(dir + ".hwm", true));
  c.ledger.reset();  // the children own the database
  std::mt19937 rng(12345);
  std::vector<std::string> acked;  // in acknowledgement order
  size_t lost = 0;
  int audits = 0;
  for (int round = 0; round < kills; ++round) {
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
    size_t first_new = acked.size();
    for (size_t p = 0, nl; (nl = out.find('\n', p)) != std::string::npos; p = nl + 1) {
      acked.push_back(out.substr(p, nl - p));  // only complete lines were acknowledged
    }
    LedgerOptions lo = testing::DomainOptions();
    lo.mark = NewFileCheckpointMarkStore(dir + ".hwm", true);
    auto l = Ledger::Open(OpenLevelDbStore(dir, false).value(), lo);
    ASSERT_TRUE(l.ok()) << "round " << round << ": " << l.status().ToString();
    bool full = round % full_every == full_every - 1 || round == kills - 1;
    for (size_t i = full ? 0 : first_new; i < acked.size(); ++i) {
      if (!(*l)->FindEntry(*EntryIdFromHex(acked[i])).ok()) {
        ++lost;
        ADD_FAILURE() << "round " << round << " lost " << acked[i];
      }
    }
    if (lost > 0) break;
    if (round % audit_every == audit_every - 1 || round == kills - 1) {
      AuditOptions ao = testing::DomainAudit();
      ao.mark = *lo.mark->Load().value();
      AuditReport r = Audit((*l)->store(), ao);
      ASSERT_TRUE(r.ok()) << "round " << round << ": " << r.failure->ToString();
      ++audits;
    }
  }
  EXPECT_GT(acked.size(), 0u);
  EXPECT_EQ(lost, 0u);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%d kills, %zu acknowledged entries, %zu lost; %d audits passed; %.0f s\n", kills,
              acked.size(), lost, audits, seconds);
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir + ".hwm");
  std::filesystem::remove(dir + ".hwm.tmp");  // a kill during a record leaves it
}

}  // namespace
}  // namespace tz::ledger
