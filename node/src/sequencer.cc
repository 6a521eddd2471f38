#include "node/sequencer.h"

#include <chrono>
#include <iterator>
#include <memory>

namespace tz::node {

int64_t Sequencer::NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Sequencer::Sequencer(ledger::Ledger* ledger, log::NoteSigner signer, std::string proposer,
                     SequencerOptions options)
    : ledger_(ledger),
      signer_(std::move(signer)),
      proposer_(std::move(proposer)),
      options_(std::move(options)) {
  if (!options_.clock) options_.clock = NowMs;
  prepare_thread_ = std::thread([this] { RunPrepare(); });
  commit_thread_ = std::thread([this] { RunCommit(); });
}

Sequencer::~Sequencer() { Stop(); }

void Sequencer::Submit(std::string bytes, Done done) {
  std::vector<Item> one;
  one.push_back({std::move(bytes), std::move(done)});
  Enqueue(std::move(one));
}

void Sequencer::Enqueue(std::vector<Item> items) {
  // All under one lock, so that entries handed in together are taken
  // together (one block, when they fit in one).
  std::vector<std::pair<Done, Status>> refused;
  // Once a write of the store failed nothing more can be committed: refuse
  // at once instead of validating entries for a block that cannot be
  // written.
  Status store = ledger_->store_status();
  {
    tz::MutexLock lock(mu_);
    for (Item& it : items) {
      if (!store.ok()) {
        refused.emplace_back(std::move(it.done), store);
        ++stats_.rejected;
      } else if (stop_) {
        refused.emplace_back(std::move(it.done), Status(Code::kUnavailable, "sequencer.stopped",
                                                        "the sequencer has stopped"));
      } else if (queue_.size() >= options_.max_queue) {
        refused.emplace_back(std::move(it.done), Status(Code::kUnavailable, "sequencer.busy",
                                                        "too many entries waiting"));
      } else {
        queue_.push_back(std::move(it));
      }
    }
    cv_.notify_all();  // both threads wait on cv_: notify_one could wake the wrong one
  }
  for (auto& [done, status] : refused) done(std::move(status));
}

Result<ledger::Receipt> Sequencer::Submit(std::string_view bytes) {
  std::string copy(bytes);
  auto results = SubmitBatch(std::span<const std::string>(&copy, 1));
  return std::move(results[0]);
}

std::vector<Result<ledger::Receipt>> Sequencer::SubmitBatch(std::span<const std::string> entries) {
  // Each callback fills its slot; the last one releases the caller.
  struct Wait {
    tz::Mutex mu;
    std::condition_variable_any cv;
    size_t left TZ_GUARDED_BY(mu) = 0;
    std::vector<std::optional<Result<ledger::Receipt>>> results TZ_GUARDED_BY(mu);
  };
  auto w = std::make_shared<Wait>();
  {
    tz::MutexLock lock(w->mu);  // w is not shared yet; every access is under mu all the same
    w->left = entries.size();
    w->results.resize(entries.size());
  }
  std::vector<Item> items;
  items.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    items.push_back({entries[i], [w, i](Result<ledger::Receipt> r) {
                       tz::MutexLock lock(w->mu);
                       w->results[i] = std::move(r);
                       if (--w->left == 0) w->cv.notify_all();
                     }});
  }
  Enqueue(std::move(items));
  tz::MutexLock lock(w->mu);
  w->cv.wait(lock, [&]() TZ_REQUIRES(w->mu) { return w->left == 0; });
  std::vector<Result<ledger::Receipt>> out;
  out.reserve(entries.size());
  for (auto& r : w->results) out.push_back(std::move(*r));
  return out;
}

void Sequencer::Stop() {
  {
    tz::MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (prepare_thread_.joinable()) prepare_thread_.join();
  if (commit_thread_.joinable()) commit_thread_.join();
}

SequencerStats Sequencer::stats() const {
  tz::MutexLock lock(mu_);
  return stats_;
}

void Sequencer::RunPrepare() {
  for (;;) {
    std::vector<Item> batch;
    {
      // Take work only when the hand-over slot is free, so that what waits
      // beyond one prepared block stays in the queue (and counts against
      // max_queue).
      tz::MutexLock lock(mu_);
      cv_.wait(lock, [this]() TZ_REQUIRES(mu_) {
        return !prepared_.has_value() && (stop_ || !queue_.empty());
      });
      if (queue_.empty()) {  // stopping and drained
        prepare_done_ = true;
        cv_.notify_all();
        return;
      }
      if (queue_.size() <= options_.max_block_entries) {
        batch.swap(queue_);
      } else {
        auto end = queue_.begin() + static_cast<std::ptrdiff_t>(options_.max_block_entries);
        batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
        queue_.erase(queue_.begin(), end);
      }
    }
    Prepared p;
    std::vector<std::string> bytes;
    bytes.reserve(batch.size());
    p.done.reserve(batch.size());
    for (Item& it : batch) {
      bytes.push_back(std::move(it.bytes));
      p.done.push_back(std::move(it.done));
    }
    // Keys registered by the block being committed meanwhile are not in
    // the committed state yet: such entries stay unverified here and are
    // verified in order by the commit thread (PrepareEntries).
    p.entries =
        ledger::PrepareEntries(bytes, ledger_->CommittedState(), ledger_->options().verify_threads);
    tz::MutexLock lock(mu_);
    cv_.wait(lock, [this]() TZ_REQUIRES(mu_) { return !prepared_.has_value(); });
    prepared_.emplace(std::move(p));
    cv_.notify_all();
  }
}

void Sequencer::RunCommit() {
  for (;;) {
    Prepared p;
    {
      tz::MutexLock lock(mu_);
      cv_.wait(lock, [this]() TZ_REQUIRES(mu_) { return prepared_.has_value() || prepare_done_; });
      if (!prepared_) return;  // the prepare thread has exited and nothing is left
      p = std::move(*prepared_);
      prepared_.reset();
      cv_.notify_all();
    }
    CommitBatch(p);
  }
}

void Sequencer::CommitBatch(Prepared& batch) {
  size_t n = batch.done.size();
  ledger::BlockBuilder builder = ledger_->NewBlock(options_.clock(), proposer_);
  std::vector<Result<ledger::Receipt>> results =
      ledger_->AddPrepared(&builder, std::move(batch.entries));
  size_t accepted = builder.entry_count();
  Status commit;
  if (accepted > 0) {
    auto header = ledger_->Commit(std::move(builder), signer_);
    if (!header.ok()) commit = header.status();
  }
  {
    // Stats first, so that a caller woken by its callback sees them.
    tz::MutexLock lock(mu_);
    if (commit.ok() && accepted > 0) ++stats_.blocks;
    stats_.entries += commit.ok() ? accepted : 0;
    stats_.rejected += n - (commit.ok() ? accepted : 0);
  }
  for (size_t i = 0; i < n; ++i) {
    if (!results[i].ok()) {
      batch.done[i](results[i].status());
    } else if (!commit.ok()) {
      batch.done[i](commit);
    } else {
      batch.done[i](std::move(results[i]).value());
    }
  }
}

}  // namespace tz::node
