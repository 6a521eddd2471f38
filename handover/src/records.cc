// Entry body parsers (the schema checks) and state record codecs.
#include "handover/records.h"

#include <span>

#include "handover/doc_catalog.h"
#include "handover/state_keys.h"

namespace tz::handover {

using namespace ledger;  // the domain is written in the ledger's vocabulary

namespace {

constexpr std::string_view kFileKindNames[] = {"house", "household"};
constexpr std::string_view kCategoryNames[] = {"drawings", "acceptance", "handover", "warranty",
                                               "manuals",  "photos",     "repair",   "inspection",
                                               "lease",    "subsidy",    "evidence", "other"};
constexpr std::string_view kItemResultNames[] = {"pass", "fail", "na"};
constexpr std::string_view kVerdictNames[] = {"accept", "reject"};
constexpr std::string_view kAcceptanceStatusNames[] = {"open", "complete", "rejected"};
constexpr std::string_view kStepNames[] = {"plan", "acceptance", "documents", "system",
                                           "operation"};
constexpr std::string_view kCaseStatusNames[] = {"open", "complete"};
constexpr std::string_view kDeferReasonNames[] = {"pending_certificate", "under_rectification",
                                                  "third_party_delay", "other"};
constexpr std::string_view kPurposeNames[] = {
    "eligibility_review", "lease_management", "repair", "arrears", "subsidy", "audit", "court"};
constexpr std::string_view kShredReasonNames[] = {"retention_expired", "subject_request",
                                                  "court_order"};

template <typename E, size_t N>
std::optional<E> FromName(std::string_view s, const std::string_view (&names)[N]) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

// As ledger::GetEnum (same reasons and messages), giving the enum value.
template <typename E, size_t N>
Result<E> GetEnumField(const Json& obj, std::string_view key, const std::string_view (&names)[N]) {
  TZ_ASSIGN_OR_RETURN(std::string s, GetString(obj, key));
  if (std::optional<E> v = FromName<E>(s, names)) return *v;
  return Status::Invalid("field.bad_enum",
                         "'" + std::string(key) + "' has unknown value '" + s + "'");
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '+' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status CheckMediaType(const std::string& m) {
  size_t slash = m.find('/');
  if (m.size() > 127 || slash == std::string::npos || !IsToken(m.substr(0, slash)) ||
      !IsToken(m.substr(slash + 1))) {
    return Status::Invalid("field.bad_media_type", "media_type must be lowercase type/subtype");
  }
  return Status::Ok();
}

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

Result<AcceptanceItem> ParseItem(const Json& item, std::vector<std::string>* codes) {
  if (!item.is_object()) return Status::Invalid("json.wrong_type", "items must be objects");
  TZ_RETURN_IF_ERROR(CheckKeys(item, {"code", "result", "photos", "note"}));
  AcceptanceItem out;
  TZ_ASSIGN_OR_RETURN(out.code, GetId(item, "code"));
  for (const auto& c : *codes) {
    if (c == out.code) {
      return Status::Invalid("acceptance.duplicate_item", "item '" + out.code + "' listed twice");
    }
  }
  codes->push_back(out.code);
  TZ_ASSIGN_OR_RETURN(out.result, GetEnumField<ItemResult>(item, "result", kItemResultNames));
  TZ_ASSIGN_OR_RETURN(const Json::Array* photos, GetArray(item, "photos", false));
  for (const Json& p : *photos) {
    if (!p.is_string() || !DigestFromHex(p.as_string()).ok()) {
      return Status::Invalid("field.bad_digest", "photos must be document digests");
    }
    out.photos.push_back(*DigestFromHex(p.as_string()));
  }
  if (item.find("note") != nullptr) {
    TZ_ASSIGN_OR_RETURN(out.note, GetDigest(item, "note"));
  }
  return out;
}

// ---- decoding state records: any deviation is "state.corrupt" ----

Status Corrupt(std::string_view what) {
  return Status::Corruption("state.corrupt", "bad " + std::string(what) + " record");
}

const Json* Field(const Json& j, std::string_view key) { return j.find(key); }

Result<std::string> StringField(const Json& j, std::string_view key, std::string_view what) {
  const Json* v = Field(j, key);
  if (v == nullptr || !v->is_string()) return Corrupt(what);
  return v->as_string();
}

Result<EntryId> EntryIdField(const Json& j, std::string_view key, std::string_view what) {
  TZ_ASSIGN_OR_RETURN(std::string s, StringField(j, key, what));
  auto id = EntryIdFromHex(s);
  if (!id.ok()) return Corrupt(what);
  return *id;
}

Result<Digest> DigestField(const Json& j, std::string_view key, std::string_view what) {
  TZ_ASSIGN_OR_RETURN(std::string s, StringField(j, key, what));
  auto d = DigestFromHex(s);
  if (!d.ok()) return Corrupt(what);
  return *d;
}

Result<int64_t> IntField(const Json& j, std::string_view key, std::string_view what) {
  const Json* v = Field(j, key);
  if (v == nullptr || !v->is_int() || !v->fits_int64()) return Corrupt(what);
  return v->as_int64();
}

Result<bool> BoolField(const Json& j, std::string_view key, std::string_view what) {
  const Json* v = Field(j, key);
  if (v == nullptr || !v->is_bool()) return Corrupt(what);
  return v->as_bool();
}

template <typename E, size_t N>
Result<E> EnumField(const Json& j, std::string_view key, const std::string_view (&names)[N],
                    std::string_view what) {
  TZ_ASSIGN_OR_RETURN(std::string s, StringField(j, key, what));
  if (std::optional<E> v = FromName<E>(s, names)) return *v;
  return Corrupt(what);
}

Result<std::vector<Role>> RolesField(const Json& j, std::string_view key, std::string_view what) {
  const Json* v = Field(j, key);
  if (v == nullptr || !v->is_array()) return Corrupt(what);
  std::vector<Role> roles;
  for (const Json& r : v->as_array()) {
    if (!r.is_string()) return Corrupt(what);
    auto role = ParseRole(r.as_string());
    if (!role.ok()) return Corrupt(what);
    roles.push_back(*role);
  }
  return roles;
}

Result<const Json::Object*> ObjectField(const Json& j, std::string_view key,
                                        std::string_view what) {
  const Json* v = Field(j, key);
  if (v == nullptr || !v->is_object()) return Corrupt(what);
  return &v->as_object();
}

Result<EntryId> EntryIdValue(std::string_view value, std::string_view what) {
  auto id = EntryIdFromHex(value);
  if (!id.ok()) return Corrupt(what);
  return *id;
}

}  // namespace

std::string_view Name(ArchiveFileKind v) { return kFileKindNames[static_cast<size_t>(v)]; }
std::string_view Name(ArchiveCategory v) { return kCategoryNames[static_cast<size_t>(v)]; }
std::string_view Name(ItemResult v) { return kItemResultNames[static_cast<size_t>(v)]; }
std::string_view Name(Verdict v) { return kVerdictNames[static_cast<size_t>(v)]; }
std::string_view Name(AcceptanceStatus v) { return kAcceptanceStatusNames[static_cast<size_t>(v)]; }
std::string_view Name(CaseStep v) { return kStepNames[static_cast<size_t>(v)]; }
std::string_view Name(CaseStatus v) { return kCaseStatusNames[static_cast<size_t>(v)]; }
std::string_view Name(DeferReason v) { return kDeferReasonNames[static_cast<size_t>(v)]; }
std::string_view Name(AccessPurpose v) { return kPurposeNames[static_cast<size_t>(v)]; }
std::string_view Name(ShredReason v) { return kShredReasonNames[static_cast<size_t>(v)]; }

// ---- entry bodies ----

Result<DocumentNotarization> DocumentNotarization::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "digest", "size", "media_type", "title", "doc_type",
                                   "project", "house", "in_archive", "encrypted"}));
  DocumentNotarization n;
  TZ_ASSIGN_OR_RETURN(n.digest, GetDigest(b, "digest"));
  TZ_ASSIGN_OR_RETURN(n.size, GetNonNegative(b, "size"));
  TZ_ASSIGN_OR_RETURN(n.media_type, GetString(b, "media_type"));
  TZ_RETURN_IF_ERROR(CheckMediaType(n.media_type));
  TZ_ASSIGN_OR_RETURN(n.title, GetText(b, "title"));
  TZ_ASSIGN_OR_RETURN(n.doc_type, GetString(b, "doc_type"));
  const DocType* t = FindDocType(n.doc_type);
  if (t == nullptr) {
    return Status::Invalid("document.unknown_type", "'" + n.doc_type + "' is not in the catalog");
  }
  TZ_ASSIGN_OR_RETURN(n.project, GetId(b, "project"));
  if (b.find("house") != nullptr) {
    TZ_ASSIGN_OR_RETURN(n.house, GetId(b, "house"));
  }
  TZ_ASSIGN_OR_RETURN(n.in_archive, GetBool(b, "in_archive"));
  TZ_ASSIGN_OR_RETURN(n.encrypted, GetBool(b, "encrypted"));
  if (t->personal && !n.encrypted) {
    return Status::Invalid("document.must_encrypt",
                           "'" + n.doc_type + "' may hold personal data and must be encrypted");
  }
  return n;
}

