#include "crypto/random.h"

#include <sodium.h>

#include "crypto_internal.h"

namespace tz {

void RandomBytes(uint8_t* out, size_t n) {
  crypto_internal::EnsureSodium();
  if (n > 0) randombytes_buf(out, n);
}

Bytes RandomBytes(size_t n) {
  Bytes b(n);
  RandomBytes(b.data(), n);
  return b;
}

}  // namespace tz
