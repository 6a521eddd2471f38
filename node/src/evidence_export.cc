// Exporting an evidence package: select the entries, add the key-set
// history, prove each entry against the checkpoint of its block, prove those
// checkpoints consistent with the newest, stamp the newest, write the report.
#include "node/evidence_export.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <set>

#include "handover/queries.h"
#include "log/checkpoint.h"
#include "log/tlog_proof.h"

namespace tz::node {
namespace {

namespace ev = evidence;
using ev::EntryRole;
constexpr size_t kLookupLimit = 10'000'000;
constexpr size_t kMaxDocumentBytes = size_t{1} << 30;

struct Builder {
  const ledger::Ledger& l;
  archive::BlobStore* blobs;
  const EvidenceExportOptions& opts;
  ev::Manifest m;
  std::map<uint64_t, EntryRole> roles;  // log index -> role
  std::map<uint64_t, ledger::SignedEntry> entries;
  struct Cp {
    uint64_t height = 0;
    int64_t time_ms = 0;
    std::string note;
  };
  std::map<uint64_t, Cp> checkpoints;  // by size
  bool stream = false;                 // documents stay in the blob store
  std::vector<EvidencePlan::File> files;

  void AddFile(std::string name, std::string data) {
    uint64_t size = data.size();
    files.push_back({std::move(name), std::move(data), std::nullopt, size});
  }

