// Verified range reads for LocalBlobStore.
//
// A blob's key is the SHA-256 of all of it, which a range read cannot check
// without reading everything. So a range of a large blob is checked against
// a chunk index: the SHA-256 of every 1 MiB chunk, stored under chunks/ and
// made only by a pass that also hashed the whole blob and found its key (the
// first range read of the blob, or fsck). A range read hashes each chunk it
// covers and hands out no byte of a chunk that does not match
// ("blob.corrupt"). Blobs up to kWholeBelow are simply read and verified
// whole. The index is derived data: a missing or damaged one (its own
// trailer hash fails) is rebuilt from a fully verified pass.
//
// What this protects: any change to the blob's bytes on disk (bit rot, a
// truncated or overwritten file) is caught on the chunks a range touches.
// It trusts the index this node wrote after a full verification; someone
// able to rewrite both the blob and its index consistently is caught only by
// full reads (Open/Get, fsck, `tiezheng verify`), which trust nothing.
#include <algorithm>
#include <cstring>

#include "archive/local_store.h"
#include "crypto/encoding.h"
#include "io_error.h"

namespace tz::archive {
namespace {

constexpr uint64_t kChunk = 1 << 20;
constexpr uint64_t kWholeBelow = 4 << 20;
constexpr std::string_view kIndexMagic = "tiezheng-chunks v1\n";

void PutU64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t GetU64(std::string_view s) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<uint8_t>(s[i]);
  return v;
}

struct ChunkIndex {
  uint64_t size = 0;
  std::vector<Digest> chunks;  // ceil(size / kChunk) digests
};

uint64_t ChunkCount(uint64_t size) { return (size + kChunk - 1) / kChunk; }

// magic | u64 size | u64 chunk size | digests | SHA-256(blob digest | all before)
std::string EncodeIndex(const Digest& blob, const ChunkIndex& index) {
  std::string out(kIndexMagic);
  PutU64(&out, index.size);
  PutU64(&out, kChunk);
  for (const Digest& d : index.chunks) out.append(reinterpret_cast<const char*>(d.data()), 32);
  Digest trailer = HashParts(HashAlgorithm::kSha256, {blob.span(), AsBytes(out)});
  out.append(reinterpret_cast<const char*>(trailer.data()), 32);
  return out;
}

std::optional<ChunkIndex> DecodeIndex(const Digest& blob, std::string_view in, uint64_t size) {
  size_t head = kIndexMagic.size() + 16;
  if (in.size() < head + 32 || in.substr(0, kIndexMagic.size()) != kIndexMagic) return {};
  std::string_view body = in.substr(0, in.size() - 32);
  Digest trailer = HashParts(HashAlgorithm::kSha256, {blob.span(), AsBytes(body)});
  if (std::memcmp(trailer.data(), in.data() + body.size(), 32) != 0) return {};
  ChunkIndex index;
  index.size = GetU64(in.substr(kIndexMagic.size()));
  if (index.size != size || GetU64(in.substr(kIndexMagic.size() + 8)) != kChunk) return {};
  uint64_t n = ChunkCount(size);
  if (body.size() != head + n * 32) return {};
  index.chunks.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    (void)Digest::FromSpan(AsBytes(body.substr(head + i * 32, 32)), &index.chunks[i]);
  }
  return index;
}

Status Corrupt(const Digest& digest, const std::string& what) {
  return Status::Corruption("blob.corrupt", "blob " + ToHex(digest) + " " + what);
}

// Reads [pos, end) of the file into buf (exactly), or fails.
Status ReadExactly(ReadableFile* file, uint64_t pos, uint8_t* buf, size_t n, const Digest& digest) {
  while (n > 0) {
    TZ_ASSIGN_OR_RETURN(size_t got, file->ReadAt(pos, buf, n));
    if (got == 0) return Corrupt(digest, "is shorter than its size");
    pos += got;
    buf += got;
    n -= got;
  }
  return Status::Ok();
}

// Hashes the whole blob and every chunk in one pass; "blob.corrupt" unless
// the whole matches the key.
Result<ChunkIndex> BuildIndex(ReadableFile* file, const Digest& digest, uint64_t size) {
  ChunkIndex index;
  index.size = size;
  Bytes buf(kChunk);
  Hasher whole;
  for (uint64_t pos = 0; pos < size; pos += kChunk) {
    size_t n = static_cast<size_t>(std::min(kChunk, size - pos));
    TZ_RETURN_IF_ERROR(ReadExactly(file, pos, buf.data(), n, digest));
    ByteSpan chunk(buf.data(), n);
    whole.Update(chunk);
    index.chunks.push_back(Sha256(chunk));
  }
  if (whole.Finish() != digest) return Corrupt(digest, "does not match its digest");
  return index;
}

