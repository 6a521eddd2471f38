// Key files: strict text format, mode 0600, atomic no-overwrite writes.
#include "crypto/keyfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace tz {
namespace {

constexpr std::string_view kMagic = "tiezheng-key v1";
constexpr size_t kMaxFileSize = 64 * 1024;
constexpr size_t kMaxNameSize = 256;

Status Bad(std::string reason, std::string message) {
  return Status::Invalid("keyfile." + std::move(reason), std::move(message));
}

Status Errno(std::string reason, const std::string& path, int err) {
  std::string msg = path + ": " + std::strerror(err);
  if (err == ENOENT || err == ENOTDIR) return Status::NotFound(std::move(reason), msg);
  if (err == EACCES || err == EPERM) return Status(Code::kPermissionDenied, std::move(reason), msg);
  return Status::IOError(std::move(reason), msg);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("keyfile.write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Creates `path` with `contents` and `mode`, atomically and without replacing
// an existing file: write a temporary file in the same directory, fsync it,
// link(2) it to the final name (which fails if the name exists), fsync the
// directory.
Status WriteNewFileAtomically(const std::string& path, std::string_view contents, mode_t mode) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    return Status(Code::kAlreadyExists, "keyfile.exists", path + ": refusing to overwrite");
  }
  std::string tmp = path + ".tmp-XXXXXX";
  Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));  // created with mode 0600
  if (fd.get() < 0) return Errno("keyfile.write", path, errno);
  Status s = ::fchmod(fd.get(), mode) == 0 ? WriteAll(fd.get(), contents, tmp)
                                           : Errno("keyfile.write", tmp, errno);
  if (s.ok() && ::fsync(fd.get()) != 0) s = Errno("keyfile.write", tmp, errno);
  if (s.ok() && ::close(fd.release()) != 0) s = Errno("keyfile.write", tmp, errno);
  if (s.ok() && ::link(tmp.c_str(), path.c_str()) != 0) {
    s = errno == EEXIST
            ? Status(Code::kAlreadyExists, "keyfile.exists", path + ": refusing to overwrite")
            : Errno("keyfile.write", path, errno);
  }
  ::unlink(tmp.c_str());
  if (!s.ok()) return s;
  Fd dir(::open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) return Errno("keyfile.write", DirName(path), errno);
  return Status::Ok();
}

struct RawFile {
  std::string text;
  mode_t mode = 0;
};

Result<RawFile> ReadSmallFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("keyfile.open", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Errno("keyfile.open", path, errno);
  if (!S_ISREG(st.st_mode)) return Bad("not_regular", path + ": not a regular file");
  if (static_cast<size_t>(st.st_size) > kMaxFileSize) {
    return Bad("too_large", path + ": larger than any key file");
  }
  RawFile f;
  f.mode = st.st_mode;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("keyfile.read", path, errno);
    }
    if (n == 0) break;
    f.text.append(buf, static_cast<size_t>(n));
    if (f.text.size() > kMaxFileSize) return Bad("too_large", path + ": larger than any key file");
  }
  return f;
}

struct Parsed {
  std::string name;
  SignatureAlgorithm alg = SignatureAlgorithm::kEd25519;
  PublicKey pub;
  std::optional<SecretKey> secret;
};

Result<Bytes> DecodeField(std::string_view field, std::string_view value) {
  auto b = Base64Decode(value);
  if (!b.ok()) return Bad("bad_base64", std::string(field) + ": " + b.status().message());
  return b;
}

// Parses the whole text; the secret line is optional here, callers decide.
Result<Parsed> Parse(std::string_view text) {
  if (text.find('\r') != std::string_view::npos) {
    return Bad("bad_line_ending", "key files use LF line endings, found CR");
  }
  if (text.empty() || text.back() != '\n') {
    return Bad("truncated", "key file does not end with a newline");
  }
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (lines[0] != kMagic) return Bad("bad_header", "first line must be 'tiezheng-key v1'");

  static constexpr std::string_view kFields[] = {"name", "algorithm", "public", "secret"};
  std::string_view values[4];
  size_t n_fields = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    size_t colon = line.find(": ");
    std::string_view key = colon == std::string_view::npos ? line : line.substr(0, colon);
    if (n_fields < 4 && colon != std::string_view::npos && key == kFields[n_fields]) {
      values[n_fields++] = line.substr(colon + 2);
      continue;
    }
    for (size_t f = 0; f < n_fields; ++f) {
      if (key == kFields[f]) {
        return Bad("duplicate_field", "field '" + std::string(key) + "' appears twice");
      }
    }
    return Bad("unexpected_line",
               "unexpected line " + std::to_string(i + 1) +
                   (n_fields < 4 ? " (expected '" + std::string(kFields[n_fields]) + ": ')"
                                 : " after the secret"));
  }
  if (n_fields < 3) {
    return Bad("missing_field", "missing '" + std::string(kFields[n_fields]) + ":' line");
  }

  Parsed p;
  TZ_RETURN_IF_ERROR(ValidateKeyName(values[0]));
  p.name = std::string(values[0]);
  auto alg = ParseSignatureName(values[1]);
  if (!alg.ok()) return Bad("bad_algorithm", alg.status().message());
  p.alg = *alg;
  TZ_ASSIGN_OR_RETURN(Bytes pub_bytes, DecodeField("public", values[2]));
  auto pub = PublicKey::FromBytes(p.alg, pub_bytes);
  if (!pub.ok()) return Bad("bad_key", "public key: " + pub.status().ToString());
  p.pub = std::move(pub).value();
  if (n_fields == 4) {
    TZ_ASSIGN_OR_RETURN(Bytes sk_bytes, DecodeField("secret", values[3]));
    auto sk = SecretKey::FromBytes(p.alg, sk_bytes);
    SecureWipe(sk_bytes.data(), sk_bytes.size());
    if (!sk.ok()) return Bad("bad_key", "secret key: " + sk.status().ToString());
    auto derived = DerivePublicKey(*sk);
    if (!derived.ok() || !(*derived == p.pub)) {
      return Bad("key_mismatch", "the secret key does not match the public key");
    }
    p.secret = std::move(sk).value();
  }
  return p;
}