  Status Add(uint64_t index, EntryRole role) {
    auto [it, inserted] = roles.emplace(index, role);
    if (!inserted) {
      if (role == EntryRole::kSubject) it->second = role;
      return Status::Ok();
    }
    TZ_ASSIGN_OR_RETURN(std::string bytes, l.GetEntry(index));
    TZ_ASSIGN_OR_RETURN(ledger::SignedEntry e, ledger::ParseSignedEntry(bytes));
    entries.emplace(index, std::move(e));
    return Status::Ok();
  }
  Status AddLookup(handover::Index index, std::string_view value, EntryRole role) {
    TZ_ASSIGN_OR_RETURN(std::vector<uint64_t> hits,
                        handover::Lookup(l, index, value, kLookupLimit));
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
  std::optional<ev::SubjectKind> kind = ev::ParseSubjectKind(opts.kind);
  if (!kind) {
    return Status::Invalid("evidence.bad_subject",
                           "kind must be document, acceptance, house or case");
  }
  m.subject_kind = *kind;
  const std::string& id = opts.id;
  if (*kind == ev::SubjectKind::kDocument) {
    if (!DigestFromHex(id).ok()) {
      return Status::Invalid("evidence.bad_subject", "a document is named by its SHA-256 hex");
    }
    TZ_RETURN_IF_ERROR(AddLookup(handover::Index::kDocument, id, EntryRole::kSubject));
  } else if (*kind == ev::SubjectKind::kHouse || *kind == ev::SubjectKind::kCase) {
    if (!ledger::IsValidId(id)) return Status::Invalid("evidence.bad_subject", "bad id");
    handover::Index index =
        *kind == ev::SubjectKind::kHouse ? handover::Index::kHouse : handover::Index::kCase;
    TZ_RETURN_IF_ERROR(AddLookup(index, id, EntryRole::kSubject));
  } else {  // an acceptance record
    auto eid = ledger::EntryIdFromHex(id);
    if (!eid.ok()) {
      return Status::Invalid("evidence.bad_subject", "an acceptance is named by its entry id");
    }
    auto index = l.FindEntry(*eid);
    if (!index.ok()) {
      return Status::NotFound("evidence.subject_not_found", "no entry " + id);
    }
    TZ_RETURN_IF_ERROR(Add(*index, EntryRole::kSubject));
    if (entries.at(*index).type != "acceptance.open") {
      return Status::Invalid("evidence.bad_subject", id + " is not an acceptance.open entry");
    }
    TZ_RETURN_IF_ERROR(AddLookup(handover::Index::kAcceptance, id, EntryRole::kSubject));
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
    TZ_ASSIGN_OR_RETURN(std::vector<uint64_t> hits,
                        handover::Lookup(l, handover::Index::kDocument, d, kLookupLimit));
    for (uint64_t i : hits) {
      TZ_ASSIGN_OR_RETURN(std::string bytes, l.GetEntry(i));
      TZ_ASSIGN_OR_RETURN(ledger::SignedEntry e, ledger::ParseSignedEntry(bytes));
      if (e.type == "doc.notarize") TZ_RETURN_IF_ERROR(Add(i, EntryRole::kContext));
    }
  }
  return Status::Ok();
}

Status Builder::AddKeyset(uint64_t newest_size) {
  TZ_RETURN_IF_ERROR(Add(0, EntryRole::kKeyset));
  roles[0] = EntryRole::kKeyset;
  for (const char* type : {"gov.propose", "gov.vote"}) {
    TZ_ASSIGN_OR_RETURN(std::vector<uint64_t> hits, l.Lookup("type", type, kLookupLimit));
    for (uint64_t i : hits) {
      if (i < newest_size) {
        TZ_RETURN_IF_ERROR(Add(i, EntryRole::kKeyset));
        roles[i] = EntryRole::kKeyset;
      }
    }
  }
  return Status::Ok();
}

Result<uint64_t> Builder::CheckpointOfBlock(uint64_t height) {
  TZ_ASSIGN_OR_RETURN(std::string note, l.GetCheckpoint(height));
  TZ_ASSIGN_OR_RETURN(log::ParsedNote parsed, log::ParseNote(note));
  TZ_ASSIGN_OR_RETURN(log::Checkpoint cp, log::Checkpoint::Parse(parsed.text));
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
    } else if (stream) {
      auto info = blobs->Stat(d.digest);
      if (!info.ok() && info.status().code() != Code::kNotFound) return info.status();
      if (info.ok() && info->size == d.size) {
        files.push_back({ev::DocumentPath(d.digest), "", d.digest, info->size});
      } else if (info.ok()) {
        return Status::Internal("evidence.export_unverifiable",
                                "stored blob " + ToHex(d.digest) + " has " +
                                    std::to_string(info->size) + " bytes, notarized " +
                                    std::to_string(d.size));
      } else {
        d.included = false;
        d.withheld = "not_available";
      }
    } else {
      auto bytes = blobs->ReadAll(d.digest, kMaxDocumentBytes);
      if (!bytes.ok() && bytes.status().code() != Code::kNotFound) return bytes.status();
      if (bytes.ok()) {
        AddFile(ev::DocumentPath(d.digest), std::string(AsString(*bytes)));
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
    if (role != EntryRole::kKeyset) {
      TZ_ASSIGN_OR_RETURN(uint64_t height, l.BlockOfEntry(index));
      TZ_ASSIGN_OR_RETURN(size, CheckpointOfBlock(height));
    }
    log::TlogProof p;
    p.index = index;
    TZ_ASSIGN_OR_RETURN(p.inclusion, l.InclusionProof(index, size));
    p.checkpoint = checkpoints[size].note;
    const ledger::SignedEntry& e = entries.at(index);
    AddFile(ev::EntryPath(index), e.bytes);
    AddFile(ev::ProofPath(index), p.Format());
    m.entries.push_back({index, e.id, e.type, role, size});
  }
  return Status::Ok();
}

// Verifies the package built so far and appends report.html. Streamed
// documents are not in memory: the metadata is verified with them marked
// withheld, then their digest check is reported as done by the blob store
// while streaming (it re-hashes every byte it sends and cuts the transfer
// on a mismatch).
Status AddReport(const ev::Manifest& m, std::vector<EvidencePlan::File>* files) {
  ev::Manifest for_verify = m;
  std::set<std::string> streamed;
  for (auto& d : for_verify.documents) {
    std::string path = ev::DocumentPath(d.digest);
    for (const auto& f : *files) {
      if (f.blob && f.name == path) {
        streamed.insert(path);
        d.included = false;
        d.withheld = "streamed";
      }
    }
  }
  std::vector<ev::TarFile> in_memory;
  for (const auto& f : *files) {
    if (!f.blob) in_memory.push_back({f.name, f.data});
  }
  in_memory[0].data = for_verify.ToJson().Canonical();  // manifest.json comes first
  ev::VerifyReport report = ev::VerifyPackageFiles(in_memory);
  if (!report.verified) {
    return Status::Internal("evidence.export_unverifiable",
                            "exported package does not verify: " + report.reason);
  }
  report.manifest = m;
  for (auto& c : report.checks) {
    if (c.check == evidence::CheckKind::kDocumentDigest && streamed.count(c.item) != 0) {
      c.status = evidence::CheckStatus::kPassed;
      c.reason.clear();
      c.detail =
          "bytes streamed from the content-addressed blob store, which re-hashes them while "
          "sending (a mismatch cuts the transfer) / 文件由按摘要寻址的存储边读边核验后发送";
    }
  }
  files->push_back(
      {std::string(ev::kReportPath), evidence::RenderEvidenceReport(report), std::nullopt, 0});
  files->back().size = files->back().data.size();
  return Status::Ok();
}

Result<EvidencePlan> Plan(const ledger::Ledger& l, archive::BlobStore* blobs,
                          const EvidenceExportOptions& opts, bool stream) {
  Builder b{l, blobs, opts, {}, {}, {}, {}, stream, {}};
  ledger::Head head = l.head();
  TZ_RETURN_IF_ERROR(b.SelectSubject());
  TZ_RETURN_IF_ERROR(b.AddReferencedDocuments());
  TZ_RETURN_IF_ERROR(b.AddKeyset(head.log_size));
  TZ_ASSIGN_OR_RETURN(uint64_t newest, b.CheckpointOfBlock(head.height));
  TZ_RETURN_IF_ERROR(b.AddDocuments());
  TZ_RETURN_IF_ERROR(b.AddProofs(newest));

  b.m.chain = l.chain();
  b.m.origin = l.origin();
  b.m.subject_id = opts.id;
  b.m.exported_ms = opts.now_ms != 0 ? opts.now_ms
                                     : std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count();
  for (const auto& [size, cp] : b.checkpoints) {
    std::optional<std::string> token;
    if (opts.timestamps != nullptr) {
      TZ_ASSIGN_OR_RETURN(token, opts.timestamps->GetForNote(size, cp.note));
    }
    if (!token && opts.tsa != nullptr && size == newest) {
      TZ_ASSIGN_OR_RETURN(TimeStamp ts, opts.tsa->Stamp(Sha256(cp.note)));
      token = std::string(AsString(ts.token_der));
    }
    b.m.checkpoints.push_back({size, cp.height, cp.time_ms, token.has_value()});
    b.AddFile(ev::CheckpointPath(size), cp.note);
    if (size != newest) {
      TZ_ASSIGN_OR_RETURN(std::vector<Digest> proof, l.ConsistencyProof(size, newest));
      b.AddFile(ev::ConsistencyPath(size, newest),
                ev::ConsistencyJson(size, newest, proof).Pretty());
    }
    if (token) b.AddFile(ev::TimestampPath(size), std::move(*token));
  }
  EvidencePlan plan;
  plan.mtime_seconds = b.m.exported_ms / 1000;
  std::string manifest = b.m.ToJson().Canonical();
  plan.files.push_back({std::string(ev::kManifestPath), manifest, std::nullopt, manifest.size()});
  for (auto& f : b.files) plan.files.push_back(std::move(f));
  // The report describes what the package proves, so it is made by verifying
  // the package just built (which also catches a broken export).
  TZ_RETURN_IF_ERROR(AddReport(b.m, &plan.files));
  return plan;
}

constexpr uint64_t kTarBlock = 512;

// Streams an EvidencePlan as ustar: per file a header, the data (from
// memory or a verified blob reader) and padding, then the trailer.
class TarStream : public archive::ByteSource {
 public:
  TarStream(EvidencePlan plan, archive::BlobStore* blobs) : plan_(std::move(plan)), blobs_(blobs) {}

