#include "crypto/encoding.h"

#include <array>

namespace tz {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kB64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// -1 for characters outside the (lowercase) hex alphabet.
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

constexpr std::array<int8_t, 256> MakeB64Table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kB64Alphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr std::array<int8_t, 256> kB64Table = MakeB64Table();

Status NonCanonical(std::string message) {
  return Status::Invalid("base64.non_canonical", std::move(message));
}

}  // namespace

std::string HexEncode(ByteSpan data) {
  std::string out(data.size() * 2, '\0');
  for (size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = kHexDigits[data[i] >> 4];
    out[2 * i + 1] = kHexDigits[data[i] & 0x0f];
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::Invalid("hex.odd_length", "hex string has odd length");
  }
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::Invalid("hex.bad_char",
                             "hex string has a character other than 0-9a-f at offset " +
                                 std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string Base64Encode(ByteSpan data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8 | data[i + 2];
    out.push_back(kB64Alphabet[v >> 18]);
    out.push_back(kB64Alphabet[(v >> 12) & 63]);
    out.push_back(kB64Alphabet[(v >> 6) & 63]);
    out.push_back(kB64Alphabet[v & 63]);
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    out.push_back(kB64Alphabet[v >> 18]);
    out.push_back(kB64Alphabet[(v >> 12) & 63]);
    out += "==";
  } else if (rest == 2) {
    uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8;
    out.push_back(kB64Alphabet[v >> 18]);
    out.push_back(kB64Alphabet[(v >> 12) & 63]);
    out.push_back(kB64Alphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

Result<Bytes> Base64Decode(std::string_view b64) {
  if (b64.size() % 4 != 0) {
    return NonCanonical("base64 length is not a multiple of 4 (padding missing or extra)");
  }
  size_t pad = 0;
  if (!b64.empty() && b64.back() == '=') pad = (b64[b64.size() - 2] == '=') ? 2 : 1;
  Bytes out;
  out.reserve(b64.size() / 4 * 3);
  const size_t data_chars = b64.size() - pad;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < data_chars; ++i) {
    int v = kB64Table[static_cast<uint8_t>(b64[i])];
    if (v < 0) {
      return NonCanonical("base64 has a character outside the standard alphabet at offset " +
                          std::to_string(i));
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  // Leftover bits are the unused low bits of the last character: they must be
  // zero, or two different strings would decode to the same bytes.
  if (acc != 0) return NonCanonical("base64 has non-zero unused bits");
  return out;
}

}  // namespace tz
