// genesis, gov.propose and gov.vote: members, client keys and roles, changed
// only by a vote of more than two thirds of the members.
#include "crypto/encoding.h"
#include "genesis_internal.h"
#include "ledger/entries.h"
#include "log/note.h"

namespace tz::ledger {

Result<PublicKey> ParseKeySpec(const Json& obj, std::string_view field) {
  const Json* spec = obj.find(field);
  auto bad = [&](const std::string& m) {
    return Status::Invalid("field.bad_key", "'" + std::string(field) + "': " + m);
  };
  if (spec == nullptr || !spec->is_object()) return bad("must be {\"alg\",\"pub\"}");
  if (!CheckKeys(*spec, {"alg", "pub"}).ok()) return bad("only alg and pub are allowed");
  auto alg = GetString(*spec, "alg");
  auto pub = GetString(*spec, "pub");
  if (!alg.ok() || !pub.ok()) return bad("must be {\"alg\",\"pub\"}");
  auto sig_alg = ParseSignatureName(*alg);
  if (!sig_alg.ok()) return bad("unknown algorithm");
  auto bytes = Base64Decode(*pub);
  if (!bytes.ok()) return bad("public key is not canonical base64");
  auto pk = PublicKey::FromBytes(*sig_alg, *bytes);
  if (!pk.ok()) return bad(pk.status().message());
  return *pk;
}

Json KeySpecJson(const PublicKey& pk) {
  Json j = Json::MakeObject();
  j.set("alg", Json(SignatureName(pk.algorithm())));
  j.set("pub", Json(Base64Encode(pk.bytes())));
  return j;
}

size_t GovernanceThreshold(size_t members) { return (2 * members) / 3 + 1; }

namespace {

Status CheckMember(const Json& m) {
  TZ_RETURN_IF_ERROR(CheckKeys(m, {"name", "key", "node"}));
  TZ_RETURN_IF_ERROR(GetId(m, "name").status());
  TZ_RETURN_IF_ERROR(ParseKeySpec(m, "key").status());
  TZ_ASSIGN_OR_RETURN(std::string node, GetString(m, "node"));
  auto v = log::NoteVerifier::Parse(node);
  if (!v.ok()) return Status::Invalid("field.bad_vkey", "member 'node' is not a note vkey");
  return Status::Ok();
}

Status CheckClientKey(const Json& k) {
  TZ_RETURN_IF_ERROR(CheckKeys(k, {"key", "party", "roles"}));
  TZ_RETURN_IF_ERROR(ParseKeySpec(k, "key").status());
  TZ_RETURN_IF_ERROR(GetId(k, "party").status());
  TZ_ASSIGN_OR_RETURN(std::vector<Role> roles, GetRoles(k, "roles"));
  for (Role r : roles) {
    if (r == Role::kMember) {
      return Status::Invalid("gov.bad_roles", "'member' comes only with membership");
    }
  }
  if (roles.empty()) return Status::Invalid("gov.bad_roles", "a key needs at least one role");
  return Status::Ok();
}

KeyRecord ClientKeyRecord(const Json& k) {
  KeyRecord rec;
  rec.public_key = *ParseKeySpec(k, "key");
  rec.party = *GetString(k, "party");
  rec.roles = *GetRoles(k, "roles");
  return rec;
}

KeyRecord MemberKeyRecord(const Json& m) {
  KeyRecord rec;
  rec.public_key = *ParseKeySpec(m, "key");
  rec.party = *GetString(m, "name");
  rec.member = rec.party;
  rec.roles = {Role::kMember};
  return rec;
}

void AddMember(const Json& m, State* state, std::vector<std::string>* names) {
  KeyRecord rec = MemberKeyRecord(m);
  KeyId id = KeyIdOf(rec.public_key);
  Json info = Json::MakeObject();
  info.set("key", Json(ToHex(id)));
  info.set("node", *m.find("node"));
  state->PutJson(StateKeyForMember(rec.member), info);
  state->PutKey(id, rec);
  names->push_back(rec.member);
}

// ---- genesis ----

Status CheckGenesis(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "chain", "suite", "origin", "members", "keys"}));
  TZ_RETURN_IF_ERROR(GetId(b, "chain").status());
  TZ_ASSIGN_OR_RETURN(std::string suite, GetEnum(b, "suite", {"intl", "gm"}));
  if (suite != "intl") {
    return Status::Invalid("genesis.suite_unsupported", "only the 'intl' suite is built yet");
  }
  TZ_RETURN_IF_ERROR(GetText(b, "origin").status());
  TZ_ASSIGN_OR_RETURN(const Json::Array* members, GetArray(b, "members"));
  if (members->empty()) return Status::Invalid("genesis.no_members", "a ledger needs a member");
  for (const Json& m : *members) TZ_RETURN_IF_ERROR(CheckMember(m));
  TZ_ASSIGN_OR_RETURN(const Json::Array* keys, GetArray(b, "keys", false));
  for (const Json& k : *keys) TZ_RETURN_IF_ERROR(CheckClientKey(k));
  return Status::Ok();
}

