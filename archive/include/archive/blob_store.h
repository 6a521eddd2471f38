// Content-addressed blob storage: the bytes of handover documents, keyed by
// the SHA-256 of the whole content (lowercase hex = `sha256sum` output), so
// that the digest notarized in the ledger is the key that fetches the file.
//
// BlobStore is the interface every backend implements (LocalBlobStore in
// archive/local_store.h; an S3-compatible backend later, see docs/archive.md).
// Callers (the HTTP API, the CLI, replication) use only this interface.
//
// Stable reasons:
//   "digest.bad_format"  (kInvalidArgument) not exactly 64 lowercase hex chars
//   "blob.not_found"     (kNotFound)        no blob with that digest
//   "blob.corrupt"       (kCorruption)      stored bytes do not hash to the key
//   "blob.digest_mismatch", "blob.size_mismatch" (kVerificationFailed)
//                                           Put with an expected digest/size
//   "blob.bad_range"     (kInvalidArgument) range outside the blob
//   "blob.range_too_large" (kResourceExhausted) ReadRange over its limit
//   "blob.writer_closed" (kFailedPrecondition) writer used after Commit/Abort
//   I/O failures carry the "io.*" reasons of archive/env.h ("io.no_space" …).
// Deleting is deliberately not part of the interface: bytes leave only by
// crypto-shredding (archive/household.h) or fsck's quarantine.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/status.h"

namespace tz::archive {

// Parses a blob key strictly: exactly 64 characters [0-9a-f]. Anything else —
// uppercase, "../", "/", NUL, whitespace, wrong length — is
// "digest.bad_format", so a key can never name a path outside the store.
[[nodiscard]] Result<Digest> ParseBlobDigest(std::string_view hex);

struct BlobInfo {
  Digest digest;      // SHA-256 of the content
  uint64_t size = 0;  // bytes
  bool operator==(const BlobInfo&) const = default;
};

// A pull stream of bytes (a file, a request body, a decrypting reader).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n > 0 bytes into buf. Returns 0 only at the end of the
  // stream; a failure is returned as an error (never as a short read).
  [[nodiscard]] virtual Result<size_t> Read(uint8_t* buf, size_t n) = 0;
};

// A ByteSource over memory (tests, small documents).
class MemorySource : public ByteSource {
 public:
  explicit MemorySource(ByteSpan data) : data_(data) {}
  Result<size_t> Read(uint8_t* buf, size_t n) override;

 private:
  ByteSpan data_;
  size_t pos_ = 0;
};

// A push sink of bytes (a file, an HTTP response).
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  [[nodiscard]] virtual Status Write(ByteSpan data) = 0;
};

// Reads one blob in order. Verification happens while reading: the Read that
// reaches the end returns "blob.corrupt" instead of 0 if the bytes read do
// not hash to the digest (or the size changed under us). A caller that must
// not act on unverified bytes buffers them (or writes them to a temp file)
// until Read returns 0.
class BlobReader : public ByteSource {
 public:
  // The size of the stored blob as found when it was opened.
  virtual uint64_t size() const = 0;
};

// Streams one new blob in. Not thread-safe; many writers may run at once.
// Nothing is visible under the digest until Commit() returns OK, and then the
// blob is durable. Destroying an uncommitted writer aborts it.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  [[nodiscard]] virtual Status Append(ByteSpan data) = 0;
  // Appends everything `source` yields. The default reads through a buffer
  // into Append; a backend may read straight into its own write buffers.
  [[nodiscard]] virtual Status AppendAll(ByteSource& source);
  // Hashes, makes durable and publishes. If the content already exists it is
  // stored once (the new copy is discarded). Fails with
  // "blob.digest_mismatch"/"blob.size_mismatch" when PutOptions said what to
  // expect and the content differs; then nothing is stored.
  [[nodiscard]] virtual Result<BlobInfo> Commit() = 0;
  // Discards everything written. Idempotent.
  virtual void Abort() = 0;
};

struct PutOptions {
  // When set, Commit fails (storing nothing) unless the content matches.
  std::optional<Digest> expected_digest;
  std::optional<uint64_t> expected_size;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Starts a streaming put. Memory use is bounded whatever the size.
  [[nodiscard]] virtual Result<std::unique_ptr<BlobWriter>> NewWriter(
      const PutOptions& options = {}) = 0;
  // Opens a blob for a verified sequential read ("blob.not_found").
  [[nodiscard]] virtual Result<std::unique_ptr<BlobReader>> Open(const Digest& digest) = 0;
  // Opens bytes [offset, offset+length) of a blob, clamped to its end.
  // "blob.bad_range" if offset > size. The bytes are verified: no byte of a
  // damaged part leaves ("blob.corrupt" instead). How is the backend's
  // business; LocalBlobStore verifies small blobs whole and large ones by a
  // chunk index made from a fully verified pass (docs/archive.md), so the
  // first range read of a large blob reads all of it once.
  [[nodiscard]] virtual Result<std::unique_ptr<ByteSource>> OpenRange(const Digest& digest,
                                                                      uint64_t offset,
                                                                      uint64_t length) = 0;
  // Whether a blob is stored (without verifying its content).
  [[nodiscard]] virtual Result<bool> Has(const Digest& digest) = 0;
  // Size of a stored blob ("blob.not_found").
  [[nodiscard]] virtual Result<BlobInfo> Stat(const Digest& digest) = 0;
  // Up to `limit` stored digests greater than `start_after`, ascending (the
  // shape of S3 ListObjectsV2 with StartAfter, so paging works on any backend).
  [[nodiscard]] virtual Result<std::vector<Digest>> List(const std::optional<Digest>& start_after,
                                                         size_t limit) = 0;

  // Conveniences built on the above (same contracts and reasons).
  [[nodiscard]] Result<BlobInfo> Put(ByteSource& source, const PutOptions& options = {});
  [[nodiscard]] Result<BlobInfo> Put(ByteSpan data, const PutOptions& options = {});
  // Streams a verified blob into sink; returns "blob.corrupt" after writing
  // everything if verification fails (see BlobReader).
  [[nodiscard]] Status Get(const Digest& digest, ByteSink& sink);
  // Reads a whole blob into memory, verified. For small blobs only:
  // "blob.too_large" (kResourceExhausted) past max_bytes.
  [[nodiscard]] Result<Bytes> ReadAll(const Digest& digest, size_t max_bytes = 64 << 20);
  // Reads a range into memory, verified as OpenRange; length at most 16 MiB
  // ("blob.range_too_large").
  [[nodiscard]] Result<Bytes> ReadRange(const Digest& digest, uint64_t offset, uint64_t length);
  // Re-hashes a stored blob: OK, "blob.corrupt" or "blob.not_found".
  [[nodiscard]] Status Verify(const Digest& digest);
};

// Copies a source into a sink through a fixed-size buffer.
[[nodiscard]] Status Copy(ByteSource& from, ByteSink& to);

}  // namespace tz::archive
