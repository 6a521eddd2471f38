#include "log/merkle.h"

namespace tz::merkle {
namespace {
constexpr uint8_t kLeafPrefix[1] = {kLeafHashPrefix};
constexpr uint8_t kNodePrefix[1] = {kNodeHashPrefix};
}  // namespace

Digest LogHasher::EmptyRoot() const { return Hash(alg_, ByteSpan()); }

Digest LogHasher::HashLeaf(ByteSpan entry) const {
  return HashParts(alg_, {ByteSpan(kLeafPrefix), entry});
}

Digest LogHasher::HashChildren(const Digest& left, const Digest& right) const {
  return HashParts(alg_, {ByteSpan(kNodePrefix), left.span(), right.span()});
}

}  // namespace tz::merkle