Status ValidateGenesisBody(const EntryContext& ctx, const Json& b, const State&) {
  if (*GetString(b, "chain") != ctx.entry.chain) {
    return Status::Invalid("genesis.chain_mismatch", "genesis chain differs from the envelope");
  }
  std::vector<std::string> names;
  std::vector<KeyId> ids;
  auto add_id = [&](const KeyId& id) {
    for (const KeyId& x : ids) {
      if (x == id) return false;
    }
    ids.push_back(id);
    return true;
  };
  for (const Json& m : b.find("members")->as_array()) {
    std::string name = *GetString(m, "name");
    for (const auto& n : names) {
      if (n == name) return Status::Invalid("gov.member_exists", "member listed twice");
    }
    names.push_back(name);
    if (!add_id(KeyIdOf(MemberKeyRecord(m).public_key))) {
      return Status::Invalid("gov.key_exists", "key listed twice");
    }
  }
  if (const Json* keys = b.find("keys")) {
    for (const Json& k : keys->as_array()) {
      if (!add_id(KeyIdOf(ClientKeyRecord(k).public_key))) {
        return Status::Invalid("gov.key_exists", "key listed twice");
      }
    }
  }
  return Status::Ok();
}

void ApplyGenesis(const EntryContext&, const Json& b, State* state) {
  std::vector<std::string> names;
  for (const Json& m : b.find("members")->as_array()) AddMember(m, state, &names);
  if (const Json* keys = b.find("keys")) {
    for (const Json& k : keys->as_array()) {
      KeyRecord rec = ClientKeyRecord(k);
      state->PutKey(KeyIdOf(rec.public_key), rec);
    }
  }
  state->PutMembers(names);
  Json chain = Json::MakeObject();
  chain.set("chain", *b.find("chain"));
  chain.set("origin", *b.find("origin"));
  chain.set("suite", *b.find("suite"));
  state->PutJson("s/chain", chain);
}

void NoTerms(const Json&, std::vector<IndexTerm>*) {}

// ---- proposals ----

Status CheckAction(const Json& a) {
  if (!a.is_object()) return Status::Invalid("json.wrong_type", "'action' must be an object");
  TZ_ASSIGN_OR_RETURN(std::string kind, GetEnum(a, "kind",
                                                {"member.add", "member.remove", "key.register",
                                                 "key.revoke", "key.roles"}));
  if (kind == "member.add") {
    TZ_RETURN_IF_ERROR(CheckKeys(a, {"kind", "name", "key", "node"}));
    Json m = Json::MakeObject();
    for (const char* f : {"name", "key", "node"}) {
      if (const Json* v = a.find(f)) m.set(f, *v);
    }
    return CheckMember(m);
  }
  if (kind == "member.remove") {
    TZ_RETURN_IF_ERROR(CheckKeys(a, {"kind", "name"}));
    return GetId(a, "name").status();
  }
  if (kind == "key.register") {
    TZ_RETURN_IF_ERROR(CheckKeys(a, {"kind", "key", "party", "roles"}));
    Json k = Json::MakeObject();
    for (const char* f : {"key", "party", "roles"}) {
      if (const Json* v = a.find(f)) k.set(f, *v);
    }
    return CheckClientKey(k);
  }
  if (kind == "key.revoke") {
    TZ_RETURN_IF_ERROR(CheckKeys(a, {"kind", "key_id"}));
    TZ_ASSIGN_OR_RETURN(std::string id, GetString(a, "key_id"));
    return KeyIdFromHex(id).status();
  }
  TZ_RETURN_IF_ERROR(CheckKeys(a, {"kind", "key_id", "roles"}));
  TZ_ASSIGN_OR_RETURN(std::string id, GetString(a, "key_id"));
  TZ_RETURN_IF_ERROR(KeyIdFromHex(id).status());
  TZ_ASSIGN_OR_RETURN(std::vector<Role> roles, GetRoles(a, "roles"));
  for (Role r : roles) {
    if (r == Role::kMember) return Status::Invalid("gov.bad_roles", "'member' is not grantable");
  }
  if (roles.empty()) return Status::Invalid("gov.bad_roles", "a key needs at least one role");
  return Status::Ok();
}

Status Precondition(std::string reason, std::string message) {
  return Status(Code::kFailedPrecondition, std::move(reason), std::move(message));
}

