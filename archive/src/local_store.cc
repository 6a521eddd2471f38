// LocalBlobStore: opening, temp-file ownership, writes, reads and listing.
// Fsck lives in local_fsck.cc.
#include "archive/local_store.h"

#include <algorithm>

#include "async_writer.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "io_error.h"

namespace tz::archive {
namespace {

constexpr std::string_view kFormat = "tiezheng-archive v1\n";

std::string HexByte(uint8_t b) {
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string{kHex[b >> 4], kHex[b & 15]};
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A verified sequential reader over one blob file.
class LocalBlobReader : public BlobReader {
 public:
  LocalBlobReader(std::unique_ptr<ReadableFile> file, const Digest& digest, uint64_t size)
      : file_(std::move(file)), digest_(digest), size_(size) {}

  uint64_t size() const override { return size_; }

  Result<size_t> Read(uint8_t* buf, size_t n) override {
    if (!failed_.ok()) return failed_;
    if (done_) return size_t{0};
    auto r = file_->Read(buf, n);
    if (!r.ok()) return r.status();
    if (*r > 0) {
      hasher_.Update(ByteSpan(buf, *r));
      read_ += *r;
      return *r;
    }
    if (read_ != size_ || hasher_.Finish() != digest_) {
      failed_ = Status::Corruption("blob.corrupt",
                                   "blob " + ToHex(digest_) + " does not match its digest");
      return failed_;
    }
    done_ = true;
    return size_t{0};
  }

 private:
  std::unique_ptr<ReadableFile> file_;
  Digest digest_;
  uint64_t size_;
  uint64_t read_ = 0;
  Hasher hasher_;
  bool done_ = false;
  Status failed_;
};

class LocalBlobWriter : public BlobWriter {
 public:
  LocalBlobWriter(LocalBlobStore* store, std::string path, std::unique_ptr<WritableFile> file,
                  PutOptions options)
      : store_(store), path_(std::move(path)), file_(std::move(file)), options_(options) {}
  ~LocalBlobWriter() override { Abort(); }

  Status Append(ByteSpan data) override {
    if (file_ == nullptr) return Closed();
    hasher_.Update(data);
    // Small blobs are written inline; past kInlineBytes the writes move to a
    // background thread so hashing and writing overlap.
    if (async_ == nullptr && size_ + data.size() > kInlineBytes) {
      AsyncWriter::Flush flush{store_->options().writeback_chunk, store_->options().sync_every};
      async_ = std::make_unique<AsyncWriter>(file_.get(), size_, flush);
    }
    Status s = async_ != nullptr ? async_->Write(data) : file_->Append(data);
    if (!s.ok()) {
      Abort();
      return s;
    }
    size_ += data.size();
    return Status::Ok();
  }

  // Once the background writer runs, reads straight into its buffers: the
  // bytes are copied once (source -> buffer), hashed there, and written.
  Status AppendAll(ByteSource& source) override {
    if (file_ == nullptr) return Closed();
    Bytes small;
    while (async_ == nullptr) {
      if (small.empty()) small.resize(AsyncWriter::kBufferSize);
      auto n = source.Read(small.data(), small.size());
      if (!n.ok()) return Fail(n.status());
      if (*n == 0) return Status::Ok();
      TZ_RETURN_IF_ERROR(Append(ByteSpan(small.data(), *n)));
    }
    for (bool eof = false; !eof;) {
      auto buf = async_->Acquire();
      if (!buf.ok()) return Fail(buf.status());
      Bytes b = std::move(*buf);
      b.resize(AsyncWriter::kBufferSize);
      size_t filled = 0;
      while (filled < b.size()) {
        auto n = source.Read(b.data() + filled, b.size() - filled);
        if (!n.ok()) return Fail(n.status());
        if (*n == 0) {
          eof = true;
          break;
        }
        filled += *n;
      }
      if (filled == 0) break;
      b.resize(filled);
      hasher_.Update(b);
      size_ += filled;
      Status s = async_->WriteOwned(std::move(b));
      if (!s.ok()) return Fail(s);
    }
    return Status::Ok();
  }

  Result<BlobInfo> Commit() override {
    if (file_ == nullptr) return Closed();
    BlobInfo info{hasher_.Finish(), size_};
    if (options_.expected_size && *options_.expected_size != info.size) {
      Abort();
      return Status::Verification("blob.size_mismatch",
                                  "content has " + std::to_string(info.size) + " bytes, expected " +
                                      std::to_string(*options_.expected_size));
    }
    if (options_.expected_digest && *options_.expected_digest != info.digest) {
      Abort();
      return Status::Verification("blob.digest_mismatch", "content hashes to " +
                                                              ToHex(info.digest) + ", expected " +
                                                              ToHex(*options_.expected_digest));
    }
    Status s = async_ != nullptr ? async_->Finish() : Status::Ok();
    async_.reset();
    if (s.ok()) s = file_->Sync();
    if (s.ok()) s = file_->Close();
    if (s.ok()) s = store_->PublishVerifiedFile(path_, info);
    if (!s.ok()) {
      Abort();
      return s;
    }
    file_.reset();
    return info;
  }

  void Abort() override {
    if (file_ == nullptr) return;
    async_.reset();
    (void)file_->Close();
    file_.reset();
    (void)store_->env()->RemoveFile(path_);
  }

 private:
  Status Fail(Status s) {
    Abort();
    return s;
  }

  static Status Closed() {
    return Status(Code::kFailedPrecondition, "blob.writer_closed",
                  "writer already committed, aborted or failed");
  }

  static constexpr uint64_t kInlineBytes = 4 << 20;

  LocalBlobStore* store_;
  std::string path_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<AsyncWriter> async_;  // after file_: destroyed first
  PutOptions options_;
  Hasher hasher_;
  uint64_t size_ = 0;
};

}  // namespace

LocalBlobStore::LocalBlobStore(Env* env, std::string root, LocalStoreOptions options)
    : env_(env),
      root_(std::move(root)),
      options_(options),
      owner_(HexEncode(RandomBytes(8))),
      fanout_known_(256 + 65536, false) {}

LocalBlobStore::~LocalBlobStore() {
  if (owner_lock_ != nullptr) {
    (void)env_->RemoveFile(JoinPath(root_, "tmp/" + owner_ + ".owner"));
    owner_lock_.reset();
  }
}

Result<std::unique_ptr<LocalBlobStore>> LocalBlobStore::Open(Env* env, const std::string& root,
                                                             const LocalStoreOptions& options) {
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  std::unique_ptr<LocalBlobStore> store(new LocalBlobStore(env, r, options));
  TZ_RETURN_IF_ERROR(store->Init());
  return store;
}

Status LocalBlobStore::Init() {
  std::string format_path = JoinPath(root_, "FORMAT");
  auto format = ReadSmallFile(env_, format_path, 4096);
  if (!format.ok()) {
    if (format.status().code() != Code::kNotFound) return format.status();
    auto attr = env_->Stat(root_);
    if (!options_.create_if_missing) {
      return Status::NotFound("store.not_found", "no archive at " + root_);
    }
    // A directory holding anything but our own layout (a creation cut short
    // by a crash) is somebody else's: refuse it rather than mix in.
    if (attr.ok()) {
      TZ_ASSIGN_OR_RETURN(auto names, env_->ListDir(root_));
      for (const auto& n : names) {
        if (n != "blobs" && n != "tmp" && n != "uploads" && n != "quarantine" &&
            n != "households" && n != "chunks" && !StartsWith(n, "FORMAT.tmp-")) {
          return Status(Code::kFailedPrecondition, "store.bad_format",
                        root_ + " is not empty and is not an archive");
        }
      }
    }
    TZ_RETURN_IF_ERROR(CreateDirs(env_, root_));
    for (const char* d : {"blobs", "tmp", "uploads", "quarantine", "households"}) {
      TZ_RETURN_IF_ERROR(CreateDirs(env_, JoinPath(root_, d)));
    }
    TZ_RETURN_IF_ERROR(WriteFileAtomic(env_, format_path, AsBytes(kFormat)));
  } else if (*format != kFormat) {
    return Status(Code::kFailedPrecondition, "store.bad_format",
                  root_ + "/FORMAT is not \"tiezheng-archive v1\"");
  }
  // Claim an owner token: lock it under a name the cleaner ignores, then
  // publish it by rename, so no cleaner can see it unlocked.
  std::string pending = JoinPath(root_, "tmp/" + owner_ + ".new");
  std::string owner = JoinPath(root_, "tmp/" + owner_ + ".owner");
  TZ_ASSIGN_OR_RETURN(owner_lock_, env_->LockFile(pending, /*create=*/true));
  TZ_RETURN_IF_ERROR(env_->RenameFile(pending, owner));
  return CleanTemp();
}

// Removes temp files whose owner is gone: an owner file we can lock belongs
// to a dead process (flocks die with their process); temp files without any
// owner file are leftovers of a crash during cleanup. ".new" files are only
// unlocked for an instant while being created, so they go after an hour.
Status LocalBlobStore::CleanTemp() {
  std::string dir = JoinPath(root_, "tmp");
  TZ_ASSIGN_OR_RETURN(auto names, env_->ListDir(dir));
  std::sort(names.begin(), names.end());
  std::vector<std::string> live;  // owner tokens that are locked by someone
  for (const auto& n : names) {
    size_t dot = n.find('.');
    if (dot == std::string::npos || n.substr(dot) != ".owner") continue;
    std::string token = n.substr(0, dot);
    if (token == owner_) {
      live.push_back(token);
      continue;
    }
    auto lock = env_->TryLockFile(JoinPath(dir, n));
    if (!lock.ok()) {  // locked by a live owner, or unknown: leave it alone
      live.push_back(token);
      continue;
    }
    for (const auto& m : names) {
      if (StartsWith(m, token + ".") && m != n) (void)env_->RemoveFile(JoinPath(dir, m));
    }
    (void)env_->RemoveFile(JoinPath(dir, n));
  }
  int64_t now = env_->NowUnixSeconds();
  for (const auto& n : names) {
    size_t dot = n.find('.');
    std::string token = n.substr(0, dot);
    if (std::find(live.begin(), live.end(), token) != live.end()) continue;
    if (dot != std::string::npos && (n.substr(dot) == ".owner")) continue;
    if (dot != std::string::npos && n.substr(dot) == ".new") {
      auto attr = env_->Stat(JoinPath(dir, n));
      if (!attr.ok() || now - attr->mtime < 3600) continue;
    }
    (void)env_->RemoveFile(JoinPath(dir, n));
  }
  return Status::Ok();
}

std::string LocalBlobStore::BlobPath(const Digest& digest) const {
  std::string hex = ToHex(digest);
  return root_ + "/blobs/" + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex;
}

std::string LocalBlobStore::UploadsDir() const { return JoinPath(root_, "uploads"); }
std::string LocalBlobStore::HouseholdsDir() const { return JoinPath(root_, "households"); }

std::string LocalBlobStore::NewTempPath() {
  tz::MutexLock lock(mu_);
  return root_ + "/tmp/" + owner_ + "." + std::to_string(next_temp_++);
}

// With sync false (Batch) the directories are created but not synced and not
// remembered: the batch's syncfs makes them durable.
Status LocalBlobStore::EnsureFanoutDirs(const Digest& digest, bool sync) {
  size_t l1 = digest.data()[0];
  size_t l2 = 256 + (l1 << 8 | digest.data()[1]);
  {
    tz::MutexLock lock(mu_);
    if (fanout_known_[l2]) return Status::Ok();
  }
  std::string blobs = JoinPath(root_, "blobs");
  std::string d1 = JoinPath(blobs, HexByte(digest.data()[0]));
  std::string d2 = JoinPath(d1, HexByte(digest.data()[1]));
  TZ_ASSIGN_OR_RETURN(bool made1, env_->CreateDir(d1));
  if (!sync) return env_->CreateDir(d2).status();
  if (made1) TZ_RETURN_IF_ERROR(env_->SyncDir(blobs));
  TZ_ASSIGN_OR_RETURN(bool made2, env_->CreateDir(d2));
  if (made2) TZ_RETURN_IF_ERROR(env_->SyncDir(d1));
  if (!made1 && !made2) {
    // Another writer may have created them without having synced the parent
    // yet; sync so that our blob cannot outlive a directory entry.
    TZ_RETURN_IF_ERROR(env_->SyncDir(d1));
    TZ_RETURN_IF_ERROR(env_->SyncDir(blobs));
  }
  tz::MutexLock lock(mu_);
  fanout_known_[l1] = true;
  fanout_known_[l2] = true;
  return Status::Ok();
}

Status LocalBlobStore::PublishVerifiedFile(const std::string& path, const BlobInfo& info,
                                           bool sync_dirs) {
  TZ_RETURN_IF_ERROR(EnsureFanoutDirs(info.digest, sync_dirs));
  std::string dest = BlobPath(info.digest);
  std::string dir = dest.substr(0, dest.size() - 65);
  auto existing = env_->Stat(dest);
  if (existing.ok() && existing->size == info.size) {
    // Already stored: keep the existing file (another writer may hold it
    // open) and make sure its directory entry is durable before we ack.
    (void)env_->RemoveFile(path);
    return sync_dirs ? env_->SyncDir(dir) : Status::Ok();
  }
  // Absent, or present with the wrong size (damaged): the verified copy
  // replaces it atomically.
  TZ_RETURN_IF_ERROR(env_->RenameFile(path, dest));
  return sync_dirs ? env_->SyncDir(dir) : Status::Ok();
}

Result<std::unique_ptr<BlobWriter>> LocalBlobStore::NewWriter(const PutOptions& options) {
  std::string path = NewTempPath();
  TZ_ASSIGN_OR_RETURN(auto file, env_->NewWritableFile(path, Env::OpenMode::kCreateExclusive));
  return std::unique_ptr<BlobWriter>(
      new LocalBlobWriter(this, std::move(path), std::move(file), options));
}

Status BlobNotFound(const Digest& digest) {
  return Status::NotFound("blob.not_found", "no blob " + ToHex(digest));
}

Result<std::unique_ptr<BlobReader>> LocalBlobStore::Open(const Digest& digest) {
  auto file = env_->NewReadableFile(BlobPath(digest));
  if (!file.ok()) {
    return file.status().code() == Code::kNotFound ? BlobNotFound(digest) : file.status();
  }
  TZ_ASSIGN_OR_RETURN(uint64_t size, (*file)->Size());
  return std::unique_ptr<BlobReader>(new LocalBlobReader(std::move(*file), digest, size));
}

Result<bool> LocalBlobStore::Has(const Digest& digest) {
  auto attr = env_->Stat(BlobPath(digest));
  if (attr.ok()) return true;
  if (attr.status().code() == Code::kNotFound) return false;
  return attr.status();
}

Result<BlobInfo> LocalBlobStore::Stat(const Digest& digest) {
  auto attr = env_->Stat(BlobPath(digest));
  if (!attr.ok()) {
    return attr.status().code() == Code::kNotFound ? BlobNotFound(digest) : attr.status();
  }
  return BlobInfo{digest, attr->size};
}

Result<std::vector<Digest>> LocalBlobStore::List(const std::optional<Digest>& start_after,
                                                 size_t limit) {
  std::vector<Digest> out;
  TZ_RETURN_IF_ERROR(ListInto(start_after, limit, &out));
  return out;
}

// Walks blobs/ in ascending order, skipping whole fan-out directories that
// sort before start_after. Names that are not valid digests in the right
// place are ignored here (Fsck reports them).
Status LocalBlobStore::ListInto(const std::optional<Digest>& start_after, size_t limit,
                                std::vector<Digest>* out) {
  std::string after = start_after ? ToHex(*start_after) : std::string();
  std::string blobs = JoinPath(root_, "blobs");
  auto sorted = [&](const std::string& dir) -> Result<std::vector<std::string>> {
    TZ_ASSIGN_OR_RETURN(auto names, env_->ListDir(dir));
    std::sort(names.begin(), names.end());
    return names;
  };
  TZ_ASSIGN_OR_RETURN(auto level1, sorted(blobs));
  for (const auto& a : level1) {
    if (out->size() >= limit) break;
    if (a.size() != 2 || (!after.empty() && a < after.substr(0, 2))) continue;
    auto level2 = sorted(JoinPath(blobs, a));
    if (!level2.ok()) continue;
    for (const auto& b : *level2) {
      if (out->size() >= limit) break;
      if (b.size() != 2 || (!after.empty() && a + b < after.substr(0, 4))) continue;
      auto files = sorted(blobs + "/" + a + "/" + b);
      if (!files.ok()) continue;
      for (const auto& f : *files) {
        if (out->size() >= limit) break;
        if (f.substr(0, 4) != a + b || (!after.empty() && f <= after)) continue;
        auto d = ParseBlobDigest(f);
        if (d.ok()) out->push_back(*d);
      }
    }
  }
  return Status::Ok();
}

}  // namespace tz::archive
