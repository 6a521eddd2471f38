// Helpers over an Env (declared in archive/env.h).
#include "archive/env.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "io_error.h"

namespace tz::archive {
namespace {

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Status WriteFileAtomic(Env* env, const std::string& path, ByteSpan data) {
  std::string tmp = path + ".tmp-" + HexEncode(RandomBytes(8));
  {
    TZ_ASSIGN_OR_RETURN(auto f, env->NewWritableFile(tmp, Env::OpenMode::kCreateExclusive));
    Status s = f->Append(data);
    if (s.ok()) s = f->Sync();
    if (s.ok()) s = f->Close();
    if (!s.ok()) {
      (void)env->RemoveFile(tmp);
      return s;
    }
  }
  Status s = env->RenameFile(tmp, path);
  if (!s.ok()) {
    (void)env->RemoveFile(tmp);
    return s;
  }
  return env->SyncDir(DirName(path));
}

Result<std::string> ReadSmallFile(Env* env, const std::string& path, size_t max_bytes) {
  TZ_ASSIGN_OR_RETURN(auto f, env->NewReadableFile(path));
  std::string out;
  uint8_t buf[8192];
  for (;;) {
    TZ_ASSIGN_OR_RETURN(size_t n, f->Read(buf, sizeof buf));
    if (n == 0) break;
    if (out.size() + n > max_bytes) {
      return Status(Code::kResourceExhausted, "io.too_large", path + " is too large");
    }
    out.append(reinterpret_cast<const char*>(buf), n);
  }
  return out;
}

Status CreateDirs(Env* env, const std::string& path) {
  auto made = env->CreateDir(path);
  if (made.ok()) {
    if (*made) return env->SyncDir(DirName(path));
    return Status::Ok();
  }
  if (made.status().reason() != "io.not_found") return made.status();
  std::string parent = DirName(path);
  if (parent == path) return made.status();
  TZ_RETURN_IF_ERROR(CreateDirs(env, parent));
  TZ_ASSIGN_OR_RETURN(bool created, env->CreateDir(path));
  if (created) return env->SyncDir(parent);
  return Status::Ok();
}

Status RemoveTree(Env* env, const std::string& path) {
  auto attr = env->Stat(path);
  if (!attr.ok()) {
    return attr.status().code() == Code::kNotFound ? Status::Ok() : attr.status();
  }
  if (!attr->is_dir) {
    Status s = env->RemoveFile(path);
    return s.code() == Code::kNotFound ? Status::Ok() : s;
  }
  TZ_ASSIGN_OR_RETURN(auto names, env->ListDir(path));
  for (const auto& n : names) TZ_RETURN_IF_ERROR(RemoveTree(env, JoinPath(path, n)));
  Status s = env->RemoveDir(path);
  return s.code() == Code::kNotFound ? Status::Ok() : s;
}

}  // namespace tz::archive
