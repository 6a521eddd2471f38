// Offline checks of a handover entry someone was given, for verifiers that
// need no node and no ledger: the CLI's `tiezheng verify`, a court's or an
// auditor's own tool. What the entry is evidence of is checked here; that it
// is in the log (inclusion proof, certified checkpoint) and that `submitter`
// is the key the consortium registered under the entry's key id are the
// caller's to establish.
#pragma once

#include "crypto/hash.h"
#include "crypto/sign.h"
#include "crypto/status.h"
#include "handover/records.h"
#include "ledger/envelope.h"

namespace tz::handover {

// Checks that `entry` notarizes the document `digest` and is signed with
// `submitter`, and returns what it notarizes. `entry` is as
// ledger::ParseSignedEntry returned it: the body is read from its parsed
// fields and the signature checked over its bytes, so the two must be the
// same entry. In this order, each a kVerificationFailed status:
//   "document.not_a_notarization"  not a doc.notarize v1 entry
//   the body's schema reasons (DocumentNotarization::Parse), e.g.
//                                  "document.unknown_type"
//   "document.wrong_digest"        it notarizes another document
//   "document.wrong_key"           `submitter` is not the key the entry names
//   "envelope.bad_signature"       the signature does not verify
Result<DocumentNotarization> VerifyNotarization(const ledger::SignedEntry& entry,
                                                const PublicKey& submitter, const Digest& digest);

}  // namespace tz::handover
