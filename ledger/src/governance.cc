// Governance entry body parsers (the schema checks) and the governance state
// record codecs.
#include "ledger/governance.h"

#include <algorithm>

#include "crypto/encoding.h"
#include "log/note.h"

namespace tz::ledger {
namespace {

// Indexed like Action's alternatives.
constexpr std::string_view kActionKinds[] = {"member.add", "member.remove", "key.register",
                                             "key.revoke", "key.roles"};
constexpr std::string_view kProposalStatusNames[] = {"open", "enacted", "rejected"};

// {"alg":"ed25519","pub":"<base64>"} -> PublicKey. Reason "field.bad_key".
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

// The fields of a member in `obj`, whose field set the caller checked.
Result<Member> ParseMemberFields(const Json& obj) {
  Member m;
  TZ_ASSIGN_OR_RETURN(m.name, GetId(obj, "name"));
  TZ_ASSIGN_OR_RETURN(m.key, ParseKeySpec(obj, "key"));
  TZ_ASSIGN_OR_RETURN(m.node_vkey, GetString(obj, "node"));
  if (!log::NoteVerifier::Parse(m.node_vkey).ok()) {
    return Status::Invalid("field.bad_vkey", "member 'node' is not a note vkey");
  }
  return m;
}

Result<Member> ParseMember(const Json& m) {
  TZ_RETURN_IF_ERROR(CheckKeys(m, {"name", "key", "node"}));
  return ParseMemberFields(m);
}

// Roles a client key may be given: at least one, and never "member".
Result<std::vector<Role>> GetClientRoles(const Json& obj, const std::string& member_message) {
  TZ_ASSIGN_OR_RETURN(std::vector<Role> roles, GetRoles(obj, "roles"));
  for (Role r : roles) {
    if (r == Role::kMember) return Status::Invalid("gov.bad_roles", member_message);
  }
  if (roles.empty()) return Status::Invalid("gov.bad_roles", "a key needs at least one role");
  return roles;
}

// The fields of a client key in `obj`, whose field set the caller checked.
Result<ClientKey> ParseClientKeyFields(const Json& obj) {
  ClientKey k;
  TZ_ASSIGN_OR_RETURN(k.key, ParseKeySpec(obj, "key"));
  TZ_ASSIGN_OR_RETURN(k.party, GetId(obj, "party"));
  TZ_ASSIGN_OR_RETURN(k.roles, GetClientRoles(obj, "'member' comes only with membership"));
  return k;
}

Result<ClientKey> ParseClientKey(const Json& k) {
  TZ_RETURN_IF_ERROR(CheckKeys(k, {"key", "party", "roles"}));
  return ParseClientKeyFields(k);
}

Result<KeyId> GetKeyId(const Json& obj) {
  TZ_ASSIGN_OR_RETURN(std::string id, GetString(obj, "key_id"));
  return KeyIdFromHex(id);
}

// An action's fields besides "kind", keys in canonical order.
Json ActionFields(const MemberAdd& a) {
  Json j = Json::MakeObject();
  j.set("key", KeySpecJson(a.member.key));
  j.set("name", Json(a.member.name));
  j.set("node", Json(a.member.node_vkey));
  return j;
}
Json ActionFields(const MemberRemove& a) { return Json::MakeObject({{"name", Json(a.name)}}); }
Json ActionFields(const KeyRegister& a) {
  Json j = Json::MakeObject();
  j.set("key", KeySpecJson(a.key.key));
  j.set("party", Json(a.key.party));
  j.set("roles", RolesJson(a.key.roles));
  return j;
}
Json ActionFields(const KeyRevoke& a) {
  return Json::MakeObject({{"key_id", Json(ToHex(a.key_id))}});
}
Json ActionFields(const KeyRoles& a) {
  return Json::MakeObject({{"key_id", Json(ToHex(a.key_id))}, {"roles", RolesJson(a.roles)}});
}

// ---- decoding state records: any deviation is "state.corrupt" ----

Status Corrupt(std::string_view what) {
  return Status::Corruption("state.corrupt", "bad " + std::string(what) + " record");
}

Result<std::string> StringField(const Json& j, std::string_view key, std::string_view what) {
  const Json* v = j.find(key);
  if (v == nullptr || !v->is_string()) return Corrupt(what);
  return v->as_string();
}

Result<std::vector<std::string>> StringsField(const Json& j, std::string_view key,
                                              std::string_view what) {
  const Json* v = j.find(key);
  if (v == nullptr || !v->is_array()) return Corrupt(what);
  std::vector<std::string> out;
  for (const Json& s : v->as_array()) {
    if (!s.is_string()) return Corrupt(what);
    out.push_back(s.as_string());
  }
  return out;
}

}  // namespace

// ---- entry bodies ----

Result<Genesis> Genesis::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "chain", "suite", "origin", "members", "keys"}));
  Genesis g;
  TZ_ASSIGN_OR_RETURN(g.chain, GetId(b, "chain"));
  TZ_ASSIGN_OR_RETURN(g.suite, GetEnum(b, "suite", {"intl", "gm"}));
  if (g.suite != "intl") {
    return Status::Invalid("genesis.suite_unsupported", "only the 'intl' suite is built yet");
  }
  TZ_ASSIGN_OR_RETURN(g.origin, GetText(b, "origin"));
  TZ_ASSIGN_OR_RETURN(const Json::Array* members, GetArray(b, "members"));
  if (members->empty()) return Status::Invalid("genesis.no_members", "a ledger needs a member");
  for (const Json& m : *members) {
    TZ_ASSIGN_OR_RETURN(Member member, ParseMember(m));
    g.members.push_back(std::move(member));
  }
  TZ_ASSIGN_OR_RETURN(const Json::Array* keys, GetArray(b, "keys", false));
  for (const Json& k : *keys) {
    TZ_ASSIGN_OR_RETURN(ClientKey key, ParseClientKey(k));
    g.keys.push_back(std::move(key));
  }
  return g;
}

