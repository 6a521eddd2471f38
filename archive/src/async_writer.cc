#include "async_writer.h"

#include <algorithm>

namespace tz::archive {

AsyncWriter::AsyncWriter(WritableFile* file) : file_(file) {
  for (size_t i = 0; i + 1 < kBuffers; ++i) free_.emplace_back();
  current_.reserve(kBufferSize);
  thread_ = std::thread([this] { Run(); });
}

AsyncWriter::~AsyncWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.clear();  // abandoned: queued data need not be written
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Status AsyncWriter::Write(ByteSpan data) {
  while (!data.empty()) {
    size_t n = std::min(data.size(), kBufferSize - current_.size());
    current_.insert(current_.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(n));
    data = data.subspan(n);
    if (current_.size() == kBufferSize) TZ_RETURN_IF_ERROR(Submit());
  }
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

// Hands the current buffer to the thread and takes a free one.
Status AsyncWriter::Submit() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty() || !error_.ok(); });
  if (!error_.ok()) return error_;
  queue_.push_back(std::move(current_));
  current_ = std::move(free_.back());
  free_.pop_back();
  current_.clear();
  current_.reserve(kBufferSize);
  cv_.notify_all();
  return Status::Ok();
}

Status AsyncWriter::Finish() {
  if (!current_.empty()) {
    Status s = Submit();
    if (!s.ok()) return s;
  }
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return (queue_.empty() && !busy_) || !error_.ok(); });
  return error_;
}

void AsyncWriter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
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
    buf.clear();
    free_.push_back(std::move(buf));
    cv_.notify_all();
  }
}

}  // namespace tz::archive
