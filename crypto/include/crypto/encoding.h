// Hex and base64 (RFC 4648) encodings. Decoders are strict: they accept only
// the canonical form, so that one value has exactly one textual encoding.
#pragma once

#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace tz {

// Lowercase hex.
std::string HexEncode(ByteSpan data);
// Accepts lowercase hex only; odd length, uppercase or other characters are
// errors (reasons "hex.odd_length", "hex.bad_char").
Result<Bytes> HexDecode(std::string_view hex);

// Standard alphabet with '=' padding.
std::string Base64Encode(ByteSpan data);
// Rejects missing/extra padding, characters outside the alphabet (including
// whitespace), and non-zero unused bits ("base64.non_canonical").
Result<Bytes> Base64Decode(std::string_view b64);

}  // namespace tz