Result<ArchiveLink> ArchiveLink::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(
      CheckKeys(b, {"type", "v", "file", "category", "slot", "document", "supersedes"}));
  const Json* file = b.find("file");
  if (file == nullptr) return Status::Invalid("json.missing_field", "missing 'file'");
  if (!file->is_object()) return Status::Invalid("json.wrong_type", "'file' must be an object");
  TZ_RETURN_IF_ERROR(CheckKeys(*file, {"kind", "id"}));
  ArchiveLink l;
  TZ_ASSIGN_OR_RETURN(l.kind, GetEnumField<ArchiveFileKind>(*file, "kind", kFileKindNames));
  if (l.kind == ArchiveFileKind::kHouse) {
    TZ_ASSIGN_OR_RETURN(l.file, GetId(*file, "id"));
  } else {
    TZ_ASSIGN_OR_RETURN(l.file, GetCommitment(*file, "id"));
  }
  TZ_ASSIGN_OR_RETURN(l.category, GetEnumField<ArchiveCategory>(b, "category", kCategoryNames));
  TZ_ASSIGN_OR_RETURN(l.slot, GetId(b, "slot"));
  TZ_ASSIGN_OR_RETURN(l.document, GetDigest(b, "document"));
  if (b.find("supersedes") != nullptr) {
    TZ_ASSIGN_OR_RETURN(l.supersedes, GetEntryId(b, "supersedes"));
  }
  return l;
}

