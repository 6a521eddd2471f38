// HouseholdVault: per-household encryption and crypto-shredding.
#include "archive/household.h"

#include <algorithm>
#include <cstring>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "io_error.h"

namespace tz::archive {
namespace {

constexpr std::string_view kMagic = "tzhhenc1";
constexpr std::string_view kKekMagic = "tiezheng-kek v1";
constexpr std::string_view kKeyMagic = "tiezheng-household-key v1";

uint8_t AlgByte(AeadAlgorithm a) { return a == AeadAlgorithm::kXChaCha20Poly1305 ? 1 : 2; }

Result<AeadAlgorithm> ParseAlg(std::string_view name) {
  if (name == AeadName(AeadAlgorithm::kXChaCha20Poly1305)) {
    return AeadAlgorithm::kXChaCha20Poly1305;
  }
  if (name == AeadName(AeadAlgorithm::kSm4Gcm)) return AeadAlgorithm::kSm4Gcm;
  return Status::Invalid("kek.bad_format", "unknown algorithm " + std::string(name));
}

// Splits "a\nb\n" into lines; false if the text does not end with '\n'.
bool Lines(std::string_view text, std::vector<std::string_view>* out) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return false;
    out->push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return true;
}

// Reads until n bytes or the end of the stream; returns the count.
Result<size_t> ReadFull(ByteSource& src, uint8_t* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    TZ_ASSIGN_OR_RETURN(size_t k, src.Read(buf + got, n - got));
    if (k == 0) break;
    got += k;
  }
  return got;
}

Status Shredded(const HouseholdId& id) {
  return Status(Code::kFailedPrecondition, "household.shredded",
                "the data key of household " + id.str() + " was destroyed (crypto-shredded)");
}

// Decrypts an envelope as it is read; see household.h for the format.
class DecryptingSource : public ByteSource {
 public:
  DecryptingSource(std::unique_ptr<BlobReader> blob, std::unique_ptr<StreamDecryptor> dec,
                   AeadAlgorithm alg)
      : blob_(std::move(blob)),
        dec_(std::move(dec)),
        cbuf_(kAeadChunkSize + AeadChunkOverhead(alg)) {}

