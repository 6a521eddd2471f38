// Evidence packages (证据包): one tar file that a court or arbitrator verifies
// offline, trusting no single department. Layout and the meaning of every
// item: docs/evidence.md.
//
//   manifest.json                 canonical JSON: what the package claims
//   report.html                   human-readable report (informational only)
//   documents/<sha256 hex>        document bytes (absent when withheld)
//   entries/<index>.json          signed entries, exact bytes (the log leaves)
//   proofs/<index>.tlog-proof     C2SP tlog-proof to the checkpoint of the
//                                 entry's block
//   checkpoints/<size>.note       certified checkpoints (C2SP signed notes)
//   consistency/<a>-<b>.json      RFC 9162 consistency proof from checkpoint a
//                                 to the newest checkpoint b
//   timestamps/<size>.tsr         RFC 3161 TimeStampToken (DER) whose message
//                                 imprint is SHA-256 of the exact bytes of
//                                 checkpoints/<size>.note
//
// The key-set history is carried as entries with role "keyset": the genesis
// (index 0) and every governance entry (gov.propose, gov.vote) before the
// newest checkpoint. The verifier replays them with the ledger's own state
// machine, so "key registered and not revoked at the entry's position" and
// "members whose node keys certify a checkpoint" mean exactly what they mean
// to the consortium.
//
// This library part depends only on crypto and ledger, so a verifier stays
// small; exporting lives in node/evidence_export.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/status.h"
#include "evidence/tar.h"
#include "ledger/types.h"
#include "log/note.h"

namespace tz::evidence {

inline constexpr std::string_view kFormat = "tiezheng-evidence/v1";
inline constexpr std::string_view kManifestPath = "manifest.json";
inline constexpr std::string_view kReportPath = "report.html";

std::string DocumentPath(const Digest& d);
std::string EntryPath(uint64_t index);
std::string ProofPath(uint64_t index);
std::string CheckpointPath(uint64_t size);
std::string ConsistencyPath(uint64_t size1, uint64_t size2);
std::string TimestampPath(uint64_t size);

struct ManifestDocument {
  Digest digest;
  uint64_t size = 0;
  std::string title;
  uint64_t entry = 0;    // log index of the doc.notarize entry
  bool included = true;  // bytes in documents/<digest>
  std::string withheld;  // why not included ("personal_data", "not_available", "by_request")
};

// Why an entry is in a package.
enum class EntryRole {
  kSubject,  // "subject": an entry about the package's subject
  kContext,  // "context": the notarization of a document a subject entry names
  kKeyset,   // "keyset": the genesis or a governance entry (the key-set history)
};
// The role's name in the manifest and the reports.
std::string_view Name(EntryRole r);
// The role with that name; none for any other string.
std::optional<EntryRole> ParseEntryRole(std::string_view name);

// What a package is about.
enum class SubjectKind { kDocument, kAcceptance, kHouse, kCase };
// "document", "acceptance", "house", "case": the kind's name in the
// manifest, the reports and the export options.
std::string_view Name(SubjectKind k);
// The kind with that name; none for any other string.
std::optional<SubjectKind> ParseSubjectKind(std::string_view name);

struct ManifestEntry {
  uint64_t index = 0;
  ledger::EntryId id;
  std::string type;
  EntryRole role = EntryRole::kSubject;
  uint64_t checkpoint = 0;  // size of the checkpoint its proof leads to
};

struct ManifestCheckpoint {
  uint64_t size = 0;
  uint64_t height = 0;
  int64_t time_ms = 0;
  bool timestamp = false;  // timestamps/<size>.tsr present
};

struct Manifest {
  std::string chain, origin;
  SubjectKind subject_kind = SubjectKind::kDocument;
  std::string subject_id;
  int64_t exported_ms = 0;
  std::vector<ManifestDocument> documents;
  std::vector<ManifestEntry> entries;           // ascending index
  std::vector<ManifestCheckpoint> checkpoints;  // ascending size; the last is the newest

