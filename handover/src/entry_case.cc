// case.*: a handover case (seed 000 §5.2): the plan with step deadlines and
// required documents, deadline changes, documents deferred (容缺移交) to a due
// date, deliveries, and completion. A case may complete with deferred
// documents outstanding; they can still be delivered afterwards, and are
// reported late when delivered after their due date.
#include "handover/doc_catalog.h"
#include "handover/entry_types.h"
#include "handover/queries.h"
#include "handover/state_keys.h"

namespace tz::handover {

using namespace ledger;  // the domain is written in the ledger's vocabulary
namespace {

#define TZ_CASE_STEPS "plan", "acceptance", "documents", "system", "operation"
constexpr std::string_view kSteps[] = {TZ_CASE_STEPS};

Status Precondition(std::string reason, std::string message) {
  return Status(Code::kFailedPrecondition, std::move(reason), std::move(message));
}

Result<Json> GetCase(const State& state, const Json& b) {
  std::string id = *GetString(b, "case");
  TZ_ASSIGN_OR_RETURN(std::optional<Json> c, state.GetJson(StateKeyForCase(id)));
  if (!c) return Precondition("case.unknown", "no handover case '" + id + "'");
  return *c;
}

Status RequireOpen(const Json& c) {
  if (c.find("status")->as_string() != "open") {
    return Precondition("case.closed", "the handover case is complete");
  }
  return Status::Ok();
}

bool ListHas(const Json& arr, std::string_view s) {
  for (const Json& x : arr.as_array()) {
    if (x.as_string() == s) return true;
  }
  return false;
}

void PutCase(State* state, const Json& b, const Json& c) {
  state->PutJson(StateKeyForCase(*GetString(b, "case")), c);
}

void CaseTerms(const Json& b, std::vector<IndexTerm>* out) {
  out->push_back({std::string(IndexName(Index::kCase)), *GetString(b, "case")});
}

// ---- case.plan ----

Status CheckPlan(const Json& b) {
  TZ_RETURN_IF_ERROR(
      CheckKeys(b, {"type", "v", "case", "project", "houses", "deadlines", "required_docs"}));
  TZ_RETURN_IF_ERROR(GetId(b, "case").status());
  TZ_RETURN_IF_ERROR(GetId(b, "project").status());
  TZ_ASSIGN_OR_RETURN(const Json::Array* houses, GetArray(b, "houses", false));
  for (const Json& h : *houses) {
    if (!h.is_string() || !IsValidId(h.as_string())) {
      return Status::Invalid("field.bad_id", "houses must be id tokens");
    }
  }
  const Json* deadlines = b.find("deadlines");
  if (deadlines == nullptr || !deadlines->is_object()) {
    return Status::Invalid("json.wrong_type", "'deadlines' must be an object step -> ms");
  }
  for (const auto& [step, due] : deadlines->as_object()) {
    bool known = false;
    for (std::string_view s : kSteps) known = known || s == step;
    if (!known) return Status::Invalid("case.bad_step", "unknown step '" + step + "'");
    if (!due.is_int() || !due.fits_int64() || due.as_int64() < 0) {
      return Status::Invalid("json.wrong_type", "a deadline must be ms since the epoch");
    }
  }
  TZ_ASSIGN_OR_RETURN(const Json::Array* docs, GetArray(b, "required_docs"));
  for (const Json& d : *docs) {
    if (!d.is_string() || !IsCatalogDocType(d.as_string())) {
      return Status::Invalid("document.unknown_type", "required_docs must be catalog types");
    }
  }
  return Status::Ok();
}

Status ValidatePlan(const EntryContext&, const Json& b, const State& state) {
  std::string id = *GetString(b, "case");
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> c, state.Get(StateKeyForCase(id)));
  if (c) return Status(Code::kAlreadyExists, "case.exists", "case '" + id + "' exists");
  return Status::Ok();
}

void ApplyPlan(const EntryContext& ctx, const Json& b, State* state) {
  Json c = Json::MakeObject();
  c.set("plan", Json(ToHex(ctx.entry.id)));
  c.set("status", Json("open"));
  c.set("deadlines", *b.find("deadlines"));
  c.set("required", *b.find("required_docs"));
  c.set("delivered", Json::MakeObject());
  c.set("deferred", Json::MakeObject());
  PutCase(state, b, c);
}

void PlanTerms(const Json& b, std::vector<IndexTerm>* out) {
  CaseTerms(b, out);
  out->push_back({std::string(IndexName(Index::kProject)), *GetString(b, "project")});
  if (const Json* houses = b.find("houses")) {
    for (const Json& h : houses->as_array()) out->push_back({std::string(IndexName(Index::kHouse)), h.as_string()});
  }
}

// ---- case.deadline ----

Status CheckDeadline(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "case", "step", "due", "reason"}));
  TZ_RETURN_IF_ERROR(GetId(b, "case").status());
  TZ_RETURN_IF_ERROR(GetEnum(b, "step", {TZ_CASE_STEPS}).status());
  TZ_RETURN_IF_ERROR(GetNonNegative(b, "due").status());
  return GetText(b, "reason").status();
}

Status ValidateDeadline(const EntryContext&, const Json& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(Json c, GetCase(state, b));
  return RequireOpen(c);
}

void ApplyDeadline(const EntryContext&, const Json& b, State* state) {
  Json c = **state->GetJson(StateKeyForCase(*GetString(b, "case")));
  Json d = *c.find("deadlines");
  d.set(*GetString(b, "step"), *b.find("due"));
  c.set("deadlines", d);
  PutCase(state, b, c);
}

// ---- case.defer ----

