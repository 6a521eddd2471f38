// Entry types and their validation rules.
//
// Every entry is {"type": <name>, "v": <version>, ...fields}. Each (type,
// version) has: the roles whose keys may submit it, a stateless schema check
// (exact field set, formats, limits), a stateful check against the ledger
// State, an Apply that updates the State (it cannot fail once the checks
// passed), and the index terms the entry contributes. Types (docs/ledger.md
// has the field tables):
//
//   genesis v1            the first entry: chain id, suite, members, keys
//   gov.propose v1        a governance proposal (member.add, member.remove,
//                         key.register, key.revoke, key.roles)
//   gov.vote v1           a member's vote; > 2/3 of members enacts
//   doc.notarize v1       a document's digest and metadata (存证)
//   acceptance.open v1    a joint acceptance record (联合验收) and the roles
//                         that must sign it
//   acceptance.sign v1    one role's signature on an acceptance record
//   archive.link v1       a notarized document attached to a house file
//                         (一房一档) or household file (一户一档); a newer
//                         version supersedes, never replaces
//   case.plan v1          a handover case: houses, step deadlines, required
//                         documents
//   case.deadline v1      a step's deadline changed
//   case.defer v1         a required document deferred (容缺) to a due date
//   case.deliver v1       a required or deferred document delivered
//   case.complete v1      the case closed
//   access.log v1         who read a household's personal data, and why
//   shred.record v1       a household's data key destroyed (PIPL art. 47)
//
// Validation reasons are stable; the ones every type shares are listed at
// ValidateEntry. State never changes when validation fails.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/json.h"
#include "crypto/status.h"
#include "ledger/envelope.h"
#include "ledger/state.h"
#include "ledger/types.h"

namespace tz::ledger {

// Where an entry lands: its position in the log and the block it is in.
struct EntryContext {
  const SignedEntry& entry;
  const KeyRecord& submitter;  // for genesis: the record the genesis creates
  uint64_t index = 0;          // position in the global log
  uint64_t height = 0;         // block height
  int64_t block_time = 0;      // block time, ms since the Unix epoch
};

// An index term contributed by an entry: ("doc", "<digest hex>"),
// ("house", "<house id>"), ("household", "<commitment>"), ("case", "<id>").
struct IndexTerm {
  std::string index;
  std::string value;
};

struct EntryType {
  std::string_view name;
  int64_t version;
  // Roles that may submit this type; the key needs at least one of them.
  std::vector<Role> roles;
  Status (*check)(const Json& body);
  Status (*validate)(const EntryContext& ctx, const Json& body, const State& state);
  void (*apply)(const EntryContext& ctx, const Json& body, State* state);
  void (*index_terms)(const Json& body, std::vector<IndexTerm>* out);
};

// Reasons "entry.unknown_type", "entry.unsupported_version".
Result<const EntryType*> FindEntryType(std::string_view name, int64_t version);
const std::vector<const EntryType*>& AllEntryTypes();

// Client-time window relative to the block time.
inline constexpr int64_t kMaxClockAheadMs = 5 * 60 * 1000;
inline constexpr int64_t kMaxEntryAgeMs = 7LL * 24 * 60 * 60 * 1000;

// Full validation of a decoded entry against the state, in this order:
//   "envelope.wrong_chain"       chain id differs from the ledger's
//   "entry.unknown_type" / "entry.unsupported_version"
//   "entry.genesis_only"         a genesis entry outside block 0, or any
//                                other entry before the genesis
//   "envelope.unknown_key"       key id not registered
//   "envelope.revoked_key"       key revoked
//   "envelope.bad_signature"     (skipped when signature_verified)
//   "envelope.replayed"          seq not above the key's last accepted seq
//   "envelope.time_skew"         client time more than kMaxClockAheadMs after,
//                                or kMaxEntryAgeMs before, the block time
//   "envelope.role_not_allowed"  no role of the key may submit the type
//   then the type's own schema and state reasons.
// On success returns the submitter's key record.
Result<KeyRecord> ValidateEntry(const SignedEntry& e, std::string_view chain, const State& state,
                                uint64_t index, uint64_t height, int64_t block_time,
                                bool signature_verified);

// Applies a validated entry (ValidateEntry returned `submitter`).
void ApplyEntry(const SignedEntry& e, const KeyRecord& submitter, State* state, uint64_t index,
                uint64_t height, int64_t block_time);

// The index terms of an entry (a pure function of its bytes).
std::vector<IndexTerm> IndexTermsOf(const SignedEntry& e);

// The entry types, defined in entry_*.cc.
extern const EntryType kGenesisType;
extern const EntryType kGovProposeType;
extern const EntryType kGovVoteType;
extern const EntryType kDocNotarizeType;
extern const EntryType kAcceptanceOpenType;
extern const EntryType kAcceptanceSignType;
extern const EntryType kArchiveLinkType;
extern const EntryType kCasePlanType;
extern const EntryType kCaseDeadlineType;
extern const EntryType kCaseDeferType;
extern const EntryType kCaseDeliverType;
extern const EntryType kCaseCompleteType;
extern const EntryType kAccessLogType;
extern const EntryType kShredRecordType;

// Shared by the entry files: the document must have been notarized
// ("document.not_notarized"); returns the notarization record.
Result<Json> RequireNotarized(const State& state, const Digest& d);
// Whether code is in the catalog of handover document types (doc.notarize).
bool IsCatalogDocType(std::string_view code);

}  // namespace tz::ledger
