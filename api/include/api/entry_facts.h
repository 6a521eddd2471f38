// The few facts an entry summary needs (id, signing key, type), read from
// committed signed-entry bytes without building a Json tree. Committed
// bytes were fully validated (RFC 8785 form, signature, fields) when their
// block was written, so this only scans: top-level "key" and the "type" of
// the "entry" object. Anything the scanner does not expect (escapes in
// those strings, whitespace) falls back to a full JSON parse, so the result
// always equals ledger::ParseSignedEntry's id, key and type.
#pragma once

#include <string>
#include <string_view>

#include "crypto/status.h"
#include "ledger/types.h"

namespace tz::api {

struct EntryFacts {
  ledger::EntryId id;
  ledger::KeyId key;
  std::string type;
};

// Reason "ledger.bad_entry" (kCorruption) if the bytes lack a string "key"
// or "entry"."type"; "field.bad_key_id" for a malformed key id.
Result<EntryFacts> ReadEntryFacts(std::string_view signed_entry_bytes);

}  // namespace tz::api