  Result<size_t> Read(uint8_t* buf, size_t n) override {
    while (pos_ == plain_.size()) {
      if (finished_) return size_t{0};
      TZ_RETURN_IF_ERROR(NextChunk());
    }
    size_t k = std::min(n, plain_.size() - pos_);
    std::memcpy(buf, plain_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  Status NextChunk() {
    TZ_ASSIGN_OR_RETURN(size_t n, ReadFull(*blob_, cbuf_.data(), cbuf_.size()));
    if (n == 0) return Status::Corruption("aead.truncated", "household blob is truncated");
    bool last = false;
    TZ_ASSIGN_OR_RETURN(plain_, dec_->Pull(ByteSpan(cbuf_.data(), n), &last));
    pos_ = 0;
    if (last) {
      // Nothing may follow the final chunk; reading to the end also makes
      // the blob reader check the envelope's digest.
      uint8_t extra;
      TZ_ASSIGN_OR_RETURN(size_t more, blob_->Read(&extra, 1));
      if (more != 0) {
        return Status::Corruption("aead.trailing_data", "data after the final chunk");
      }
      finished_ = true;
    } else if (n < cbuf_.size()) {
      return Status::Corruption("aead.truncated", "household blob is truncated");
    }
    return Status::Ok();
  }

  std::unique_ptr<BlobReader> blob_;
  std::unique_ptr<StreamDecryptor> dec_;
  Bytes cbuf_;
  Bytes plain_;
  size_t pos_ = 0;
  bool finished_ = false;
};

}  // namespace

Result<HouseholdId> HouseholdId::Parse(std::string_view s) {
  bool ok = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
  if (!ok) {
    return Status::Invalid("household.bad_id", "a household id is 1-64 of [A-Za-z0-9_-]");
  }
  HouseholdId id;
  id.s_ = std::string(s);
  return id;
}

Status WriteNodeKek(Env* env, const std::string& path, AeadAlgorithm alg) {
  SymmetricKey key = SymmetricKey::Generate();
  std::string text = std::string(kKekMagic) + "\nalgorithm: " + std::string(AeadName(alg)) +
                     "\nkey: " + Base64Encode(key.bytes()) + "\n";
  std::string tmp = path + ".tmp-" + HexEncode(RandomBytes(8));
  Status s = [&]() -> Status {
    TZ_ASSIGN_OR_RETURN(auto f, env->NewWritableFile(tmp, Env::OpenMode::kCreateExclusive));
    // Restrict before the secret is written.
    TZ_RETURN_IF_ERROR(env->SetPermissions(tmp, 0600));
    TZ_RETURN_IF_ERROR(f->Append(AsBytes(text)));
    TZ_RETURN_IF_ERROR(f->Sync());
    TZ_RETURN_IF_ERROR(f->Close());
    Status l = env->LinkFile(tmp, path);
    if (l.code() == Code::kAlreadyExists) {
      return Status(Code::kAlreadyExists, "kek.exists", path + " exists; not overwriting a KEK");
    }
    return l;
  }();
  SecureWipe(text.data(), text.size());
  (void)env->RemoveFile(tmp);
  if (!s.ok()) return s;
  size_t slash = path.find_last_of('/');
  return env->SyncDir(slash == std::string::npos ? "."
                                                 : path.substr(0, std::max<size_t>(slash, 1)));
}

Result<NodeKek> LoadNodeKek(Env* env, const std::string& path, const std::string& data_dir) {
  TZ_ASSIGN_OR_RETURN(FileAttr attr, env->Stat(path));
  if ((attr.mode & 077) != 0) {
    return Status(Code::kPermissionDenied, "kek.permissions",
                  path + " is readable by group or others; chmod 600 it");
  }
  if (!data_dir.empty()) {
    TZ_ASSIGN_OR_RETURN(std::string real_kek, env->RealPath(path));
    auto real_data = env->RealPath(data_dir);
    if (real_data.ok() && real_kek.rfind(*real_data + "/", 0) == 0) {
      return Status::Invalid("kek.inside_data_dir",
                             "the KEK must be kept outside the data directory " + *real_data);
    }
  }
  TZ_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(env, path, 4096));
  std::vector<std::string_view> lines;
  auto bad = Status::Invalid("kek.bad_format", path + " is not a tiezheng KEK file");
  if (!Lines(text, &lines) || lines.size() != 3 || lines[0] != kKekMagic ||
      lines[1].substr(0, 11) != "algorithm: " || lines[2].substr(0, 5) != "key: ") {
    SecureWipe(text.data(), text.size());
    return bad;
  }
  NodeKek kek;
  auto alg = ParseAlg(lines[1].substr(11));
  auto raw = Base64Decode(lines[2].substr(5));
  SecureWipe(text.data(), text.size());
  if (!alg.ok() || !raw.ok()) return bad;
  kek.algorithm = *alg;
  auto key = SymmetricKey::FromBytes(*raw);
  SecureWipe(raw->data(), raw->size());
  if (!key.ok()) return bad;
  kek.key = std::move(*key);
  return kek;
}

HouseholdVault::HouseholdVault(BlobStore* blobs, Env* env, std::string keys_dir, NodeKek kek)
    : blobs_(blobs), env_(env), keys_dir_(std::move(keys_dir)), kek_(std::move(kek)) {}

Result<std::unique_ptr<HouseholdVault>> HouseholdVault::Open(BlobStore* blobs, Env* env,
                                                             std::string keys_dir, NodeKek kek) {
  TZ_RETURN_IF_ERROR(CreateDirs(env, keys_dir));
  std::unique_ptr<HouseholdVault> v(new HouseholdVault(blobs, env, keys_dir, std::move(kek)));
  // A shred interrupted after its tombstone: destroy the key it left.
  TZ_ASSIGN_OR_RETURN(auto names, env->ListDir(keys_dir));
  for (const auto& n : names) {
    const std::string suffix = ".shredded";
    if (n.size() <= suffix.size() || n.substr(n.size() - suffix.size()) != suffix) continue;
    std::string key = JoinPath(keys_dir, n.substr(0, n.size() - suffix.size()) + ".key");
    if (env->Stat(key).ok()) TZ_RETURN_IF_ERROR(v->DestroyKeyFile(key));
  }
  return v;
}

std::string HouseholdVault::KeyPath(const HouseholdId& id) const {
  return JoinPath(keys_dir_, id.str() + ".key");
}
std::string HouseholdVault::TombstonePath(const HouseholdId& id) const {
  return JoinPath(keys_dir_, id.str() + ".shredded");
}

