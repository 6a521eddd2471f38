// Fuzzes ledger/tlog_proof.h: the C2SP tlog-proof codec that
// `tiezheng log verify` and offline verifiers read.
//
// Properties, for every input that parses:
//   - Format() gives back the input byte for byte (the format is strict, so
//     there is exactly one encoding of a proof);
//   - at most kMaxInclusionProofLength hashes, a checkpoint ending in '\n';
//   - the checkpoint, opaque to the codec, goes through the note parser
//     without crashing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "log/checkpoint.h"
#include "log/note.h"
#include "log/tlog_proof.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto proof = tz::log::TlogProof::Parse(input);
  if (!proof.ok()) return 0;
  TZ_FUZZ_CHECK(proof->inclusion.size() <= tz::log::kMaxInclusionProofLength);
  TZ_FUZZ_CHECK(!proof->checkpoint.empty() && proof->checkpoint.back() == '\n');
  std::string formatted = proof->Format();
  TZ_FUZZ_CHECK(formatted == input);
  auto again = tz::log::TlogProof::Parse(formatted);
  TZ_FUZZ_CHECK(again.ok());
  TZ_FUZZ_CHECK(again->index == proof->index && again->inclusion == proof->inclusion &&
                again->extra == proof->extra && again->checkpoint == proof->checkpoint);
  if (auto note = tz::log::ParseNote(proof->checkpoint); note.ok()) {
    (void)tz::log::Checkpoint::Parse(note->text);
  }
  return 0;
}
