#include "ledger/sequencer.h"

#include <chrono>

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
  committed_height_ = ledger_->head().height;
  thread_ = std::thread([this] { Run(); });
}

Sequencer::~Sequencer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  thread_.join();
}

Status Sequencer::SealLocked() {
  if (!pending_ || pending_->entry_count() == 0) return Status::Ok();
  uint64_t height = pending_->height();
  auto header = ledger_->Commit(std::move(*pending_), signer_);
  pending_.reset();
  if (!header.ok()) {
    failed_height_ = height;
    failure_ = header.status();
  } else {
    committed_height_ = height;
  }
  done_cv_.notify_all();
  return header.status();
}

void Sequencer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (pending_ && pending_->entry_count() > 0) {
      int64_t age = options_.clock() - pending_since_;
      if (stop_ || pending_->entry_count() >= options_.max_block_entries ||
          age >= options_.max_block_delay_ms) {
        (void)SealLocked();
        continue;
      }
      work_cv_.wait_for(lock, std::chrono::milliseconds(options_.max_block_delay_ms - age));
    } else {
      if (stop_) return;
      work_cv_.wait(lock);
    }
  }
}

Status Sequencer::WaitFor(std::unique_lock<std::mutex>& lock, uint64_t height) {
  done_cv_.wait(lock, [&] { return committed_height_ >= height || failed_height_ == height; });
  if (committed_height_ >= height) return Status::Ok();
  return failure_;
}

Result<Receipt> Sequencer::Submit(std::string_view bytes) {
  std::string copy(bytes);
  auto results = SubmitBatch(std::span<const std::string>(&copy, 1));
  return std::move(results[0]);
}

std::vector<Result<Receipt>> Sequencer::SubmitBatch(std::span<const std::string> entries) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!pending_ || pending_->entry_count() == 0) {
    pending_.emplace(ledger_->NewBlock(options_.clock(), proposer_));
    pending_since_ = options_.clock();
  }
  std::vector<Result<Receipt>> results = ledger_->AddAll(&*pending_, entries);
  uint64_t height = pending_->height();
  bool any = false;
  for (const auto& r : results) any = any || r.ok();
  if (!any) return results;
  work_cv_.notify_one();
  Status s = WaitFor(lock, height);
  if (!s.ok()) {
    for (auto& r : results) {
      if (r.ok()) r = s;
    }
  }
  return results;
}

Status Sequencer::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  return SealLocked();
}

}  // namespace tz::ledger
