// LocalBlobStore::Fsck: re-hash every blob, quarantine the corrupt ones.
#include <algorithm>

#include "archive/local_store.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "io_error.h"

namespace tz::archive {
namespace {

bool IsHexPair(const std::string& s) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  return s.size() == 2 && hex(s[0]) && hex(s[1]);
}

}  // namespace

Result<FsckReport> LocalBlobStore::Fsck(const FsckOptions& options) {
  FsckReport report;
  // The top level must be listable, or there is nothing to report on.
  TZ_RETURN_IF_ERROR(env_->ListDir(JoinPath(root_, "blobs")).status());
  FsckDir("blobs", 0, options, &report);
  for (const auto& d : options.expected) {
    auto has = Has(d);
    if (!has.ok()) {
      report.errors.push_back(ToHex(d) + ": " + has.status().ToString());
    } else if (!*has) {
      report.missing.push_back(d);
    }
  }
  return report;
}

// depth 0: blobs/, 1: blobs/ab, 2: blobs/ab/cd (files).
void LocalBlobStore::FsckDir(const std::string& rel, int depth, const FsckOptions& options,
                             FsckReport* report) {
  auto names = env_->ListDir(JoinPath(root_, rel));
  if (!names.ok()) {
    report->errors.push_back(rel + ": " + names.status().ToString());
    return;
  }
  std::sort(names->begin(), names->end());
  for (const auto& n : *names) {
    std::string child = rel + "/" + n;
    if (depth < 2) {
      auto attr = env_->Stat(JoinPath(root_, child));
      if (attr.ok() && attr->is_dir && IsHexPair(n)) {
        FsckDir(child, depth + 1, options, report);
      } else if (attr.ok()) {
        report->stray.push_back(child);
      }
      continue;
    }
    FsckFile(rel, n, options, report);
  }
}

void LocalBlobStore::FsckFile(const std::string& rel, const std::string& name,
                              const FsckOptions& options, FsckReport* report) {
  std::string child = rel + "/" + name;
  auto digest = ParseBlobDigest(name);
  // rel is "blobs/ab/cd": the name must start with "abcd".
  if (!digest.ok() || name.substr(0, 2) != rel.substr(6, 2) ||
      name.substr(2, 2) != rel.substr(9, 2)) {
    report->stray.push_back(child);
    return;
  }
  auto file = env_->NewReadableFile(JoinPath(root_, child));
  if (!file.ok()) {
    // Vanished between listing and opening: not ours to report.
    if (file.status().code() != Code::kNotFound) {
      report->errors.push_back(child + ": " + file.status().ToString());
    }
    return;
  }
  Hasher hasher;
  Bytes buf(1 << 20);
  uint64_t total = 0;
  for (;;) {
    auto n = (*file)->Read(buf.data(), buf.size());
    if (!n.ok()) {
      report->errors.push_back(child + ": " + n.status().ToString());
      return;
    }
    if (*n == 0) break;
    hasher.Update(ByteSpan(buf.data(), *n));
    total += *n;
  }
  report->blobs_checked++;
  report->bytes_checked += total;
  if (hasher.Finish() == *digest) return;
  report->corrupt.push_back(*digest);
  if (!options.quarantine) return;
  std::string qname =
      name + "." + std::to_string(env_->NowUnixSeconds()) + "." + HexEncode(RandomBytes(4));
  std::string qdir = JoinPath(root_, "quarantine");
  Status s = CreateDirs(env_, qdir);
  if (s.ok()) s = env_->RenameFile(JoinPath(root_, child), JoinPath(qdir, qname));
  if (s.ok()) s = env_->SyncDir(qdir);
  if (s.ok()) s = env_->SyncDir(JoinPath(root_, rel));
  if (s.ok()) {
    // No chunk index outlives its blob; a repaired blob gets a new one on
    // its first range read.
    (void)env_->RemoveFile(ChunkIndexPath(*digest));
    report->quarantined.push_back("quarantine/" + qname);
  } else {
    report->errors.push_back(child + ": quarantine failed: " + s.ToString());
  }
}

}  // namespace tz::archive
