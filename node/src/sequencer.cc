#include "node/sequencer.h"

#include <chrono>

namespace tz::node {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Sequencer::Sequencer(ledger::Ledger* ledger, const ledger::NoteSigner* signer, std::string proposer,
                     size_t max_block_entries, size_t max_queue)
    : ledger_(ledger),
      signer_(signer),
      proposer_(std::move(proposer)),
      max_block_entries_(max_block_entries),
      max_queue_(max_queue),
      thread_([this] { Run(); }) {}

Sequencer::~Sequencer() { Stop(); }

void Sequencer::Submit(std::string entry_bytes, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stop_ && queue_.size() < max_queue_) {
      queue_.push_back({std::move(entry_bytes), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  bool stopped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped = stop_;
  }
  done(stopped ? Status(Code::kUnavailable, "sequencer.stopped", "the node is shutting down")
               : Status(Code::kUnavailable, "sequencer.busy", "too many entries waiting"));
}

void Sequencer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

SequencerStats Sequencer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Sequencer::Run() {
  for (;;) {
    std::vector<Item> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      if (queue_.size() <= max_block_entries_) {
        batch.swap(queue_);
      } else {
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() + max_block_entries_));
        queue_.erase(queue_.begin(), queue_.begin() + max_block_entries_);
      }
    }
    std::vector<std::string> bytes;
    bytes.reserve(batch.size());
    for (Item& it : batch) bytes.push_back(std::move(it.bytes));
    ledger::BlockBuilder builder = ledger_->NewBlock(NowMs(), proposer_);
    std::vector<Result<ledger::Receipt>> results = ledger_->AddAll(&builder, bytes);
    size_t accepted = builder.entry_count();
    Status commit;
    if (accepted > 0) {
      auto header = ledger_->Commit(std::move(builder), *signer_);
      if (!header.ok()) commit = header.status();
    }
    {
      // Stats first, so a caller woken by its callback sees them.
      std::lock_guard<std::mutex> lock(mu_);
      if (commit.ok() && accepted > 0) ++stats_.blocks;
      stats_.entries += commit.ok() ? accepted : 0;
      stats_.rejected += batch.size() - accepted;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!results[i].ok()) {
        batch[i].done(results[i].status());
      } else if (!commit.ok()) {
        batch[i].done(commit);
      } else {
        batch[i].done(std::move(results[i]).value());
      }
    }
  }
}

}  // namespace tz::node
