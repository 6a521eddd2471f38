// The handover domain's typed forms: each entry type's body as a struct
// (parsed once from the entry's JSON, by the schema check that defines the
// type), and the records the domain keeps in the ledger's State.
//
// Entry bodies: `static Result<T> Parse(const Json& body)` is the type's
// schema check (exact field set, formats, limits; docs/ledger.md). It checks
// fields in a fixed order and returns the first failure's reason, which is
// part of the chain's behaviour.
//
// State records: `ToJson()` gives exactly the JSON the chain's format
// defines for the record (its canonical bytes are what every node stores);
// `FromJson` reads it back ("state.corrupt" on anything else). Archive heads
// and household records are not JSON but a bare entry id in hex
// (Encode / Decode).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/status.h"
#include "ledger/state.h"
#include "ledger/types.h"

namespace tz::handover {

// ---- closed value sets; Name() gives the string used in entries ----

enum class ArchiveFileKind { kHouse, kHousehold };  // "house", "household"
enum class ArchiveCategory {
  kDrawings,
  kAcceptance,
  kHandover,
  kWarranty,
  kManuals,
  kPhotos,
  kRepair,
  kInspection,
  kLease,
  kSubsidy,
  kEvidence,
  kOther,
};
enum class ItemResult { kPass, kFail, kNa };  // "pass", "fail", "na"
enum class Verdict { kAccept, kReject };      // "accept", "reject"
enum class AcceptanceStatus { kOpen, kComplete, kRejected };
enum class CaseStep { kPlan, kAcceptance, kDocuments, kSystem, kOperation };
enum class CaseStatus { kOpen, kComplete };
enum class DeferReason { kPendingCertificate, kUnderRectification, kThirdPartyDelay, kOther };
enum class AccessPurpose {
  kEligibilityReview,
  kLeaseManagement,
  kRepair,
  kArrears,
  kSubsidy,
  kAudit,
  kCourt,
};
enum class ShredReason { kRetentionExpired, kSubjectRequest, kCourtOrder };

std::string_view Name(ArchiveFileKind v);
std::string_view Name(ArchiveCategory v);
std::string_view Name(ItemResult v);
std::string_view Name(Verdict v);
std::string_view Name(AcceptanceStatus v);
std::string_view Name(CaseStep v);
std::string_view Name(CaseStatus v);
std::string_view Name(DeferReason v);
std::string_view Name(AccessPurpose v);
std::string_view Name(ShredReason v);

// ---- entry bodies ----

// doc.notarize v1
struct DocumentNotarization {
  Digest digest;
  int64_t size = 0;
  std::string media_type;
  std::string title;
  std::string doc_type;  // a catalog code (doc_catalog.h)
  std::string project;
  std::optional<std::string> house;
  bool in_archive = false;
  bool encrypted = false;

  static Result<DocumentNotarization> Parse(const Json& body);
};

// archive.link v1
struct ArchiveLink {
  ArchiveFileKind kind = ArchiveFileKind::kHouse;
  std::string file;  // a house id, or a household commitment
  ArchiveCategory category = ArchiveCategory::kOther;
  std::string slot;
  Digest document;
  std::optional<ledger::EntryId> supersedes;

  static Result<ArchiveLink> Parse(const Json& body);
};

// One item of an acceptance.open.
struct AcceptanceItem {
  std::string code;
  ItemResult result = ItemResult::kPass;
  std::vector<Digest> photos;
  std::optional<Digest> note;
};

// acceptance.open v1
struct AcceptanceOpen {
  std::string project;
  std::optional<std::string> house;
  std::vector<AcceptanceItem> items;
  std::vector<ledger::Role> required_roles;
  std::vector<ledger::Role> optional_roles;  // empty when absent
  std::optional<Digest> report;

  static Result<AcceptanceOpen> Parse(const Json& body);
};

// acceptance.sign v1
struct AcceptanceSign {
  ledger::EntryId record;
  ledger::Role role = ledger::Role::kInspector;
  Verdict verdict = Verdict::kAccept;
  std::optional<Digest> comment;

  static Result<AcceptanceSign> Parse(const Json& body);
};

// case.plan v1
struct CasePlan {
  std::string case_id;
  std::string project;
  std::vector<std::string> houses;  // empty when absent
  std::map<CaseStep, int64_t> deadlines;
  std::vector<std::string> required_docs;  // catalog codes

  static Result<CasePlan> Parse(const Json& body);
};

// case.deadline v1
struct CaseDeadline {
  std::string case_id;
  CaseStep step = CaseStep::kPlan;
  int64_t due = 0;
  std::string reason;

  static Result<CaseDeadline> Parse(const Json& body);
};

// case.defer v1
struct CaseDefer {
  std::string case_id;
  std::string doc_type;
  int64_t due = 0;
  DeferReason reason = DeferReason::kOther;

  static Result<CaseDefer> Parse(const Json& body);
};

// case.deliver v1
struct CaseDeliver {
  std::string case_id;
  std::string doc_type;
  Digest document;

