// doc.notarize and archive.link: notarized handover documents (存证) and
// the house and household files (一房一档 / 一户一档) they are filed in.
#include "handover/entry_types.h"
#include "handover/queries.h"
#include "handover/records.h"
#include "typed_entry.h"

namespace tz::handover {

using namespace ledger;  // the domain is written in the ledger's vocabulary
namespace {

// ---- doc.notarize ----

Status ValidateNotarize(const EntryContext&, const DocumentNotarization& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(std::optional<DocumentRecord> rec, GetDocumentRecord(state, b.digest));
  if (rec) {
    return Status(Code::kAlreadyExists, "document.duplicate",
                  "document " + tz::ToHex(b.digest) + " is already notarized");
  }
  return Status::Ok();
}

void ApplyNotarize(const EntryContext& ctx, const DocumentNotarization& b, State* state) {
  PutDocumentRecord(state, b.digest, {ctx.entry.id, ctx.index, b.doc_type, b.encrypted});
}

void NotarizeTerms(const DocumentNotarization& b, std::vector<IndexTerm>* out) {
  out->push_back({std::string(IndexName(Index::kDocument)), tz::ToHex(b.digest)});
  out->push_back({std::string(IndexName(Index::kProject)), b.project});
  if (b.house) out->push_back({std::string(IndexName(Index::kHouse)), *b.house});
}

// ---- archive.link ----

Status ValidateLink(const EntryContext&, const ArchiveLink& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(DocumentRecord doc, RequireNotarized(state, b.document));
  if (b.kind == ArchiveFileKind::kHousehold) {
    if (!doc.encrypted) {
      return Status::Invalid("archive.household_requires_encryption",
                             "documents in a household file must be stored encrypted");
    }
    TZ_ASSIGN_OR_RETURN(std::optional<HouseholdRecord> shred, GetHouseholdRecord(state, b.file));
    if (shred) {
      return Status(Code::kFailedPrecondition, "household.shredded",
                    "the household's data has been crypto-shredded");
    }
  }
  TZ_ASSIGN_OR_RETURN(std::optional<ArchiveHead> head,
                      GetArchiveHead(state, b.kind, b.file, b.category, b.slot));
  if (head && !b.supersedes) {
    return Status(Code::kFailedPrecondition, "archive.supersede_required",
                  "the slot has a document; a new version must name it in 'supersedes'");
  }
  if (!head && b.supersedes) {
    return Status(Code::kFailedPrecondition, "archive.unknown_supersede",
                  "the slot is empty; there is nothing to supersede");
  }
  if (head && *b.supersedes != head->entry) {
    return Status(Code::kFailedPrecondition, "archive.stale_supersede",
                  "'supersedes' must name the slot's current version " + head->Encode());
  }
  return Status::Ok();
}

void ApplyLink(const EntryContext& ctx, const ArchiveLink& b, State* state) {
  PutArchiveHead(state, b.kind, b.file, b.category, b.slot, {ctx.entry.id});
}

void LinkTerms(const ArchiveLink& b, std::vector<IndexTerm>* out) {
  out->push_back({std::string(Name(b.kind)), b.file});
  out->push_back({std::string(IndexName(Index::kDocument)), tz::ToHex(b.document)});
}

}  // namespace

const EntryType kDocNotarizeType =
    TypedEntryType<DocumentNotarization, ValidateNotarize, ApplyNotarize, NotarizeTerms>(
        "doc.notarize", 1,
        {Role::kConstructionUnit, Role::kReceivingUnit, Role::kOperator, Role::kInspector,
         Role::kDepartment});

const EntryType kArchiveLinkType = TypedEntryType<ArchiveLink, ValidateLink, ApplyLink, LinkTerms>(
    "archive.link", 1, {Role::kReceivingUnit, Role::kOperator, Role::kDepartment});

}  // namespace tz::handover