// Whether the action can be enacted in the current state.
Status ValidateAction(const Json& a, const State& state) {
  std::string kind = *GetString(a, "kind");
  if (kind == "member.add" || kind == "member.remove") {
    std::string name = *GetString(a, "name");
    TZ_ASSIGN_OR_RETURN(std::optional<std::string> m, state.Get(StateKeyForMember(name)));
    TZ_ASSIGN_OR_RETURN(std::vector<std::string> members, state.Members());
    bool listed = false;
    for (const auto& n : members) listed = listed || n == name;
    if (kind == "member.add") {
      if (m) return Precondition("gov.member_exists", "member '" + name + "' exists");
      TZ_ASSIGN_OR_RETURN(PublicKey pk, ParseKeySpec(a, "key"));
      TZ_ASSIGN_OR_RETURN(std::optional<KeyRecord> k, state.GetKey(KeyIdOf(pk)));
      if (k) return Precondition("gov.key_exists", "the member's key is registered");
      return Status::Ok();
    }
    if (!listed) return Precondition("gov.unknown_member", "no member '" + name + "'");
    if (members.size() == 1)
      return Precondition("gov.last_member", "cannot remove the last member");
    return Status::Ok();
  }
  if (kind == "key.register") {
    TZ_ASSIGN_OR_RETURN(PublicKey pk, ParseKeySpec(a, "key"));
    TZ_ASSIGN_OR_RETURN(std::optional<KeyRecord> k, state.GetKey(KeyIdOf(pk)));
    if (k) return Precondition("gov.key_exists", "key " + ToHex(KeyIdOf(pk)) + " is registered");
    return Status::Ok();
  }
  KeyId id = *KeyIdFromHex(*GetString(a, "key_id"));
  TZ_ASSIGN_OR_RETURN(std::optional<KeyRecord> k, state.GetKey(id));
  if (!k) return Precondition("gov.unknown_key", "key " + ToHex(id) + " is not registered");
  if (k->revoked) return Precondition("gov.already_revoked", "key " + ToHex(id) + " is revoked");
  if (!k->member.empty()) {
    return Precondition("gov.member_key", "a member's key changes with member.add/remove");
  }
  return Status::Ok();
}

void Enact(const Json& a, State* state) {
  std::string kind = *GetString(a, "kind");
  std::vector<std::string> members = *state->Members();
  if (kind == "member.add") {
    AddMember(a, state, &members);
    state->PutMembers(members);
  } else if (kind == "member.remove") {
    std::string name = *GetString(a, "name");
    std::erase(members, name);
    state->PutMembers(members);
    auto info = *state->GetJson(StateKeyForMember(name));
    KeyId id = *KeyIdFromHex(*GetString(*info, "key"));
    KeyRecord rec = **state->GetKey(id);
    rec.revoked = true;
    state->PutKey(id, rec);
    info->set("removed", Json(true));
    state->PutJson(StateKeyForMember(name), *info);
  } else if (kind == "key.register") {
    KeyRecord rec;
    rec.public_key = *ParseKeySpec(a, "key");
    rec.party = *GetString(a, "party");
    rec.roles = *GetRoles(a, "roles");
    state->PutKey(KeyIdOf(rec.public_key), rec);
  } else {
    KeyId id = *KeyIdFromHex(*GetString(a, "key_id"));
    KeyRecord rec = **state->GetKey(id);
    if (kind == "key.revoke") {
      rec.revoked = true;
    } else {
      rec.roles = *GetRoles(a, "roles");
    }
    state->PutKey(id, rec);
  }
}

// A proposal is open for ttl_days (default 7, at most 90) of block time;
// votes in a block at or after its "expires" time are refused, so a
// half-voted proposal cannot be enacted long after, by a changed membership.
constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int64_t kDefaultProposalDays = 7;
constexpr int64_t kMaxProposalDays = 90;

Status CheckPropose(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "action", "reason", "ttl_days"}));
  if (b.find("reason") != nullptr) TZ_RETURN_IF_ERROR(GetText(b, "reason").status());
  if (b.find("ttl_days") != nullptr) {
    TZ_ASSIGN_OR_RETURN(int64_t days, GetInt(b, "ttl_days"));
    if (days < 1 || days > kMaxProposalDays) {
      return Status::Invalid("gov.bad_ttl",
                             "'ttl_days' must be 1.." + std::to_string(kMaxProposalDays));
    }
  }
  const Json* a = b.find("action");
  if (a == nullptr) return Status::Invalid("json.missing_field", "missing 'action'");
  return CheckAction(*a);
}

Status ValidatePropose(const EntryContext& ctx, const Json& b, const State& state) {
  if (ctx.submitter.member.empty()) {
    return Status(Code::kPermissionDenied, "gov.not_member", "only members propose");
  }
  return ValidateAction(*b.find("action"), state);
}

