// Text helpers shared by the signed-note and checkpoint code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/status.h"

namespace tz::log::note_internal {

// Decodes one UTF-8 code point at s[i]. Returns its length (1-4) and sets
// *cp, or returns 0 if the bytes there are not well-formed UTF-8 (overlong
// forms, surrogates and code points above U+10FFFF are not well-formed).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp);

// Go's unicode.IsSpace: ASCII white space, U+0085, U+00A0 and the other
// Unicode White_Space code points.
bool IsUnicodeSpace(uint32_t cp);

// Checks that s is UTF-8 without control characters other than "\n".
// Returns a "note.malformed.bad_utf8", ".crlf" or ".control_char" status.
Status CheckNoteChars(std::string_view s);

// Canonical decimal: "0" or a non-zero digit then digits, at most 2^64-1.
bool ParseDecimalU64(std::string_view s, uint64_t* out);

inline Status Malformed(std::string_view what, std::string message) {
  return Status::Invalid("note.malformed." + std::string(what), std::move(message));
}

}  // namespace tz::log::note_internal
