// Entry types, the registry that holds them, and the rules every entry
// shares.
//
// Every entry is {"type": <name>, "v": <version>, ...fields}. Each (type,
// version) has: the roles whose keys may submit it, a stateless parse (the
// schema check: exact field set, formats, limits) that turns the body into
// the type's own typed form, a stateful check against the ledger State, an
// Apply that updates the State (it cannot fail once the checks passed), and
// the index terms the entry contributes. The body is parsed once, by
// ValidateEntry; validate, apply and index_terms receive the parsed form.
//
// The ledger itself defines only the types that run the consortium (their
// typed bodies are in ledger/governance.h; docs/ledger.md has the field
// tables):
//
//   genesis v1            the first entry: chain id, suite, members, keys
//   gov.propose v1        a governance proposal (member.add, member.remove,
//                         key.register, key.revoke, key.roles)
//   gov.vote v1           a member's vote; > 2/3 of members enacts
//
// An application adds its own types to an EntryTypeRegistry (the handover
// domain's are in handover/entry_types.h) and gives the registry to the
// Ledger (LedgerOptions::types); the ledger validates, applies and indexes
// whatever the registry holds and knows nothing else about them.
//
// Validation reasons are stable; the ones every type shares are listed at
// ValidateEntry. State never changes when validation fails.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
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

// An entry body as its type's parse returned it. Only the type that made it
// looks inside (through MakeEntryType, below); the ledger just hands it
// back to the same type's validate, apply and index_terms.
using ParsedBody = std::shared_ptr<const void>;

struct EntryType {
  std::string_view name;
  int64_t version;
  // Roles that may submit this type; the key needs at least one of them.
  std::vector<Role> roles;
  // The schema check; on success the body in the type's parsed form.
  Result<ParsedBody> (*parse)(const Json& body);
  // `body` is what this type's parse returned.
  Status (*validate)(const EntryContext& ctx, const void* body, const State& state);
  void (*apply)(const EntryContext& ctx, const void* body, State* state);
  void (*index_terms)(const void* body, std::vector<IndexTerm>* out);
};

// Builds an EntryType from functions over a typed body T: Parse checks the
// schema and builds a T; Validate, Apply and Terms receive that T. The
// casts between T and the registry's untyped ParsedBody live here (and, for
// the genesis' signer check in ValidateEntry, beside the genesis type).
template <typename T, Result<T> (*Parse)(const Json&),
          Status (*Validate)(const EntryContext&, const T&, const State&),
          void (*Apply)(const EntryContext&, const T&, State*),
          void (*Terms)(const T&, std::vector<IndexTerm>*)>
EntryType MakeEntryType(std::string_view name, int64_t version, std::vector<Role> roles) {
  struct Adapter {
    static Result<ParsedBody> DoParse(const Json& body) {
      Result<T> parsed = Parse(body);
      if (!parsed.ok()) return parsed.status();
      return ParsedBody(std::make_shared<const T>(std::move(parsed).value()));
    }
    static Status DoValidate(const EntryContext& ctx, const void* body, const State& state) {
      return Validate(ctx, *static_cast<const T*>(body), state);
    }
    static void DoApply(const EntryContext& ctx, const void* body, State* state) {
      Apply(ctx, *static_cast<const T*>(body), state);
    }
    static void DoTerms(const void* body, std::vector<IndexTerm>* out) {
      Terms(*static_cast<const T*>(body), out);
    }
  };
  return EntryType{name,
                   version,
                   std::move(roles),
                   &Adapter::DoParse,
                   &Adapter::DoValidate,
                   &Adapter::DoApply,
                   &Adapter::DoTerms};
}

// A set of entry types, looked up by (name, version). Always holds the
// ledger's own types (genesis, gov.propose, gov.vote). Not thread-safe to
// modify; build it once, then share it read-only.
class EntryTypeRegistry {
 public:
  EntryTypeRegistry();
  // Adds `type` (which must outlive the registry). Reason
  // "registry.duplicate" if (name, version) is already registered.
  Status Add(const EntryType* type);
  // Reasons "entry.unknown_type", "entry.unsupported_version".
  Result<const EntryType*> Find(std::string_view name, int64_t version) const;
  const std::vector<const EntryType*>& all() const { return types_; }

 private:
  std::vector<const EntryType*> types_;
};

// The registry with only the ledger's own types: what a Ledger uses when
// LedgerOptions::types is null.
const EntryTypeRegistry& LedgerEntryTypes();

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
// On success returns the entry's type, the submitter's key record and the
// parsed body, which ApplyEntry and IndexTermsOf then reuse.
struct ValidatedEntry {
  const EntryType* type = nullptr;
  KeyRecord submitter;
  ParsedBody body;
};
Result<ValidatedEntry> ValidateEntry(const EntryTypeRegistry& types, const SignedEntry& e,
                                     std::string_view chain, const State& state, uint64_t index,
                                     uint64_t height, int64_t block_time, bool signature_verified);

// Applies an entry ValidateEntry accepted (`v` is what it returned).
void ApplyEntry(const SignedEntry& e, const ValidatedEntry& v, State* state, uint64_t index,
                uint64_t height, int64_t block_time);

// The index terms of an entry ValidateEntry accepted.
std::vector<IndexTerm> IndexTermsOf(const ValidatedEntry& v);
// The index terms of a stored entry (a pure function of its bytes; parses
// the body). None when the type is unknown or the body does not parse.
std::vector<IndexTerm> IndexTermsOf(const EntryTypeRegistry& types, const SignedEntry& e);

// The ledger's own entry types (entry_governance.cc).
extern const EntryType kGenesisType;
extern const EntryType kGovProposeType;
extern const EntryType kGovVoteType;

}  // namespace tz::ledger
