// An order-independent, keyed fingerprint of a multiset of byte strings.
//
// Each element is hashed with SipHash-2-4 with a 128-bit output (libsodium
// crypto_shorthash_siphashx24, a keyed PRF) and the two 64-bit lanes of the
// results are added mod 2^64. Equal multisets give equal fingerprints in any
// order; with a random key that whoever chose the elements did not know, a
// different multiset gives the same fingerprint only by chance (2^-128). The
// audit uses it to compare what is stored with what a replay produced
// without holding either in memory. Not a commitment: never publish it.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "crypto/bytes.h"

namespace tz {

class SetHash {
 public:
  static constexpr size_t kKeySize = 16;
  using Key = std::array<uint8_t, kKeySize>;
  // A fresh random key.
  static Key RandomKey();

  explicit SetHash(const Key& key) : key_(key) {}
  // Adds the element made of `parts` (each part's length is bound in).
  void Add(std::initializer_list<ByteSpan> parts);
  uint64_t count() const { return count_; }
  bool operator==(const SetHash& o) const { return lanes_ == o.lanes_ && count_ == o.count_; }

 private:
  Key key_;
  std::array<uint64_t, 2> lanes_{};
  std::string buf_;  // the element being hashed (reused)
  uint64_t count_ = 0;
};

}  // namespace tz
