// Appending RFC 8785 (JCS) JSON pieces straight into a response body, for
// hot read paths that would otherwise build a Json tree only to serialize
// it. Callers write object members in JCS key order themselves (ASCII keys:
// byte order). The escaping is exactly crypto/json.cc's canonical writer:
// '"' '\\' and control characters escaped (\b \f \n \r \t, else \u00xx),
// everything else (UTF-8 included) verbatim.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/hash.h"

namespace tz::api::jsonout {

inline void String(std::string* out, std::string_view s) {
  // Worst case 6 output bytes per input byte (\u00xx); write through a
  // pointer into reserved space, then trim.
  size_t at = out->size();
  out->resize(at + 2 + 6 * s.size());
  char* p = out->data() + at;
  *p++ = '"';
  static const char kHex[] = "0123456789abcdef";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != '"' && c != '\\') {
      *p++ = ch;
      continue;
    }
    *p++ = '\\';
    switch (c) {
      case '"':
        *p++ = '"';
        break;
      case '\\':
        *p++ = '\\';
        break;
      case '\b':
        *p++ = 'b';
        break;
      case '\f':
        *p++ = 'f';
        break;
      case '\n':
        *p++ = 'n';
        break;
      case '\r':
        *p++ = 'r';
        break;
      case '\t':
        *p++ = 't';
        break;
      default:
        *p++ = 'u';
        *p++ = '0';
        *p++ = '0';
        *p++ = kHex[c >> 4];
        *p++ = kHex[c & 15];
    }
  }
  *p++ = '"';
  out->resize(static_cast<size_t>(p - out->data()));
}

inline void Uint(std::string* out, uint64_t v) {
  char buf[20];
  size_t n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out->push_back(buf[--n]);
}

inline void Int(std::string* out, int64_t v) {
  if (v < 0) {
    out->push_back('-');
    Uint(out, static_cast<uint64_t>(0) - static_cast<uint64_t>(v));
  } else {
    Uint(out, static_cast<uint64_t>(v));
  }
}

// Standard base64 with padding (RFC 4648 §4) of a digest: 44 characters.
inline void Base64(std::string* out, const Digest& d) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const uint8_t* p = d.data();
  char buf[44];
  size_t o = 0, i = 0;
  for (; i + 3 <= Digest::kSize; i += 3) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    buf[o++] = kAlphabet[(v >> 18) & 63];
    buf[o++] = kAlphabet[(v >> 12) & 63];
    buf[o++] = kAlphabet[(v >> 6) & 63];
    buf[o++] = kAlphabet[v & 63];
  }
  // 32 = 3 * 10 + 2: two bytes left, one '='.
  uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8);
  buf[o++] = kAlphabet[(v >> 18) & 63];
  buf[o++] = kAlphabet[(v >> 12) & 63];
  buf[o++] = kAlphabet[(v >> 6) & 63];
  buf[o++] = '=';
  out->append(buf, o);
}

}  // namespace tz::api::jsonout
