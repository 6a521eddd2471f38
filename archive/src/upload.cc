// LocalUploadSessions: resumable uploads kept on disk beside the store.
//
// uploads/<id>/session  declaration (digest, size, created), written once
// uploads/<id>/parts    received parts, "offset length" per line, rewritten
//                       atomically after each part is durable in data
// uploads/<id>/data     the assembled bytes (sparse until complete)
// uploads/<id>/lock     flock guarding the session
#include "archive/upload.h"

#include <algorithm>
#include <charconv>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "io_error.h"

namespace tz::archive {
namespace {

constexpr size_t kBuffer = 1 << 20;
constexpr std::string_view kMagic = "tiezheng-upload v1";

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

Status NotFound(const UploadId& id) {
  return Status::NotFound("upload.not_found", "no upload session " + id.str());
}

Status BadSession(const std::string& what) {
  return Status::Corruption("upload.bad_session", "damaged upload session: " + what);
}

std::vector<ByteRange> Merge(std::vector<ByteRange> parts) {
  std::sort(parts.begin(), parts.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.offset < b.offset; });
  std::vector<ByteRange> out;
  for (const auto& p : parts) {
    if (!out.empty() && out.back().end() >= p.offset) {
      out.back().length = std::max(out.back().end(), p.end()) - out.back().offset;
    } else {
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace

Result<UploadId> UploadId::Parse(std::string_view s) {
  bool ok = s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
              return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            });
  if (!ok) return Status::Invalid("upload.bad_id", "an upload id is 32 lowercase hex characters");
  UploadId id;
  id.s_ = std::string(s);
  return id;
}

UploadId UploadId::Generate() {
  UploadId id;
  id.s_ = HexEncode(RandomBytes(16));
  return id;
}

std::vector<ByteRange> UploadState::Missing() const {
  std::vector<ByteRange> out;
  uint64_t pos = 0;
  for (const auto& r : received) {
    if (r.offset > pos) out.push_back({pos, r.offset - pos});
    pos = r.end();
  }
  if (pos < size) out.push_back({pos, size - pos});
  return out;
}

Status UploadSessions::PutPart(const UploadId& id, uint64_t offset, ByteSpan data) {
  MemorySource src(data);
  return PutPart(id, offset, data.size(), src);
}

struct LocalUploadSessions::Session {
  UploadId id;
  Digest digest;
  uint64_t size = 0;
  int64_t created = 0;
  int64_t last_activity = 0;
  std::vector<ByteRange> parts;  // as received (not merged)
};

LocalUploadSessions::LocalUploadSessions(LocalBlobStore* store, UploadOptions options)
    : store_(store), env_(store->env()), options_(options) {}

Result<std::unique_ptr<LocalUploadSessions>> LocalUploadSessions::Open(
    LocalBlobStore* store, const UploadOptions& options) {
  std::unique_ptr<LocalUploadSessions> u(new LocalUploadSessions(store, options));
  TZ_RETURN_IF_ERROR(CreateDirs(u->env_, store->UploadsDir()));
  TZ_RETURN_IF_ERROR(u->ExpireSessions().status());
  return u;
}

std::string LocalUploadSessions::Dir(const UploadId& id) const {
  return JoinPath(store_->UploadsDir(), id.str());
}

// Renames the session away first, so that a crash half-way through deleting
// its files leaves a "<id>.dead-…" directory that ExpireSessions removes,
// never a session without its lock or declaration.
Status LocalUploadSessions::RemoveSession(const UploadId& id) {
  std::string dead = Dir(id) + ".dead-" + HexEncode(RandomBytes(4));
  TZ_RETURN_IF_ERROR(env_->RenameFile(Dir(id), dead));
  return RemoveTree(env_, dead);
}

Result<UploadState> LocalUploadSessions::Begin(const Digest& digest, uint64_t size) {
  if (size > options_.max_size) {
    return Status(Code::kResourceExhausted, "upload.too_large",
                  "declared size " + std::to_string(size) + " exceeds the limit of " +
                      std::to_string(options_.max_size) + " bytes");
  }
  UploadId id = UploadId::Generate();
  std::string pending = Dir(id) + ".new";
  TZ_RETURN_IF_ERROR(env_->CreateDir(pending).status());
  int64_t now = env_->NowUnixSeconds();
  std::string decl = std::string(kMagic) + "\ndigest: " + ToHex(digest) +
                     "\nsize: " + std::to_string(size) + "\ncreated: " + std::to_string(now) + "\n";
  Status s = [&]() -> Status {
    TZ_RETURN_IF_ERROR(
        env_->NewWritableFile(JoinPath(pending, "data"), Env::OpenMode::kCreateExclusive).status());
    TZ_RETURN_IF_ERROR(env_->LockFile(JoinPath(pending, "lock"), /*create=*/true).status());
    // Syncs `pending` too, making the data and lock entries durable.
    TZ_RETURN_IF_ERROR(WriteFileAtomic(env_, JoinPath(pending, "session"), AsBytes(decl)));
    TZ_RETURN_IF_ERROR(env_->RenameFile(pending, Dir(id)));
    return env_->SyncDir(store_->UploadsDir());
  }();
  if (!s.ok()) {
    (void)RemoveTree(env_, pending);
    return s;
  }
  UploadState st;
  st.id = id;
  st.digest = digest;
  st.size = size;
  st.expires_at = now + options_.ttl_seconds;
  return st;
}

// Requires the session lock. Removes and reports an expired session.
Result<LocalUploadSessions::Session> LocalUploadSessions::Load(const UploadId& id) {
  std::string dir = Dir(id);
  auto decl = ReadSmallFile(env_, JoinPath(dir, "session"), 4096);
  if (!decl.ok()) return decl.status().code() == Code::kNotFound ? NotFound(id) : decl.status();
  Session s;
  s.id = id;
  // Exactly four lines in a fixed order: we wrote them.
  std::string_view v = *decl;
  std::vector<std::string_view> lines;
  while (!v.empty()) {
    size_t nl = v.find('\n');
    if (nl == std::string_view::npos) return BadSession(id.str() + "/session");
    lines.push_back(v.substr(0, nl));
    v.remove_prefix(nl + 1);
  }
  uint64_t created = 0;
  if (lines.size() != 4 || lines[0] != kMagic || lines[1].substr(0, 8) != "digest: " ||
      lines[2].substr(0, 6) != "size: " || lines[3].substr(0, 9) != "created: " ||
      !ParseU64(lines[2].substr(6), &s.size) || !ParseU64(lines[3].substr(9), &created)) {
    return BadSession(id.str() + "/session");
  }
  auto digest = ParseBlobDigest(lines[1].substr(8));
  if (!digest.ok()) return BadSession(id.str() + "/session");
  s.digest = *digest;
  s.created = static_cast<int64_t>(created);
  s.last_activity = s.created;
  auto parts = ReadSmallFile(env_, JoinPath(dir, "parts"), 64 << 20);
  if (parts.ok()) {
    auto attr = env_->Stat(JoinPath(dir, "parts"));
    if (attr.ok()) s.last_activity = std::max(s.last_activity, attr->mtime);
    std::string_view p = *parts;
    while (!p.empty()) {
      size_t nl = p.find('\n');
      size_t sp = p.find(' ');
      ByteRange r;
      if (nl == std::string_view::npos || sp > nl || !ParseU64(p.substr(0, sp), &r.offset) ||
          !ParseU64(p.substr(sp + 1, nl - sp - 1), &r.length)) {
        return BadSession(id.str() + "/parts");
      }
      s.parts.push_back(r);
      p.remove_prefix(nl + 1);
    }
  } else if (parts.status().code() != Code::kNotFound) {
    return parts.status();
  }
  if (env_->NowUnixSeconds() > s.last_activity + options_.ttl_seconds) {
    (void)RemoveSession(id);
    return Status::NotFound("upload.expired", "upload session " + id.str() + " expired");
  }
  return s;
}

Status LocalUploadSessions::SaveParts(const Session& s) {
  std::string text;
  for (const auto& p : s.parts) {
    text += std::to_string(p.offset) + " " + std::to_string(p.length) + "\n";
  }
  return WriteFileAtomic(env_, JoinPath(Dir(s.id), "parts"), AsBytes(text));
}

Status LocalUploadSessions::CheckPart(const Session& s, uint64_t offset, uint64_t length,
                                      bool* is_retry) const {
  *is_retry = false;
  if (length == 0) return Status::Invalid("upload.part_empty", "a part must not be empty");
  if (offset > s.size || length > s.size - offset) {
    return Status::Invalid("upload.part_out_of_range",
                           "part [" + std::to_string(offset) + ", +" + std::to_string(length) +
                               ") is outside the declared size " + std::to_string(s.size));
  }
  for (const auto& p : s.parts) {
    if (p.offset == offset && p.length == length) {
      *is_retry = true;
      return Status::Ok();
    }
  }
  for (const auto& p : s.parts) {
    if (offset < p.end() && p.offset < offset + length) {
      return Status::Invalid("upload.part_overlap", "part overlaps the received part [" +
                                                        std::to_string(p.offset) + ", +" +
                                                        std::to_string(p.length) + ")");
    }
  }
  return Status::Ok();
}

// A retried part is accepted only if it carries the bytes already stored.
Status LocalUploadSessions::CompareRetry(const UploadId& id, uint64_t offset, uint64_t length,
                                         ByteSource& body) {
  TZ_ASSIGN_OR_RETURN(auto data, env_->NewReadableFile(JoinPath(Dir(id), "data")));
  Bytes a(kBuffer), b(kBuffer);
  uint64_t done = 0;
  bool same = true;
  while (done < length) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kBuffer, length - done));
    TZ_ASSIGN_OR_RETURN(size_t n, body.Read(a.data(), want));
    if (n == 0) return Status::Invalid("upload.part_short", "body ended before the part did");
    size_t got = 0;
    while (got < n) {
      TZ_ASSIGN_OR_RETURN(size_t k, data->ReadAt(offset + done + got, b.data() + got, n - got));
      if (k == 0) return BadSession(id.str() + "/data is short");
      got += k;
    }
    same = same && std::equal(a.begin(), a.begin() + static_cast<ptrdiff_t>(n), b.begin());
    done += n;
  }
  uint8_t extra;
  TZ_ASSIGN_OR_RETURN(size_t more, body.Read(&extra, 1));
  if (more != 0) return Status::Invalid("upload.part_long", "body is longer than the part");
  if (!same) {
    return Status(Code::kAlreadyExists, "upload.part_conflict",
                  "a part with this range was received with different bytes");
  }
  return Status::Ok();
}

