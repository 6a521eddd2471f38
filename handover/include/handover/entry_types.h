// The handover domain's entry types, registered into the ledger.
//
//   doc.notarize v1       a document's digest and metadata (存证)
//   acceptance.open v1    a joint acceptance record (联合验收) and the roles
//                         that must sign it
//   acceptance.sign v1    one role's signature on an acceptance record
//   archive.link v1       a notarized document attached to a house file
//                         (一房一档) or household file (一户一档); a newer
//                         version supersedes, never replaces
//   case.plan v1          a handover case: houses, step deadlines, required
//                         documents
//   case.deadline v1      a step's deadline changed
//   case.defer v1         a required document deferred (容缺) to a due date
//   case.deliver v1       a required or deferred document delivered
//   case.complete v1      the case closed
//   access.log v1         who read a household's personal data, and why
//   shred.record v1       a household's data key destroyed (PIPL art. 47)
//
// Field tables: docs/ledger.md. Every validation reason is stable.
#pragma once

#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/status.h"
#include "handover/records.h"
#include "ledger/entries.h"
#include "ledger/state.h"

namespace tz::handover {

// The ledger's own types plus every type above: the registry a Tiezheng
// node, its audit and the evidence verifier use.
const ledger::EntryTypeRegistry& EntryTypes();

extern const ledger::EntryType kDocNotarizeType;
extern const ledger::EntryType kAcceptanceOpenType;
extern const ledger::EntryType kAcceptanceSignType;
extern const ledger::EntryType kArchiveLinkType;
extern const ledger::EntryType kCasePlanType;
extern const ledger::EntryType kCaseDeadlineType;
extern const ledger::EntryType kCaseDeferType;
extern const ledger::EntryType kCaseDeliverType;
extern const ledger::EntryType kCaseCompleteType;
extern const ledger::EntryType kAccessLogType;
extern const ledger::EntryType kShredRecordType;

// The document must have been notarized ("document.not_notarized");
// returns its notarization record.
Result<DocumentRecord> RequireNotarized(const ledger::State& state, const Digest& d);

}  // namespace tz::handover
