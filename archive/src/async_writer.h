// AsyncWriter: moves file writes to a background thread so that hashing (in
// the caller's thread) and writing overlap, and optionally flushes behind the
// writes from a third thread, so that the caller's final Sync() finds little
// left to do.
//
// Why the flusher (docs/archive.md, "Ingest"): with everything left to the
// final fdatasync, a 1 GiB put costs hashing *plus* the flush (~0.5 s here:
// writing back the pages and the device cache flush). Starting writeback of
// each chunk as soon as it is written (sync_file_range) and an fdatasync
// every `sync_every` bytes moves that work under the hashing time.
// Memory is bounded: kBuffers buffers of kBufferSize bytes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <utility>

#include "archive/env.h"
#include "crypto/thread_annotations.h"

namespace tz::archive {

struct AsyncFlush {
  uint64_t writeback_chunk = 0;  // start writeback every this many bytes; 0 = never
  uint64_t sync_every = 0;       // fdatasync every this many bytes; 0 = never
};

class AsyncWriter {
 public:
  using Flush = AsyncFlush;
  static constexpr size_t kBufferSize = 1 << 20;
  static constexpr size_t kBuffers = 4;

  // `offset`: bytes already in the file (written before the writer took over).
  explicit AsyncWriter(WritableFile* file, uint64_t offset = 0, AsyncFlush flush = AsyncFlush());
  ~AsyncWriter();  // waits for queued writes; errors are dropped (use Finish)
  AsyncWriter(const AsyncWriter&) = delete;
  AsyncWriter& operator=(const AsyncWriter&) = delete;

  // Copies data into the pipeline; blocks while all buffers are queued.
  // Returns the first write error seen so far (later data is discarded).
  [[nodiscard]] Status Write(ByteSpan data) TZ_EXCLUDES(mu_);
  // Zero-copy form: Acquire() hands out a free buffer (any size, old
  // content; blocks while none is free), the caller fills it and
  // gives it back with WriteOwned, which queues it after anything written
  // before. Both return the first write error seen so far.
  [[nodiscard]] Result<Bytes> Acquire() TZ_EXCLUDES(mu_);
  [[nodiscard]] Status WriteOwned(Bytes buffer) TZ_EXCLUDES(mu_);
  // Flushes the partial buffer, waits for every write and for the flusher;
  // the first error (a failed intermediate fdatasync included).
  [[nodiscard]] Status Finish() TZ_EXCLUDES(mu_);

 private:
  void Run() TZ_EXCLUDES(mu_);
  void RunFlusher() TZ_EXCLUDES(mu_);
  Status Submit() TZ_EXCLUDES(mu_);

  WritableFile* file_;
  const Flush flush_;
  tz::Mutex mu_;
  std::condition_variable_any cv_;
  std::deque<Bytes> queue_ TZ_GUARDED_BY(mu_);  // full buffers waiting to be written
  std::vector<Bytes> free_ TZ_GUARDED_BY(mu_);  // empty buffers
  Bytes current_;  // being filled by the caller (only the caller's thread touches it)
  bool stop_ TZ_GUARDED_BY(mu_) = false;
  bool busy_ TZ_GUARDED_BY(mu_) = false;  // the thread is writing a buffer
  Status error_ TZ_GUARDED_BY(mu_);
  // Flusher state: written ranges not yet handed to the OS.
  uint64_t written_ TZ_GUARDED_BY(mu_) = 0;      // file offset written so far
  uint64_t chunk_start_ TZ_GUARDED_BY(mu_) = 0;  // start of the range being collected
  // [offset, length) ready to flush.
  std::deque<std::pair<uint64_t, uint64_t>> ranges_ TZ_GUARDED_BY(mu_);
  bool flushing_ TZ_GUARDED_BY(mu_) = false;
  std::thread thread_;
  std::thread flusher_;
};

}  // namespace tz::archive