  Result<size_t> Read(uint8_t* buf, size_t n) override {
    size_t done = 0;
    while (done < n) {
      if (pending_pos_ < pending_.size()) {
        size_t k = std::min(n - done, pending_.size() - pending_pos_);
        std::memcpy(buf + done, pending_.data() + pending_pos_, k);
        pending_pos_ += k;
        done += k;
        continue;
      }
      if (reader_) {
        TZ_ASSIGN_OR_RETURN(size_t k, reader_->Read(buf + done, n - done));
        if (k == 0) {
          if (blob_left_ != 0) {
            return Status::Corruption("evidence.document_changed",
                                      "document " + plan_.files[next_ - 1].name + " is shorter");
          }
          reader_.reset();
          SetPending(std::string(ev::TarPadding(plan_.files[next_ - 1].size), '\0'));
          continue;
        }
        if (k > blob_left_) {
          return Status::Corruption("evidence.document_changed",
                                    "document " + plan_.files[next_ - 1].name + " is longer");
        }
        blob_left_ -= k;
        done += k;
        continue;
      }
      if (finished_) break;
      TZ_RETURN_IF_ERROR(Next());
    }
    return done;
  }

 private:
  void SetPending(std::string s) {
    pending_ = std::move(s);
    pending_pos_ = 0;
  }

