// genesis, gov.propose and gov.vote: members, client keys and roles, changed
// only by a vote of more than two thirds of the members. The bodies are the
// typed forms of ledger/governance.h.
#include <algorithm>

#include "crypto/encoding.h"
#include "genesis_internal.h"
#include "ledger/entries.h"
#include "ledger/governance.h"

namespace tz::ledger {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

// Votes needed among n members: more than two thirds, floor(2n/3) + 1.
size_t GovernanceThreshold(size_t members) { return (2 * members) / 3 + 1; }

Status Precondition(std::string reason, std::string message) {
  return Status(Code::kFailedPrecondition, std::move(reason), std::move(message));
}

KeyRecord MemberKeyRecord(const Member& m) {
  KeyRecord rec;
  rec.public_key = m.key;
  rec.party = m.name;
  rec.member = m.name;
  rec.roles = {Role::kMember};
  return rec;
}

KeyRecord ClientKeyRecord(const ClientKey& k) {
  KeyRecord rec;
  rec.public_key = k.key;
  rec.party = k.party;
  rec.roles = k.roles;
  return rec;
}

void AddMember(const Member& m, State* state, std::vector<std::string>* names) {
  KeyId id = KeyIdOf(m.key);
  PutMemberRecord(state, m.name, {id, m.node_vkey});
  state->PutKey(id, MemberKeyRecord(m));
  names->push_back(m.name);
}

template <typename T>
void NoTerms(const T&, std::vector<IndexTerm>*) {}

// ---- genesis ----

Status ValidateGenesis(const EntryContext& ctx, const Genesis& g, const State&) {
  if (g.chain != ctx.entry.chain) {
    return Status::Invalid("genesis.chain_mismatch", "genesis chain differs from the envelope");
  }
  std::vector<std::string> names;
  std::vector<KeyId> ids;
  auto add_id = [&](const KeyId& id) {
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) return false;
    ids.push_back(id);
    return true;
  };
  for (const Member& m : g.members) {
    if (std::find(names.begin(), names.end(), m.name) != names.end()) {
      return Status::Invalid("gov.member_exists", "member listed twice");
    }
    names.push_back(m.name);
    if (!add_id(KeyIdOf(m.key))) return Status::Invalid("gov.key_exists", "key listed twice");
  }
  for (const ClientKey& k : g.keys) {
    if (!add_id(KeyIdOf(k.key))) return Status::Invalid("gov.key_exists", "key listed twice");
  }
  return Status::Ok();
}

void ApplyGenesis(const EntryContext&, const Genesis& g, State* state) {
  std::vector<std::string> names;
  for (const Member& m : g.members) AddMember(m, state, &names);
  for (const ClientKey& k : g.keys) state->PutKey(KeyIdOf(k.key), ClientKeyRecord(k));
  state->PutMembers(names);
  PutChainRecord(state, {g.chain, g.origin, g.suite});
}

// ---- actions: whether one can be enacted in the current state, and enacting it ----

Status CheckEnactable(const MemberAdd& a, const State& state) {
  const std::string& name = a.member.name;
  TZ_ASSIGN_OR_RETURN(std::optional<MemberRecord> m, GetMemberRecord(state, name));
  if (m) return Precondition("gov.member_exists", "member '" + name + "' exists");
  TZ_ASSIGN_OR_RETURN(std::optional<KeyRecord> k, state.GetKey(KeyIdOf(a.member.key)));
  if (k) return Precondition("gov.key_exists", "the member's key is registered");
  return Status::Ok();
}

Status CheckEnactable(const MemberRemove& a, const State& state) {
  TZ_ASSIGN_OR_RETURN(std::vector<std::string> members, state.Members());
  if (std::find(members.begin(), members.end(), a.name) == members.end()) {
    return Precondition("gov.unknown_member", "no member '" + a.name + "'");
  }
  if (members.size() == 1) return Precondition("gov.last_member", "cannot remove the last member");
  return Status::Ok();
}

Status CheckEnactable(const KeyRegister& a, const State& state) {
  KeyId id = KeyIdOf(a.key.key);
  TZ_ASSIGN_OR_RETURN(std::optional<KeyRecord> k, state.GetKey(id));
  if (k) return Precondition("gov.key_exists", "key " + ToHex(id) + " is registered");
  return Status::Ok();
}

// key.revoke and key.roles change a registered client key.
Status CheckClientKeyChange(const KeyId& id, const State& state) {
  TZ_ASSIGN_OR_RETURN(std::optional<KeyRecord> k, state.GetKey(id));
  if (!k) return Precondition("gov.unknown_key", "key " + ToHex(id) + " is not registered");
  if (k->revoked) return Precondition("gov.already_revoked", "key " + ToHex(id) + " is revoked");
  if (!k->member.empty()) {
    return Precondition("gov.member_key", "a member's key changes with member.add/remove");
  }
  return Status::Ok();
}

Status CheckEnactable(const KeyRevoke& a, const State& state) {
  return CheckClientKeyChange(a.key_id, state);
}

Status CheckEnactable(const KeyRoles& a, const State& state) {
  return CheckClientKeyChange(a.key_id, state);
}

