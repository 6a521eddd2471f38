// Env::Default(): the POSIX file system.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "archive/env.h"
#include "io_error.h"

namespace tz::archive {
namespace {

// Retries a syscall interrupted by a signal.
template <typename F>
auto Retry(F f) {
  decltype(f()) r;
  do {
    r = f();
  } while (r < 0 && errno == EINTR);
  return r;
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(ByteSpan data) override {
    const uint8_t* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = Retry([&] { return ::write(fd_, p, left); });
      if (n < 0) return ErrnoStatus("io.write", "write " + path_, errno);
      p += n;
      left -= static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  Status WriteAt(uint64_t offset, ByteSpan data) override {
    const uint8_t* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = Retry([&] { return ::pwrite(fd_, p, left, static_cast<off_t>(offset)); });
      if (n < 0) return ErrnoStatus("io.write", "pwrite " + path_, errno);
      p += n;
      offset += static_cast<uint64_t>(n);
      left -= static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  void StartWriteback(uint64_t offset, uint64_t length) override {
    (void)::sync_file_range(fd_, static_cast<off64_t>(offset), static_cast<off64_t>(length),
                            SYNC_FILE_RANGE_WRITE);
  }

  Status Sync() override {
    if (Retry([&] { return ::fdatasync(fd_); }) < 0) {
      return ErrnoStatus("io.sync", "fdatasync " + path_, errno);
    }
    return Status::Ok();
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    int r = ::close(fd_);
    fd_ = -1;
    if (r < 0 && errno != EINTR) return ErrnoStatus("io.write", "close " + path_, errno);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixReadableFile : public ReadableFile {
 public:
  PosixReadableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixReadableFile() override { ::close(fd_); }

  Result<size_t> Read(uint8_t* buf, size_t n) override {
    ssize_t r = Retry([&] { return ::read(fd_, buf, n); });
    if (r < 0) return ErrnoStatus("io.read", "read " + path_, errno);
    return static_cast<size_t>(r);
  }
  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) override {
    ssize_t r = Retry([&] { return ::pread(fd_, buf, n, static_cast<off_t>(offset)); });
    if (r < 0) return ErrnoStatus("io.read", "pread " + path_, errno);
    return static_cast<size_t>(r);
  }
  Result<uint64_t> Size() override {
    struct stat st;
    if (::fstat(fd_, &st) < 0) return ErrnoStatus("io.stat", "fstat " + path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  std::string path_;
  int fd_;
};

class PosixFileLock : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // closing releases the flock

 private:
  int fd_;
};

class PosixEnv : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        OpenMode mode) override {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
    if (mode == OpenMode::kCreateExclusive) flags |= O_EXCL;
    int fd = Retry([&] { return ::open(path.c_str(), flags, 0644); });
    if (fd < 0) return ErrnoStatus("io.open", "create " + path, errno);
    if (mode == OpenMode::kOpenOrCreate && ::lseek(fd, 0, SEEK_END) < 0) {
      int e = errno;
      ::close(fd);
      return ErrnoStatus("io.open", "seek " + path, e);
    }
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }

  Result<std::unique_ptr<ReadableFile>> NewReadableFile(const std::string& path) override {
    int fd = Retry([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) return ErrnoStatus("io.open", "open " + path, errno);
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return std::unique_ptr<ReadableFile>(new PosixReadableFile(path, fd));
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) < 0) {
      return ErrnoStatus("io.rename", "rename " + from + " -> " + to, errno);
    }
    return Status::Ok();
  }

  Status LinkFile(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) < 0) {
      return ErrnoStatus("io.link", "link " + from + " -> " + to, errno);
    }
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) < 0) return ErrnoStatus("io.remove", "unlink " + path, errno);
    return Status::Ok();
  }

  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) < 0) return ErrnoStatus("io.remove", "rmdir " + path, errno);
    return Status::Ok();
  }

  Result<bool> CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) == 0) return true;
    int e = errno;
    struct stat st;
    if (e == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return false;
    return ErrnoStatus("io.mkdir", "mkdir " + path, e);
  }

  Status SyncDir(const std::string& path) override {
    int fd = Retry([&] { return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) return ErrnoStatus("io.sync", "open dir " + path, errno);
    int r = Retry([&] { return ::fsync(fd); });
    int e = errno;
    ::close(fd);
    if (r < 0) return ErrnoStatus("io.sync", "fsync dir " + path, e);
    return Status::Ok();
  }

  Status SyncFileSystem(const std::string& path) override {
    int fd = Retry([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) return ErrnoStatus("io.sync", "open " + path, errno);
    int r = ::syncfs(fd);
    int e = errno;
    ::close(fd);
    if (r < 0) return ErrnoStatus("io.sync", "syncfs " + path, e);
    return Status::Ok();
  }

  Result<FileAttr> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return ErrnoStatus("io.stat", "stat " + path, errno);
    FileAttr a;
    a.size = static_cast<uint64_t>(st.st_size);
    a.mtime = static_cast<int64_t>(st.st_mtime);
    a.is_dir = S_ISDIR(st.st_mode);
    a.mode = static_cast<uint32_t>(st.st_mode & 0777);
    return a;
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) return ErrnoStatus("io.list", "opendir " + path, errno);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (n != "." && n != "..") names.emplace_back(n);
    }
    int e = errno;
    ::closedir(d);
    if (e != 0) return ErrnoStatus("io.list", "readdir " + path, e);
    return names;
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, bool create) override {
    return Lock(path, create, /*wait=*/true);
  }

  Result<std::unique_ptr<FileLock>> TryLockFile(const std::string& path) override {
    return Lock(path, /*create=*/false, /*wait=*/false);
  }

  Status SetPermissions(const std::string& path, uint32_t mode) override {
    if (::chmod(path.c_str(), static_cast<mode_t>(mode)) < 0) {
      return ErrnoStatus("io.chmod", "chmod " + path, errno);
    }
    return Status::Ok();
  }

  Result<std::string> RealPath(const std::string& path) override {
    char* r = ::realpath(path.c_str(), nullptr);
    if (r == nullptr) return ErrnoStatus("io.stat", "realpath " + path, errno);
    std::string out(r);
    std::free(r);
    return out;
  }

  int64_t NowUnixSeconds() override { return static_cast<int64_t>(::time(nullptr)); }

 private:
  static Result<std::unique_ptr<FileLock>> Lock(const std::string& path, bool create, bool wait) {
    // Read-only descriptors suffice for flock and do not pin the file system
    // writable (a read-only remount stays possible while stores are open).
    int flags = O_RDONLY | O_CLOEXEC | (create ? O_CREAT : 0);
    int fd = Retry([&] { return ::open(path.c_str(), flags, 0644); });
    if (fd < 0) return ErrnoStatus("io.lock", "open lock " + path, errno);
    int r = Retry([&] { return ::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)); });
    if (r < 0) {
      int e = errno;
      ::close(fd);
      if (e == EWOULDBLOCK) return Status(Code::kUnavailable, "io.locked", path + " is locked");
      return ErrnoStatus("io.lock", "flock " + path, e);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }
};

}  // namespace

Status ErrnoStatus(std::string_view fallback_reason, const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return Status::NotFound("io.not_found", msg);
    case EEXIST:
      return Status(Code::kAlreadyExists, "io.exists", msg);
    case ENOSPC:
    case EDQUOT:
      return Status(Code::kResourceExhausted, "io.no_space", msg);
    case EROFS:
    case EACCES:
    case EPERM:
      return Status::IOError("io.read_only", msg);
    default:
      return Status::IOError(std::string(fallback_reason), msg);
  }
}

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();  // never destroyed: used from static dtors
  return env;
}

}  // namespace tz::archive