Result<HouseholdKeyState> HouseholdVault::State(const HouseholdId& id) {
  if (env_->Stat(TombstonePath(id)).ok()) return HouseholdKeyState::kShredded;
  auto attr = env_->Stat(KeyPath(id));
  if (attr.ok()) return HouseholdKeyState::kActive;
  if (attr.status().code() == Code::kNotFound) return HouseholdKeyState::kNone;
  return attr.status();
}

Result<SymmetricKey> HouseholdVault::LoadKey(const HouseholdId& id) {
  if (env_->Stat(TombstonePath(id)).ok()) return Shredded(id);
  auto text = ReadSmallFile(env_, KeyPath(id), 4096);
  if (!text.ok()) {
    if (text.status().code() != Code::kNotFound) return text.status();
    if (env_->Stat(TombstonePath(id)).ok()) return Shredded(id);
    return Status::NotFound("household.no_key", "no data key for household " + id.str());
  }
  std::vector<std::string_view> lines;
  auto bad = Status::Corruption("household.bad_key_file", KeyPath(id) + " is damaged");
  if (!Lines(*text, &lines) || lines.size() != 3 || lines[0] != kKeyMagic ||
      lines[1] != "algorithm: " + std::string(AeadName(kek_.algorithm)) ||
      lines[2].substr(0, 9) != "wrapped: ") {
    return bad;
  }
  auto wrapped = Base64Decode(lines[2].substr(9));
  if (!wrapped.ok()) return bad;
  auto dek = UnwrapKey(kek_.algorithm, kek_.key, *wrapped, AsBytes(id.str()));
  if (!dek.ok()) {
    return Status(Code::kFailedPrecondition, "kek.mismatch",
                  "cannot unwrap the key of household " + id.str() +
                      " (wrong node KEK?): " + dek.status().reason());
  }
  return std::move(*dek);
}

Result<SymmetricKey> HouseholdVault::LoadOrCreateKey(const HouseholdId& id) {
  auto key = LoadKey(id);
  if (key.ok() || key.status().reason() != "household.no_key") return key;
  SymmetricKey dek = SymmetricKey::Generate();
  Bytes wrapped = WrapKey(kek_.algorithm, kek_.key, dek, AsBytes(id.str()));
  std::string text = std::string(kKeyMagic) +
                     "\nalgorithm: " + std::string(AeadName(kek_.algorithm)) +
                     "\nwrapped: " + Base64Encode(wrapped) + "\n";
  // Publish with link(2) so concurrent first puts agree on one key.
  std::string tmp = KeyPath(id) + ".tmp-" + HexEncode(RandomBytes(8));
  Status s = [&]() -> Status {
    TZ_ASSIGN_OR_RETURN(auto f, env_->NewWritableFile(tmp, Env::OpenMode::kCreateExclusive));
    TZ_RETURN_IF_ERROR(env_->SetPermissions(tmp, 0600));
    TZ_RETURN_IF_ERROR(f->Append(AsBytes(text)));
    TZ_RETURN_IF_ERROR(f->Sync());
    TZ_RETURN_IF_ERROR(f->Close());
    Status l = env_->LinkFile(tmp, KeyPath(id));
    if (!l.ok() && l.code() != Code::kAlreadyExists) return l;
    return env_->SyncDir(keys_dir_);
  }();
  (void)env_->RemoveFile(tmp);
  TZ_RETURN_IF_ERROR(s);
  // Reload: either ours or the one a concurrent put linked first. A Shred
  // that ran meanwhile left a tombstone, which LoadKey honours.
  auto loaded = LoadKey(id);
  if (!loaded.ok() && loaded.status().reason() == "household.shredded" &&
      env_->Stat(KeyPath(id)).ok()) {
    TZ_RETURN_IF_ERROR(DestroyKeyFile(KeyPath(id)));
  }
  return loaded;
}

Result<BlobInfo> HouseholdVault::Put(const HouseholdId& id, ByteSpan plaintext) {
  MemorySource src(plaintext);
  return Put(id, src);
}