Result<AcceptanceOpen> AcceptanceOpen::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(
      b, {"type", "v", "project", "house", "items", "required_roles", "optional_roles", "report"}));
  AcceptanceOpen o;
  TZ_ASSIGN_OR_RETURN(o.project, GetId(b, "project"));
  if (b.find("house") != nullptr) {
    TZ_ASSIGN_OR_RETURN(o.house, GetId(b, "house"));
  }
  TZ_ASSIGN_OR_RETURN(const Json::Array* items, GetArray(b, "items"));
  if (items->empty()) return Status::Invalid("acceptance.no_items", "a record needs items");
  std::vector<std::string> codes;
  for (const Json& item : *items) {
    TZ_ASSIGN_OR_RETURN(AcceptanceItem parsed, ParseItem(item, &codes));
    o.items.push_back(std::move(parsed));
  }
  TZ_ASSIGN_OR_RETURN(o.required_roles, GetRoles(b, "required_roles"));
  if (b.find("optional_roles") != nullptr) {
    TZ_ASSIGN_OR_RETURN(o.optional_roles, GetRoles(b, "optional_roles"));
  }
  for (Role r : kAlwaysRequired) {
    if (!In(o.required_roles, r)) {
      return Status::Invalid("acceptance.missing_required_role",
                             std::string(RoleName(r)) + " must be a required signer");
    }
  }
  for (Role r : o.required_roles) {
    if (!In(kSignableRoles, r)) {
      return Status::Invalid("acceptance.bad_role", std::string(RoleName(r)) + " cannot sign");
    }
  }
  for (Role r : o.optional_roles) {
    if (!In(kSignableRoles, r) || In(o.required_roles, r)) {
      return Status::Invalid("acceptance.bad_role",
                             std::string(RoleName(r)) + " cannot be an optional signer");
    }
  }
  if (b.find("report") != nullptr) {
    TZ_ASSIGN_OR_RETURN(o.report, GetDigest(b, "report"));
  }
  return o;
}