  // Queues the next file (or the trailer).
  Status Next() {
    if (next_ == plan_.files.size()) {
      SetPending(std::string(ev::kTarTrailerSize, '\0'));
      finished_ = true;
      return Status::Ok();
    }
    EvidencePlan::File& f = plan_.files[next_++];
    TZ_ASSIGN_OR_RETURN(std::string header, ev::TarHeader(f.name, f.size, plan_.mtime_seconds));
    if (f.blob) {
      TZ_ASSIGN_OR_RETURN(std::unique_ptr<archive::BlobReader> r, blobs_->Open(*f.blob));
      if (r->size() != f.size) {
        return Status::Corruption("evidence.document_changed",
                                  "document " + f.name + " changed size");
      }
      reader_ = std::move(r);
      blob_left_ = f.size;
      SetPending(std::move(header));
      // A zero-length document: the reader ends at once and pads nothing.
      return Status::Ok();
    }
    header += f.data;
    header.append(ev::TarPadding(f.size), '\0');
    std::string().swap(f.data);  // sent: free it
    SetPending(std::move(header));
    return Status::Ok();
  }

  EvidencePlan plan_;
  archive::BlobStore* blobs_;
  size_t next_ = 0;
  std::string pending_;
  size_t pending_pos_ = 0;
  std::unique_ptr<archive::BlobReader> reader_;
  uint64_t blob_left_ = 0;
  bool finished_ = false;
};

}  // namespace

uint64_t EvidencePlan::TarSize() const {
  uint64_t total = ev::kTarTrailerSize;
  for (const File& f : files) total += kTarBlock + f.size + ev::TarPadding(f.size);
  return total;
}

Result<EvidencePlan> PlanEvidencePackage(const ledger::Ledger& l, archive::BlobStore* blobs,
                                         const EvidenceExportOptions& opts) {
  return Plan(l, blobs, opts, blobs != nullptr);
}

std::unique_ptr<archive::ByteSource> OpenEvidenceStream(EvidencePlan plan,
                                                        archive::BlobStore* blobs) {
  return std::make_unique<TarStream>(std::move(plan), blobs);
}

std::string EvidenceFileName(const std::string& kind, const std::string& id) {
  std::string shown = id;
  if ((kind == "document" || kind == "acceptance") && shown.size() > 16) shown.resize(16);
  std::string safe;
  for (char c : shown) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    safe.push_back(ok ? c : '_');
  }
  return "tiezheng-evidence-" + kind + "-" + safe + ".tar";
}

Result<std::vector<ev::TarFile>> BuildEvidencePackage(const ledger::Ledger& l,
                                                      archive::BlobStore* blobs,
                                                      const EvidenceExportOptions& opts) {
  TZ_ASSIGN_OR_RETURN(EvidencePlan plan, Plan(l, blobs, opts, false));
  std::vector<ev::TarFile> out;
  out.reserve(plan.files.size());
  for (auto& f : plan.files) out.push_back({std::move(f.name), std::move(f.data)});
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
