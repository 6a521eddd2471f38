// acceptance.open and acceptance.sign: the joint acceptance record (联合验收,
// seed 000 §5.2 step 2). The construction unit, the receiving unit and a
// third-party inspector must each sign; tenant representatives and the
// operator may be asked to. A record is complete when every required role
// has signed "accept"; one required "reject" closes it as rejected.
#include "handover/doc_catalog.h"
#include "handover/entry_types.h"
#include "handover/queries.h"
#include "handover/state_keys.h"

namespace tz::handover {

using namespace ledger;  // the domain is written in the ledger's vocabulary
namespace {

constexpr Role kSignableRoles[] = {Role::kConstructionUnit, Role::kReceivingUnit, Role::kInspector,
                                   Role::kOperator, Role::kTenantRep};
constexpr Role kAlwaysRequired[] = {Role::kConstructionUnit, Role::kReceivingUnit,
                                    Role::kInspector};

bool In(std::span<const Role> roles, Role r) {
  for (Role x : roles) {
    if (x == r) return true;
  }
  return false;
}

Status CheckItem(const Json& item, std::vector<std::string>* codes) {
  if (!item.is_object()) return Status::Invalid("json.wrong_type", "items must be objects");
  TZ_RETURN_IF_ERROR(CheckKeys(item, {"code", "result", "photos", "note"}));
  TZ_ASSIGN_OR_RETURN(std::string code, GetId(item, "code"));
  for (const auto& c : *codes) {
    if (c == code) {
      return Status::Invalid("acceptance.duplicate_item", "item '" + code + "' listed twice");
    }
  }
  codes->push_back(code);
  TZ_RETURN_IF_ERROR(GetEnum(item, "result", {"pass", "fail", "na"}).status());
  TZ_ASSIGN_OR_RETURN(const Json::Array* photos, GetArray(item, "photos", false));
  for (const Json& p : *photos) {
    if (!p.is_string() || !DigestFromHex(p.as_string()).ok()) {
      return Status::Invalid("field.bad_digest", "photos must be document digests");
    }
  }
  if (item.find("note") != nullptr) TZ_RETURN_IF_ERROR(GetDigest(item, "note").status());
  return Status::Ok();
}

Status CheckOpen(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(
      b, {"type", "v", "project", "house", "items", "required_roles", "optional_roles", "report"}));
  TZ_RETURN_IF_ERROR(GetId(b, "project").status());
  if (b.find("house") != nullptr) TZ_RETURN_IF_ERROR(GetId(b, "house").status());
  TZ_ASSIGN_OR_RETURN(const Json::Array* items, GetArray(b, "items"));
  if (items->empty()) return Status::Invalid("acceptance.no_items", "a record needs items");
  std::vector<std::string> codes;
  for (const Json& item : *items) TZ_RETURN_IF_ERROR(CheckItem(item, &codes));
  TZ_ASSIGN_OR_RETURN(std::vector<Role> required, GetRoles(b, "required_roles"));
  std::vector<Role> optional;
  if (b.find("optional_roles") != nullptr) {
    TZ_ASSIGN_OR_RETURN(optional, GetRoles(b, "optional_roles"));
  }
  for (Role r : kAlwaysRequired) {
    if (!In(required, r)) {
      return Status::Invalid("acceptance.missing_required_role",
                             std::string(RoleName(r)) + " must be a required signer");
    }
  }
  for (Role r : required) {
    if (!In(kSignableRoles, r)) {
      return Status::Invalid("acceptance.bad_role", std::string(RoleName(r)) + " cannot sign");
    }
  }
  for (Role r : optional) {
    if (!In(kSignableRoles, r) || In(required, r)) {
      return Status::Invalid("acceptance.bad_role",
                             std::string(RoleName(r)) + " cannot be an optional signer");
    }
  }
  if (b.find("report") != nullptr) TZ_RETURN_IF_ERROR(GetDigest(b, "report").status());
  return Status::Ok();
}

Status ValidateOpen(const EntryContext&, const Json& b, const State& state) {
  if (b.find("report") != nullptr) {
    TZ_RETURN_IF_ERROR(RequireNotarized(state, *GetDigest(b, "report")).status());
  }
  for (const Json& item : b.find("items")->as_array()) {
    if (const Json* photos = item.find("photos")) {
      for (const Json& p : photos->as_array()) {
        TZ_RETURN_IF_ERROR(RequireNotarized(state, *DigestFromHex(p.as_string())).status());
      }
    }
  }
  return Status::Ok();
}

void ApplyOpen(const EntryContext& ctx, const Json& b, State* state) {
  Json rec = Json::MakeObject();
  rec.set("required", *b.find("required_roles"));
  rec.set("optional", b.find("optional_roles") ? *b.find("optional_roles") : Json::MakeArray());
  rec.set("signed", Json::MakeObject());
  rec.set("status", Json("open"));
  state->PutJson(StateKeyForAcceptance(ctx.entry.id), rec);
}

void OpenTerms(const Json& b, std::vector<IndexTerm>* out) {
  out->push_back({std::string(IndexName(Index::kProject)), *GetString(b, "project")});
  if (auto h = GetOptionalString(b, "house")) out->push_back({std::string(IndexName(Index::kHouse)), *h});
  if (auto r = GetOptionalString(b, "report")) out->push_back({std::string(IndexName(Index::kDocument)), *r});
}

// ---- acceptance.sign ----

Status CheckSign(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "record", "role", "verdict", "comment"}));
  TZ_RETURN_IF_ERROR(GetEntryId(b, "record").status());
  TZ_ASSIGN_OR_RETURN(std::string role, GetString(b, "role"));
  TZ_RETURN_IF_ERROR(ParseRole(role).status());
  TZ_RETURN_IF_ERROR(GetEnum(b, "verdict", {"accept", "reject"}).status());
  if (b.find("comment") != nullptr) TZ_RETURN_IF_ERROR(GetDigest(b, "comment").status());
  return Status::Ok();
}

