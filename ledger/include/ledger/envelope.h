// The signed entry envelope.
//
// On the wire and in the log an entry is one RFC 8785 (JCS) canonical JSON
// object, integers only:
//
//   {"chain":"<chain id>","entry":{"type":"doc.notarize","v":1,...},
//    "key":"<32 hex key id>","seq":<n>,"sig":"<base64 signature>","time":<ms>}
//
// The signature covers the JCS form of the same object without "sig", so an
// auditor can recompute the signed bytes with any JCS library. "chain" binds
// the entry to one ledger (no replay across ledgers), "seq" is a per-key
// counter that must strictly increase (no replay within the ledger), "time"
// is the client's clock in milliseconds since the Unix epoch. These bytes are
// the leaf of the global RFC 6962 log; the entry id is their leaf hash.
#pragma once

#include <string>
#include <string_view>

#include "crypto/json.h"
#include "crypto/sign.h"
#include "crypto/status.h"
#include "ledger/types.h"

namespace tz::ledger {

struct SignedEntry {
  std::string chain;
  Json entry;        // an object with at least "type" (string) and "v" (integer)
  std::string type;  // entry["type"]
  int64_t version = 0;
  KeyId key;
  int64_t seq = 0;   // >= 1
  int64_t time = 0;  // client time, ms since the Unix epoch, >= 0
  Signature sig;
  std::string bytes;  // the canonical signed bytes (the log leaf)
  EntryId id;         // EntryIdOf(bytes)

  // The bytes the signature covers: JCS of the envelope without "sig".
  std::string SigningMessage() const;
};

// Builds, signs and encodes an envelope. `entry` must be an object with
// "type" and "v"; reasons as for ParseSignedEntry, plus "signature.*" from
// the signer.
Result<SignedEntry> SignEntry(std::string_view chain, const Json& entry, const KeyId& key,
                              const SecretKey& sk, int64_t seq, int64_t time);

// Decodes an envelope without looking at any state and without checking the
// signature. Rejects, with these reasons:
//   "envelope.too_large"     more than kMaxEntryBytes
//   "json.*"                 not strict JSON (floats "json.float", duplicate
//                            keys "json.duplicate_key", integers outside
//                            +-(2^53-1) "json.int_range", ...)
//   "envelope.not_canonical" valid JSON but not byte-for-byte its JCS form
//   "envelope.bad_field"     missing/extra/mistyped envelope fields
//   "envelope.unsigned"      no signature, or one that is not 64 bytes
//   "envelope.bad_seq"       seq < 1;  "envelope.bad_time" time < 0
//   "entry.bad_type"         entry is not an object with "type" and "v"
Result<SignedEntry> ParseSignedEntry(std::string_view bytes);

// OK when sig is valid for SigningMessage() under pk; else
// "envelope.bad_signature" (kVerificationFailed).
[[nodiscard]] Status VerifyEntrySignature(const SignedEntry& e, const PublicKey& pk);

}  // namespace tz::ledger
