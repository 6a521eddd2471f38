// LocalBlobStore::Batch: group commit of many blobs.
#include "archive/local_store.h"
#include "io_error.h"

namespace tz::archive {

LocalBlobStore::Batch::~Batch() {
  for (const auto& p : pending_) (void)store_->env()->RemoveFile(p.temp);
}

Result<BlobInfo> LocalBlobStore::Batch::Add(ByteSource& source, const PutOptions& options) {
  Env* env = store_->env();
  std::string temp = store_->NewTempPath();
  TZ_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(temp, Env::OpenMode::kCreateExclusive));
  Hasher hasher;
  Bytes buf(1 << 20);
  uint64_t size = 0;
  Status s = [&]() -> Status {
    for (;;) {
      TZ_ASSIGN_OR_RETURN(size_t n, source.Read(buf.data(), buf.size()));
      if (n == 0) break;
      hasher.Update(ByteSpan(buf.data(), n));
      TZ_RETURN_IF_ERROR(file->Append(ByteSpan(buf.data(), n)));
      size += n;
    }
    return file->Close();
  }();
  BlobInfo info{hasher.Finish(), size};
  if (s.ok() && options.expected_size && *options.expected_size != size) {
    s = Status::Verification("blob.size_mismatch", "content has " + std::to_string(size) +
                                                       " bytes, expected " +
                                                       std::to_string(*options.expected_size));
  }
  if (s.ok() && options.expected_digest && *options.expected_digest != info.digest) {
    s = Status::Verification("blob.digest_mismatch", "content hashes to " + ToHex(info.digest) +
                                                         ", expected " +
                                                         ToHex(*options.expected_digest));
  }
  if (!s.ok()) {
    (void)env->RemoveFile(temp);
    return s;
  }
  pending_.push_back({std::move(temp), info});
  return info;
}

// Durable data first (syncfs), then the renames, then durable renames.
Status LocalBlobStore::Batch::Commit() {
  if (pending_.empty()) return Status::Ok();
  Env* env = store_->env();
  TZ_RETURN_IF_ERROR(env->SyncFileSystem(store_->root()));
  while (!pending_.empty()) {
    const Pending& p = pending_.back();
    TZ_RETURN_IF_ERROR(store_->PublishVerifiedFile(p.temp, p.info, /*sync_dirs=*/false));
    pending_.pop_back();
  }
  return env->SyncFileSystem(store_->root());
}

}  // namespace tz::archive