Status CheckDefer(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "case", "doc_type", "due", "reason"}));
  TZ_RETURN_IF_ERROR(GetId(b, "case").status());
  TZ_RETURN_IF_ERROR(GetId(b, "doc_type").status());
  TZ_RETURN_IF_ERROR(GetNonNegative(b, "due").status());
  return GetEnum(b, "reason",
                 {"pending_certificate", "under_rectification", "third_party_delay", "other"})
      .status();
}

Status ValidateDefer(const EntryContext& ctx, const Json& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(Json c, GetCase(state, b));
  TZ_RETURN_IF_ERROR(RequireOpen(c));
  std::string t = *GetString(b, "doc_type");
  if (!ListHas(*c.find("required"), t)) {
    return Precondition("case.not_required", "'" + t + "' is not required by the case");
  }
  if (c.find("delivered")->find(t) != nullptr) {
    return Precondition("case.already_delivered", "'" + t + "' has been delivered");
  }
  if (*GetInt(b, "due") <= ctx.block_time) {
    return Status::Invalid("case.due_in_past", "a deferral's due date must be in the future");
  }
  return Status::Ok();
}

void ApplyDefer(const EntryContext& ctx, const Json& b, State* state) {
  Json c = **state->GetJson(StateKeyForCase(*GetString(b, "case")));
  Json d = *c.find("deferred");
  Json rec = Json::MakeObject();
  rec.set("due", *b.find("due"));
  rec.set("entry", Json(ToHex(ctx.entry.id)));
  d.set(*GetString(b, "doc_type"), rec);
  c.set("deferred", d);
  PutCase(state, b, c);
}

// ---- case.deliver ----

Status CheckDeliver(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "case", "doc_type", "document"}));
  TZ_RETURN_IF_ERROR(GetId(b, "case").status());
  TZ_RETURN_IF_ERROR(GetId(b, "doc_type").status());
  return GetDigest(b, "document").status();
}

Status ValidateDeliver(const EntryContext&, const Json& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(Json c, GetCase(state, b));
  std::string t = *GetString(b, "doc_type");
  if (!ListHas(*c.find("required"), t)) {
    return Precondition("case.not_required", "'" + t + "' is not required by the case");
  }
  if (c.find("delivered")->find(t) != nullptr) {
    return Precondition("case.already_delivered", "'" + t + "' has been delivered");
  }
  if (c.find("status")->as_string() != "open" && c.find("deferred")->find(t) == nullptr) {
    return Precondition("case.closed", "the case is complete and '" + t + "' was not deferred");
  }
  TZ_ASSIGN_OR_RETURN(Json doc, RequireNotarized(state, *GetDigest(b, "document")));
  if (doc.find("doc_type")->as_string() != t) {
    return Status::Invalid("case.doc_type_mismatch",
                           "the document was notarized as " + doc.find("doc_type")->as_string());
  }
  return Status::Ok();
}

void ApplyDeliver(const EntryContext& ctx, const Json& b, State* state) {
  Json c = **state->GetJson(StateKeyForCase(*GetString(b, "case")));
  std::string t = *GetString(b, "doc_type");
  Json rec = Json::MakeObject();
  rec.set("document", *b.find("document"));
  rec.set("entry", Json(ToHex(ctx.entry.id)));
  if (const Json* def = c.find("deferred")->find(t)) {
    rec.set("late", Json(ctx.block_time > def->find("due")->as_int64()));
  }
  Json d = *c.find("delivered");
  d.set(t, rec);
  c.set("delivered", d);
  PutCase(state, b, c);
}

void DeliverTerms(const Json& b, std::vector<IndexTerm>* out) {
  CaseTerms(b, out);
  out->push_back({std::string(IndexName(Index::kDocument)), *GetString(b, "document")});
}

// ---- case.complete ----

Status CheckComplete(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "case"}));
  return GetId(b, "case").status();
}

Status ValidateComplete(const EntryContext&, const Json& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(Json c, GetCase(state, b));
  TZ_RETURN_IF_ERROR(RequireOpen(c));
  for (const Json& t : c.find("required")->as_array()) {
    const std::string& name = t.as_string();
    if (c.find("delivered")->find(name) == nullptr && c.find("deferred")->find(name) == nullptr) {
      return Precondition("case.documents_missing",
                          "'" + name + "' is neither delivered nor deferred");
    }
  }
  return Status::Ok();
}

void ApplyComplete(const EntryContext& ctx, const Json& b, State* state) {
  Json c = **state->GetJson(StateKeyForCase(*GetString(b, "case")));
  c.set("status", Json("complete"));
  c.set("completed", Json(ToHex(ctx.entry.id)));
  PutCase(state, b, c);
}

}  // namespace

const EntryType kCasePlanType{
    "case.plan", 1,        {Role::kDepartment, Role::kReceivingUnit}, CheckPlan, ValidatePlan,
    ApplyPlan,   PlanTerms};
const EntryType kCaseDeadlineType{
    "case.deadline", 1,        {Role::kDepartment}, CheckDeadline, ValidateDeadline,
    ApplyDeadline,   CaseTerms};
const EntryType kCaseDeferType{
    "case.defer", 1,        {Role::kDepartment, Role::kReceivingUnit}, CheckDefer, ValidateDefer,
    ApplyDefer,   CaseTerms};
const EntryType kCaseDeliverType{"case.deliver",
                                 1,
                                 {Role::kConstructionUnit, Role::kDepartment},
                                 CheckDeliver,
                                 ValidateDeliver,
                                 ApplyDeliver,
                                 DeliverTerms};
const EntryType kCaseCompleteType{"case.complete",
                                  1,
                                  {Role::kReceivingUnit, Role::kDepartment},
                                  CheckComplete,
                                  ValidateComplete,
                                  ApplyComplete,
                                  CaseTerms};

}  // namespace tz::handover
