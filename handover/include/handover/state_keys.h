// Where the handover domain keeps its records in the ledger's State (the
// "s/" key space; the ledger's own records use "s/k/", "s/q/", "s/p/",
// "s/m/" and "s/members"). Changing a key changes the state bytes every
// node writes: these are part of the chain's format (docs/ledger.md).
#pragma once

#include <string>
#include <string_view>

#include "crypto/hash.h"
#include "ledger/types.h"

namespace tz::handover {

// A notarized document's record (doc.notarize), by its SHA-256.
std::string StateKeyForDocument(const Digest& d);
// A joint acceptance record (acceptance.open), by its opening entry id.
std::string StateKeyForAcceptance(const ledger::EntryId& id);
// The newest version in an archive slot: kind "house" or "household",
// file the house id or household commitment.
std::string StateKeyForArchiveHead(std::string_view kind, std::string_view file,
                                   std::string_view category, std::string_view slot);
// A handover case (case.plan and its updates).
std::string StateKeyForCase(std::string_view case_id);
// A household (一户一档) seen on the ledger, by its commitment.
std::string StateKeyForHousehold(std::string_view commitment);

}  // namespace tz::handover
