// Text that reaches a screen: which characters may not appear in entry text,
// and how to show untrusted text without letting it control the terminal.
//
// Unsafe, in UTF-8 text (Trojan Source, CVE-2021-42574; terminal escapes):
//   - C0 controls U+0000..U+001F (NUL, ESC, CR, LF, TAB, ...) and DEL U+007F;
//   - C1 controls U+0080..U+009F (U+009B is an 8-bit CSI);
//   - bidirectional embeddings, overrides and isolates U+202A..U+202E,
//     U+2066..U+2069, and the marks U+061C, U+200E, U+200F;
//   - line and paragraph separators U+2028, U+2029.
// Entry text fields must contain none of them (the ledger refuses such an
// entry); output escapes them. Bytes that are not valid UTF-8 are unsafe too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tz {

struct UnsafeChar {
  size_t offset = 0;          // byte offset in the text
  uint32_t code_point = 0;    // the character; for invalid UTF-8, the byte
  bool invalid_utf8 = false;  // the byte at `offset` starts no valid sequence
};

// True for the characters listed above.
bool IsUnsafeCodePoint(uint32_t cp);

// The first unsafe character of `text`, if any.
std::optional<UnsafeChar> FindUnsafeChar(std::string_view text);

// How EscapeForDisplay treats line breaks and tabs.
enum class LineBreaks {
  kEscape,  // "\n" and "\t" are escaped like every other control (one-line fields)
  kKeep,    // "\n" and "\t" pass (whole lines of output); "\r" is still escaped
};

// `text` with every unsafe character written as a JSON-style escape
// ("\u202e", "\u001b"; a byte of invalid UTF-8 as "\xff"), so the text keeps
// its meaning, shows what is there, and cannot move the cursor, recolour the
// terminal or reorder what is displayed. A backslash stays a backslash: the
// escapes are for reading, not for decoding back.
std::string EscapeForDisplay(std::string_view text, LineBreaks breaks = LineBreaks::kEscape);

// Decodes one UTF-8 sequence at the start of `s` (shortest form only, no
// surrogates, at most U+10FFFF). Returns its length, or 0 if `s` starts
// with no valid sequence; -1 if `s` ends inside what could still become a
// valid sequence (a streaming caller waits for more bytes).
int DecodeUtf8(std::string_view s, uint32_t* cp);

}  // namespace tz
