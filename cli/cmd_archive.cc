// tiezheng archive: the content-addressed blob store on a data directory.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "archive/household.h"
#include "archive/local_store.h"
#include "archive/upload.h"
#include "cli.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/suite.h"
#include "safe_output.h"

namespace tz::cli {
namespace {

using archive::BlobInfo;
using archive::ByteSource;
using archive::Env;
using archive::LocalBlobStore;

constexpr char kUsage[] =
    "Usage: tiezheng archive <command> [--data DIR] [options]\n"
    "\n"
    "内容寻址档案存储 / Content-addressed blob store. Blobs are keyed by the SHA-256\n"
    "of their bytes (what `sha256sum` prints) and kept under DIR/archive.\n"
    "\n"
    "Commands:\n"
    "  put FILE...             store files (- = stdin); prints \"<sha256>  <name>\"\n"
    "                          exactly like sha256sum\n"
    "  get DIGEST [-o FILE]    write a blob to FILE (only if it verifies) or stdout\n"
    "  stat DIGEST             print \"<sha256> <size>\"\n"
    "  list [--after DIGEST] [--limit N]\n"
    "                          print stored digests in ascending order\n"
    "  fsck [--expect FILE] [--no-quarantine]\n"
    "                          re-hash every blob; move corrupt ones to quarantine/;\n"
    "                          digests listed in FILE (one per line) must be present\n"
    "  upload-begin --digest D --size N     start a resumable upload; prints its id\n"
    "  upload-part ID --offset N FILE       send FILE as the part at offset N\n"
    "  upload-status ID                     print received and missing ranges\n"
    "  upload-finish ID                     verify and store; prints the digest\n"
    "  upload-abort ID | upload-expire      discard one / all expired sessions\n"
    "  kek-gen FILE [--suite intl|gm]       create a node key-encryption key (0600)\n"
    "  shred HOUSEHOLD --kek FILE           destroy a household's data key\n"
    "\n"
    "Options:\n"
    "  --data DIR          node data directory (default $TIEZHENG_DATA, else\n"
    "                      ./tiezheng-data); the archive lives in DIR/archive\n"
    "  --household ID      put/get: encrypt/decrypt as household ID (一户一档);\n"
    "                      needs --kek\n"
    "  --kek FILE          node KEK file, outside the data directory\n"
    "                      (default $TIEZHENG_KEK)\n"
    "  --help              show this help\n"
    "\n"
    "Exit codes: 0 ok, 1 corrupt or not verified (get, fsck, upload-finish),\n"
    "2 usage, 3 bad input (unknown digest, bad part, shredded household), 4 failure.\n";

int Usage(const std::string& error) {
  std::fprintf(stderr, "error: %s\n\n%s", error.c_str(), kUsage);
  return kExitUsage;
}

// GNU coreutils' escaping for names in checksum lines (as `tiezheng hash`).
std::string ChecksumLine(const Digest& d, const std::string& name) {
  std::string esc;
  bool escaped = false;
  for (char c : name) {
    if (c == '\\' || c == '\n' || c == '\r') {
      esc += c == '\\' ? "\\\\" : c == '\n' ? "\\n" : "\\r";
      escaped = true;
    } else {
      esc += c;
    }
  }
  return (escaped ? "\\" : "") + ToHex(d) + "  " + esc + "\n";
}

class FdSource : public ByteSource {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  Result<size_t> Read(uint8_t* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return Status::IOError("io.read", "read from standard input failed");
    }
  }

 private:
  int fd_;
};

class FileSource : public ByteSource {
 public:
  explicit FileSource(std::unique_ptr<archive::ReadableFile> f) : f_(std::move(f)) {}
  Result<size_t> Read(uint8_t* buf, size_t n) override { return f_->Read(buf, n); }

 private:
  std::unique_ptr<archive::ReadableFile> f_;
};

class FdSink : public archive::ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  Status Write(ByteSpan d) override {
    while (!d.empty()) {
      ssize_t r = ::write(fd_, d.data(), d.size());
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return Status::IOError("io.write", "write to standard output failed");
      d = d.subspan(static_cast<size_t>(r));
    }
    return Status::Ok();
  }

 private:
  int fd_;
};