Result<BlobInfo> HouseholdVault::Put(const HouseholdId& id, ByteSource& plaintext) {
  TZ_ASSIGN_OR_RETURN(SymmetricKey dek, LoadOrCreateKey(id));
  StreamEncryptor enc(kek_.algorithm, dek);
  TZ_ASSIGN_OR_RETURN(auto writer, blobs_->NewWriter());
  Bytes prefix(kMagic.begin(), kMagic.end());
  prefix.push_back(AlgByte(kek_.algorithm));
  prefix.push_back(static_cast<uint8_t>(id.str().size()));
  prefix.insert(prefix.end(), id.str().begin(), id.str().end());
  prefix.insert(prefix.end(), enc.header().begin(), enc.header().end());
  TZ_RETURN_IF_ERROR(writer->Append(prefix));
  // One chunk of lookahead tells us which chunk is the last.
  Bytes cur(kAeadChunkSize), next(kAeadChunkSize);
  TZ_ASSIGN_OR_RETURN(size_t cur_n, ReadFull(plaintext, cur.data(), cur.size()));
  for (;;) {
    size_t next_n = 0;
    if (cur_n == kAeadChunkSize) {
      TZ_ASSIGN_OR_RETURN(next_n, ReadFull(plaintext, next.data(), next.size()));
    }
    bool last = next_n == 0;
    Bytes c = enc.Push(ByteSpan(cur.data(), cur_n), last);
    TZ_RETURN_IF_ERROR(writer->Append(c));
    if (last) break;
    std::swap(cur, next);
    cur_n = next_n;
  }
  SecureWipe(cur.data(), cur.size());
  SecureWipe(next.data(), next.size());
  return writer->Commit();
}

Result<std::unique_ptr<ByteSource>> HouseholdVault::Open(const HouseholdId& id,
                                                         const Digest& digest) {
  TZ_ASSIGN_OR_RETURN(SymmetricKey dek, LoadKey(id));
  TZ_ASSIGN_OR_RETURN(auto blob, blobs_->Open(digest));
  size_t hdr = AeadHeaderSize(kek_.algorithm);
  Bytes prefix(kMagic.size() + 2);
  TZ_ASSIGN_OR_RETURN(size_t n, ReadFull(*blob, prefix.data(), prefix.size()));
  if (n != prefix.size() || AsString(ByteSpan(prefix.data(), kMagic.size())) != kMagic) {
    return Status::Invalid("household.not_encrypted", "blob is not a household envelope");
  }
  if (prefix[kMagic.size()] != AlgByte(kek_.algorithm)) {
    return Status::Invalid("household.mismatch", "blob was encrypted with another algorithm");
  }
  Bytes rest(prefix[kMagic.size() + 1] + hdr);
  TZ_ASSIGN_OR_RETURN(n, ReadFull(*blob, rest.data(), rest.size()));
  if (n != rest.size()) return Status::Corruption("aead.truncated", "envelope is truncated");
  std::string_view owner = AsString(ByteSpan(rest.data(), rest.size() - hdr));
  if (owner != id.str()) {
    return Status::Invalid("household.mismatch", "blob belongs to household " + std::string(owner));
  }
  TZ_ASSIGN_OR_RETURN(auto dec, StreamDecryptor::Create(kek_.algorithm, dek,
                                                        ByteSpan(rest.data() + owner.size(), hdr)));
  return std::unique_ptr<ByteSource>(
      new DecryptingSource(std::move(blob), std::move(dec), kek_.algorithm));
}

// Overwrites the wrapped key, then unlinks it durably. (On flash and
// journaling file systems the overwrite is best effort; the guarantee is that
// the wrapped key is gone from the data directory and the KEK never was in it.)
Status HouseholdVault::DestroyKeyFile(const std::string& path) {
  auto attr = env_->Stat(path);
  if (attr.ok()) {
    auto f = env_->NewWritableFile(path, Env::OpenMode::kOpenOrCreate);
    if (f.ok()) {
      (void)(*f)->WriteAt(0, RandomBytes(static_cast<size_t>(attr->size)));
      (void)(*f)->Sync();
      (void)(*f)->Close();
    }
  }
  Status s = env_->RemoveFile(path);
  if (!s.ok() && s.code() != Code::kNotFound) return s;
  return env_->SyncDir(keys_dir_);
}

Status HouseholdVault::Shred(const HouseholdId& id) {
  // Tombstone first: from here on the household reads as shredded even if we
  // crash before the key file is gone (Open finishes the job).
  if (!env_->Stat(TombstonePath(id)).ok()) {
    std::string note = "shredded-at: " + std::to_string(env_->NowUnixSeconds()) + "\n";
    TZ_RETURN_IF_ERROR(WriteFileAtomic(env_, TombstonePath(id), AsBytes(note)));
  }
  return DestroyKeyFile(KeyPath(id));
}

