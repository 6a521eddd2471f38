// access.log and shred.record: personal data (一户一档) is never on the
// ledger; what is recorded is who read it and why, and when its key was
// destroyed (crypto-shredding, PIPL art. 47). Households are named only by
// keyed commitments (commitment.h).
#include "handover/entry_types.h"
#include "handover/queries.h"
#include "handover/records.h"
#include "typed_entry.h"

namespace tz::handover {

using namespace ledger;  // the domain is written in the ledger's vocabulary
namespace {

Status RequireNotShredded(const State& state, const std::string& household) {
  TZ_ASSIGN_OR_RETURN(std::optional<HouseholdRecord> s, GetHouseholdRecord(state, household));
  if (s) {
    return Status(Code::kFailedPrecondition, "household.shredded",
                  "the household's data has been crypto-shredded");
  }
  return Status::Ok();
}

template <typename T>
void HouseholdTerms(const T& b, std::vector<IndexTerm>* out) {
  out->push_back({std::string(IndexName(Index::kHousehold)), b.household});
}

Status ValidateAccess(const EntryContext&, const AccessRecord& b, const State& state) {
  return RequireNotShredded(state, b.household);
}

void ApplyAccess(const EntryContext&, const AccessRecord&, State*) {}

Status ValidateShred(const EntryContext&, const ShredRecord& b, const State& state) {
  return RequireNotShredded(state, b.household);
}

void ApplyShred(const EntryContext& ctx, const ShredRecord& b, State* state) {
  PutHouseholdRecord(state, b.household, {ctx.entry.id});
}

}  // namespace

const EntryType kAccessLogType =
    TypedEntryType<AccessRecord, ValidateAccess, ApplyAccess, HouseholdTerms<AccessRecord>>(
        "access.log", 1, {Role::kOperator, Role::kDepartment, Role::kAuditor});
const EntryType kShredRecordType =
    TypedEntryType<ShredRecord, ValidateShred, ApplyShred, HouseholdTerms<ShredRecord>>(
        "shred.record", 1, {Role::kDepartment});

}  // namespace tz::handover