class WritableSink : public archive::ByteSink {
 public:
  explicit WritableSink(archive::WritableFile* f) : f_(f) {}
  Status Write(ByteSpan d) override { return f_->Append(d); }

 private:
  archive::WritableFile* f_;
};

std::string DataDir(const Args& args) {
  if (auto v = args.value("data")) return *v;
  if (const char* e = std::getenv("TIEZHENG_DATA"); e != nullptr && *e != '\0') return e;
  return "tiezheng-data";
}

Result<std::unique_ptr<LocalBlobStore>> OpenStore(const Args& args) {
  return LocalBlobStore::Open(Env::Default(), DataDir(args) + "/archive");
}

Result<std::unique_ptr<ByteSource>> OpenInput(const std::string& name) {
  if (name == "-") return std::unique_ptr<ByteSource>(new FdSource(STDIN_FILENO));
  auto f = Env::Default()->NewReadableFile(name);
  if (!f.ok()) return f.status().WithContext(name);
  return std::unique_ptr<ByteSource>(new FileSource(std::move(*f)));
}

Result<std::unique_ptr<archive::HouseholdVault>> OpenVault(const Args& args,
                                                           LocalBlobStore* store) {
  std::string kek_path = args.value_or("kek", "");
  if (kek_path.empty()) {
    if (const char* e = std::getenv("TIEZHENG_KEK")) kek_path = e;
  }
  if (kek_path.empty()) {
    return Status::Invalid("kek.missing", "--household needs --kek FILE (or $TIEZHENG_KEK)");
  }
  TZ_ASSIGN_OR_RETURN(auto kek, archive::LoadNodeKek(Env::Default(), kek_path, DataDir(args)));
  return archive::HouseholdVault::Open(store, Env::Default(), store->HouseholdsDir(),
                                       std::move(kek));
}

int Put(const Args& args, const std::vector<std::string>& files) {
  auto store = OpenStore(args);
  if (!store.ok()) return Fail(store.status());
  std::unique_ptr<archive::HouseholdVault> vault;
  std::optional<archive::HouseholdId> household;
  if (auto h = args.value("household")) {
    auto id = archive::HouseholdId::Parse(*h);
    if (!id.ok()) return Fail(id.status());
    household = *id;
    auto v = OpenVault(args, store->get());
    if (!v.ok()) return Fail(v.status());
    vault = std::move(*v);
  }
  int rc = kExitOk;
  std::vector<std::string> names = files.empty() ? std::vector<std::string>{"-"} : files;
  if (vault || names.size() == 1) {
    for (const auto& name : names) {
      auto src = OpenInput(name);
      Result<BlobInfo> info = !src.ok() ? Result<BlobInfo>(src.status())
                              : vault   ? vault->Put(*household, **src)
                                        : (*store)->Put(**src);
      if (!info.ok()) {
        rc = std::max(rc, Fail(info.status().WithContext(name)));
        continue;
      }
      std::fputs(ChecksumLine(info->digest, name).c_str(), RawStdout());  // sha256sum format
    }
    return rc;
  }
  // Many files: group commit in batches (two file-system syncs per batch
  // instead of several fsyncs per file); lines are printed once durable.
  constexpr size_t kBatchFiles = 512;
  constexpr uint64_t kBatchBytes = 512ull << 20;
  size_t next = 0;
  while (next < names.size()) {
    auto batch = (*store)->NewBatch();
    std::vector<std::pair<std::string, Digest>> done;
    uint64_t bytes = 0;
    for (; next < names.size() && done.size() < kBatchFiles && bytes < kBatchBytes; ++next) {
      auto src = OpenInput(names[next]);
      auto info = src.ok() ? batch->Add(**src) : Result<BlobInfo>(src.status());
      if (!info.ok()) {
        rc = std::max(rc, Fail(info.status().WithContext(names[next])));
        continue;
      }
      bytes += info->size;
      done.emplace_back(names[next], info->digest);
    }
    Status s = batch->Commit();
    if (!s.ok()) return std::max(rc, Fail(s));
    for (const auto& [name, digest] : done) {
      std::fputs(ChecksumLine(digest, name).c_str(), RawStdout());  // sha256sum format
    }
    std::fflush(RawStdout());
  }
  return rc;
}

