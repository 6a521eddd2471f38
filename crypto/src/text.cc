#include "crypto/text.h"

#include <cstdio>

namespace tz {

bool IsUnsafeCodePoint(uint32_t cp) {
  if (cp < 0x20 || cp == 0x7f) return true;
  if (cp >= 0x80 && cp <= 0x9f) return true;
  if (cp >= 0x202a && cp <= 0x202e) return true;
  if (cp >= 0x2066 && cp <= 0x2069) return true;
  return cp == 0x061c || cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029;
}

int DecodeUtf8(std::string_view s, uint32_t* cp) {
  if (s.empty()) return -1;
  auto b = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  uint8_t c = b(0);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  int len;
  uint32_t v, min;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2, v = c & 0x1f, min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3, v = c & 0x0f, min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4, v = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  for (int i = 1; i < len; ++i) {
    if (static_cast<size_t>(i) >= s.size()) return -1;
    if ((b(i) & 0xc0) != 0x80) return 0;
    v = (v << 6) | (b(i) & 0x3f);
    // Reject overlong forms, surrogates and values past U+10FFFF as soon
    // as the second byte decides them, so a stream does not wait on them.
    if (i == 1) {
      uint32_t top = v << (6 * (len - 2));
      if (len == 3 && (top < min || (top >= 0xd800 && top <= 0xdfff))) return 0;
      if (len == 4 && (top < min || top > 0x10ffff)) return 0;
    }
  }
  *cp = v;
  return len;
}

std::optional<UnsafeChar> FindUnsafeChar(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    uint32_t cp = 0;
    int n = DecodeUtf8(text.substr(i), &cp);
    if (n <= 0) return UnsafeChar{i, static_cast<uint8_t>(text[i]), true};
    if (IsUnsafeCodePoint(cp)) return UnsafeChar{i, cp, false};
    i += static_cast<size_t>(n);
  }
  return std::nullopt;
}

std::string EscapeForDisplay(std::string_view text, LineBreaks breaks) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  char buf[16];
  while (i < text.size()) {
    uint32_t cp = 0;
    int n = DecodeUtf8(text.substr(i), &cp);
    if (n <= 0) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<uint8_t>(text[i]));
      out += buf;
      ++i;
      continue;
    }
    bool keep = breaks == LineBreaks::kKeep && (cp == '\n' || cp == '\t');
    if (IsUnsafeCodePoint(cp) && !keep) {
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      out += buf;
    } else {
      out.append(text.substr(i, static_cast<size_t>(n)));
    }
    i += static_cast<size_t>(n);
  }
  return out;
}

}  // namespace tz
