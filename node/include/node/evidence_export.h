// Exporting evidence packages (ledger/evidence.h) from a ledger and a blob
// store: for a document, an acceptance record, a house file or a handover
// case. The verifier side lives in the ledger library so a court's verifier
// needs neither the archive nor a node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "archive/blob_store.h"
#include "crypto/status.h"
#include "crypto/timestamp.h"
#include "ledger/evidence.h"
#include "ledger/ledger.h"

namespace tz::node {

struct EvidenceExportOptions {
  // "document" (id = SHA-256 hex), "acceptance" (id = the acceptance.open
  // entry id hex), "house" (house id), "case" (case id).
  std::string kind;
  std::string id;
  // Put only digests in the package, never document bytes (a party that may
  // not see the files). Encrypted (household, 一户一档) documents are always
  // withheld: their bytes are ciphertext of personal data.
  bool withhold_documents = false;
  // When set, the newest checkpoint is time-stamped (RFC 3161) at export:
  // the token's imprint is SHA-256 of checkpoints/<size>.note.
  const TimeStampAuthority* tsa = nullptr;
  // Export time, ms since the epoch; 0 = the system clock.
  int64_t now_ms = 0;
};

// Builds the package's files (manifest, entries, proofs, checkpoints,
// consistency proofs, documents, time-stamps, report.html). `blobs` may be
// null: documents are then withheld as "not_available". Reasons:
// "evidence.bad_subject" (kInvalidArgument), "evidence.subject_not_found"
// (kNotFound), ledger and blob store reasons, "tsa.*".
Result<std::vector<ledger::evidence::TarFile>> BuildEvidencePackage(
    const ledger::Ledger& ledger, archive::BlobStore* blobs, const EvidenceExportOptions& options);

// BuildEvidencePackage written as one ustar archive.
Result<std::string> ExportEvidencePackage(const ledger::Ledger& ledger, archive::BlobStore* blobs,
                                          const EvidenceExportOptions& options);

// The bilingual (Chinese/English) HTML report of a verification: verdict,
// what each item proves, and the mapping to the court's checks and to the
// DA/T 70 four properties.
std::string RenderEvidenceReport(const ledger::evidence::VerifyReport& report);

}  // namespace tz::node
