#include <limits>

#include "note_internal.h"

namespace tz::log::note_internal {

size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto at = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = at(i);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len;
  uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    if (b0 == 0xe0) lo = 0xa0;  // overlong
    if (b0 == 0xed) hi = 0x9f;  // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    if (b0 == 0xf0) lo = 0x90;  // overlong
    if (b0 == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  uint32_t v = b0 & (0xff >> (len + 1));
  v = (v << 6) | (at(i + 1) & 0x3f);
  for (size_t k = 2; k < len; ++k) {
    if ((at(i + k) & 0xc0) != 0x80) return 0;
    v = (v << 6) | (at(i + k) & 0x3f);
  }
  *cp = v;
  return len;
}

bool IsUnicodeSpace(uint32_t cp) {
  switch (cp) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200a;
  }
}

Status CheckNoteChars(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    const size_t n = DecodeUtf8(s, i, &cp);
    if (n == 0) {
      return Malformed("bad_utf8", "invalid UTF-8 at byte " + std::to_string(i));
    }
    if (cp < 0x20 && cp != '\n') {
      if (cp == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
        return Malformed("crlf", "CR LF line ending at byte " + std::to_string(i));
      }
      return Malformed("control_char", "control character at byte " + std::to_string(i));
    }
    i += n;
  }
  return Status::Ok();
}

bool ParseDecimalU64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace tz::log::note_internal
