#include "crypto/bytes.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "crypto_internal.h"

namespace tz {

namespace crypto_internal {

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) Die("sodium_init failed");
  });
}

void Die(std::string_view what) {
  std::fprintf(stderr, "tiezheng crypto: fatal: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

}  // namespace crypto_internal

bool ConstantTimeEqual(ByteSpan a, ByteSpan b) {
  // Lengths are public; only the contents are compared in constant time.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void SecureWipe(void* p, size_t n) {
  if (p != nullptr && n > 0) sodium_memzero(p, n);
}

}  // namespace tz
