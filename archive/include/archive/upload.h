// Resumable upload sessions for large documents (BIM models, scans of whole
// volumes): the client declares the SHA-256 and size first, sends parts in
// any order (retrying any of them), may disconnect or see the node restart,
// asks which ranges arrived, and finishes; Finish re-hashes the assembled
// bytes and stores the blob only if they match the declaration.
//
// Part rules: a part is a non-empty byte range [offset, offset+length) inside
// the declared size. A part that overlaps a received part is rejected
// ("upload.part_overlap") unless it is exactly the same range: then it is a
// retry and is accepted if the bytes are identical (nothing is rewritten),
// or rejected with "upload.part_conflict" if they differ. So received parts
// are immutable and a crash during a retry cannot damage them.
//
// A part is acknowledged (PutPart returns OK) only once it is durable.
// Sessions untouched for `ttl` expire: they are removed by ExpireSessions()
// (run at open, and by the caller periodically), and using one gives
// "upload.expired".
//
// Stable reasons:
//   "upload.bad_id"            (kInvalidArgument) not 32 lowercase hex chars
//   "upload.not_found"         (kNotFound)        no such session (or finished)
//   "upload.expired"           (kNotFound)        session expired (now removed)
//   "upload.too_large"         (kResourceExhausted) declared size over the limit
//   "upload.part_empty"        (kInvalidArgument) zero-length part
//   "upload.part_out_of_range" (kInvalidArgument) part ends past the declared size
//   "upload.part_overlap"      (kInvalidArgument) overlaps a different received part
//   "upload.part_conflict"     (kAlreadyExists)   retry of a part with other bytes
//   "upload.part_short"        (kInvalidArgument) body shorter than the length
//   "upload.part_long"         (kInvalidArgument) body longer than the length
//   "upload.incomplete"        (kFailedPrecondition) Finish with ranges missing
//   "upload.digest_mismatch"   (kVerificationFailed) assembled bytes hash to
//                               something else; the session is discarded
//   plus io.* reasons (archive/env.h) for disk failures.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "archive/blob_store.h"
#include "archive/local_store.h"

namespace tz::archive {

// A session id: 128 random bits as 32 lowercase hex characters.
class UploadId {
 public:
  [[nodiscard]] static Result<UploadId> Parse(std::string_view s);  // "upload.bad_id"
  static UploadId Generate();
  const std::string& str() const { return s_; }
  bool operator==(const UploadId&) const = default;

 private:
  std::string s_;
};

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t end() const { return offset + length; }
  bool operator==(const ByteRange&) const = default;
};

struct UploadState {
  UploadId id;
  Digest digest;                    // declared
  uint64_t size = 0;                // declared
  std::vector<ByteRange> received;  // merged, ascending
  uint64_t received_bytes = 0;
  int64_t expires_at = 0;  // Unix seconds, if nothing more arrives
  // The ranges still to send, ascending.
  std::vector<ByteRange> Missing() const;
};

class UploadSessions {
 public:
  virtual ~UploadSessions() = default;
  // Declares an upload. Does not check whether the blob exists already (ask
  // BlobStore::Has first to skip the upload).
  [[nodiscard]] virtual Result<UploadState> Begin(const Digest& digest, uint64_t size) = 0;
  // Stores bytes [offset, offset+length) read from body (exactly `length`
  // bytes; the body must then be at its end). Bounded memory.
  [[nodiscard]] virtual Status PutPart(const UploadId& id, uint64_t offset, uint64_t length,
                                       ByteSource& body) = 0;
  [[nodiscard]] virtual Result<UploadState> Query(const UploadId& id) = 0;
  // Verifies and stores the blob, then removes the session. Finishing a
  // session again after a crash between those two steps returns the blob.
  [[nodiscard]] virtual Result<BlobInfo> Finish(const UploadId& id) = 0;
  // Discards a session. "upload.not_found" if there is none.
  [[nodiscard]] virtual Status Abort(const UploadId& id) = 0;
  // Removes expired sessions; returns how many.
  [[nodiscard]] virtual Result<size_t> ExpireSessions() = 0;

  [[nodiscard]] Status PutPart(const UploadId& id, uint64_t offset, ByteSpan data);
};

struct UploadOptions {
  int64_t ttl_seconds = 24 * 3600;
  uint64_t max_size = uint64_t{1} << 40;  // 1 TiB
};

// Sessions kept in <store root>/uploads/<id>/ (declaration, a sparse data
// file, and the list of received parts), so they survive restarts; Finish
// moves the data file into the store without copying it. Thread-safe and
// multi-process safe (each session is guarded by a flock); parts of one
// session are written one at a time.
class LocalUploadSessions : public UploadSessions {
 public:
  // `store` must outlive this object. Expires stale sessions.
  [[nodiscard]] static Result<std::unique_ptr<LocalUploadSessions>> Open(
      LocalBlobStore* store, const UploadOptions& options = {});

  Result<UploadState> Begin(const Digest& digest, uint64_t size) override;
  Status PutPart(const UploadId& id, uint64_t offset, uint64_t length, ByteSource& body) override;
  using UploadSessions::PutPart;
  Result<UploadState> Query(const UploadId& id) override;
  Result<BlobInfo> Finish(const UploadId& id) override;
  Status Abort(const UploadId& id) override;
  Result<size_t> ExpireSessions() override;

 private:
  struct Session;
  LocalUploadSessions(LocalBlobStore* store, UploadOptions options);
  std::string Dir(const UploadId& id) const;
  Result<Session> Load(const UploadId& id);
  Status SaveParts(const Session& s);
  Status RemoveSession(const UploadId& id);
  Status CheckPart(const Session& s, uint64_t offset, uint64_t length, bool* is_retry) const;
  Status CompareRetry(const UploadId& id, uint64_t offset, uint64_t length, ByteSource& body);

  LocalBlobStore* store_;
  Env* env_;
  UploadOptions options_;
};

}  // namespace tz::archive
