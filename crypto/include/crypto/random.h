#pragma once

#include "crypto/bytes.h"

namespace tz {

// Fills with cryptographically secure random bytes (libsodium randombytes).
void RandomBytes(uint8_t* out, size_t n);
Bytes RandomBytes(size_t n);

}  // namespace tz
