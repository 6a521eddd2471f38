// The non-virtual conveniences of BlobStore, shared by every backend.
#include "archive/blob_store.h"

#include <algorithm>
#include <cstring>

namespace tz::archive {
namespace {

constexpr size_t kCopyBuffer = 1 << 20;
constexpr uint64_t kMaxRangeRead = 16 << 20;

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

class MemorySink : public ByteSink {
 public:
  MemorySink(Bytes* out, size_t max) : out_(out), max_(max) {}
  Status Write(ByteSpan data) override {
    if (out_->size() + data.size() > max_) {
      return Status(Code::kResourceExhausted, "blob.too_large", "blob exceeds the read limit");
    }
    out_->insert(out_->end(), data.begin(), data.end());
    return Status::Ok();
  }

 private:
  Bytes* out_;
  size_t max_;
};

class DiscardSink : public ByteSink {
 public:
  Status Write(ByteSpan) override { return Status::Ok(); }
};

}  // namespace

Result<Digest> ParseBlobDigest(std::string_view hex) {
  if (hex.size() != 64 || !std::all_of(hex.begin(), hex.end(), IsLowerHex)) {
    return Status::Invalid("digest.bad_format",
                           "a blob digest is exactly 64 lowercase hex characters");
  }
  return DigestFromHex(hex);
}

Result<size_t> MemorySource::Read(uint8_t* buf, size_t n) {
  size_t k = std::min(n, data_.size() - pos_);
  if (k > 0) std::memcpy(buf, data_.data() + pos_, k);
  pos_ += k;
  return k;
}

Status Copy(ByteSource& from, ByteSink& to) {
  Bytes buf(kCopyBuffer);
  for (;;) {
    TZ_ASSIGN_OR_RETURN(size_t n, from.Read(buf.data(), buf.size()));
    if (n == 0) return Status::Ok();
    TZ_RETURN_IF_ERROR(to.Write(ByteSpan(buf.data(), n)));
  }
}

Status BlobWriter::AppendAll(ByteSource& source) {
  Bytes buf(kCopyBuffer);
  for (;;) {
    TZ_ASSIGN_OR_RETURN(size_t n, source.Read(buf.data(), buf.size()));
    if (n == 0) return Status::Ok();
    TZ_RETURN_IF_ERROR(Append(ByteSpan(buf.data(), n)));
  }
}

Result<BlobInfo> BlobStore::Put(ByteSource& source, const PutOptions& options) {
  TZ_ASSIGN_OR_RETURN(auto writer, NewWriter(options));
  TZ_RETURN_IF_ERROR(writer->AppendAll(source));
  return writer->Commit();
}

Result<BlobInfo> BlobStore::Put(ByteSpan data, const PutOptions& options) {
  TZ_ASSIGN_OR_RETURN(auto writer, NewWriter(options));
  TZ_RETURN_IF_ERROR(writer->Append(data));
  return writer->Commit();
}

Status BlobStore::Get(const Digest& digest, ByteSink& sink) {
  TZ_ASSIGN_OR_RETURN(auto reader, Open(digest));
  return Copy(*reader, sink);
}

Result<Bytes> BlobStore::ReadAll(const Digest& digest, size_t max_bytes) {
  Bytes out;
  MemorySink sink(&out, max_bytes);
  TZ_RETURN_IF_ERROR(Get(digest, sink));
  return out;
}

Result<Bytes> BlobStore::ReadRange(const Digest& digest, uint64_t offset, uint64_t length) {
  if (length > kMaxRangeRead) {
    return Status(Code::kResourceExhausted, "blob.range_too_large",
                  "ReadRange is limited to 16 MiB; use OpenRange to stream");
  }
  TZ_ASSIGN_OR_RETURN(auto src, OpenRange(digest, offset, length));
  Bytes out;
  MemorySink sink(&out, static_cast<size_t>(length));
  TZ_RETURN_IF_ERROR(Copy(*src, sink));
  return out;
}

Status BlobStore::Verify(const Digest& digest) {
  DiscardSink sink;
  return Get(digest, sink);
}

}  // namespace tz::archive