// Writes to FILE.tmp-…, renaming onto FILE only once every byte verified.
int Get(const Args& args, const Digest& digest) {
  auto store = OpenStore(args);
  if (!store.ok()) return Fail(store.status());
  Result<std::unique_ptr<ByteSource>> src = Status::Internal("cli.unset", "");
  if (auto h = args.value("household")) {
    auto id = archive::HouseholdId::Parse(*h);
    if (!id.ok()) return Fail(id.status());
    auto v = OpenVault(args, store->get());
    if (!v.ok()) return Fail(v.status());
    src = (*v)->Open(*id, digest);
  } else {
    auto r = (*store)->Open(digest);
    if (r.ok())
      src = std::unique_ptr<ByteSource>(std::move(*r));
    else
      src = r.status();
  }
  if (!src.ok()) return Fail(src.status());
  auto out = args.value("o");
  if (!out || *out == "-") {
    FdSink sink(STDOUT_FILENO);
    Status s = archive::Copy(**src, sink);
    return s.ok() ? kExitOk : Fail(s);
  }
  Env* env = Env::Default();
  std::string tmp = *out + ".tmp-" + HexEncode(RandomBytes(4));
  Status s = [&]() -> Status {
    TZ_ASSIGN_OR_RETURN(auto f, env->NewWritableFile(tmp, Env::OpenMode::kCreateExclusive));
    WritableSink sink(f.get());
    TZ_RETURN_IF_ERROR(archive::Copy(**src, sink));
    TZ_RETURN_IF_ERROR(f->Sync());
    TZ_RETURN_IF_ERROR(f->Close());
    return env->RenameFile(tmp, *out);
  }();
  if (!s.ok()) {
    (void)env->RemoveFile(tmp);
    return Fail(s);
  }
  return kExitOk;
}

int Fsck(const Args& args) {
  auto store = OpenStore(args);
  if (!store.ok()) return Fail(store.status());
  archive::FsckOptions opts;
  opts.quarantine = !args.flag("no-quarantine");
  if (auto expect = args.value("expect")) {
    auto text = archive::ReadSmallFile(Env::Default(), *expect, 256 << 20);
    if (!text.ok()) return Fail(text.status());
    size_t pos = 0;
    while (pos < text->size()) {
      size_t nl = text->find('\n', pos);
      if (nl == std::string::npos) nl = text->size();
      std::string line = text->substr(pos, nl - pos);
      pos = nl + 1;
      if (line.empty()) continue;
      auto d = archive::ParseBlobDigest(line.substr(0, 64));
      if (!d.ok()) return Fail(d.status().WithContext(*expect));
      opts.expected.push_back(*d);
    }
  }
  auto r = (*store)->Fsck(opts);
  if (!r.ok()) return Fail(r.status());
  for (const auto& d : r->corrupt) std::printf("corrupt %s\n", ToHex(d).c_str());
  for (const auto& q : r->quarantined) std::printf("quarantined %s\n", q.c_str());
  for (const auto& d : r->missing) std::printf("missing %s\n", ToHex(d).c_str());
  for (const auto& s : r->stray) std::printf("stray %s\n", s.c_str());
  for (const auto& e : r->errors) std::printf("error %s\n", e.c_str());
  std::printf("checked %llu blobs, %llu bytes: %zu corrupt, %zu missing, %zu stray, %zu errors\n",
              static_cast<unsigned long long>(r->blobs_checked),
              static_cast<unsigned long long>(r->bytes_checked), r->corrupt.size(),
              r->missing.size(), r->stray.size(), r->errors.size());
  if (!r->errors.empty()) return kExitFailure;
  return r->clean() ? kExitOk : kExitNotVerified;
}

int List(const Args& args) {
  auto store = OpenStore(args);
  if (!store.ok()) return Fail(store.status());
  std::optional<Digest> after;
  if (auto a = args.value("after")) {
    auto d = archive::ParseBlobDigest(*a);
    if (!d.ok()) return Fail(d.status());
    after = *d;
  }
  uint64_t limit = UINT64_MAX;
  if (auto l = args.value("limit")) limit = std::strtoull(l->c_str(), nullptr, 10);
  while (limit > 0) {
    auto page = (*store)->List(after, static_cast<size_t>(std::min<uint64_t>(limit, 1000)));
    if (!page.ok()) return Fail(page.status());
    if (page->empty()) break;
    for (const auto& d : *page) std::printf("%s\n", ToHex(d).c_str());
    limit -= page->size();
    after = page->back();
  }
  return kExitOk;
}

