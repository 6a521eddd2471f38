// case.*: a handover case (seed 000 §5.2): the plan with step deadlines and
// required documents, deadline changes, documents deferred (容缺移交) to a due
// date, deliveries, and completion. A case may complete with deferred
// documents outstanding; they can still be delivered afterwards, and are
// reported late when delivered after their due date.
#include "handover/entry_types.h"
#include "handover/queries.h"
#include "handover/records.h"
#include "typed_entry.h"

namespace tz::handover {

using namespace ledger;  // the domain is written in the ledger's vocabulary
namespace {

Status Precondition(std::string reason, std::string message) {
  return Status(Code::kFailedPrecondition, std::move(reason), std::move(message));
}

Result<CaseRecord> GetCase(const State& state, const std::string& id) {
  TZ_ASSIGN_OR_RETURN(std::optional<CaseRecord> c, GetCaseRecord(state, id));
  if (!c) return Precondition("case.unknown", "no handover case '" + id + "'");
  return std::move(*c);
}

// The case an update names, which ValidateEntry found to exist.
CaseRecord ExistingCase(const State& state, const std::string& id) {
  return **GetCaseRecord(state, id);
}

Status RequireOpen(const CaseRecord& c) {
  if (c.status != CaseStatus::kOpen) {
    return Precondition("case.closed", "the handover case is complete");
  }
  return Status::Ok();
}

template <typename T>
void CaseTerms(const T& b, std::vector<IndexTerm>* out) {
  out->push_back({std::string(IndexName(Index::kCase)), b.case_id});
}

// ---- case.plan ----

Status ValidatePlan(const EntryContext&, const CasePlan& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(std::optional<CaseRecord> c, GetCaseRecord(state, b.case_id));
  if (c) return Status(Code::kAlreadyExists, "case.exists", "case '" + b.case_id + "' exists");
  return Status::Ok();
}

void ApplyPlan(const EntryContext& ctx, const CasePlan& b, State* state) {
  CaseRecord c;
  c.plan = ctx.entry.id;
  c.status = CaseStatus::kOpen;
  c.deadlines = b.deadlines;
  c.required = b.required_docs;
  PutCaseRecord(state, b.case_id, c);
}

void PlanTerms(const CasePlan& b, std::vector<IndexTerm>* out) {
  CaseTerms(b, out);
  out->push_back({std::string(IndexName(Index::kProject)), b.project});
  for (const std::string& h : b.houses) out->push_back({std::string(IndexName(Index::kHouse)), h});
}

// ---- case.deadline ----

Status ValidateDeadline(const EntryContext&, const CaseDeadline& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(CaseRecord c, GetCase(state, b.case_id));
  return RequireOpen(c);
}

void ApplyDeadline(const EntryContext&, const CaseDeadline& b, State* state) {
  CaseRecord c = ExistingCase(*state, b.case_id);
  c.deadlines[b.step] = b.due;
  PutCaseRecord(state, b.case_id, c);
}

// ---- case.defer ----

Status ValidateDefer(const EntryContext& ctx, const CaseDefer& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(CaseRecord c, GetCase(state, b.case_id));
  TZ_RETURN_IF_ERROR(RequireOpen(c));
  const std::string& t = b.doc_type;
  if (!c.Requires(t)) {
    return Precondition("case.not_required", "'" + t + "' is not required by the case");
  }
  if (c.delivered.count(t) != 0) {
    return Precondition("case.already_delivered", "'" + t + "' has been delivered");
  }
  if (b.due <= ctx.block_time) {
    return Status::Invalid("case.due_in_past", "a deferral's due date must be in the future");
  }
  return Status::Ok();
}

void ApplyDefer(const EntryContext& ctx, const CaseDefer& b, State* state) {
  CaseRecord c = ExistingCase(*state, b.case_id);
  c.deferred[b.doc_type] = {b.due, ctx.entry.id};
  PutCaseRecord(state, b.case_id, c);
}

// ---- case.deliver ----

Status ValidateDeliver(const EntryContext&, const CaseDeliver& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(CaseRecord c, GetCase(state, b.case_id));
  const std::string& t = b.doc_type;
  if (!c.Requires(t)) {
    return Precondition("case.not_required", "'" + t + "' is not required by the case");
  }
  if (c.delivered.count(t) != 0) {
    return Precondition("case.already_delivered", "'" + t + "' has been delivered");
  }
  if (c.status != CaseStatus::kOpen && c.deferred.count(t) == 0) {
    return Precondition("case.closed", "the case is complete and '" + t + "' was not deferred");
  }
  TZ_ASSIGN_OR_RETURN(DocumentRecord doc, RequireNotarized(state, b.document));
  if (doc.doc_type != t) {
    return Status::Invalid("case.doc_type_mismatch",
                           "the document was notarized as " + doc.doc_type);
  }
  return Status::Ok();
}

void ApplyDeliver(const EntryContext& ctx, const CaseDeliver& b, State* state) {
  CaseRecord c = ExistingCase(*state, b.case_id);
  CaseDelivery rec{b.document, ctx.entry.id, std::nullopt};
  if (auto def = c.deferred.find(b.doc_type); def != c.deferred.end()) {
    rec.late = ctx.block_time > def->second.due;
  }
  c.delivered[b.doc_type] = rec;
  PutCaseRecord(state, b.case_id, c);
}

void DeliverTerms(const CaseDeliver& b, std::vector<IndexTerm>* out) {
  CaseTerms(b, out);
  out->push_back({std::string(IndexName(Index::kDocument)), tz::ToHex(b.document)});
}

// ---- case.complete ----

Status ValidateComplete(const EntryContext&, const CaseComplete& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(CaseRecord c, GetCase(state, b.case_id));
  TZ_RETURN_IF_ERROR(RequireOpen(c));
  for (const std::string& name : c.required) {
    if (c.delivered.count(name) == 0 && c.deferred.count(name) == 0) {
      return Precondition("case.documents_missing",
                          "'" + name + "' is neither delivered nor deferred");
    }
  }
  return Status::Ok();
}

void ApplyComplete(const EntryContext& ctx, const CaseComplete& b, State* state) {
  CaseRecord c = ExistingCase(*state, b.case_id);
  c.status = CaseStatus::kComplete;
  c.completed = ctx.entry.id;
  PutCaseRecord(state, b.case_id, c);
}

}  // namespace

const EntryType kCasePlanType = TypedEntryType<CasePlan, ValidatePlan, ApplyPlan, PlanTerms>(
    "case.plan", 1, {Role::kDepartment, Role::kReceivingUnit});
const EntryType kCaseDeadlineType =
    TypedEntryType<CaseDeadline, ValidateDeadline, ApplyDeadline, CaseTerms<CaseDeadline>>(
        "case.deadline", 1, {Role::kDepartment});
const EntryType kCaseDeferType =
    TypedEntryType<CaseDefer, ValidateDefer, ApplyDefer, CaseTerms<CaseDefer>>(
        "case.defer", 1, {Role::kDepartment, Role::kReceivingUnit});
const EntryType kCaseDeliverType =
    TypedEntryType<CaseDeliver, ValidateDeliver, ApplyDeliver, DeliverTerms>(
        "case.deliver", 1, {Role::kConstructionUnit, Role::kDepartment});
const EntryType kCaseCompleteType =
    TypedEntryType<CaseComplete, ValidateComplete, ApplyComplete, CaseTerms<CaseComplete>>(
        "case.complete", 1, {Role::kReceivingUnit, Role::kDepartment});

}  // namespace tz::handover