// ---- private records ----

namespace {

constexpr std::string_view kRecordMagic = "tzhhrec1";

Status CheckRecordName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) return Status::Invalid("household.bad_record_name", "record name must be 1-64 hex");
  return Status::Ok();
}

}  // namespace

std::string HouseholdVault::RecordPath(const HouseholdId& id, std::string_view name) const {
  return JoinPath(JoinPath(keys_dir_, "records"), id.str() + "." + std::string(name) + ".rec");
}

Status HouseholdVault::PutRecord(const HouseholdId& id, std::string_view name, ByteSpan plaintext) {
  TZ_RETURN_IF_ERROR(CheckRecordName(name));
  if (plaintext.size() > kAeadChunkSize) {
    return Status::Invalid("household.record_too_large", "a record holds at most 64 KiB");
  }
  std::string path = RecordPath(id, name);
  if (env_->Stat(path).ok()) {
    return Status(Code::kAlreadyExists, "household.record_exists", "record " + std::string(name));
  }
  TZ_ASSIGN_OR_RETURN(SymmetricKey dek, LoadOrCreateKey(id));
  StreamEncryptor enc(kek_.algorithm, dek);
  Bytes file(kRecordMagic.begin(), kRecordMagic.end());
  file.push_back(AlgByte(kek_.algorithm));
  file.insert(file.end(), enc.header().begin(), enc.header().end());
  Bytes chunk = enc.Push(plaintext, true);
  file.insert(file.end(), chunk.begin(), chunk.end());
  TZ_RETURN_IF_ERROR(CreateDirs(env_, JoinPath(keys_dir_, "records")));
  // Written under a temporary name with mode 0600 before it is renamed into
  // place (WriteFileAtomic: sync, rename, sync the directory).
  std::string tmp = path + ".tmp-" + HexEncode(RandomBytes(8));
  Status s = [&]() -> Status {
    TZ_ASSIGN_OR_RETURN(auto f, env_->NewWritableFile(tmp, Env::OpenMode::kCreateExclusive));
    TZ_RETURN_IF_ERROR(env_->SetPermissions(tmp, 0600));
    TZ_RETURN_IF_ERROR(f->Append(file));
    TZ_RETURN_IF_ERROR(f->Sync());
    TZ_RETURN_IF_ERROR(f->Close());
    Status l = env_->LinkFile(tmp, path);
    if (!l.ok()) return l;  // kAlreadyExists: a concurrent put of the same name won
    return env_->SyncDir(JoinPath(keys_dir_, "records"));
  }();
  (void)env_->RemoveFile(tmp);
  if (s.code() == Code::kAlreadyExists) {
    return Status(Code::kAlreadyExists, "household.record_exists", "record " + std::string(name));
  }
  return s;
}

Result<Bytes> HouseholdVault::GetRecord(const HouseholdId& id, std::string_view name) {
  TZ_RETURN_IF_ERROR(CheckRecordName(name));
  auto text = ReadSmallFile(env_, RecordPath(id, name), kAeadChunkSize + 4096);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) {
      return Status::NotFound("household.no_record", "no record " + std::string(name));
    }
    return text.status();
  }
  TZ_ASSIGN_OR_RETURN(SymmetricKey dek, LoadKey(id));
  size_t hdr = AeadHeaderSize(kek_.algorithm);
  ByteSpan b = AsBytes(*text);
  if (b.size() < kRecordMagic.size() + 1 + hdr ||
      AsString(b.subspan(0, kRecordMagic.size())) != kRecordMagic ||
      b[kRecordMagic.size()] != AlgByte(kek_.algorithm)) {
    return Status::Corruption("aead.bad_header", "record " + std::string(name) + " is damaged");
  }
  size_t at = kRecordMagic.size() + 1;
  TZ_ASSIGN_OR_RETURN(auto dec, StreamDecryptor::Create(kek_.algorithm, dek, b.subspan(at, hdr)));
  bool last = false;
  TZ_ASSIGN_OR_RETURN(Bytes plain, dec->Pull(b.subspan(at + hdr), &last));
  TZ_RETURN_IF_ERROR(dec->Finish());
  return plain;
}

}  // namespace tz::archive
