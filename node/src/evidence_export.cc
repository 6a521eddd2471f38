// Exporting an evidence package: select the entries, add the key-set
// history, prove each entry against the checkpoint of its block, prove those
// checkpoints consistent with the newest, stamp the newest, write the report.
#include "node/evidence_export.h"

#include <chrono>
#include <map>
#include <set>

#include "ledger/checkpoint.h"
#include "ledger/tlog_proof.h"

namespace tz::node {
namespace {

namespace ev = ledger::evidence;
constexpr size_t kLookupLimit = 10'000'000;
constexpr size_t kMaxDocumentBytes = size_t{1} << 30;

struct Builder {
  const ledger::Ledger& l;
  archive::BlobStore* blobs;
  const EvidenceExportOptions& opts;
  ev::Manifest m;
  std::map<uint64_t, std::string> roles;  // log index -> role
  std::map<uint64_t, ledger::SignedEntry> entries;
  struct Cp {
    uint64_t height = 0;
    int64_t time_ms = 0;
    std::string note;
  };
  std::map<uint64_t, Cp> checkpoints;  // by size
  std::vector<ev::TarFile> files;

  Status Add(uint64_t index, const std::string& role) {
    auto [it, inserted] = roles.emplace(index, role);
    if (!inserted) {
      if (role == "subject") it->second = role;
      return Status::Ok();
    }
    TZ_ASSIGN_OR_RETURN(std::string bytes, l.GetEntry(index));
    TZ_ASSIGN_OR_RETURN(ledger::SignedEntry e, ledger::ParseSignedEntry(bytes));
    entries.emplace(index, std::move(e));
    return Status::Ok();
  }
  Status AddLookup(std::string_view index, std::string_view value, const std::string& role) {
    TZ_ASSIGN_OR_RETURN(std::vector<uint64_t> hits, l.Lookup(index, value, kLookupLimit));
    for (uint64_t i : hits) TZ_RETURN_IF_ERROR(Add(i, role));
    return Status::Ok();
  }
  Status SelectSubject();
  Status AddReferencedDocuments();
  Status AddKeyset(uint64_t newest_size);
  Result<uint64_t> CheckpointOfBlock(uint64_t height);
  Status AddDocuments();
  Status AddProofs(uint64_t newest);
};

Status Builder::SelectSubject() {
  const std::string& id = opts.id;
  if (opts.kind == "document") {
    if (!DigestFromHex(id).ok()) {
      return Status::Invalid("evidence.bad_subject", "a document is named by its SHA-256 hex");
    }
    TZ_RETURN_IF_ERROR(AddLookup("doc", id, "subject"));
  } else if (opts.kind == "house" || opts.kind == "case") {
    if (!ledger::IsValidId(id)) return Status::Invalid("evidence.bad_subject", "bad id");
    TZ_RETURN_IF_ERROR(AddLookup(opts.kind, id, "subject"));
  } else if (opts.kind == "acceptance") {
    auto eid = ledger::EntryIdFromHex(id);
    if (!eid.ok()) {
      return Status::Invalid("evidence.bad_subject", "an acceptance is named by its entry id");
    }
    auto index = l.FindEntry(*eid);
    if (!index.ok()) {
      return Status::NotFound("evidence.subject_not_found", "no entry " + id);
    }
    TZ_RETURN_IF_ERROR(Add(*index, "subject"));
    if (entries.at(*index).type != "acceptance.open") {
      return Status::Invalid("evidence.bad_subject", id + " is not an acceptance.open entry");
    }
    TZ_RETURN_IF_ERROR(AddLookup("acceptance", id, "subject"));
  } else {
    return Status::Invalid("evidence.bad_subject",
                           "kind must be document, acceptance, house or case");
  }
  if (entries.empty()) {
    return Status::NotFound("evidence.subject_not_found",
                            "nothing on the ledger for " + opts.kind + " " + id);
  }
  return Status::Ok();
}

// The notarization of every document a selected entry refers to.
Status Builder::AddReferencedDocuments() {
  std::set<std::string> digests;
  for (const auto& [index, e] : entries) {
    for (const char* f : {"digest", "document", "report"}) {
      const Json* v = e.entry.find(f);
      if (v != nullptr && v->is_string() && DigestFromHex(v->as_string()).ok()) {
        digests.insert(v->as_string());
      }
    }
  }
  for (const auto& d : digests) {
    TZ_ASSIGN_OR_RETURN(std::vector<uint64_t> hits, l.Lookup("doc", d, kLookupLimit));
    for (uint64_t i : hits) {
      TZ_ASSIGN_OR_RETURN(std::string bytes, l.GetEntry(i));
      TZ_ASSIGN_OR_RETURN(ledger::SignedEntry e, ledger::ParseSignedEntry(bytes));
      if (e.type == "doc.notarize") TZ_RETURN_IF_ERROR(Add(i, "context"));
    }
  }
  return Status::Ok();
}

Status Builder::AddKeyset(uint64_t newest_size) {
  TZ_RETURN_IF_ERROR(Add(0, "keyset"));
  roles[0] = "keyset";
  for (const char* type : {"gov.propose", "gov.vote"}) {
    TZ_ASSIGN_OR_RETURN(std::vector<uint64_t> hits, l.Lookup("type", type, kLookupLimit));
    for (uint64_t i : hits) {
      if (i < newest_size) {
        TZ_RETURN_IF_ERROR(Add(i, "keyset"));
        roles[i] = "keyset";
      }
    }
  }
  return Status::Ok();
}

Result<uint64_t> Builder::CheckpointOfBlock(uint64_t height) {
  TZ_ASSIGN_OR_RETURN(std::string note, l.GetCheckpoint(height));
  TZ_ASSIGN_OR_RETURN(ledger::ParsedNote parsed, ledger::ParseNote(note));
  TZ_ASSIGN_OR_RETURN(ledger::Checkpoint cp, ledger::Checkpoint::Parse(parsed.text));
  if (!cp.block) return Status::Corruption("evidence.checkpoint", "checkpoint without block");
  checkpoints[cp.size] = {cp.block->height, static_cast<int64_t>(cp.block->time_ms), note};
  return cp.size;
}

Status Builder::AddDocuments() {
  for (const auto& [index, e] : entries) {
    if (e.type != "doc.notarize") continue;
    ev::ManifestDocument d;
    d.digest = *DigestFromHex(*GetString(e.entry, "digest"));
    bool seen = false;
    for (const auto& x : m.documents) seen = seen || x.digest == d.digest;
    if (seen) continue;  // notarized twice: the first notarization counts
    d.size = GetInt(e.entry, "size").ok() ? static_cast<uint64_t>(*GetInt(e.entry, "size")) : 0;
    d.title = GetString(e.entry, "title").ok() ? *GetString(e.entry, "title") : "";
    d.entry = index;
    auto encrypted = GetBool(e.entry, "encrypted");
    if (encrypted.ok() && *encrypted) {
      d.included = false;
      d.withheld = "personal_data";
    } else if (opts.withhold_documents) {
      d.included = false;
      d.withheld = "by_request";
    } else if (blobs == nullptr) {
      d.included = false;
      d.withheld = "not_available";
    } else {
      auto bytes = blobs->ReadAll(d.digest, kMaxDocumentBytes);
      if (!bytes.ok() && bytes.status().code() != Code::kNotFound) return bytes.status();
      if (bytes.ok()) {
        files.push_back({ev::DocumentPath(d.digest), std::string(AsString(*bytes))});
      } else {
        d.included = false;
        d.withheld = "not_available";
      }
    }
    m.documents.push_back(std::move(d));
  }
  return Status::Ok();
}

// Subject and context entries are proven against the checkpoint of their
// own block (its time is the time of notarization); the key-set history
// against the newest checkpoint (early blocks, the genesis above all, may
// carry no certified checkpoint).
Status Builder::AddProofs(uint64_t newest) {
  for (const auto& [index, role] : roles) {
    uint64_t size = newest;
    if (role != "keyset") {
      TZ_ASSIGN_OR_RETURN(uint64_t height, l.BlockOfEntry(index));
      TZ_ASSIGN_OR_RETURN(size, CheckpointOfBlock(height));
    }
    ledger::TlogProof p;
    p.index = index;
    TZ_ASSIGN_OR_RETURN(p.inclusion, l.InclusionProof(index, size));
    p.checkpoint = checkpoints[size].note;
    const ledger::SignedEntry& e = entries.at(index);
    files.push_back({ev::EntryPath(index), e.bytes});
    files.push_back({ev::ProofPath(index), p.Format()});
    m.entries.push_back({index, e.id, e.type, role, size});
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<ev::TarFile>> BuildEvidencePackage(const ledger::Ledger& l,
                                                      archive::BlobStore* blobs,
                                                      const EvidenceExportOptions& opts) {
  Builder b{l, blobs, opts, {}, {}, {}, {}, {}};
  ledger::Head head = l.head();
  TZ_RETURN_IF_ERROR(b.SelectSubject());
  TZ_RETURN_IF_ERROR(b.AddReferencedDocuments());
  TZ_RETURN_IF_ERROR(b.AddKeyset(head.log_size));
  TZ_ASSIGN_OR_RETURN(uint64_t newest, b.CheckpointOfBlock(head.height));
  TZ_RETURN_IF_ERROR(b.AddDocuments());
  TZ_RETURN_IF_ERROR(b.AddProofs(newest));

  b.m.chain = l.chain();
  b.m.origin = l.origin();
  b.m.subject_kind = opts.kind;
  b.m.subject_id = opts.id;
  b.m.exported_ms = opts.now_ms != 0 ? opts.now_ms
                                     : std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count();
  for (const auto& [size, cp] : b.checkpoints) {
    bool stamp = opts.tsa != nullptr && size == newest;
    b.m.checkpoints.push_back({size, cp.height, cp.time_ms, stamp});
    b.files.push_back({ev::CheckpointPath(size), cp.note});
    if (size != newest) {
      TZ_ASSIGN_OR_RETURN(std::vector<Digest> proof, l.ConsistencyProof(size, newest));
      b.files.push_back(
          {ev::ConsistencyPath(size, newest), ev::ConsistencyJson(size, newest, proof).Pretty()});
    }
    if (stamp) {
      TZ_ASSIGN_OR_RETURN(TimeStamp ts, opts.tsa->Stamp(Sha256(cp.note)));
      b.files.push_back({ev::TimestampPath(size), std::string(AsString(ts.token_der))});
    }
  }
  std::vector<ev::TarFile> out;
  out.push_back({std::string(ev::kManifestPath), b.m.ToJson().Canonical()});
  for (auto& f : b.files) out.push_back(std::move(f));
  // The report describes what the package proves, so it is made by verifying
  // the package just built (which also catches a broken export).
  ev::VerifyReport report = ev::VerifyPackageFiles(out);
  if (!report.verified) {
    return Status::Internal("evidence.export_unverifiable",
                            "exported package does not verify: " + report.reason);
  }
  out.push_back({std::string(ev::kReportPath), RenderEvidenceReport(report)});
  return out;
}

Result<std::string> ExportEvidencePackage(const ledger::Ledger& l, archive::BlobStore* blobs,
                                          const EvidenceExportOptions& opts) {
  TZ_ASSIGN_OR_RETURN(std::vector<ev::TarFile> files, BuildEvidencePackage(l, blobs, opts));
  int64_t mtime = 0;
  auto manifest = ev::Manifest::FromJson(*ParseJson(files[0].data));
  if (manifest.ok()) mtime = manifest->exported_ms / 1000;
  return ev::WriteTar(files, mtime);
}

}  // namespace tz::node
