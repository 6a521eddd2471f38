// The single-node sequencer: orders submitted entries into blocks (a
// consortium of one, until the consensus layer replaces it), with group
// commit.
//
// Submitters on any number of threads queue signed entry bytes. A prepare
// thread takes everything queued (up to max_block_entries) and parses and
// verifies the signatures in parallel (PrepareEntries, keys from the
// committed state); a commit thread validates each prepared entry in order
// against the state left by the entries before it (a rejected entry changes
// nothing) and commits the accepted ones as one block with one synced write.
// The two overlap: the next block's signatures are checked while this one
// is applied and fsynced. Entries that arrive meanwhile go into the next
// block together, so one fsync serves many submissions without any
// artificial delay.
//
// An entry is acknowledged only after its block's synced write: after a
// crash, every acknowledged entry is in the ledger.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "crypto/thread_annotations.h"
#include "ledger/ledger.h"
#include "log/note.h"

namespace tz::node {

struct SequencerOptions {
  size_t max_block_entries = 4096;
  // Entries waiting beyond this are refused at once ("sequencer.busy").
  size_t max_queue = 100000;
  // Block time source (ms since the Unix epoch); the system clock if empty.
  std::function<int64_t()> clock;
};

struct SequencerStats {
  uint64_t blocks = 0;    // blocks committed
  uint64_t entries = 0;   // entries committed
  uint64_t rejected = 0;  // entries refused by validation or a failed commit
};

class Sequencer {
 public:
  using Done = std::function<void(Result<ledger::Receipt>)>;

  // ledger must outlive the Sequencer; nothing else may write to it
  // meanwhile. `proposer` is the member name put in block headers.
  Sequencer(ledger::Ledger* ledger, log::NoteSigner signer, std::string proposer,
            SequencerOptions options = {});
  // Stop().
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // Queues one entry. `done` runs exactly once, on the commit thread,
  // after the block holding the entry is durable (with its receipt), or with
  // the entry's validation error (envelope.h, entries.h reasons), or with
  // the commit's failure (e.g. "kv.io", "storage.full"; the whole block is
  // dropped). It runs at once, on the caller's thread, with "sequencer.busy"
  // when the queue is full, "sequencer.stopped" after Stop, or
  // "ledger.store_failed" once a write of the ledger's store has failed
  // (Ledger::store_status: nothing is acknowledged any more until the
  // ledger is reopened).
  void Submit(std::string bytes, Done done) TZ_EXCLUDES(mu_);
  // Blocking forms: queue and wait. One result per entry, in order. A
  // batch is queued at once, so it goes into one block if it fits.
  Result<ledger::Receipt> Submit(std::string_view bytes) TZ_EXCLUDES(mu_);
  std::vector<Result<ledger::Receipt>> SubmitBatch(std::span<const std::string> entries)
      TZ_EXCLUDES(mu_);

  // Writes what is queued, then stops the threads. Later submissions get
  // "sequencer.stopped". Not from a `done` callback (it would wait for
  // itself).
  void Stop() TZ_EXCLUDES(mu_);
  SequencerStats stats() const TZ_EXCLUDES(mu_);

  static int64_t NowMs();

 private:
  struct Item {
    std::string bytes;
    Done done;
  };
  // A batch whose signatures were checked, waiting for the commit thread.
  struct Prepared {
    std::vector<Done> done;
    ledger::PreparedEntries entries;
  };
  // Queues items (or refuses each with busy/stopped) under one lock.
  void Enqueue(std::vector<Item> items) TZ_EXCLUDES(mu_);
  void RunPrepare() TZ_EXCLUDES(mu_);
  void RunCommit() TZ_EXCLUDES(mu_);
  void CommitBatch(Prepared& batch) TZ_EXCLUDES(mu_);

  ledger::Ledger* ledger_;
  log::NoteSigner signer_;
  std::string proposer_;
  SequencerOptions options_;
  mutable tz::Mutex mu_;
  std::condition_variable_any cv_;
  std::vector<Item> queue_ TZ_GUARDED_BY(mu_);
  bool stop_ TZ_GUARDED_BY(mu_) = false;
  // Hand-over between the threads: at most one prepared batch waits, so
  // preparing runs at most one block ahead.
  std::optional<Prepared> prepared_ TZ_GUARDED_BY(mu_);
  bool prepare_done_ TZ_GUARDED_BY(mu_) = false;  // the prepare thread has exited
  SequencerStats stats_ TZ_GUARDED_BY(mu_);
  std::thread prepare_thread_;
  std::thread commit_thread_;
};

}  // namespace tz::node