Status LocalUploadSessions::PutPart(const UploadId& id, uint64_t offset, uint64_t length,
                                    ByteSource& body) {
  auto lock = env_->LockFile(JoinPath(Dir(id), "lock"), /*create=*/false);
  if (!lock.ok()) return lock.status().code() == Code::kNotFound ? NotFound(id) : lock.status();
  TZ_ASSIGN_OR_RETURN(Session s, Load(id));
  bool is_retry = false;
  TZ_RETURN_IF_ERROR(CheckPart(s, offset, length, &is_retry));
  if (is_retry) return CompareRetry(id, offset, length, body);

  TZ_ASSIGN_OR_RETURN(
      auto data, env_->NewWritableFile(JoinPath(Dir(id), "data"), Env::OpenMode::kOpenOrCreate));
  Bytes buf(kBuffer);
  uint64_t done = 0;
  while (done < length) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kBuffer, length - done));
    TZ_ASSIGN_OR_RETURN(size_t n, body.Read(buf.data(), want));
    if (n == 0) return Status::Invalid("upload.part_short", "body ended before the part did");
    TZ_RETURN_IF_ERROR(data->WriteAt(offset + done, ByteSpan(buf.data(), n)));
    done += n;
  }
  TZ_ASSIGN_OR_RETURN(size_t more, body.Read(buf.data(), 1));
  if (more != 0) return Status::Invalid("upload.part_long", "body is longer than the part");
  // Durable data first, then the record that says it is there.
  TZ_RETURN_IF_ERROR(data->Sync());
  TZ_RETURN_IF_ERROR(data->Close());
  s.parts.push_back({offset, length});
  return SaveParts(s);
}

