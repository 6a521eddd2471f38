#include "crypto/hash.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "crypto/encoding.h"
#include "crypto_internal.h"

namespace tz {
namespace {

using crypto_internal::Die;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using UniqueMdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// Fetched once per process: EVP_MD_fetch is a provider lookup that costs more
// than hashing a short message, and EVP_sha256()-style implicit fetches repeat
// it on every init.
const EVP_MD* Md(HashAlgorithm alg) {
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* const sm3 = EVP_MD_fetch(nullptr, "SM3", nullptr);
  const EVP_MD* md = alg == HashAlgorithm::kSm3 ? sm3 : sha256;
  if (md == nullptr) Die("EVP_MD_fetch failed for the configured hash");
  return md;
}

UniqueMdCtx NewCtx() {
  UniqueMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) Die("EVP_MD_CTX_new failed");
  return ctx;
}

void Init(EVP_MD_CTX* ctx, HashAlgorithm alg) {
  if (EVP_DigestInit_ex(ctx, Md(alg), nullptr) != 1) Die("EVP_DigestInit_ex failed");
}

void Update(EVP_MD_CTX* ctx, ByteSpan data) {
  if (data.empty()) return;
  if (EVP_DigestUpdate(ctx, data.data(), data.size()) != 1) Die("EVP_DigestUpdate failed");
}

Digest Final(EVP_MD_CTX* ctx) {
  Digest d;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, d.data(), &len) != 1 || len != Digest::kSize) {
    Die("EVP_DigestFinal_ex failed");
  }
  return d;
}

// The per-thread context behind the one-shot helpers.
EVP_MD_CTX* ThreadCtx() {
  thread_local UniqueMdCtx ctx = NewCtx();
  return ctx.get();
}

}  // namespace

std::string ToHex(const Digest& d) { return HexEncode(d.span()); }

Result<Digest> DigestFromHex(std::string_view hex) {
  Digest d;
  auto bytes = HexDecode(hex);
  if (!bytes.ok() || !Digest::FromSpan(*bytes, &d)) {
    return Status::Invalid("digest.bad_format", "a digest is exactly 64 lowercase hex characters");
  }
  return d;
}

std::string_view HashName(HashAlgorithm alg) {
  return alg == HashAlgorithm::kSm3 ? "sm3" : "sha256";
}

Result<HashAlgorithm> ParseHashName(std::string_view name) {
  if (name == "sha256") return HashAlgorithm::kSha256;
  if (name == "sm3") return HashAlgorithm::kSm3;
  return Status::Invalid("hash.unknown_algorithm",
                         "unknown hash algorithm '" + std::string(name) + "' (sha256|sm3)");
}

struct Hasher::Impl {
  UniqueMdCtx ctx = NewCtx();
};

Hasher::Hasher(HashAlgorithm alg) : alg_(alg), impl_(std::make_unique<Impl>()) {
  Init(impl_->ctx.get(), alg_);
}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::Update(ByteSpan data) { tz::Update(impl_->ctx.get(), data); }

Digest Hasher::Finish() {
  Digest d = Final(impl_->ctx.get());
  Init(impl_->ctx.get(), alg_);
  return d;
}

void Hasher::Reset() { Init(impl_->ctx.get(), alg_); }

Digest Hash(HashAlgorithm alg, ByteSpan data) {
  EVP_MD_CTX* ctx = ThreadCtx();
  Init(ctx, alg);
  Update(ctx, data);
  return Final(ctx);
}

Digest HashParts(HashAlgorithm alg, std::initializer_list<ByteSpan> parts) {
  EVP_MD_CTX* ctx = ThreadCtx();
  Init(ctx, alg);
  for (ByteSpan p : parts) Update(ctx, p);
  return Final(ctx);
}

Result<Digest> HashFileDescriptor(HashAlgorithm alg, int fd, std::string_view name) {
  constexpr size_t kChunk = 1 << 20;
  std::vector<uint8_t> buf(kChunk);
  Hasher h(alg);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("file.read", std::string(name) + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    h.Update(ByteSpan(buf.data(), static_cast<size_t>(n)));
  }
  return h.Finish();
}

Result<Digest> HashFile(HashAlgorithm alg, const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = path + ": " + std::strerror(err);
    if (err == ENOENT || err == ENOTDIR) return Status::NotFound("file.open", msg);
    if (err == EACCES || err == EPERM) {
      return Status(Code::kPermissionDenied, "file.open", msg);
    }
    return Status::IOError("file.open", msg);
  }
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Result<Digest> r = HashFileDescriptor(alg, fd, path);
  ::close(fd);
  return r;
}

}  // namespace tz