Result<uint64_t> ParseCount(const Args& args, const std::string& name) {
  auto v = args.value(name);
  if (!v || v->empty() || v->size() > 20 ||
      v->find_first_not_of("0123456789") != std::string::npos) {
    return Status::Invalid("cli.bad_number", "--" + name + " needs a non-negative integer");
  }
  return std::strtoull(v->c_str(), nullptr, 10);
}

void PrintState(const archive::UploadState& st) {
  std::printf("id %s\ndigest %s\nsize %llu\nreceived %llu\nexpires %lld\n", st.id.str().c_str(),
              ToHex(st.digest).c_str(), static_cast<unsigned long long>(st.size),
              static_cast<unsigned long long>(st.received_bytes),
              static_cast<long long>(st.expires_at));
  for (const auto& r : st.Missing()) {
    std::printf("missing %llu %llu\n", static_cast<unsigned long long>(r.offset),
                static_cast<unsigned long long>(r.length));
  }
}

int Uploads(const Args& args, const std::string& cmd, const std::vector<std::string>& pos) {
  if (cmd == "kek-gen") {
    if (pos.size() != 1) return Usage("kek-gen takes one FILE");
    auto suite = CryptoSuite::Parse(args.value_or("suite", "intl"));
    if (!suite.ok()) return Fail(suite.status());
    Status s = archive::WriteNodeKek(Env::Default(), pos[0], suite->aead);
    return s.ok() ? kExitOk : Fail(s);
  }
  auto store = OpenStore(args);
  if (!store.ok()) return Fail(store.status());
  if (cmd == "shred") {
    if (pos.size() != 1) return Usage("shred takes one HOUSEHOLD");
    auto id = archive::HouseholdId::Parse(pos[0]);
    if (!id.ok()) return Fail(id.status());
    auto vault = OpenVault(args, store->get());
    if (!vault.ok()) return Fail(vault.status());
    Status s = (*vault)->Shred(*id);
    return s.ok() ? kExitOk : Fail(s);
  }
  auto uploads = archive::LocalUploadSessions::Open(store->get());
  if (!uploads.ok()) return Fail(uploads.status());
  auto& u = **uploads;
  if (cmd == "upload-expire") {
    auto n = u.ExpireSessions();
    if (!n.ok()) return Fail(n.status());
    std::printf("expired %zu\n", *n);
    return kExitOk;
  }
  if (cmd == "upload-begin") {
    auto d = archive::ParseBlobDigest(args.value_or("digest", ""));
    if (!d.ok()) return Fail(d.status());
    auto size = ParseCount(args, "size");
    if (!size.ok()) return Fail(size.status());
    auto st = u.Begin(*d, *size);
    if (!st.ok()) return Fail(st.status());
    std::printf("%s\n", st->id.str().c_str());
    return kExitOk;
  }
  if (pos.empty()) return Usage(cmd + " needs an upload ID");
  auto id = archive::UploadId::Parse(pos[0]);
  if (!id.ok()) return Fail(id.status());
  if (cmd == "upload-part") {
    if (pos.size() != 2) return Usage("upload-part takes ID and FILE");
    auto offset = ParseCount(args, "offset");
    if (!offset.ok()) return Fail(offset.status());
    auto attr = Env::Default()->Stat(pos[1]);
    if (!attr.ok()) return Fail(attr.status().WithContext(pos[1]));
    auto src = OpenInput(pos[1]);
    if (!src.ok()) return Fail(src.status());
    Status s = u.PutPart(*id, *offset, attr->size, **src);
    return s.ok() ? kExitOk : Fail(s);
  }
  if (cmd == "upload-status") {
    auto st = u.Query(*id);
    if (!st.ok()) return Fail(st.status());
    PrintState(*st);
    return kExitOk;
  }
  if (cmd == "upload-finish") {
    auto info = u.Finish(*id);
    if (!info.ok()) return Fail(info.status());
    std::printf("%s %llu\n", ToHex(info->digest).c_str(),
                static_cast<unsigned long long>(info->size));
    return kExitOk;
  }
  if (cmd == "upload-abort") {
    Status s = u.Abort(*id);
    return s.ok() ? kExitOk : Fail(s);
  }
  return Usage("unknown archive command '" + cmd + "'");
}