Result<Action> ParseAction(const Json& a) {
  if (!a.is_object()) return Status::Invalid("json.wrong_type", "'action' must be an object");
  TZ_ASSIGN_OR_RETURN(std::string kind, GetEnum(a, "kind",
                                                {"member.add", "member.remove", "key.register",
                                                 "key.revoke", "key.roles"}));
  if (kind == "member.add") {
    TZ_RETURN_IF_ERROR(CheckKeys(a, {"kind", "name", "key", "node"}));
    TZ_ASSIGN_OR_RETURN(Member m, ParseMemberFields(a));
    return Action(MemberAdd{std::move(m)});
  }
  if (kind == "member.remove") {
    TZ_RETURN_IF_ERROR(CheckKeys(a, {"kind", "name"}));
    TZ_ASSIGN_OR_RETURN(std::string name, GetId(a, "name"));
    return Action(MemberRemove{std::move(name)});
  }
  if (kind == "key.register") {
    TZ_RETURN_IF_ERROR(CheckKeys(a, {"kind", "key", "party", "roles"}));
    TZ_ASSIGN_OR_RETURN(ClientKey k, ParseClientKeyFields(a));
    return Action(KeyRegister{std::move(k)});
  }
  if (kind == "key.revoke") {
    TZ_RETURN_IF_ERROR(CheckKeys(a, {"kind", "key_id"}));
    TZ_ASSIGN_OR_RETURN(KeyId id, GetKeyId(a));
    return Action(KeyRevoke{id});
  }
  TZ_RETURN_IF_ERROR(CheckKeys(a, {"kind", "key_id", "roles"}));
  KeyRoles r;
  TZ_ASSIGN_OR_RETURN(r.key_id, GetKeyId(a));
  TZ_ASSIGN_OR_RETURN(r.roles, GetClientRoles(a, "'member' is not grantable"));
  return Action(std::move(r));
}

Json ActionJson(const Action& action) {
  Json j = std::visit([](const auto& a) { return ActionFields(a); }, action);
  j.set("kind", Json(kActionKinds[action.index()]));
  return j;
}

Result<Proposal> Proposal::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "action", "reason", "ttl_days"}));
  Proposal p;
  if (b.find("reason") != nullptr) {
    TZ_ASSIGN_OR_RETURN(p.reason, GetText(b, "reason"));
  }
  if (b.find("ttl_days") != nullptr) {
    TZ_ASSIGN_OR_RETURN(int64_t days, GetInt(b, "ttl_days"));
    if (days < 1 || days > kMaxProposalDays) {
      return Status::Invalid("gov.bad_ttl",
                             "'ttl_days' must be 1.." + std::to_string(kMaxProposalDays));
    }
    p.ttl_days = days;
  }
  const Json* a = b.find("action");
  if (a == nullptr) return Status::Invalid("json.missing_field", "missing 'action'");
  TZ_ASSIGN_OR_RETURN(p.action, ParseAction(*a));
  return p;
}

Result<Vote> Vote::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "proposal", "approve"}));
  Vote v;
  TZ_ASSIGN_OR_RETURN(v.proposal, GetEntryId(b, "proposal"));
  TZ_ASSIGN_OR_RETURN(v.approve, GetBool(b, "approve"));
  return v;
}

// ---- state records ----

Json ChainRecord::ToJson() const {
  return Json::MakeObject(
      {{"chain", Json(chain)}, {"origin", Json(origin)}, {"suite", Json(suite)}});
}

