// doc.notarize and archive.link: notarized handover documents (存证) and
// the house and household files (一房一档 / 一户一档) they are filed in.
#include "handover/doc_catalog.h"
#include "handover/entry_types.h"
#include "handover/queries.h"
#include "handover/state_keys.h"

namespace tz::handover {

using namespace ledger;  // the domain is written in the ledger's vocabulary
namespace {

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '+' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status CheckMediaType(const std::string& m) {
  size_t slash = m.find('/');
  if (m.size() > 127 || slash == std::string::npos || !IsToken(m.substr(0, slash)) ||
      !IsToken(m.substr(slash + 1))) {
    return Status::Invalid("field.bad_media_type", "media_type must be lowercase type/subtype");
  }
  return Status::Ok();
}

// ---- doc.notarize ----

Status CheckNotarize(const Json& b) {
  TZ_RETURN_IF_ERROR(CheckKeys(b, {"type", "v", "digest", "size", "media_type", "title", "doc_type",
                                   "project", "house", "in_archive", "encrypted"}));
  TZ_RETURN_IF_ERROR(GetDigest(b, "digest").status());
  TZ_RETURN_IF_ERROR(GetNonNegative(b, "size").status());
  TZ_ASSIGN_OR_RETURN(std::string media, GetString(b, "media_type"));
  TZ_RETURN_IF_ERROR(CheckMediaType(media));
  TZ_RETURN_IF_ERROR(GetText(b, "title").status());
  TZ_ASSIGN_OR_RETURN(std::string doc_type, GetString(b, "doc_type"));
  const DocType* t = FindDocType(doc_type);
  if (t == nullptr) {
    return Status::Invalid("document.unknown_type", "'" + doc_type + "' is not in the catalog");
  }
  TZ_RETURN_IF_ERROR(GetId(b, "project").status());
  if (b.find("house") != nullptr) TZ_RETURN_IF_ERROR(GetId(b, "house").status());
  TZ_RETURN_IF_ERROR(GetBool(b, "in_archive").status());
  TZ_ASSIGN_OR_RETURN(bool encrypted, GetBool(b, "encrypted"));
  if (t->personal && !encrypted) {
    return Status::Invalid("document.must_encrypt",
                           "'" + doc_type + "' may hold personal data and must be encrypted");
  }
  return Status::Ok();
}

Status ValidateNotarize(const EntryContext&, const Json& b, const State& state) {
  Digest d = *GetDigest(b, "digest");
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> rec, state.Get(StateKeyForDocument(d)));
  if (rec) {
    return Status(Code::kAlreadyExists, "document.duplicate",
                  "document " + tz::ToHex(d) + " is already notarized");
  }
  return Status::Ok();
}

void ApplyNotarize(const EntryContext& ctx, const Json& b, State* state) {
  Json rec = Json::MakeObject();
  rec.set("entry", Json(ToHex(ctx.entry.id)));
  rec.set("index", Json(ctx.index));
  rec.set("doc_type", *b.find("doc_type"));
  rec.set("encrypted", *b.find("encrypted"));
  state->PutJson(StateKeyForDocument(*GetDigest(b, "digest")), rec);
}

void NotarizeTerms(const Json& b, std::vector<IndexTerm>* out) {
  out->push_back({std::string(IndexName(Index::kDocument)), *GetString(b, "digest")});
  out->push_back({std::string(IndexName(Index::kProject)), *GetString(b, "project")});
  if (auto h = GetOptionalString(b, "house")) out->push_back({std::string(IndexName(Index::kHouse)), *h});
}

// ---- archive.link ----

#define TZ_ARCHIVE_CATEGORIES                                                                    \
  "drawings", "acceptance", "handover", "warranty", "manuals", "photos", "repair", "inspection", \
      "lease", "subsidy", "evidence", "other"

Status CheckLink(const Json& b) {
  TZ_RETURN_IF_ERROR(
      CheckKeys(b, {"type", "v", "file", "category", "slot", "document", "supersedes"}));
  const Json* file = b.find("file");
  if (file == nullptr) return Status::Invalid("json.missing_field", "missing 'file'");
  if (!file->is_object()) return Status::Invalid("json.wrong_type", "'file' must be an object");
  TZ_RETURN_IF_ERROR(CheckKeys(*file, {"kind", "id"}));
  TZ_ASSIGN_OR_RETURN(std::string kind, GetEnum(*file, "kind", {"house", "household"}));
  if (kind == "house") {
    TZ_RETURN_IF_ERROR(GetId(*file, "id").status());
  } else {
    TZ_RETURN_IF_ERROR(GetCommitment(*file, "id").status());
  }
  TZ_RETURN_IF_ERROR(GetEnum(b, "category", {TZ_ARCHIVE_CATEGORIES}).status());
  TZ_RETURN_IF_ERROR(GetId(b, "slot").status());
  TZ_RETURN_IF_ERROR(GetDigest(b, "document").status());
  if (b.find("supersedes") != nullptr) TZ_RETURN_IF_ERROR(GetEntryId(b, "supersedes").status());
  return Status::Ok();
}

std::string HeadKey(const Json& b) {
  const Json& file = *b.find("file");
  return StateKeyForArchiveHead(file.find("kind")->as_string(), file.find("id")->as_string(),
                                *GetString(b, "category"), *GetString(b, "slot"));
}

Status ValidateLink(const EntryContext&, const Json& b, const State& state) {
  TZ_ASSIGN_OR_RETURN(Json doc, RequireNotarized(state, *GetDigest(b, "document")));
  const Json& file = *b.find("file");
  if (file.find("kind")->as_string() == "household") {
    if (!doc.find("encrypted")->as_bool()) {
      return Status::Invalid("archive.household_requires_encryption",
                             "documents in a household file must be stored encrypted");
    }
    TZ_ASSIGN_OR_RETURN(std::optional<std::string> shred,
                        state.Get(StateKeyForHousehold(file.find("id")->as_string())));
    if (shred) {
      return Status(Code::kFailedPrecondition, "household.shredded",
                    "the household's data has been crypto-shredded");
    }
  }
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> head, state.Get(HeadKey(b)));
  const Json* sup = b.find("supersedes");
  if (head && sup == nullptr) {
    return Status(Code::kFailedPrecondition, "archive.supersede_required",
                  "the slot has a document; a new version must name it in 'supersedes'");
  }
  if (!head && sup != nullptr) {
    return Status(Code::kFailedPrecondition, "archive.unknown_supersede",
                  "the slot is empty; there is nothing to supersede");
  }
  if (head && sup->as_string() != *head) {
    return Status(Code::kFailedPrecondition, "archive.stale_supersede",
                  "'supersedes' must name the slot's current version " + *head);
  }
  return Status::Ok();
}

void ApplyLink(const EntryContext& ctx, const Json& b, State* state) {
  state->Put(HeadKey(b), ToHex(ctx.entry.id));
}

void LinkTerms(const Json& b, std::vector<IndexTerm>* out) {
  const Json& file = *b.find("file");
  out->push_back({file.find("kind")->as_string(), file.find("id")->as_string()});
  out->push_back({std::string(IndexName(Index::kDocument)), *GetString(b, "document")});
}

}  // namespace

const EntryType kDocNotarizeType{"doc.notarize",
                                 1,
                                 {Role::kConstructionUnit, Role::kReceivingUnit, Role::kOperator,
                                  Role::kInspector, Role::kDepartment},
                                 CheckNotarize,
                                 ValidateNotarize,
                                 ApplyNotarize,
                                 NotarizeTerms};

const EntryType kArchiveLinkType{"archive.link",
                                 1,
                                 {Role::kReceivingUnit, Role::kOperator, Role::kDepartment},
                                 CheckLink,
                                 ValidateLink,
                                 ApplyLink,
                                 LinkTerms};

}  // namespace tz::handover