// Hidden: the victim of the crash-safety test (tests/archive/crash_test.cc).
// Puts pseudo-random blobs (some repeated, some through upload sessions,
// some abandoned half-way) forever, printing "ack <sha256> <size>" with an
// unbuffered write only after each put returned OK. The test SIGKILLs it at
// a random moment and checks that every acknowledged blob is intact.
int CrashWriter(const Args& args) {
  auto store = OpenStore(args);
  if (!store.ok()) return Fail(store.status());
  auto uploads = archive::LocalUploadSessions::Open(store->get());
  if (!uploads.ok()) return Fail(uploads.status());
  std::mt19937_64 rng(std::strtoull(args.value_or("seed", "1").c_str(), nullptr, 10));
  for (uint64_t i = 0;; ++i) {
    uint64_t seed = rng() % 64;  // small seed space: many duplicates
    std::mt19937_64 content(seed);
    size_t size = seed % 8 == 0 ? (1 << 20) + seed * 4099 : seed * 3001;
    Bytes data(size);
    for (auto& b : data) b = static_cast<uint8_t>(content());
    Result<BlobInfo> info = Status::Internal("cli.unset", "");
    if (rng() % 3 == 0) {
      auto st = (*uploads)->Begin(Sha256(data), data.size());
      if (!st.ok()) return Fail(st.status());
      size_t part = 65536, n = (size + part - 1) / part;
      std::vector<size_t> order(n);
      for (size_t k = 0; k < n; ++k) order[k] = k;
      std::shuffle(order.begin(), order.end(), rng);
      for (size_t k : order) {
        size_t off = k * part, len = std::min(part, size - off);
        Status s = (*uploads)->PutPart(st->id, off, ByteSpan(data.data() + off, len));
        if (!s.ok()) return Fail(s);
      }
      if (rng() % 4 == 0) continue;  // abandoned session
      info = (*uploads)->Finish(st->id);
    } else {
      info = (*store)->Put(data);
    }
    if (!info.ok()) return Fail(info.status());
    std::string line = "ack " + ToHex(info->digest) + " " + std::to_string(info->size) + "\n";
    if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) return kExitFailure;
  }
}

}  // namespace

int CmdArchive(int argc, char** argv, int first) {
  Args args({"data", "o", "household", "kek", "after", "limit", "expect", "digest", "size",
             "offset", "suite", "seed"},
            {"help", "h", "no-quarantine"});
  if (!args.Parse(argc, argv, first)) return Usage(args.error());
  const auto& pos = args.positional();
  if (args.flag("help") || args.flag("h")) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (pos.empty()) return Usage("missing command");
  const std::string& cmd = pos[0];
  std::vector<std::string> rest(pos.begin() + 1, pos.end());
  auto one_digest = [&](auto run) {
    if (rest.size() != 1) return Usage(cmd + " takes one DIGEST");
    auto d = archive::ParseBlobDigest(rest[0]);
    if (!d.ok()) return Fail(d.status());
    return run(*d);
  };
  if (cmd == "put") return Put(args, rest);
  if (cmd == "get") return one_digest([&](const Digest& d) { return Get(args, d); });
  if (cmd == "stat") {
    return one_digest([&](const Digest& d) {
      auto store = OpenStore(args);
      if (!store.ok()) return Fail(store.status());
      auto info = (*store)->Stat(d);
      if (!info.ok()) return Fail(info.status());
      std::printf("%s %llu\n", ToHex(d).c_str(), static_cast<unsigned long long>(info->size));
      return static_cast<int>(kExitOk);
    });
  }
  if (cmd == "list") return List(args);
  if (cmd == "fsck") return Fsck(args);
  if (cmd.rfind("upload-", 0) == 0 || cmd == "kek-gen" || cmd == "shred") {
    return Uploads(args, cmd, rest);
  }
  if (cmd == "_crash-writer") return CrashWriter(args);
  return Usage("unknown archive command '" + cmd + "'");
}

}  // namespace tz::cli