Result<UploadState> LocalUploadSessions::Query(const UploadId& id) {
  auto lock = env_->LockFile(JoinPath(Dir(id), "lock"), /*create=*/false);
  if (!lock.ok()) return lock.status().code() == Code::kNotFound ? NotFound(id) : lock.status();
  TZ_ASSIGN_OR_RETURN(Session s, Load(id));
  UploadState st;
  st.id = id;
  st.digest = s.digest;
  st.size = s.size;
  st.received = Merge(s.parts);
  for (const auto& r : st.received) st.received_bytes += r.length;
  st.expires_at = s.last_activity + options_.ttl_seconds;
  return st;
}

Result<BlobInfo> LocalUploadSessions::Finish(const UploadId& id) {
  auto lock = env_->LockFile(JoinPath(Dir(id), "lock"), /*create=*/false);
  if (!lock.ok()) return lock.status().code() == Code::kNotFound ? NotFound(id) : lock.status();
  TZ_ASSIGN_OR_RETURN(Session s, Load(id));
  BlobInfo info{s.digest, s.size};
  std::string data_path = JoinPath(Dir(id), "data");
  auto data = env_->NewReadableFile(data_path);
  if (!data.ok() && data.status().code() == Code::kNotFound) {
    // A crash after the data was moved into the store: finish the cleanup.
    TZ_ASSIGN_OR_RETURN(BlobInfo stored, store_->Stat(s.digest));
    if (stored.size != s.size) return BadSession(id.str() + "/data is missing");
    (void)RemoveSession(id);
    return stored;
  }
  if (!data.ok()) return data.status();
  auto merged = Merge(s.parts);
  uint64_t have = 0;
  for (const auto& r : merged) have += r.length;
  if (have != s.size) {
    return Status(Code::kFailedPrecondition, "upload.incomplete",
                  std::to_string(s.size - have) + " of " + std::to_string(s.size) +
                      " bytes not received yet");
  }
  Hasher hasher;
  Bytes buf(kBuffer);
  uint64_t total = 0;
  for (;;) {
    TZ_ASSIGN_OR_RETURN(size_t n, (*data)->Read(buf.data(), buf.size()));
    if (n == 0) break;
    hasher.Update(ByteSpan(buf.data(), n));
    total += n;
  }
  data->reset();
  Digest got = hasher.Finish();
  if (total != s.size || got != s.digest) {
    // Received parts are immutable, so this session can never succeed.
    (void)RemoveSession(id);
    return Status::Verification("upload.digest_mismatch",
                                "uploaded bytes hash to " + ToHex(got) + " (" +
                                    std::to_string(total) + " bytes), declared " + ToHex(s.digest) +
                                    "; session discarded");
  }
  TZ_RETURN_IF_ERROR(store_->PublishVerifiedFile(data_path, info));
  (void)RemoveSession(id);  // if this fails, expiry removes it
  return info;
}

