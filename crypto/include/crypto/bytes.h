// Byte containers and fixed-size byte values with distinct types, so that a
// digest cannot be passed where a public key is expected.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tz {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

inline ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsString(ByteSpan b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

// FixedBytes<N, Tag>: N bytes with a type identity given by Tag.
template <size_t N, typename Tag>
class FixedBytes {
 public:
  static constexpr size_t kSize = N;
  FixedBytes() { bytes_.fill(0); }
  explicit FixedBytes(const std::array<uint8_t, N>& b) : bytes_(b) {}
  // Requires b.size() == N; callers validate first (see FromSpan).
  static bool FromSpan(ByteSpan b, FixedBytes* out) {
    if (b.size() != N) return false;
    std::memcpy(out->bytes_.data(), b.data(), N);
    return true;
  }
  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* data() { return bytes_.data(); }
  static constexpr size_t size() { return N; }
  ByteSpan span() const { return ByteSpan(bytes_.data(), N); }
  const std::array<uint8_t, N>& array() const { return bytes_; }
  auto operator<=>(const FixedBytes&) const = default;
  bool operator==(const FixedBytes&) const = default;

 private:
  std::array<uint8_t, N> bytes_;
};

// Compares in time independent of the contents (for secrets and MACs).
bool ConstantTimeEqual(ByteSpan a, ByteSpan b);

// Overwrites memory so the compiler cannot elide it.
void SecureWipe(void* p, size_t n);

}  // namespace tz