Result<AcceptanceSign> AcceptanceSign::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "record", "role", "verdict", "comment"}));
  AcceptanceSign s;
  TZ_ASSIGN_OR_RETURN(s.record, GetEntryId(b, "record"));
  TZ_ASSIGN_OR_RETURN(std::string role, GetString(b, "role"));
  TZ_ASSIGN_OR_RETURN(s.role, ParseRole(role));
  TZ_ASSIGN_OR_RETURN(s.verdict, GetEnumField<Verdict>(b, "verdict", kVerdictNames));
  if (b.find("comment") != nullptr) {
    TZ_ASSIGN_OR_RETURN(s.comment, GetDigest(b, "comment"));
  }
  return s;
}

Result<CasePlan> CasePlan::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(
      CheckKeys(b, {"type", "v", "case", "project", "houses", "deadlines", "required_docs"}));
  CasePlan p;
  TZ_ASSIGN_OR_RETURN(p.case_id, GetId(b, "case"));
  TZ_ASSIGN_OR_RETURN(p.project, GetId(b, "project"));
  TZ_ASSIGN_OR_RETURN(const Json::Array* houses, GetArray(b, "houses", false));
  for (const Json& h : *houses) {
    if (!h.is_string() || !IsValidId(h.as_string())) {
      return Status::Invalid("field.bad_id", "houses must be id tokens");
    }
    p.houses.push_back(h.as_string());
  }
  const Json* deadlines = b.find("deadlines");
  if (deadlines == nullptr || !deadlines->is_object()) {
    return Status::Invalid("json.wrong_type", "'deadlines' must be an object step -> ms");
  }
  for (const auto& [step, due] : deadlines->as_object()) {
    std::optional<CaseStep> s = FromName<CaseStep>(step, kStepNames);
    if (!s) return Status::Invalid("case.bad_step", "unknown step '" + step + "'");
    if (!due.is_int() || !due.fits_int64() || due.as_int64() < 0) {
      return Status::Invalid("json.wrong_type", "a deadline must be ms since the epoch");
    }
    p.deadlines[*s] = due.as_int64();
  }
  TZ_ASSIGN_OR_RETURN(const Json::Array* docs, GetArray(b, "required_docs"));
  for (const Json& d : *docs) {
    if (!d.is_string() || !IsCatalogDocType(d.as_string())) {
      return Status::Invalid("document.unknown_type", "required_docs must be catalog types");
    }
    p.required_docs.push_back(d.as_string());
  }
  return p;
}

Result<CaseDeadline> CaseDeadline::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "case", "step", "due", "reason"}));
  CaseDeadline d;
  TZ_ASSIGN_OR_RETURN(d.case_id, GetId(b, "case"));
  TZ_ASSIGN_OR_RETURN(d.step, GetEnumField<CaseStep>(b, "step", kStepNames));
  TZ_ASSIGN_OR_RETURN(d.due, GetNonNegative(b, "due"));
  TZ_ASSIGN_OR_RETURN(d.reason, GetText(b, "reason"));
  return d;
}

Result<CaseDefer> CaseDefer::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "case", "doc_type", "due", "reason"}));
  CaseDefer d;
  TZ_ASSIGN_OR_RETURN(d.case_id, GetId(b, "case"));
  TZ_ASSIGN_OR_RETURN(d.doc_type, GetId(b, "doc_type"));
  TZ_ASSIGN_OR_RETURN(d.due, GetNonNegative(b, "due"));
  TZ_ASSIGN_OR_RETURN(d.reason, GetEnumField<DeferReason>(b, "reason", kDeferReasonNames));
  return d;
}

Result<CaseDeliver> CaseDeliver::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "case", "doc_type", "document"}));
  CaseDeliver d;
  TZ_ASSIGN_OR_RETURN(d.case_id, GetId(b, "case"));
  TZ_ASSIGN_OR_RETURN(d.doc_type, GetId(b, "doc_type"));
  TZ_ASSIGN_OR_RETURN(d.document, GetDigest(b, "document"));
  return d;
}

