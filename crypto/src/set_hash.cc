#include "crypto/set_hash.h"

#include <sodium.h>

#include <cstring>

#include "crypto/random.h"

namespace tz {

SetHash::Key SetHash::RandomKey() {
  Key k;
  RandomBytes(k.data(), k.size());
  return k;
}

void SetHash::Add(std::initializer_list<ByteSpan> parts) {
  static_assert(crypto_shorthash_siphashx24_KEYBYTES == kKeySize);
  buf_.clear();
  for (ByteSpan p : parts) {
    uint64_t n = p.size();
    for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>(n >> (8 * i)));
    buf_.append(reinterpret_cast<const char*>(p.data()), p.size());
  }
  uint8_t out[crypto_shorthash_siphashx24_BYTES];
  static_assert(sizeof out == 16);
  crypto_shorthash_siphashx24(out, reinterpret_cast<const uint8_t*>(buf_.data()), buf_.size(),
                              key_.data());
  for (int i = 0; i < 2; ++i) {
    uint64_t v;
    std::memcpy(&v, out + 8 * i, 8);
    lanes_[i] += v;
  }
  ++count_;
}

}  // namespace tz