  static Result<CaseDeliver> Parse(const Json& body);
};

// case.complete v1
struct CaseComplete {
  std::string case_id;

  static Result<CaseComplete> Parse(const Json& body);
};

// access.log v1
struct AccessRecord {
  std::string household;  // a keyed commitment
  AccessPurpose purpose = AccessPurpose::kAudit;
  std::vector<std::string> fields;
  std::optional<Digest> request;

  static Result<AccessRecord> Parse(const Json& body);
};

// shred.record v1
struct ShredRecord {
  std::string household;  // a keyed commitment
  Digest key_digest;
  ShredReason reason = ShredReason::kRetentionExpired;

  static Result<ShredRecord> Parse(const Json& body);
};

// ---- state records ----

// "s/d/<digest>": a notarized document.
//   {"doc_type","encrypted","entry","index"}
struct DocumentRecord {
  ledger::EntryId entry;  // the doc.notarize entry
  uint64_t index = 0;     // its log index
  std::string doc_type;
  bool encrypted = false;

  Json ToJson() const;
  static Result<DocumentRecord> FromJson(const Json& j);
};

// One signature on an acceptance record: {"entry","party","verdict"}.
struct AcceptanceSignature {
  ledger::EntryId entry;
  std::string party;
  Verdict verdict = Verdict::kAccept;
};

// "s/a/<opening entry id>": a joint acceptance record.
//   {"optional":[roles],"required":[roles],"signed":{role: signature},"status"}
struct AcceptanceRecord {
  std::vector<ledger::Role> required;
  std::vector<ledger::Role> optional;
  std::map<ledger::Role, AcceptanceSignature> signed_by;
  AcceptanceStatus status = AcceptanceStatus::kOpen;

  bool Requests(ledger::Role r) const;
  bool Requires(ledger::Role r) const;
  Json ToJson() const;
  static Result<AcceptanceRecord> FromJson(const Json& j);
};

// A delivered document in a case: {"document","entry","late"?}.
struct CaseDelivery {
  Digest document;
  ledger::EntryId entry;
  std::optional<bool> late;  // present when the document had been deferred
};

// A deferred document in a case: {"due","entry"}.
struct CaseDeferral {
  int64_t due = 0;
  ledger::EntryId entry;
};

// "s/c/<case id>": a handover case.
//   {"completed"?,"deadlines":{step: ms},"deferred":{doc_type: deferral},
//    "delivered":{doc_type: delivery},"plan","required":[doc_type],"status"}
struct CaseRecord {
  ledger::EntryId plan;
  CaseStatus status = CaseStatus::kOpen;
  std::map<CaseStep, int64_t> deadlines;
  std::vector<std::string> required;
  std::map<std::string, CaseDelivery> delivered;
  std::map<std::string, CaseDeferral> deferred;
  std::optional<ledger::EntryId> completed;

  bool Requires(std::string_view doc_type) const;
  Json ToJson() const;
  static Result<CaseRecord> FromJson(const Json& j);
};

// "s/l/...": the newest version in an archive slot, stored as the
// archive.link entry id in hex.
struct ArchiveHead {
  ledger::EntryId entry;

  std::string Encode() const;
  static Result<ArchiveHead> Decode(std::string_view value);
};

// "s/h/<commitment>": a household whose data key was shredded, stored as
// the shred.record entry id in hex.
struct HouseholdRecord {
  ledger::EntryId shred;

  std::string Encode() const;
  static Result<HouseholdRecord> Decode(std::string_view value);
};

// ---- typed state access (reasons: the State's, and "state.corrupt") ----

Result<std::optional<DocumentRecord>> GetDocumentRecord(const ledger::State& state,
                                                        const Digest& d);
void PutDocumentRecord(ledger::State* state, const Digest& d, const DocumentRecord& rec);

Result<std::optional<AcceptanceRecord>> GetAcceptanceRecord(const ledger::State& state,
                                                            const ledger::EntryId& id);
void PutAcceptanceRecord(ledger::State* state, const ledger::EntryId& id,
                         const AcceptanceRecord& rec);

Result<std::optional<CaseRecord>> GetCaseRecord(const ledger::State& state,
                                                std::string_view case_id);
void PutCaseRecord(ledger::State* state, std::string_view case_id, const CaseRecord& rec);

Result<std::optional<ArchiveHead>> GetArchiveHead(const ledger::State& state, ArchiveFileKind kind,
                                                  std::string_view file, ArchiveCategory category,
                                                  std::string_view slot);
void PutArchiveHead(ledger::State* state, ArchiveFileKind kind, std::string_view file,
                    ArchiveCategory category, std::string_view slot, const ArchiveHead& head);

Result<std::optional<HouseholdRecord>> GetHouseholdRecord(const ledger::State& state,
                                                          std::string_view commitment);
void PutHouseholdRecord(ledger::State* state, std::string_view commitment,
                        const HouseholdRecord& rec);

}  // namespace tz::handover
