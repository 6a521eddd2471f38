// AsyncWriter: moves file writes to a background thread so that hashing (in
// the caller's thread) and writing overlap. With SHA-NI hashing at ~1.6 GB/s
// and page-cache writes at a similar speed, doing both in one thread makes a
// put take their sum; overlapped, it takes their maximum (docs/archive.md).
// Memory is bounded: kBuffers buffers of kBufferSize bytes.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "archive/env.h"

namespace tz::archive {

class AsyncWriter {
 public:
  static constexpr size_t kBufferSize = 1 << 20;
  static constexpr size_t kBuffers = 4;

  explicit AsyncWriter(WritableFile* file);
  ~AsyncWriter();  // waits for queued writes; errors are dropped (use Finish)
  AsyncWriter(const AsyncWriter&) = delete;
  AsyncWriter& operator=(const AsyncWriter&) = delete;

  // Copies data into the pipeline; blocks while all buffers are queued.
  // Returns the first write error seen so far (later data is discarded).
  [[nodiscard]] Status Write(ByteSpan data);
  // Flushes the partial buffer, waits for every write; the first error.
  [[nodiscard]] Status Finish();

 private:
  void Run();
  Status Submit();

  WritableFile* file_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Bytes> queue_;  // full buffers waiting to be written
  std::vector<Bytes> free_;  // empty buffers
  Bytes current_;            // being filled by the caller
  bool stop_ = false;
  bool busy_ = false;  // the thread is writing a buffer
  Status error_;
  std::thread thread_;
};

}  // namespace tz::archive
