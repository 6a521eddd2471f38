// The checkpoint mark in a file beside the store (ledger/checkpoint_mark.h).
#include "ledger/checkpoint_mark.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <filesystem>

namespace tz::ledger {
namespace {

Status MarkCorrupt(const std::string& m) { return Status::Corruption("ledger.mark_corrupt", m); }

// A failed system call on the mark file: "storage.full" for a full disk (as
// the store's own writes), "ledger.mark_io" otherwise.
Status MarkIo(const std::string& what, const std::string& path, int err) {
  std::string m = what + " " + path + ": " + ::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return Status(Code::kResourceExhausted, "storage.full", m);
  return Status::IOError("ledger.mark_io", m);
}

class FileMarkStore : public CheckpointMarkStore {
 public:
  FileMarkStore(std::string path, bool sync) : path_(std::move(path)), sync_(sync) {}

  Result<std::optional<CheckpointMark>> Load() const override {
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return std::optional<CheckpointMark>();
      return MarkIo("open", path_, errno);
    }
    std::string text;
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        ::close(fd);
        return MarkIo("read", path_, err);
      }
      if (n == 0) break;
      text.append(buf, static_cast<size_t>(n));
      if (text.size() > log::kMaxNoteSize) break;
    }
    ::close(fd);
    auto m = CheckpointMark::Parse(std::move(text));
    if (!m.ok()) return m.status().WithContext(path_);
    return std::optional<CheckpointMark>(std::move(*m));
  }

  Status Store(const CheckpointMark& mark) override {
    std::string tmp = path_ + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return MarkIo("create", tmp, errno);
    auto fail = [&](const char* what, int err) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return MarkIo(what, tmp, err);
    };
    for (size_t done = 0; done < mark.note.size();) {
      ssize_t n = ::write(fd, mark.note.data() + done, mark.note.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail("write", errno);
      done += static_cast<size_t>(n);
    }
    if (sync_ && ::fdatasync(fd) != 0) return fail("fdatasync", errno);
    if (::close(fd) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return MarkIo("close", tmp, err);
    }
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return MarkIo("rename", tmp, err);
    }
    if (!sync_) return Status::Ok();
    std::string dir = std::filesystem::path(path_).parent_path().string();
    if (dir.empty()) dir = ".";
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return MarkIo("open", dir, errno);
    if (::fsync(dfd) != 0) {
      int err = errno;
      ::close(dfd);
      return MarkIo("fsync", dir, err);
    }
    ::close(dfd);
    return Status::Ok();
  }

 private:
  std::string path_;
  bool sync_;
};

}  // namespace

Result<CheckpointMark> CheckpointMark::Parse(std::string note) {
  auto parsed = log::ParseNote(note);
  if (!parsed.ok()) return MarkCorrupt("not a signed note: " + parsed.status().ToString());
  auto cp = log::Checkpoint::Parse(parsed->text);
  if (!cp.ok()) return MarkCorrupt("not a checkpoint: " + cp.status().ToString());
  if (!cp->block) return MarkCorrupt("the checkpoint names no block");
  return CheckpointMark{std::move(note), std::move(*cp)};
}

std::shared_ptr<CheckpointMarkStore> NewFileCheckpointMarkStore(std::string path, bool sync) {
  return std::make_shared<FileMarkStore>(std::move(path), sync);
}

Status CheckMark(const CheckpointMark& mark, std::string_view origin, uint64_t head_height,
                 uint64_t head_log_size, const std::optional<BlockHeader>& at_mark) {
  const log::Checkpoint& c = mark.checkpoint;
  if (c.origin != origin) {
    return MarkCorrupt("the recorded checkpoint is of log '" + c.origin + "', not '" +
                       std::string(origin) + "'");
  }
  std::string signed_at =
      "height " + std::to_string(mark.height()) + ", size " + std::to_string(mark.size());
  if (head_height < mark.height() || head_log_size < mark.size()) {
    return Status::Corruption("ledger.rolled_back",
                              "the ledger ends at height " + std::to_string(head_height) +
                                  ", size " + std::to_string(head_log_size) +
                                  ", below the newest checkpoint this node signed (" + signed_at +
                                  "): the store lost blocks it had made durable");
  }
  if (!at_mark || at_mark->Hash() != c.block->block_hash || at_mark->log_size != c.size ||
      at_mark->log_root != c.root_hash) {
    return Status::Corruption("ledger.diverged",
                              "the ledger's block at height " + std::to_string(mark.height()) +
                                  " differs from the one this node signed a checkpoint for (" +
                                  signed_at + ")");
  }
  return Status::Ok();
}

}  // namespace tz::ledger
