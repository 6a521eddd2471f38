// Block production for a single node with group commit: entries submitted
// while a block is being written wait, and all of them go into the next
// block together, so one fsync serves many submissions.
//
// Each submission's callback runs exactly once, on the sequencer thread,
// after the block holding the entry is durable (OK with its receipt) or
// with the entry's validation error (nothing changed for it).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crypto/status.h"
#include "ledger/ledger.h"
#include "ledger/note.h"

namespace tz::node {

struct SequencerStats {
  uint64_t blocks = 0;
  uint64_t entries = 0;
  uint64_t rejected = 0;
};

class Sequencer {
 public:
  using Done = std::function<void(Result<ledger::Receipt>)>;

  // ledger and signer must outlive the sequencer. max_block_entries bounds
  // a block; max_queue bounds waiting entries ("sequencer.busy" beyond).
  Sequencer(ledger::Ledger* ledger, const ledger::NoteSigner* signer, std::string proposer,
            size_t max_block_entries = 10000, size_t max_queue = 100000);
  ~Sequencer();  // Stop()

  // Queues signed entry bytes. `done` runs later (or at once for a full
  // queue or a stopped sequencer: "sequencer.busy", "sequencer.stopped").
  void Submit(std::string entry_bytes, Done done);
  // Finishes the queued work and stops the thread.
  void Stop();
  SequencerStats stats() const;

 private:
  void Run();
  struct Item {
    std::string bytes;
    Done done;
  };
  ledger::Ledger* ledger_;
  const ledger::NoteSigner* signer_;
  std::string proposer_;
  size_t max_block_entries_, max_queue_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Item> queue_;
  bool stop_ = false;
  SequencerStats stats_;
  std::thread thread_;
};

}  // namespace tz::node
