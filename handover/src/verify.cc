// Offline checks of a notarization entry.
#include "handover/verify.h"

#include "ledger/types.h"

namespace tz::handover {

Result<DocumentNotarization> VerifyNotarization(const ledger::SignedEntry& entry,
                                                const PublicKey& submitter, const Digest& digest) {
  if (entry.type != "doc.notarize" || entry.version != 1) {
    return Status::Verification("document.not_a_notarization", "entry is a " + entry.type + " v" +
                                                                   std::to_string(entry.version) +
                                                                   ", not a doc.notarize v1");
  }
  Result<DocumentNotarization> n = DocumentNotarization::Parse(entry.entry);
  if (!n.ok()) return Status::Verification(n.status().reason(), n.status().message());
  if (n->digest != digest) {
    return Status::Verification("document.wrong_digest", "the entry notarizes " + ToHex(n->digest) +
                                                             ", not " + ToHex(digest));
  }
  if (ledger::KeyIdOf(submitter) != entry.key) {
    return Status::Verification(
        "document.wrong_key",
        "the entry is signed by key " + ledger::ToHex(entry.key) + ", not the one given");
  }
  TZ_RETURN_IF_ERROR(ledger::VerifyEntrySignature(entry, submitter));
  return n;
}

}  // namespace tz::handover
