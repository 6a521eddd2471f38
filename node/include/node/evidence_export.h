// Exporting evidence packages (ledger/evidence.h) from a ledger and a blob
// store: for a document, an acceptance record, a house file or a handover
// case. The verifier side lives in the ledger library so a court's verifier
// needs neither the archive nor a node.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/blob_store.h"
#include "crypto/status.h"
#include "crypto/timestamp.h"
#include "evidence/evidence.h"
#include "evidence/report.h"
#include "ledger/ledger.h"
#include "node/timestamps.h"

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
  // When set, the newest checkpoint is time-stamped (RFC 3161) at export
  // unless a stored token covers it: the token's imprint is SHA-256 of
  // checkpoints/<size>.note.
  const TimeStampAuthority* tsa = nullptr;
  // Export time, ms since the epoch; 0 = the system clock.
  int64_t now_ms = 0;
  // Tokens stored by the node's stampers (node/timestamps.h): every
  // checkpoint in the package whose exact note has a stored token gets it.
  const TimestampStore* timestamps = nullptr;
};

// Builds the package's files (manifest, entries, proofs, checkpoints,
// consistency proofs, documents, time-stamps, report.html). `blobs` may be
// null: documents are then withheld as "not_available". Reasons:
// "evidence.bad_subject" (kInvalidArgument), "evidence.subject_not_found"
// (kNotFound), ledger and blob store reasons, "tsa.*".
Result<std::vector<evidence::TarFile>> BuildEvidencePackage(const ledger::Ledger& ledger,
                                                            archive::BlobStore* blobs,
                                                            const EvidenceExportOptions& options);

// A package ready to be streamed: the small files (manifest, entries,
// proofs, checkpoints, consistency proofs, time-stamps, report) in memory,
// the documents named by digest and read from the blob store while the tar
// is written, so memory stays bounded by the metadata, not the documents.
struct EvidencePlan {
  struct File {
    std::string name;
    std::string data;            // in memory, or
    std::optional<Digest> blob;  // streamed from the blob store
    uint64_t size = 0;           // bytes of data or of the blob
  };
  std::vector<File> files;  // in tar order; report.html last
  int64_t mtime_seconds = 0;
  // Exact size of the ustar archive (headers, data, padding, trailer).
  uint64_t TarSize() const;
};

// Selects, proves and verifies like BuildEvidencePackage, but leaves the
// document bytes in the blob store. The report is made by verifying the
// metadata; a streamed document's digest check says that the blob store
// re-hashes the bytes while sending them (a mismatch cuts the stream, so a
// complete package never carries bytes other than the notarized ones).
Result<EvidencePlan> PlanEvidencePackage(const ledger::Ledger& ledger, archive::BlobStore* blobs,
                                         const EvidenceExportOptions& options);

// The plan as a ustar byte stream of exactly plan.TarSize() bytes. Read
// fails ("blob.corrupt", "blob.not_found", "evidence.document_changed") if
// a document's bytes are not the notarized ones any more. `blobs` must
// outlive the source.
std::unique_ptr<archive::ByteSource> OpenEvidenceStream(EvidencePlan plan,
                                                        archive::BlobStore* blobs);

// A file name for the package: "tiezheng-evidence-<kind>-<id>.tar" with the
// id shortened to 16 characters for digests and entry ids.
std::string EvidenceFileName(const std::string& kind, const std::string& id);

// BuildEvidencePackage written as one ustar archive.
Result<std::string> ExportEvidencePackage(const ledger::Ledger& ledger, archive::BlobStore* blobs,
                                          const EvidenceExportOptions& options);

}  // namespace tz::node
