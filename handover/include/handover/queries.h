// The domain's read side: looking entries up by what they concern, a
// document's notarization, a house's or household's timeline, a case's
// state. Pure functions of a committed ledger; the API and the CLI both
// answer through these (node/, api/ add only transport and formatting).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/json.h"
#include "crypto/status.h"
#include "ledger/ledger.h"

namespace tz::handover {

// What an entry can be looked up by. The ledger stores index terms by
// name (IndexName); the domain code uses only these values.
enum class Index {
  kDocument,    // "doc": a document digest (doc.notarize, archive.link, case.deliver, reports)
  kProject,     // "project": a project id
  kHouse,       // "house": a house id (一房一档)
  kHousehold,   // "household": a household commitment (一户一档)
  kCase,        // "case": a handover case id
  kAcceptance,  // "acceptance": an acceptance record (its opening entry id)
};
std::string_view IndexName(Index index);
// "index.unknown" for any other name.
Result<Index> ParseIndex(std::string_view name);

// Log indices of the entries with `value` under `index`, ascending, after
// `after`, at most `limit`. Reasons: the ledger's.
Result<std::vector<uint64_t>> Lookup(const ledger::Ledger& l, Index index, std::string_view value,
                                     size_t limit, std::optional<uint64_t> after = {});

// The most entries a timeline or a case listing holds.
inline constexpr size_t kMaxTimeline = 500;

// {"sha256", "title", "doc_type"} of a notarized document (title and type
// from its doc.notarize entry); only "sha256" when it was never notarized.
Json DocumentInfo(const ledger::Ledger& l, const std::string& sha256_hex);

// A house's or household's file (一房一档 / 一户一档): each entry that names
// it, oldest first, with the document it concerns and, for archive links,
// which later link superseded it. `file` is kHouse or kHousehold;
// links_only keeps archive.link entries only.
Result<Json> Timeline(const ledger::Ledger& l, Index file, const std::string& id, bool links_only);

// A case's state record (case.plan and its updates), or nullopt.
Result<std::optional<Json>> CaseState(const ledger::Ledger& l, std::string_view case_id);

}  // namespace tz::handover
