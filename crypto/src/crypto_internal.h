// Private helpers shared by the crypto sources. Not installed, not included
// outside crypto/src/.
#pragma once

#include <string_view>

namespace tz::crypto_internal {

// Initializes libsodium exactly once (thread-safe); aborts if it cannot, since
// no crypto operation may run on an uninitialized library.
void EnsureSodium();

// Aborts with a message: for failures that can only be a bug or memory
// exhaustion inside a library call that takes no untrusted input.
[[noreturn]] void Die(std::string_view what);

}  // namespace tz::crypto_internal