// Serves [pos, end) chunk by chunk, each verified before any of its bytes
// leave. With `index` empty, the single buffered chunk is the whole
// (already verified) blob.
class VerifiedRangeSource : public ByteSource {
 public:
  VerifiedRangeSource(std::unique_ptr<ReadableFile> file, const Digest& digest,
                      std::optional<ChunkIndex> index, uint64_t pos, uint64_t end)
      : file_(std::move(file)), digest_(digest), index_(std::move(index)), pos_(pos), end_(end) {}

  // For small blobs: the whole verified content.
  void SetWhole(Bytes whole) {
    buf_ = std::move(whole);
    buf_start_ = 0;
    have_ = true;
  }

  Result<size_t> Read(uint8_t* out, size_t n) override {
    if (!failed_.ok()) return failed_;
    if (pos_ >= end_) return size_t{0};
    if (!have_ || pos_ < buf_start_ || pos_ >= buf_start_ + buf_.size()) {
      Status s = LoadChunk(pos_ / kChunk);
      if (!s.ok()) {
        failed_ = s;
        return s;
      }
    }
    uint64_t avail = std::min<uint64_t>(end_, buf_start_ + buf_.size()) - pos_;
    size_t k = static_cast<size_t>(std::min<uint64_t>(n, avail));
    std::memcpy(out, buf_.data() + (pos_ - buf_start_), k);
    pos_ += k;
    return k;
  }

 private:
  Status LoadChunk(uint64_t i) {
    if (!index_ || i >= index_->chunks.size()) {
      return Status::Internal("blob.internal", "range outside the chunk index");
    }
    uint64_t start = i * kChunk;
    size_t n = static_cast<size_t>(std::min(kChunk, index_->size - start));
    buf_.resize(n);
    TZ_RETURN_IF_ERROR(ReadExactly(file_.get(), start, buf_.data(), n, digest_));
    if (Sha256(ByteSpan(buf_.data(), n)) != index_->chunks[i]) {
      have_ = false;
      return Corrupt(digest_, "chunk " + std::to_string(i) + " (bytes " + std::to_string(start) +
                                  "-" + std::to_string(start + n - 1) +
                                  ") does not match its recorded hash");
    }
    buf_start_ = start;
    have_ = true;
    return Status::Ok();
  }

  std::unique_ptr<ReadableFile> file_;
  Digest digest_;
  std::optional<ChunkIndex> index_;
  uint64_t pos_, end_;
  Bytes buf_;
  uint64_t buf_start_ = 0;
  bool have_ = false;
  Status failed_;
};

}  // namespace

std::string LocalBlobStore::ChunkIndexPath(const Digest& digest) const {
  std::string hex = ToHex(digest);
  return root_ + "/chunks/" + hex.substr(0, 2) + "/" + hex;
}

Result<std::unique_ptr<ByteSource>> LocalBlobStore::OpenRange(const Digest& digest, uint64_t offset,
                                                              uint64_t length) {
  auto file = env_->NewReadableFile(BlobPath(digest));
  if (!file.ok()) {
    return file.status().code() == Code::kNotFound ? BlobNotFound(digest) : file.status();
  }
  TZ_ASSIGN_OR_RETURN(uint64_t size, (*file)->Size());
  if (offset > size) {
    return Status::Invalid("blob.bad_range", "offset " + std::to_string(offset) +
                                                 " is past the end (" + std::to_string(size) +
                                                 " bytes)");
  }
  uint64_t end = offset + std::min(length, size - offset);
  if (size <= kWholeBelow) {
    Bytes whole(size);
    TZ_RETURN_IF_ERROR(ReadExactly(file->get(), 0, whole.data(), whole.size(), digest));
    if (Sha256(whole) != digest) return Corrupt(digest, "does not match its digest");
    auto src = std::make_unique<VerifiedRangeSource>(nullptr, digest, std::nullopt, offset, end);
    src->SetWhole(std::move(whole));
    return std::unique_ptr<ByteSource>(std::move(src));
  }
  std::string path = ChunkIndexPath(digest);
  std::optional<ChunkIndex> index;
  auto stored = ReadSmallFile(env_, path, kIndexMagic.size() + 48 + ChunkCount(size) * 32);
  if (stored.ok()) index = DecodeIndex(digest, *stored, size);
  if (!index) {
    TZ_ASSIGN_OR_RETURN(ChunkIndex built, BuildIndex(file->get(), digest, size));
    // Derived data: a failure to save it only costs a rebuild next time.
    Status made = CreateDirs(env_, path.substr(0, path.rfind('/')));
    if (made.ok()) (void)WriteFileAtomic(env_, path, AsBytes(EncodeIndex(digest, built)));
    index = std::move(built);
  }
  return std::unique_ptr<ByteSource>(
      new VerifiedRangeSource(std::move(*file), digest, std::move(index), offset, end));
}

}  // namespace tz::archive
