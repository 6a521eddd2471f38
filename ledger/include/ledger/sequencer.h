// The single-node sequencer: orders submitted entries into blocks (a
// consortium of one, until the consensus layer replaces it).
//
// Submitters from any number of threads hand in signed entry bytes; each is
// validated at once against the state including earlier entries of the
// block being built (so a rejected entry is reported immediately and changes
// nothing), then the call waits until the block holding it is durable. A
// background thread seals the block when it reaches max_block_entries or is
// max_block_delay_ms old. An entry is acknowledged (Submit returns OK) only
// after its block's synced write: after a crash, every acknowledged entry is
// in the ledger.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/note.h"

namespace tz::ledger {

struct SequencerOptions {
  size_t max_block_entries = 4096;
  int max_block_delay_ms = 10;
  // Block time source (ms since the Unix epoch); the system clock if empty.
  std::function<int64_t()> clock;
};

class Sequencer {
 public:
  // ledger must outlive the Sequencer; nothing else may write to it
  // meanwhile. `proposer` is the member name put in block headers.
  Sequencer(Ledger* ledger, NoteSigner signer, std::string proposer, SequencerOptions options = {});
  // Seals what is pending and stops the sealing thread.
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // Validates one entry and waits until it is durable. Errors: the
  // entry's validation reasons (envelope.h, entries.h), or the commit's
  // failure (e.g. "kv.io"), in which case the whole pending block is dropped.
  Result<Receipt> Submit(std::string_view bytes);
  // As Submit for many entries at once (signatures verified in parallel);
  // one result per entry, in order, all durable when it returns.
  std::vector<Result<Receipt>> SubmitBatch(std::span<const std::string> entries);
  // Seals the pending block now, if it has entries, and waits for it.
  Status Flush();

  static int64_t NowMs();

 private:
  Status WaitFor(std::unique_lock<std::mutex>& lock, uint64_t height);
  Status SealLocked();
  void Run();

  Ledger* ledger_;
  NoteSigner signer_;
  std::string proposer_;
  SequencerOptions options_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::optional<BlockBuilder> pending_;
  int64_t pending_since_ = 0;
  uint64_t committed_height_ = 0;
  uint64_t failed_height_ = UINT64_MAX;
  Status failure_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tz::ledger
