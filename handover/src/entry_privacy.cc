// access.log and shred.record: personal data (一户一档) is never on the
// ledger; what is recorded is who read it and why, and when its key was
// destroyed (crypto-shredding, PIPL art. 47). Households are named only by
// keyed commitments (commitment.h).
#include "handover/doc_catalog.h"
#include "handover/entry_types.h"
#include "handover/queries.h"
#include "handover/state_keys.h"

namespace tz::handover {

using namespace ledger;  // the domain is written in the ledger's vocabulary
namespace {

Status RequireNotShredded(const State& state, const std::string& household) {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> s, state.Get(StateKeyForHousehold(household)));
  if (s) {
    return Status(Code::kFailedPrecondition, "household.shredded",
                  "the household's data has been crypto-shredded");
  }
  return Status::Ok();
}

void HouseholdTerms(const Json& b, std::vector<IndexTerm>* out) {
  out->push_back({std::string(IndexName(Index::kHousehold)), *GetString(b, "household")});
}

Status CheckAccess(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "household", "purpose", "fields", "request"}));
  TZ_RETURN_IF_ERROR(GetCommitment(b, "household").status());
  TZ_RETURN_IF_ERROR(GetEnum(b, "purpose",
                             {"eligibility_review", "lease_management", "repair", "arrears",
                              "subsidy", "audit", "court"})
                         .status());
  TZ_ASSIGN_OR_RETURN(const Json::Array* fields, GetArray(b, "fields"));
  if (fields->empty()) return Status::Invalid("access.no_fields", "name the fields read");
  for (const Json& f : *fields) {
    if (!f.is_string() || !IsValidId(f.as_string())) {
      return Status::Invalid("field.bad_id", "fields must be id tokens");
    }
  }
  if (b.find("request") != nullptr) TZ_RETURN_IF_ERROR(GetDigest(b, "request").status());
  return Status::Ok();
}

Status ValidateAccess(const EntryContext&, const Json& b, const State& state) {
  return RequireNotShredded(state, *GetString(b, "household"));
}

void ApplyNothing(const EntryContext&, const Json&, State*) {}

Status CheckShred(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "household", "key_digest", "reason"}));
  TZ_RETURN_IF_ERROR(GetCommitment(b, "household").status());
  TZ_RETURN_IF_ERROR(GetDigest(b, "key_digest").status());
  return GetEnum(b, "reason", {"retention_expired", "subject_request", "court_order"}).status();
}

Status ValidateShred(const EntryContext&, const Json& b, const State& state) {
  return RequireNotShredded(state, *GetString(b, "household"));
}

void ApplyShred(const EntryContext& ctx, const Json& b, State* state) {
  state->Put(StateKeyForHousehold(*GetString(b, "household")), ToHex(ctx.entry.id));
}

}  // namespace

const EntryType kAccessLogType{"access.log",
                               1,
                               {Role::kOperator, Role::kDepartment, Role::kAuditor},
                               CheckAccess,
                               ValidateAccess,
                               ApplyNothing,
                               HouseholdTerms};
const EntryType kShredRecordType{"shred.record", 1,          {Role::kDepartment}, CheckShred,
                                 ValidateShred,  ApplyShred, HouseholdTerms};

}  // namespace tz::handover
