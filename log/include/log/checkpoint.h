// C2SP tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint) and
// certified checkpoints: checkpoints signed by a quorum of the consortium.
//
// A checkpoint is the text of a signed note:
//   <origin>\n
//   <tree size, decimal, no leading zeros>\n
//   <base64 of the 32-byte RFC 6962 root hash>\n
//   [extension lines, each non-empty]\n
//
// Tiezheng's per-block checkpoints carry three extension lines, in this order
// and only all together (docs/checkpoints.md):
//   height <block height, decimal>
//   block <block hash, 64 lowercase hex>
//   time-ms <block time, Unix milliseconds, decimal>
// Other extension lines are kept opaque, in order, after these.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/hash.h"
#include "crypto/status.h"
#include "log/note.h"

namespace tz::log {

// The block a checkpoint was taken at.
struct BlockAnchor {
  uint64_t height = 0;
  Digest block_hash;
  uint64_t time_ms = 0;  // Unix time in milliseconds (UTC)
  bool operator==(const BlockAnchor&) const = default;
};

struct Checkpoint {
  std::string origin;                   // non-empty; no "\n" or control characters
  uint64_t size = 0;                    // number of leaves
  Digest root_hash;                     // RFC 6962 root at `size`
  std::optional<BlockAnchor> block;     // the Tiezheng extension lines
  std::vector<std::string> extensions;  // other extension lines, without "\n"

  // The note text. Requires a valid origin and extensions (see Validate).
  std::string Body() const;
  // OK if Body() would parse back to this checkpoint. Reasons:
  // "checkpoint.empty_line" (empty origin or extension), "checkpoint.bad_origin",
  // "checkpoint.bad_extension", "checkpoint.too_large".
  Status Validate() const;

  // Parses a checkpoint body strictly; Parse(c.Body()) == c and
  // Parse(t)->Body() == t. Reasons (kInvalidArgument):
  //   checkpoint.too_large       more than kMaxNoteSize bytes
  //   checkpoint.malformed       not newline-terminated lines, or fewer than 3
  //   checkpoint.empty_line      an empty line
  //   checkpoint.bad_origin      control characters or invalid UTF-8
  //   checkpoint.bad_size        not canonical decimal or above 2^64-1
  //   checkpoint.bad_root_hash   not canonical base64 of 32 bytes
  //   checkpoint.bad_extension   a Tiezheng extension line malformed, out
  //                              of order, or incomplete
  static Result<Checkpoint> Parse(std::string_view text);

  bool operator==(const Checkpoint&) const = default;
};

// Signs a checkpoint's body with each signer (see SignNote).
Result<std::string> SignCheckpoint(const Checkpoint& checkpoint,
                                   std::span<const NoteSigner> signers);

// A checkpoint together with the note carrying it, opened with the given
// verifiers.
struct SignedCheckpoint {
  Checkpoint checkpoint;
  std::string note;                     // the whole signed note, as received
  std::vector<NoteSignature> verified;  // one per known key that signed
};

// Opens the note (OpenNote) and parses its text as a checkpoint. If
// `expected_origin` is non-empty the origin must equal it
// ("checkpoint.wrong_origin", kVerificationFailed).
Result<SignedCheckpoint> OpenCheckpoint(std::string_view note, std::span<const NoteVerifier> known,
                                        std::string_view expected_origin = {});

// A checkpoint signed by at least `threshold` distinct members of the
// consortium key set.
struct CertifiedCheckpoint {
  Checkpoint checkpoint;
  std::string note;                  // the whole signed note, as received
  std::vector<std::string> signers;  // names of the key set members counted
};

// VerifyQuorum, then Checkpoint::Parse of the text and the origin check as
// for OpenCheckpoint. Reasons: those of VerifyQuorum, Checkpoint::Parse and
// "checkpoint.wrong_origin".
Result<CertifiedCheckpoint> VerifyCertifiedCheckpoint(std::string_view note,
                                                      std::span<const NoteVerifier> keyset,
                                                      size_t threshold,
                                                      std::string_view expected_origin = {});

}  // namespace tz::log