bool ListHas(const Json& arr, std::string_view s) {
  for (const Json& x : arr.as_array()) {
    if (x.as_string() == s) return true;
  }
  return false;
}

Status ValidateSign(const EntryContext& ctx, const Json& b, const State& state) {
  EntryId record = *GetEntryId(b, "record");
  TZ_ASSIGN_OR_RETURN(std::optional<Json> rec, state.GetJson(StateKeyForAcceptance(record)));
  if (!rec) {
    return Status(Code::kFailedPrecondition, "acceptance.unknown_record",
                  "no acceptance record " + ToHex(record));
  }
  if (rec->find("status")->as_string() != "open") {
    return Status(Code::kFailedPrecondition, "acceptance.closed",
                  "the acceptance record is " + rec->find("status")->as_string());
  }
  std::string role_name = *GetString(b, "role");
  if (!ListHas(*rec->find("required"), role_name) && !ListHas(*rec->find("optional"), role_name)) {
    return Status(Code::kFailedPrecondition, "acceptance.role_not_requested",
                  "the record does not ask " + role_name + " to sign");
  }
  if (!ctx.submitter.HasRole(*ParseRole(role_name))) {
    return Status(Code::kPermissionDenied, "acceptance.signer_lacks_role",
                  "the key does not hold the role " + role_name);
  }
  const Json& signed_by = *rec->find("signed");
  if (signed_by.find(role_name) != nullptr) {
    return Status(Code::kAlreadyExists, "acceptance.role_already_signed",
                  role_name + " has already signed this record");
  }
  for (const auto& [role, sig] : signed_by.as_object()) {
    if (sig.find("party")->as_string() == ctx.submitter.party) {
      return Status(Code::kAlreadyExists, "acceptance.party_already_signed",
                    "party " + ctx.submitter.party + " already signed as " + role);
    }
  }
  return Status::Ok();
}

void ApplySign(const EntryContext& ctx, const Json& b, State* state) {
  EntryId record = *GetEntryId(b, "record");
  std::string key = StateKeyForAcceptance(record);
  Json rec = **state->GetJson(key);
  std::string role = *GetString(b, "role");
  std::string verdict = *GetString(b, "verdict");
  Json sig = Json::MakeObject();
  sig.set("entry", Json(ToHex(ctx.entry.id)));
  sig.set("party", Json(ctx.submitter.party));
  sig.set("verdict", Json(verdict));
  Json signed_by = *rec.find("signed");
  signed_by.set(role, sig);
  rec.set("signed", signed_by);
  bool required = ListHas(*rec.find("required"), role);
  if (required && verdict == "reject") {
    rec.set("status", Json("rejected"));
  } else {
    bool complete = true;
    for (const Json& r : rec.find("required")->as_array()) {
      const Json* s = signed_by.find(r.as_string());
      complete = complete && s != nullptr && s->find("verdict")->as_string() == "accept";
    }
    if (complete) rec.set("status", Json("complete"));
  }
  state->PutJson(key, rec);
}

void SignTerms(const Json& b, std::vector<IndexTerm>* out) {
  out->push_back({std::string(IndexName(Index::kAcceptance)), *GetString(b, "record")});
}

}  // namespace

const EntryType kAcceptanceOpenType{
    "acceptance.open",
    1,
    {Role::kConstructionUnit, Role::kReceivingUnit, Role::kDepartment},
    CheckOpen,
    ValidateOpen,
    ApplyOpen,
    OpenTerms};

const EntryType kAcceptanceSignType{"acceptance.sign",
                                    1,
                                    {Role::kConstructionUnit, Role::kReceivingUnit,
                                     Role::kInspector, Role::kOperator, Role::kTenantRep},
                                    CheckSign,
                                    ValidateSign,
                                    ApplySign,
                                    SignTerms};

}  // namespace tz::handover