Result<CaseComplete> CaseComplete::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "case"}));
  CaseComplete c;
  TZ_ASSIGN_OR_RETURN(c.case_id, GetId(b, "case"));
  return c;
}

Result<AccessRecord> AccessRecord::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "household", "purpose", "fields", "request"}));
  AccessRecord a;
  TZ_ASSIGN_OR_RETURN(a.household, GetCommitment(b, "household"));
  TZ_ASSIGN_OR_RETURN(a.purpose, GetEnumField<AccessPurpose>(b, "purpose", kPurposeNames));
  TZ_ASSIGN_OR_RETURN(const Json::Array* fields, GetArray(b, "fields"));
  if (fields->empty()) return Status::Invalid("access.no_fields", "name the fields read");
  for (const Json& f : *fields) {
    if (!f.is_string() || !IsValidId(f.as_string())) {
      return Status::Invalid("field.bad_id", "fields must be id tokens");
    }
    a.fields.push_back(f.as_string());
  }
  if (b.find("request") != nullptr) {
    TZ_ASSIGN_OR_RETURN(a.request, GetDigest(b, "request"));
  }
  return a;
}

Result<ShredRecord> ShredRecord::Parse(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "household", "key_digest", "reason"}));
  ShredRecord s;
  TZ_ASSIGN_OR_RETURN(s.household, GetCommitment(b, "household"));
  TZ_ASSIGN_OR_RETURN(s.key_digest, GetDigest(b, "key_digest"));
  TZ_ASSIGN_OR_RETURN(s.reason, GetEnumField<ShredReason>(b, "reason", kShredReasonNames));
  return s;
}

// ---- state records ----

Json DocumentRecord::ToJson() const {
  Json rec = Json::MakeObject();
  rec.set("entry", Json(ToHex(entry)));
  rec.set("index", Json(index));
  rec.set("doc_type", Json(doc_type));
  rec.set("encrypted", Json(encrypted));
  return rec;
}

Result<DocumentRecord> DocumentRecord::FromJson(const Json& j) {
  constexpr std::string_view kWhat = "document";
  if (!j.is_object() || !CheckKeys(j, {"entry", "index", "doc_type", "encrypted"}).ok()) {
    return Corrupt(kWhat);
  }
  DocumentRecord r;
  TZ_ASSIGN_OR_RETURN(r.entry, EntryIdField(j, "entry", kWhat));
  const Json* index = j.find("index");
  if (index == nullptr || !index->is_int() || !index->fits_uint64()) return Corrupt(kWhat);
  r.index = index->as_uint64();
  TZ_ASSIGN_OR_RETURN(r.doc_type, StringField(j, "doc_type", kWhat));
  TZ_ASSIGN_OR_RETURN(r.encrypted, BoolField(j, "encrypted", kWhat));
  return r;
}

bool AcceptanceRecord::Requires(Role r) const { return In(required, r); }
bool AcceptanceRecord::Requests(Role r) const { return In(required, r) || In(optional, r); }

Json AcceptanceRecord::ToJson() const {
  Json rec = Json::MakeObject();
  rec.set("required", RolesJson(required));
  rec.set("optional", RolesJson(optional));
  Json sigs = Json::MakeObject();
  for (const auto& [role, sig] : signed_by) {
    Json s = Json::MakeObject();
    s.set("entry", Json(ToHex(sig.entry)));
    s.set("party", Json(sig.party));
    s.set("verdict", Json(Name(sig.verdict)));
    sigs.set(std::string(RoleName(role)), s);
  }
  rec.set("signed", sigs);
  rec.set("status", Json(Name(status)));
  return rec;
}