Status LocalUploadSessions::Abort(const UploadId& id) {
  auto lock = env_->LockFile(JoinPath(Dir(id), "lock"), /*create=*/false);
  if (!lock.ok()) return lock.status().code() == Code::kNotFound ? NotFound(id) : lock.status();
  auto attr = env_->Stat(JoinPath(Dir(id), "session"));
  if (!attr.ok()) return attr.status().code() == Code::kNotFound ? NotFound(id) : attr.status();
  return RemoveSession(id);
}

Result<size_t> LocalUploadSessions::ExpireSessions() {
  std::string root = store_->UploadsDir();
  TZ_ASSIGN_OR_RETURN(auto names, env_->ListDir(root));
  size_t removed = 0;
  int64_t now = env_->NowUnixSeconds();
  for (const auto& n : names) {
    auto id = UploadId::Parse(n);
    if (!id.ok()) {
      // A removal cut short ("<id>.dead-…") goes now; a Begin cut short
      // ("<id>.new") or a stray once it is old.
      auto attr = env_->Stat(JoinPath(root, n));
      bool dead = n.find(".dead-") != std::string::npos;
      if (dead ||
          (attr.ok() && now - attr->mtime > std::min<int64_t>(3600, options_.ttl_seconds))) {
        if (RemoveTree(env_, JoinPath(root, n)).ok()) ++removed;
      }
      continue;
    }
    auto lock = env_->TryLockFile(JoinPath(Dir(*id), "lock"));
    if (!lock.ok()) continue;  // busy (alive) or unreadable: leave it
    auto s = Load(*id);        // removes it if expired
    if (!s.ok() && s.status().reason() == "upload.expired") ++removed;
  }
  return removed;
}

}  // namespace tz::archive
