#include "ledger/sequencer.h"

#include <chrono>
#include <iterator>
#include <memory>

namespace tz::ledger {

int64_t Sequencer::NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Sequencer::Sequencer(Ledger* ledger, NoteSigner signer, std::string proposer,
                     SequencerOptions options)
    : ledger_(ledger),
      signer_(std::move(signer)),
      proposer_(std::move(proposer)),
      options_(std::move(options)) {
  if (!options_.clock) options_.clock = NowMs;
  thread_ = std::thread([this] { Run(); });
}

Sequencer::~Sequencer() { Stop(); }

void Sequencer::Submit(std::string bytes, Done done) {
  Status refused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) {
      refused = Status(Code::kUnavailable, "sequencer.stopped", "the sequencer has stopped");
    } else if (queue_.size() >= options_.max_queue) {
      refused = Status(Code::kUnavailable, "sequencer.busy", "too many entries waiting");
    } else {
      queue_.push_back({std::move(bytes), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(std::move(refused));
}

Result<Receipt> Sequencer::Submit(std::string_view bytes) {
  std::string copy(bytes);
  auto results = SubmitBatch(std::span<const std::string>(&copy, 1));
  return std::move(results[0]);
}

std::vector<Result<Receipt>> Sequencer::SubmitBatch(std::span<const std::string> entries) {
  // Each callback fills its slot; the last one releases the caller.
  struct Wait {
    std::mutex mu;
    std::condition_variable cv;
    size_t left;
    std::vector<std::optional<Result<Receipt>>> results;
  };
  auto w = std::make_shared<Wait>();
  w->left = entries.size();
  w->results.resize(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    Submit(entries[i], [w, i](Result<Receipt> r) {
      std::lock_guard<std::mutex> lock(w->mu);
      w->results[i] = std::move(r);
      if (--w->left == 0) w->cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(w->mu);
  w->cv.wait(lock, [&] { return w->left == 0; });
  std::vector<Result<Receipt>> out;
  out.reserve(entries.size());
  for (auto& r : w->results) out.push_back(std::move(*r));
  return out;
}

void Sequencer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
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
      if (queue_.size() <= options_.max_block_entries) {
        batch.swap(queue_);
      } else {
        auto end = queue_.begin() + static_cast<std::ptrdiff_t>(options_.max_block_entries);
        batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
        queue_.erase(queue_.begin(), end);
      }
    }
    CommitBatch(batch);
  }
}

void Sequencer::CommitBatch(std::vector<Item>& batch) {
  std::vector<std::string> bytes;
  bytes.reserve(batch.size());
  for (Item& it : batch) bytes.push_back(std::move(it.bytes));
  BlockBuilder builder = ledger_->NewBlock(options_.clock(), proposer_);
  std::vector<Result<Receipt>> results = ledger_->AddAll(&builder, bytes);
  size_t accepted = builder.entry_count();
  Status commit;
  if (accepted > 0) {
    auto header = ledger_->Commit(std::move(builder), signer_);
    if (!header.ok()) commit = header.status();
  }
  {
    // Stats first, so that a caller woken by its callback sees them.
    std::lock_guard<std::mutex> lock(mu_);
    if (commit.ok() && accepted > 0) ++stats_.blocks;
    stats_.entries += commit.ok() ? accepted : 0;
    stats_.rejected += batch.size() - (commit.ok() ? accepted : 0);
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

}  // namespace tz::ledger