Result<AcceptanceRecord> AcceptanceRecord::FromJson(const Json& j) {
  constexpr std::string_view kWhat = "acceptance";
  if (!j.is_object() || !CheckKeys(j, {"required", "optional", "signed", "status"}).ok()) {
    return Corrupt(kWhat);
  }
  AcceptanceRecord r;
  TZ_ASSIGN_OR_RETURN(r.required, RolesField(j, "required", kWhat));
  TZ_ASSIGN_OR_RETURN(r.optional, RolesField(j, "optional", kWhat));
  TZ_ASSIGN_OR_RETURN(const Json::Object* sigs, ObjectField(j, "signed", kWhat));
  for (const auto& [name, s] : *sigs) {
    auto role = ParseRole(name);
    if (!role.ok() || !s.is_object() || !CheckKeys(s, {"entry", "party", "verdict"}).ok()) {
      return Corrupt(kWhat);
    }
    AcceptanceSignature sig;
    TZ_ASSIGN_OR_RETURN(sig.entry, EntryIdField(s, "entry", kWhat));
    TZ_ASSIGN_OR_RETURN(sig.party, StringField(s, "party", kWhat));
    TZ_ASSIGN_OR_RETURN(sig.verdict, EnumField<Verdict>(s, "verdict", kVerdictNames, kWhat));
    r.signed_by[*role] = std::move(sig);
  }
  TZ_ASSIGN_OR_RETURN(r.status,
                      EnumField<AcceptanceStatus>(j, "status", kAcceptanceStatusNames, kWhat));
  return r;
}

bool CaseRecord::Requires(std::string_view doc_type) const {
  for (const std::string& t : required) {
    if (t == doc_type) return true;
  }
  return false;
}

Json CaseRecord::ToJson() const {
  Json c = Json::MakeObject();
  c.set("plan", Json(ToHex(plan)));
  c.set("status", Json(Name(status)));
  Json d = Json::MakeObject();
  for (const auto& [step, due] : deadlines) d.set(std::string(Name(step)), Json(due));
  c.set("deadlines", d);
  c.set("required", StringsJson(required));
  Json del = Json::MakeObject();
  for (const auto& [t, rec] : delivered) {
    Json r = Json::MakeObject();
    r.set("document", Json(tz::ToHex(rec.document)));
    r.set("entry", Json(ToHex(rec.entry)));
    if (rec.late) r.set("late", Json(*rec.late));
    del.set(t, r);
  }
  c.set("delivered", del);
  Json def = Json::MakeObject();
  for (const auto& [t, rec] : deferred) {
    Json r = Json::MakeObject();
    r.set("due", Json(rec.due));
    r.set("entry", Json(ToHex(rec.entry)));
    def.set(t, r);
  }
  c.set("deferred", def);
  if (completed) c.set("completed", Json(ToHex(*completed)));
  return c;
}

Result<CaseRecord> CaseRecord::FromJson(const Json& j) {
  constexpr std::string_view kWhat = "case";
  if (!j.is_object() || !CheckKeys(j, {"plan", "status", "deadlines", "required", "delivered",
                                       "deferred", "completed"})
                             .ok()) {
    return Corrupt(kWhat);
  }
  CaseRecord c;
  TZ_ASSIGN_OR_RETURN(c.plan, EntryIdField(j, "plan", kWhat));
  TZ_ASSIGN_OR_RETURN(c.status, EnumField<CaseStatus>(j, "status", kCaseStatusNames, kWhat));
  TZ_ASSIGN_OR_RETURN(const Json::Object* deadlines, ObjectField(j, "deadlines", kWhat));
  for (const auto& [name, due] : *deadlines) {
    std::optional<CaseStep> step = FromName<CaseStep>(name, kStepNames);
    if (!step || !due.is_int() || !due.fits_int64()) return Corrupt(kWhat);
    c.deadlines[*step] = due.as_int64();
  }
  const Json* required = j.find("required");
  if (required == nullptr || !required->is_array()) return Corrupt(kWhat);
  for (const Json& t : required->as_array()) {
    if (!t.is_string()) return Corrupt(kWhat);
    c.required.push_back(t.as_string());
  }
  TZ_ASSIGN_OR_RETURN(const Json::Object* delivered, ObjectField(j, "delivered", kWhat));
  for (const auto& [t, r] : *delivered) {
    if (!r.is_object() || !CheckKeys(r, {"document", "entry", "late"}).ok()) return Corrupt(kWhat);
    CaseDelivery d;
    TZ_ASSIGN_OR_RETURN(d.document, DigestField(r, "document", kWhat));
    TZ_ASSIGN_OR_RETURN(d.entry, EntryIdField(r, "entry", kWhat));
    if (r.find("late") != nullptr) {
      TZ_ASSIGN_OR_RETURN(d.late, BoolField(r, "late", kWhat));
    }
    c.delivered[t] = d;
  }
  TZ_ASSIGN_OR_RETURN(const Json::Object* deferred, ObjectField(j, "deferred", kWhat));
  for (const auto& [t, r] : *deferred) {
    if (!r.is_object() || !CheckKeys(r, {"due", "entry"}).ok()) return Corrupt(kWhat);
    CaseDeferral d;
    TZ_ASSIGN_OR_RETURN(d.due, IntField(r, "due", kWhat));
    TZ_ASSIGN_OR_RETURN(d.entry, EntryIdField(r, "entry", kWhat));
    c.deferred[t] = d;
  }
  if (j.find("completed") != nullptr) {
    TZ_ASSIGN_OR_RETURN(c.completed, EntryIdField(j, "completed", kWhat));
  }
  return c;
}

