// acceptance.open and acceptance.sign: the joint acceptance record (联合验收,
// seed 000 §5.2 step 2). The construction unit, the receiving unit and a
// third-party inspector must each sign; tenant representatives and the
// operator may be asked to. A record is complete when every required role
// has signed "accept"; one required "reject" closes it as rejected.
#include "handover/entry_types.h"
#include "handover/queries.h"
#include "handover/records.h"
#include "typed_entry.h"

namespace tz::handover {

using namespace ledger;  // the domain is written in the ledger's vocabulary
namespace {

Status ValidateOpen(const EntryContext&, const AcceptanceOpen& b, const State& state) {
  if (b.report) TZ_RETURN_IF_ERROR(RequireNotarized(state, *b.report).status());
  for (const AcceptanceItem& item : b.items) {
    for (const Digest& p : item.photos) TZ_RETURN_IF_ERROR(RequireNotarized(state, p).status());
  }
  return Status::Ok();
}

void ApplyOpen(const EntryContext& ctx, const AcceptanceOpen& b, State* state) {
  AcceptanceRecord rec;
  rec.required = b.required_roles;
  rec.optional = b.optional_roles;
  rec.status = AcceptanceStatus::kOpen;
  PutAcceptanceRecord(state, ctx.entry.id, rec);
}

void OpenTerms(const AcceptanceOpen& b, std::vector<IndexTerm>* out) {
  out->push_back({std::string(IndexName(Index::kProject)), b.project});
  if (b.house) out->push_back({std::string(IndexName(Index::kHouse)), *b.house});
  if (b.report) out->push_back({std::string(IndexName(Index::kDocument)), tz::ToHex(*b.report)});
}

// ---- acceptance.sign ----

Status ValidateSign(const EntryContext& ctx, const AcceptanceSign& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(std::optional<AcceptanceRecord> rec, GetAcceptanceRecord(state, b.record));
  if (!rec) {
    return Status(Code::kFailedPrecondition, "acceptance.unknown_record",
                  "no acceptance record " + ToHex(b.record));
  }
  if (rec->status != AcceptanceStatus::kOpen) {
    return Status(Code::kFailedPrecondition, "acceptance.closed",
                  "the acceptance record is " + std::string(Name(rec->status)));
  }
  std::string role_name(RoleName(b.role));
  if (!rec->Requests(b.role)) {
    return Status(Code::kFailedPrecondition, "acceptance.role_not_requested",
                  "the record does not ask " + role_name + " to sign");
  }
  if (!ctx.submitter.HasRole(b.role)) {
    return Status(Code::kPermissionDenied, "acceptance.signer_lacks_role",
                  "the key does not hold the role " + role_name);
  }
  if (rec->signed_by.count(b.role) != 0) {
    return Status(Code::kAlreadyExists, "acceptance.role_already_signed",
                  role_name + " has already signed this record");
  }
  // At most one signature can be the submitter's party: a second is refused here.
  for (const auto& [role, sig] : rec->signed_by) {
    if (sig.party == ctx.submitter.party) {
      return Status(
          Code::kAlreadyExists, "acceptance.party_already_signed",
          "party " + ctx.submitter.party + " already signed as " + std::string(RoleName(role)));
    }
  }
  return Status::Ok();
}

void ApplySign(const EntryContext& ctx, const AcceptanceSign& b, State* state) {
  AcceptanceRecord rec = **GetAcceptanceRecord(*state, b.record);
  rec.signed_by[b.role] = {ctx.entry.id, ctx.submitter.party, b.verdict};
  if (rec.Requires(b.role) && b.verdict == Verdict::kReject) {
    rec.status = AcceptanceStatus::kRejected;
  } else {
    bool complete = true;
    for (Role r : rec.required) {
      auto s = rec.signed_by.find(r);
      complete = complete && s != rec.signed_by.end() && s->second.verdict == Verdict::kAccept;
    }
    if (complete) rec.status = AcceptanceStatus::kComplete;
  }
  PutAcceptanceRecord(state, b.record, rec);
}

void SignTerms(const AcceptanceSign& b, std::vector<IndexTerm>* out) {
  out->push_back({std::string(IndexName(Index::kAcceptance)), ToHex(b.record)});
}

}  // namespace

const EntryType kAcceptanceOpenType =
    TypedEntryType<AcceptanceOpen, ValidateOpen, ApplyOpen, OpenTerms>(
        "acceptance.open", 1, {Role::kConstructionUnit, Role::kReceivingUnit, Role::kDepartment});

const EntryType kAcceptanceSignType =
    TypedEntryType<AcceptanceSign, ValidateSign, ApplySign, SignTerms>(
        "acceptance.sign", 1,
        {Role::kConstructionUnit, Role::kReceivingUnit, Role::kInspector, Role::kOperator,
         Role::kTenantRep});

}  // namespace tz::handover