  Json ToJson() const;
  // Strict ("evidence.bad_manifest"): exact fields, ascending unique indices
  // and sizes, known roles and kinds (an unknown one is named in the
  // message).
  static Result<Manifest> FromJson(const Json& j);
  // Every file the manifest implies, besides manifest.json and report.html.
  std::vector<std::string> ExpectedFiles() const;
};

// A pinned consortium, e.g. the JSON of GET /v1/consortium:
// {"chain","origin","quorum","members":[{"name","verifier_key"}],...}.
struct TrustedConsortium {
  std::string chain, origin;
  std::vector<log::NoteVerifier> keys;
  size_t quorum = 0;
  // Reason "evidence.bad_trust_file".
  static Result<TrustedConsortium> FromJson(const Json& j);
};

struct VerifyOptions {
  // Hash the document bytes (off only to measure the rest).
  bool hash_documents = true;
  // PEM CA certificates trusted for RFC 3161 tokens. Empty: tokens are
  // checked for structure and imprint only and reported "trust_unverified".
  std::string tsa_ca_pem;
  std::optional<TrustedConsortium> trust;
};

// The outcome of one check: passed, failed, or unverified (the data matched
// but its trust anchor was not given: --tsa-ca / --trust).
enum class CheckStatus { kPassed, kFailed, kUnverified };
// "passed", "failed", "unverified": the words in the report's JSON, the
// HTML report and the CLI output.
std::string_view Name(CheckStatus s);

// What a check establishes (docs/evidence.md "Checks").
enum class CheckKind {
  kPackageFormat,      // "format": the package is a readable tar
  kManifest,           // "manifest"
  kCompleteness,       // "completeness"
  kEntryFormat,        // "entry_format"
  kEntrySignature,     // "entry_signature"
  kEntryKey,           // "entry_key"
  kKeyset,             // "keyset"
  kCheckpointQuorum,   // "checkpoint_quorum"
  kInclusion,          // "inclusion"
  kConsistency,        // "consistency"
  kDocumentNotarized,  // "document_notarized"
  kDocumentDigest,     // "document_digest"
  kTimestamp,          // "timestamp"
  kTrust,              // "trust"
};
// The check's name as written in reports, e.g. "document_digest".
std::string_view Name(CheckKind k);

// One check of one item.
struct CheckResult {
  std::string item;  // a package path, or "package"
  CheckKind check = CheckKind::kPackageFormat;
  CheckStatus status = CheckStatus::kFailed;
  std::string reason;  // stable dotted reason when not passed
  std::string detail;  // human-readable
};

// Facts established by the verification, for reports.
struct EntryFact {
  uint64_t index = 0;
  std::string type;
  EntryRole role = EntryRole::kSubject;
  std::string key_id, party, roles;
  int64_t client_time_ms = 0;
  uint64_t checkpoint = 0;
  int64_t checkpoint_time_ms = 0;
  Json body;
};
struct CheckpointFact {
  uint64_t size = 0, height = 0;
  int64_t time_ms = 0;
  std::vector<std::string> signers;
  size_t members = 0, quorum = 0;
  std::string timestamp_time;  // RFC 3339 genTime when a token is present
  std::string timestamp_tsa;
};

struct VerifyReport {
  bool verified = false;
  std::string reason;  // the first failure's reason; empty when verified
  std::optional<Manifest> manifest;
  std::vector<CheckResult> checks;
  std::vector<EntryFact> entries;
  std::vector<CheckpointFact> checkpoints;

  const CheckResult* FirstFailure() const;
  bool HasFailure(std::string_view reason) const;
  Json ToJson() const;
};

// Verifies a package offline. Never fails as a function: every problem is a
// failed check in the report.
VerifyReport VerifyPackage(std::string_view tar_bytes, const VerifyOptions& options = {});
VerifyReport VerifyPackageFiles(const std::vector<TarFile>& files,
                                const VerifyOptions& options = {});

// Consistency proof file: {"proof":[base64...],"size1":a,"size2":b}.
Json ConsistencyJson(uint64_t size1, uint64_t size2, const std::vector<Digest>& proof);

}  // namespace tz::evidence