std::string ArchiveHead::Encode() const { return ToHex(entry); }

Result<ArchiveHead> ArchiveHead::Decode(std::string_view value) {
  TZ_ASSIGN_OR_RETURN(EntryId id, EntryIdValue(value, "archive head"));
  return ArchiveHead{id};
}

std::string HouseholdRecord::Encode() const { return ToHex(shred); }

Result<HouseholdRecord> HouseholdRecord::Decode(std::string_view value) {
  TZ_ASSIGN_OR_RETURN(EntryId id, EntryIdValue(value, "household"));
  return HouseholdRecord{id};
}

// ---- typed state access ----

namespace {

template <typename T>
Result<std::optional<T>> GetEncodedRecord(const State& state, const std::string& key) {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, state.Get(key));
  if (!v) return std::optional<T>();
  TZ_ASSIGN_OR_RETURN(T rec, T::Decode(*v));
  return std::optional<T>(std::move(rec));
}

}  // namespace

Result<std::optional<DocumentRecord>> GetDocumentRecord(const State& state, const Digest& d) {
  return GetJsonRecord<DocumentRecord>(state, StateKeyForDocument(d));
}

void PutDocumentRecord(State* state, const Digest& d, const DocumentRecord& rec) {
  state->PutJson(StateKeyForDocument(d), rec.ToJson());
}

Result<std::optional<AcceptanceRecord>> GetAcceptanceRecord(const State& state, const EntryId& id) {
  return GetJsonRecord<AcceptanceRecord>(state, StateKeyForAcceptance(id));
}

void PutAcceptanceRecord(State* state, const EntryId& id, const AcceptanceRecord& rec) {
  state->PutJson(StateKeyForAcceptance(id), rec.ToJson());
}

Result<std::optional<CaseRecord>> GetCaseRecord(const State& state, std::string_view case_id) {
  return GetJsonRecord<CaseRecord>(state, StateKeyForCase(case_id));
}

void PutCaseRecord(State* state, std::string_view case_id, const CaseRecord& rec) {
  state->PutJson(StateKeyForCase(case_id), rec.ToJson());
}

Result<std::optional<ArchiveHead>> GetArchiveHead(const State& state, ArchiveFileKind kind,
                                                  std::string_view file, ArchiveCategory category,
                                                  std::string_view slot) {
  return GetEncodedRecord<ArchiveHead>(
      state, StateKeyForArchiveHead(Name(kind), file, Name(category), slot));
}

void PutArchiveHead(State* state, ArchiveFileKind kind, std::string_view file,
                    ArchiveCategory category, std::string_view slot, const ArchiveHead& head) {
  state->Put(StateKeyForArchiveHead(Name(kind), file, Name(category), slot), head.Encode());
}

Result<std::optional<HouseholdRecord>> GetHouseholdRecord(const State& state,
                                                          std::string_view commitment) {
  return GetEncodedRecord<HouseholdRecord>(state, StateKeyForHousehold(commitment));
}

void PutHouseholdRecord(State* state, std::string_view commitment, const HouseholdRecord& rec) {
  state->Put(StateKeyForHousehold(commitment), rec.Encode());
}

}  // namespace tz::handover