Json NewProposal(const EntryContext& ctx, const Json& action) {
  Json p = Json::MakeObject();
  p.set("action", action);
  p.set("proposer", Json(ctx.submitter.member));
  p.set("yes", Json::MakeArray({Json(ctx.submitter.member)}));
  p.set("no", Json::MakeArray());
  p.set("status", Json("open"));
  const Json* ttl = ctx.entry.entry.find("ttl_days");
  int64_t days = ttl != nullptr ? ttl->as_int64() : kDefaultProposalDays;
  p.set("expires", Json(ctx.block_time + days * kDayMs));
  return p;
}

void ApplyPropose(const EntryContext& ctx, const Json& b, State* state) {
  const Json& action = *b.find("action");
  Json p = NewProposal(ctx, action);
  size_t n = state->Members()->size();
  if (GovernanceThreshold(n) <= 1) {
    Enact(action, state);
    p.set("status", Json("enacted"));
  }
  state->PutJson(StateKeyForProposal(ctx.entry.id), p);
}

// ---- votes ----

Status CheckVote(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "proposal", "approve"}));
  TZ_RETURN_IF_ERROR(GetEntryId(b, "proposal").status());
  return GetBool(b, "approve").status();
}

bool Contains(const Json& arr, const std::string& s) {
  for (const Json& x : arr.as_array()) {
    if (x.as_string() == s) return true;
  }
  return false;
}

Status ValidateVote(const EntryContext& ctx, const Json& b, const State& state) {
  const std::string& voter = ctx.submitter.member;
  if (voter.empty()) return Status(Code::kPermissionDenied, "gov.not_member", "only members vote");
  EntryId pid = *GetEntryId(b, "proposal");
  TZ_ASSIGN_OR_RETURN(std::optional<Json> p, state.GetJson(StateKeyForProposal(pid)));
  if (!p) return Precondition("gov.unknown_proposal", "no proposal " + ToHex(pid));
  if (p->find("status")->as_string() != "open") {
    return Precondition("gov.proposal_closed", "proposal " + ToHex(pid) + " is closed");
  }
  if (const Json* exp = p->find("expires"); exp != nullptr && ctx.block_time >= exp->as_int64()) {
    return Precondition("gov.proposal_expired", "proposal " + ToHex(pid) + " expired at " +
                                                    std::to_string(exp->as_int64()) + " ms");
  }
  if (Contains(*p->find("yes"), voter) || Contains(*p->find("no"), voter)) {
    return Precondition("gov.already_voted", voter + " has voted on this proposal");
  }
  size_t n = state.Members()->size();
  if (*GetBool(b, "approve") && p->find("yes")->size() + 1 >= GovernanceThreshold(n)) {
    return ValidateAction(*p->find("action"), state);
  }
  return Status::Ok();
}

void ApplyVote(const EntryContext& ctx, const Json& b, State* state) {
  EntryId pid = *GetEntryId(b, "proposal");
  Json p = **state->GetJson(StateKeyForProposal(pid));
  size_t n = state->Members()->size();
  size_t need = GovernanceThreshold(n);
  Json yes = *p.find("yes");
  Json no = *p.find("no");
  if (*GetBool(b, "approve")) {
    yes.push_back(Json(ctx.submitter.member));
  } else {
    no.push_back(Json(ctx.submitter.member));
  }
  p.set("yes", yes);
  p.set("no", no);
  if (yes.size() >= need) {
    Enact(*p.find("action"), state);
    p.set("status", Json("enacted"));
  } else if (no.size() > n - need) {
    p.set("status", Json("rejected"));
  }
  state->PutJson(StateKeyForProposal(pid), p);
}

}  // namespace

Result<KeyRecord> GenesisFirstMemberKey(const Json& genesis) {
  const Json* members = genesis.find("members");
  if (members == nullptr || !members->is_array() || members->size() == 0) {
    return Status::Invalid("genesis.no_members", "a ledger needs a member");
  }
  TZ_RETURN_IF_ERROR(CheckMember(members->as_array()[0]));
  return MemberKeyRecord(members->as_array()[0]);
}

namespace {

// The governance types keep the JSON body as their parsed form: the schema
// check runs once, in parse, and the checked body is what the other
// functions read.
template <Status (*Check)(const Json&)>
Result<Json> CheckedBody(const Json& b) {
  TZ_RETURN_IF_ERROR(Check(b));
  return b;
}

}  // namespace

const EntryType kGenesisType =
    MakeEntryType<Json, CheckedBody<CheckGenesis>, ValidateGenesisBody, ApplyGenesis, NoTerms>(
        "genesis", 1, {});
const EntryType kGovProposeType =
    MakeEntryType<Json, CheckedBody<CheckPropose>, ValidatePropose, ApplyPropose, NoTerms>(
        "gov.propose", 1, {Role::kMember});
const EntryType kGovVoteType =
    MakeEntryType<Json, CheckedBody<CheckVote>, ValidateVote, ApplyVote, NoTerms>("gov.vote", 1,
                                                                                  {Role::kMember});

}  // namespace tz::ledger