std::string Format(std::string_view name, const PublicKey& pk, const SecretKey* sk) {
  std::string out;
  out.append(kMagic).append("\nname: ").append(name);
  out.append("\nalgorithm: ").append(SignatureName(pk.algorithm()));
  out.append("\npublic: ").append(Base64Encode(pk.bytes()));
  if (sk != nullptr) out.append("\nsecret: ").append(Base64Encode(sk->bytes()));
  out.push_back('\n');
  return out;
}

}  // namespace

Status ValidateKeyName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameSize) {
    return Bad("bad_name", "key name must be 1 to 256 bytes");
  }
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '+') {
      return Bad("bad_name", "key name must not contain whitespace, control characters or '+'");
    }
  }
  return Status::Ok();
}

Status WriteKeyFile(const std::string& path, const NamedKeyPair& key) {
  TZ_RETURN_IF_ERROR(ValidateKeyName(key.name));
  const KeyPair& kp = key.keys;
  auto derived = DerivePublicKey(kp.secret_key);
  if (!derived.ok() || !(*derived == kp.public_key)) {
    return Bad("key_mismatch", "the secret key does not match the public key");
  }
  std::string text = Format(key.name, kp.public_key, &kp.secret_key);
  Status s = WriteNewFileAtomically(path, text, 0600);
  SecureWipe(text.data(), text.size());
  return s;
}

Result<NamedKeyPair> ReadKeyFile(const std::string& path) {
  TZ_ASSIGN_OR_RETURN(RawFile f, ReadSmallFile(path));
  auto p = Parse(f.text);
  SecureWipe(f.text.data(), f.text.size());
  // A public key file is reported as such whatever its mode; anything else
  // that others can read is refused before its contents are looked at further.
  if (p.ok() && !p->secret) {
    return Bad("no_secret", path + ": a public key file has no secret key");
  }
  if ((f.mode & 077) != 0) {
    return Status(Code::kPermissionDenied, "keyfile.permissions",
                  path + ": secret key file is accessible by group or others (chmod 600)");
  }
  if (!p.ok()) return p.status().WithContext(path);
  return NamedKeyPair{std::move(p->name), KeyPair{std::move(p->pub), std::move(*p->secret)}};
}

Status WritePublicKeyFile(const std::string& path, const NamedPublicKey& key) {
  TZ_RETURN_IF_ERROR(ValidateKeyName(key.name));
  if (key.key.bytes().size() != PublicKeySize(key.key.algorithm())) {
    return Bad("bad_key", "public key is empty");
  }
  return WriteNewFileAtomically(path, Format(key.name, key.key, nullptr), 0644);
}

Result<NamedPublicKey> ReadPublicKeyFile(const std::string& path) {
  TZ_ASSIGN_OR_RETURN(RawFile f, ReadSmallFile(path));
  auto p = Parse(f.text);
  SecureWipe(f.text.data(), f.text.size());
  if (!p.ok()) return p.status().WithContext(path);
  return NamedPublicKey{std::move(p->name), std::move(p->pub)};
}

Result<std::string> SignedNoteVerifierKey(std::string_view name, const PublicKey& key) {
  TZ_RETURN_IF_ERROR(ValidateKeyName(name));
  if (key.algorithm() != SignatureAlgorithm::kEd25519 || key.bytes().size() != 32) {
    return Status::Invalid("key.wrong_algorithm", "signed-note verifier keys are Ed25519 keys");
  }
  const uint8_t kSep[2] = {0x0a, 0x01};  // newline, then the Ed25519 signature type
  Digest id = HashParts(HashAlgorithm::kSha256, {AsBytes(name), ByteSpan(kSep), key.bytes()});
  Bytes typed{0x01};
  typed.insert(typed.end(), key.bytes().begin(), key.bytes().end());
  return std::string(name) + "+" + HexEncode(ByteSpan(id.data(), 4)) + "+" + Base64Encode(typed);
}

}  // namespace tz