Result<ChainRecord> ChainRecord::FromJson(const Json& j) {
  constexpr std::string_view kWhat = "chain";
  if (!j.is_object() || !CheckKeys(j, {"chain", "origin", "suite"}).ok()) return Corrupt(kWhat);
  ChainRecord r;
  TZ_ASSIGN_OR_RETURN(r.chain, StringField(j, "chain", kWhat));
  TZ_ASSIGN_OR_RETURN(r.origin, StringField(j, "origin", kWhat));
  TZ_ASSIGN_OR_RETURN(r.suite, StringField(j, "suite", kWhat));
  return r;
}

Json MemberRecord::ToJson() const {
  Json j = Json::MakeObject({{"key", Json(ToHex(key))}, {"node", Json(node_vkey)}});
  if (removed) j.set("removed", Json(true));
  return j;
}

Result<MemberRecord> MemberRecord::FromJson(const Json& j) {
  constexpr std::string_view kWhat = "member";
  if (!j.is_object() || !CheckKeys(j, {"key", "node", "removed"}).ok()) return Corrupt(kWhat);
  MemberRecord r;
  TZ_ASSIGN_OR_RETURN(std::string key, StringField(j, "key", kWhat));
  auto id = KeyIdFromHex(key);
  if (!id.ok()) return Corrupt(kWhat);
  r.key = *id;
  TZ_ASSIGN_OR_RETURN(r.node_vkey, StringField(j, "node", kWhat));
  if (const Json* removed = j.find("removed")) {
    // Only ever written as true: false would not encode back to these bytes.
    if (!removed->is_bool() || !removed->as_bool()) return Corrupt(kWhat);
    r.removed = true;
  }
  return r;
}

std::string_view Name(ProposalStatus s) { return kProposalStatusNames[static_cast<size_t>(s)]; }

bool ProposalRecord::HasVoted(std::string_view member) const {
  return std::find(yes.begin(), yes.end(), member) != yes.end() ||
         std::find(no.begin(), no.end(), member) != no.end();
}

Json ProposalRecord::ToJson() const {
  Json j = Json::MakeObject({{"action", ActionJson(action)}});
  if (expires) j.set("expires", Json(*expires));
  j.set("no", StringsJson(no));
  j.set("proposer", Json(proposer));
  j.set("status", Json(Name(status)));
  j.set("yes", StringsJson(yes));
  return j;
}

Result<ProposalRecord> ProposalRecord::FromJson(const Json& j) {
  constexpr std::string_view kWhat = "proposal";
  if (!j.is_object() ||
      !CheckKeys(j, {"action", "expires", "no", "proposer", "status", "yes"}).ok()) {
    return Corrupt(kWhat);
  }
  ProposalRecord r;
  const Json* action = j.find("action");
  if (action == nullptr) return Corrupt(kWhat);
  auto parsed = ParseAction(*action);
  if (!parsed.ok()) return Corrupt(kWhat);
  r.action = std::move(parsed).value();
  if (const Json* expires = j.find("expires")) {
    if (!expires->is_int() || !expires->fits_int64()) return Corrupt(kWhat);
    r.expires = expires->as_int64();
  }
  TZ_ASSIGN_OR_RETURN(r.no, StringsField(j, "no", kWhat));
  TZ_ASSIGN_OR_RETURN(r.proposer, StringField(j, "proposer", kWhat));
  TZ_ASSIGN_OR_RETURN(std::string status, StringField(j, "status", kWhat));
  auto it = std::find(std::begin(kProposalStatusNames), std::end(kProposalStatusNames), status);
  if (it == std::end(kProposalStatusNames)) return Corrupt(kWhat);
  r.status = static_cast<ProposalStatus>(it - std::begin(kProposalStatusNames));
  TZ_ASSIGN_OR_RETURN(r.yes, StringsField(j, "yes", kWhat));
  return r;
}

// ---- typed state access ----

Result<std::optional<ChainRecord>> GetChainRecord(const State& state) {
  return GetJsonRecord<ChainRecord>(state, StateKeyForChain());
}

void PutChainRecord(State* state, const ChainRecord& rec) {
  state->PutJson(StateKeyForChain(), rec.ToJson());
}

Result<std::optional<MemberRecord>> GetMemberRecord(const State& state, std::string_view name) {
  return GetJsonRecord<MemberRecord>(state, StateKeyForMember(name));
}

void PutMemberRecord(State* state, std::string_view name, const MemberRecord& rec) {
  state->PutJson(StateKeyForMember(name), rec.ToJson());
}

Result<std::optional<ProposalRecord>> GetProposalRecord(const State& state, const EntryId& id) {
  return GetJsonRecord<ProposalRecord>(state, StateKeyForProposal(id));
}

void PutProposalRecord(State* state, const EntryId& id, const ProposalRecord& rec) {
  state->PutJson(StateKeyForProposal(id), rec.ToJson());
}

}  // namespace tz::ledger
