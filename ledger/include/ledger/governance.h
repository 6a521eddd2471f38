// The consortium's typed forms: the bodies of genesis, gov.propose and
// gov.vote (each parsed once from the entry's JSON, by the schema check that
// defines the type), and the governance records the ledger keeps in its
// State.
//
// Entry bodies: `static Result<T> Parse(const Json& body)` is the type's
// schema check (exact field set, formats, limits; docs/ledger.md). It checks
// fields in a fixed order and returns the first failure's reason, which is
// part of the chain's behaviour.
//
// State records: `ToJson()` gives exactly the JSON the chain stores for the
// record (its canonical bytes are what every node writes); `FromJson` reads
// it back ("state.corrupt" on anything else).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crypto/json.h"
#include "crypto/sign.h"
#include "crypto/status.h"
#include "ledger/state.h"
#include "ledger/types.h"

namespace tz::ledger {

// ---- entry bodies ----

// A consortium member, {"name","key":{"alg","pub"},"node"}: in the genesis'
// "members" and in a member.add action.
struct Member {
  std::string name;       // an id token
  PublicKey key;          // the member's governance key
  std::string node_vkey;  // "node": its node's C2SP note verifier key, as written
};

// A client key, {"key":{"alg","pub"},"party","roles"}: in the genesis'
// "keys" and in a key.register action.
struct ClientKey {
  PublicKey key;
  std::string party;        // an id token
  std::vector<Role> roles;  // at least one, never Role::kMember
};

// genesis v1
struct Genesis {
  std::string chain;
  std::string suite;            // "intl", the only suite built yet
  std::string origin;           // the checkpoint origin
  std::vector<Member> members;  // at least one; the first signs the genesis
  std::vector<ClientKey> keys;  // empty when absent

  static Result<Genesis> Parse(const Json& body);
};

// What a proposal asks for: its "action", whose "kind" names the
// alternative.
struct MemberAdd {  // "member.add"
  Member member;
};
struct MemberRemove {  // "member.remove"
  std::string name;
};
struct KeyRegister {  // "key.register"
  ClientKey key;
};
struct KeyRevoke {  // "key.revoke"
  KeyId key_id;
};
struct KeyRoles {  // "key.roles": replaces the key's roles
  KeyId key_id;
  std::vector<Role> roles;
};
using Action = std::variant<MemberAdd, MemberRemove, KeyRegister, KeyRevoke, KeyRoles>;

// The schema check of an "action" object, with gov.propose's reasons.
Result<Action> ParseAction(const Json& action);
// The action as a proposal writes it: ActionJson(*ParseAction(a)) has the
// same canonical bytes as `a`.
Json ActionJson(const Action& action);

// A proposal is open for ttl_days of block time: votes in a block at or
// after its expiry are refused, so a half-voted proposal cannot be enacted
// long after, by a changed membership.
inline constexpr int64_t kDefaultProposalDays = 7;
inline constexpr int64_t kMaxProposalDays = 90;

// gov.propose v1
struct Proposal {
  Action action;
  std::optional<std::string> reason;
  std::optional<int64_t> ttl_days;  // 1..kMaxProposalDays; absent: kDefaultProposalDays

  static Result<Proposal> Parse(const Json& body);
};

// gov.vote v1
struct Vote {
  EntryId proposal;
  bool approve = false;

  static Result<Vote> Parse(const Json& body);
};

// ---- state records ----

// "s/chain": the genesis' {"chain","origin","suite"}.
struct ChainRecord {
  std::string chain;
  std::string origin;
  std::string suite;

  Json ToJson() const;
  static Result<ChainRecord> FromJson(const Json& j);
};

// "s/m/<name>": a member, kept after its removal.
//   {"key","node","removed"?}
struct MemberRecord {
  KeyId key;              // the member's governance key
  std::string node_vkey;  // "node": its node's note verifier key
  bool removed = false;   // written, as true, only once removed

  Json ToJson() const;
  static Result<MemberRecord> FromJson(const Json& j);
};

enum class ProposalStatus { kOpen, kEnacted, kRejected };  // "open", "enacted", "rejected"
std::string_view Name(ProposalStatus s);

// "s/p/<gov.propose entry id>": a proposal and its votes.
//   {"action","expires"?,"no":[member],"proposer","status","yes":[member]}
struct ProposalRecord {
  Action action;
  std::string proposer;
  std::vector<std::string> yes;  // member names in voting order; the proposer first
  std::vector<std::string> no;
  ProposalStatus status = ProposalStatus::kOpen;
  // Block time (ms) from which votes are refused; absent in proposals made
  // before proposals expired.
  std::optional<int64_t> expires;

  bool HasVoted(std::string_view member) const;
  Json ToJson() const;
  static Result<ProposalRecord> FromJson(const Json& j);
};

// ---- typed state access (reasons: the State's, and "state.corrupt") ----

Result<std::optional<ChainRecord>> GetChainRecord(const State& state);
void PutChainRecord(State* state, const ChainRecord& rec);

Result<std::optional<MemberRecord>> GetMemberRecord(const State& state, std::string_view name);
void PutMemberRecord(State* state, std::string_view name, const MemberRecord& rec);

Result<std::optional<ProposalRecord>> GetProposalRecord(const State& state, const EntryId& id);
void PutProposalRecord(State* state, const EntryId& id, const ProposalRecord& rec);

}  // namespace tz::ledger
