#include "crypto/encoding.h"
#include "handover/entry_types.h"
#include "handover/records.h"

namespace tz::handover {

const ledger::EntryTypeRegistry& EntryTypes() {
  static const ledger::EntryTypeRegistry kTypes = [] {
    ledger::EntryTypeRegistry r;
    for (const ledger::EntryType* t :
         {&kDocNotarizeType, &kAcceptanceOpenType, &kAcceptanceSignType, &kArchiveLinkType,
          &kCasePlanType, &kCaseDeadlineType, &kCaseDeferType, &kCaseDeliverType,
          &kCaseCompleteType, &kAccessLogType, &kShredRecordType}) {
      Status s = r.Add(t);
      (void)s;  // the names above are distinct
    }
    return r;
  }();
  return kTypes;
}

Result<DocumentRecord> RequireNotarized(const ledger::State& state, const Digest& d) {
  TZ_ASSIGN_OR_RETURN(std::optional<DocumentRecord> rec, GetDocumentRecord(state, d));
  if (!rec) {
    return Status(Code::kFailedPrecondition, "document.not_notarized",
                  "document " + tz::ToHex(d) + " was never notarized");
  }
  return *rec;
}

}  // namespace tz::handover
