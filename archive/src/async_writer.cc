#include "async_writer.h"

#include <algorithm>

namespace tz::archive {

AsyncWriter::AsyncWriter(WritableFile* file, uint64_t offset, Flush flush)
    : file_(file), flush_(flush), written_(offset), chunk_start_(offset) {
  for (size_t i = 0; i + 1 < kBuffers; ++i) free_.emplace_back();
  current_.reserve(kBufferSize);
  thread_ = std::thread([this] { Run(); });
  if (flush_.writeback_chunk > 0) flusher_ = std::thread([this] { RunFlusher(); });
}

AsyncWriter::~AsyncWriter() {
  {
    tz::MutexLock lock(mu_);
    queue_.clear();  // abandoned: queued data need not be written
    ranges_.clear();
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (flusher_.joinable()) flusher_.join();
}

Status AsyncWriter::Write(ByteSpan data) {
  while (!data.empty()) {
    size_t n = std::min(data.size(), kBufferSize - current_.size());
    current_.insert(current_.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(n));
    data = data.subspan(n);
    if (current_.size() == kBufferSize) TZ_RETURN_IF_ERROR(Submit());
  }
  tz::MutexLock lock(mu_);
  return error_;
}

// Hands the current buffer to the thread and takes a free one.
Status AsyncWriter::Submit() {
  tz::MutexLock lock(mu_);
  cv_.wait(lock, [this]() TZ_REQUIRES(mu_) { return !free_.empty() || !error_.ok(); });
  if (!error_.ok()) return error_;
  queue_.push_back(std::move(current_));
  current_ = std::move(free_.back());
  free_.pop_back();
  current_.clear();
  current_.reserve(kBufferSize);
  cv_.notify_all();
  return Status::Ok();
}

Result<Bytes> AsyncWriter::Acquire() {
  tz::MutexLock lock(mu_);
  cv_.wait(lock, [this]() TZ_REQUIRES(mu_) { return !free_.empty() || !error_.ok(); });
  if (!error_.ok()) return error_;
  // Returned with whatever size it had: resizing a used buffer back to
  // kBufferSize does not zero-fill it again.
  Bytes b = std::move(free_.back());
  free_.pop_back();
  return b;
}

Status AsyncWriter::WriteOwned(Bytes buffer) {
  if (!current_.empty()) {
    // Bytes written through Write() go first. Submit needs a free buffer for
    // the next current_; the caller holds one, so give it back meanwhile.
    {
      tz::MutexLock lock(mu_);
      free_.push_back(Bytes());
    }
    TZ_RETURN_IF_ERROR(Submit());
  }
  tz::MutexLock lock(mu_);
  if (!error_.ok()) return error_;
  queue_.push_back(std::move(buffer));
  cv_.notify_all();
  return Status::Ok();
}

Status AsyncWriter::Finish() {
  if (!current_.empty()) {
    Status s = Submit();
    if (!s.ok()) return s;
  }
  tz::MutexLock lock(mu_);
  // The caller's own Sync follows: ranges not yet handed over are left to it.
  cv_.wait(lock, [this]() TZ_REQUIRES(mu_) { return (queue_.empty() && !busy_) || !error_.ok(); });
  ranges_.clear();
  cv_.wait(lock, [this]() TZ_REQUIRES(mu_) { return !flushing_; });
  return error_;
}

void AsyncWriter::Run() {
  tz::MutexLock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this]() TZ_REQUIRES(mu_) { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop_ and drained
    Bytes buf = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    bool failed = !error_.ok();
    lock.unlock();
    Status s = failed ? Status::Ok() : file_->Append(buf);
    lock.lock();
    busy_ = false;
    if (!s.ok() && error_.ok()) error_ = s;
    if (s.ok() && !failed) {
      written_ += buf.size();
      if (flush_.writeback_chunk > 0 && written_ - chunk_start_ >= flush_.writeback_chunk) {
        ranges_.emplace_back(chunk_start_, written_ - chunk_start_);
        chunk_start_ = written_;
      }
    }
    free_.push_back(std::move(buf));  // kept sized: Submit and Acquire reuse it
    cv_.notify_all();
  }
}

void AsyncWriter::RunFlusher() {
  uint64_t since_sync = 0;
  tz::MutexLock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this]() TZ_REQUIRES(mu_) { return stop_ || !ranges_.empty(); });
    if (ranges_.empty()) return;  // stop_ and nothing left
    auto [offset, length] = ranges_.front();
    ranges_.pop_front();
    flushing_ = true;
    lock.unlock();
    // Both are plain syscalls on the descriptor, safe beside the writer's
    // appends: the kernel orders them.
    file_->StartWriteback(offset, length);
    since_sync += length;
    Status s;
    if (flush_.sync_every > 0 && since_sync >= flush_.sync_every) {
      s = file_->Sync();
      since_sync = 0;
    }
    lock.lock();
    flushing_ = false;
    if (!s.ok() && error_.ok()) error_ = s;
    cv_.notify_all();
  }
}

}  // namespace tz::archive
