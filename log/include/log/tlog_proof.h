// C2SP tlog-proof (c2sp.org/tlog-proof@v1): an offline-verifiable proof that
// an entry is in a log, made of an index, an RFC 6962 inclusion proof and the
// signed checkpoint the proof leads to.
//
//   c2sp.org/tlog-proof@v1
//   [extra <base64>]
//   index <decimal, no leading zeros>
//   <base64 hash>            (zero or more, leaf's sibling first)
//   <empty line>
//   <checkpoint signed note, verbatim>
//
// This type only encodes and decodes; verifying the proof against the note's
// root and the note's signatures is the caller's job (merkle.h, note.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/status.h"

namespace tz::log {

inline constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";
inline constexpr size_t kMaxTlogProofBytes = 1 << 20;
inline constexpr size_t kMaxInclusionProofLength = 64;

struct TlogProof {
  std::optional<Bytes> extra;  // opaque, unauthenticated
  uint64_t index = 0;
  std::vector<Digest> inclusion;  // leaf's sibling up to the root's child
  std::string checkpoint;         // the signed note, verbatim (ends with '\n')

  std::string Format() const;
  // Strict: wrong header, a leading zero or a non-decimal index, a proof line
  // that is not canonical base64 of 32 bytes, a missing empty line, an empty
  // checkpoint, CRLF, or more than kMaxInclusionProofLength hashes are all
  // rejected with reason "tlog_proof.malformed".
  static Result<TlogProof> Parse(std::string_view text);
};

}  // namespace tz::log