Status CheckEnactable(const Action& action, const State& state) {
  return std::visit([&](const auto& a) { return CheckEnactable(a, state); }, action);
}

void Enact(const MemberAdd& a, State* state) {
  std::vector<std::string> members = *state->Members();
  AddMember(a.member, state, &members);
  state->PutMembers(members);
}

// The member stays on record, marked removed; its key is revoked.
void Enact(const MemberRemove& a, State* state) {
  std::vector<std::string> members = *state->Members();
  std::erase(members, a.name);
  state->PutMembers(members);
  MemberRecord info = **GetMemberRecord(*state, a.name);
  KeyRecord rec = **state->GetKey(info.key);
  rec.revoked = true;
  state->PutKey(info.key, rec);
  info.removed = true;
  PutMemberRecord(state, a.name, info);
}

void Enact(const KeyRegister& a, State* state) {
  state->PutKey(KeyIdOf(a.key.key), ClientKeyRecord(a.key));
}

void Enact(const KeyRevoke& a, State* state) {
  KeyRecord rec = **state->GetKey(a.key_id);
  rec.revoked = true;
  state->PutKey(a.key_id, rec);
}

void Enact(const KeyRoles& a, State* state) {
  KeyRecord rec = **state->GetKey(a.key_id);
  rec.roles = a.roles;
  state->PutKey(a.key_id, rec);
}

void Enact(const Action& action, State* state) {
  std::visit([state](const auto& a) { Enact(a, state); }, action);
}

// ---- proposals ----

Status ValidatePropose(const EntryContext& ctx, const Proposal& p, const State& state) {
  if (ctx.submitter.member.empty()) {
    return Status(Code::kPermissionDenied, "gov.not_member", "only members propose");
  }
  return CheckEnactable(p.action, state);
}

// The proposer's yes counts; enacted at once when that is enough.
void ApplyPropose(const EntryContext& ctx, const Proposal& p, State* state) {
  ProposalRecord rec;
  rec.action = p.action;
  rec.proposer = ctx.submitter.member;
  rec.yes = {ctx.submitter.member};
  rec.expires = ctx.block_time + p.ttl_days.value_or(kDefaultProposalDays) * kDayMs;
  if (GovernanceThreshold(state->Members()->size()) <= 1) {
    Enact(p.action, state);
    rec.status = ProposalStatus::kEnacted;
  }
  PutProposalRecord(state, ctx.entry.id, rec);
}

// ---- votes ----

Status ValidateVote(const EntryContext& ctx, const Vote& v, const State& state) {
  const std::string& voter = ctx.submitter.member;
  if (voter.empty()) return Status(Code::kPermissionDenied, "gov.not_member", "only members vote");
  const std::string pid = ToHex(v.proposal);
  TZ_ASSIGN_OR_RETURN(std::optional<ProposalRecord> p, GetProposalRecord(state, v.proposal));
  if (!p) return Precondition("gov.unknown_proposal", "no proposal " + pid);
  if (p->status != ProposalStatus::kOpen) {
    return Precondition("gov.proposal_closed", "proposal " + pid + " is closed");
  }
  if (p->expires && ctx.block_time >= *p->expires) {
    return Precondition("gov.proposal_expired",
                        "proposal " + pid + " expired at " + std::to_string(*p->expires) + " ms");
  }
  if (p->HasVoted(voter)) {
    return Precondition("gov.already_voted", voter + " has voted on this proposal");
  }
  TZ_ASSIGN_OR_RETURN(std::vector<std::string> members, state.Members());
  if (v.approve && p->yes.size() + 1 >= GovernanceThreshold(members.size())) {
    return CheckEnactable(p->action, state);
  }
  return Status::Ok();
}

void ApplyVote(const EntryContext& ctx, const Vote& v, State* state) {
  ProposalRecord p = **GetProposalRecord(*state, v.proposal);
  size_t n = state->Members()->size();
  size_t need = GovernanceThreshold(n);
  (v.approve ? p.yes : p.no).push_back(ctx.submitter.member);
  if (p.yes.size() >= need) {
    Enact(p.action, state);
    p.status = ProposalStatus::kEnacted;
  } else if (p.no.size() > n - need) {
    p.status = ProposalStatus::kRejected;
  }
  PutProposalRecord(state, v.proposal, p);
}

}  // namespace

KeyRecord GenesisFirstMemberKey(const ParsedBody& genesis) {
  return MemberKeyRecord(static_cast<const Genesis*>(genesis.get())->members.front());
}

const EntryType kGenesisType =
    MakeEntryType<Genesis, &Genesis::Parse, ValidateGenesis, ApplyGenesis, NoTerms<Genesis>>(
        "genesis", 1, {});
const EntryType kGovProposeType =
    MakeEntryType<Proposal, &Proposal::Parse, ValidatePropose, ApplyPropose, NoTerms<Proposal>>(
        "gov.propose", 1, {Role::kMember});
const EntryType kGovVoteType =
    MakeEntryType<Vote, &Vote::Parse, ValidateVote, ApplyVote, NoTerms<Vote>>("gov.vote", 1,
                                                                              {Role::kMember});

}  // namespace tz::ledger
