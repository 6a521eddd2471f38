// Offline verification of an evidence package (see evidence.h and
// docs/evidence.md "Checks"). The order: package structure, manifest,
// completeness; then one pass over the entries in log order that replays the
// key-set history and verifies each checkpoint with the key set in force at
// its size; then inclusion and consistency proofs, documents, time-stamps
// and the pinned consortium.
#include <algorithm>
#include <map>
#include <set>

#include "crypto/encoding.h"
#include "crypto/timestamp.h"
#include "evidence/evidence.h"
#include "handover/entry_types.h"
#include "ledger/envelope.h"
#include "ledger/governance.h"
#include "ledger/state.h"
#include "log/checkpoint.h"
#include "log/merkle.h"
#include "log/tlog_proof.h"

namespace tz::evidence {

using namespace ledger;  // evidence is written in the ledger's vocabulary
namespace {

struct Verifier {
  const std::map<std::string, std::string>& files;
  const VerifyOptions& opts;
  VerifyReport* report;
  Manifest m;
  std::map<uint64_t, SignedEntry> entries;                // parsed, by index
  std::map<uint64_t, log::CertifiedCheckpoint> verified;  // checkpoints that passed
  std::map<uint64_t, log::Checkpoint> parsed;             // checkpoints whose body parsed
  std::string chain, origin;
  merkle::LogHasher hasher;

  void Pass(std::string item, CheckKind check, std::string detail = {}) {
    report->checks.push_back({std::move(item), check, CheckStatus::kPassed, "", std::move(detail)});
  }
  void Fail(std::string item, CheckKind check, const Status& s) {
    report->checks.push_back(
        {std::move(item), check, CheckStatus::kFailed, s.reason(), s.message()});
  }
  void Fail(std::string item, CheckKind check, std::string reason, std::string detail) {
    Fail(std::move(item), check, Status::Verification(reason, detail));
  }
  void Unverified(std::string item, CheckKind check, std::string reason, std::string detail) {
    report->checks.push_back(
        {std::move(item), check, CheckStatus::kUnverified, std::move(reason), std::move(detail)});
  }
  const std::string* File(const std::string& path) const {
    auto it = files.find(path);
    return it == files.end() ? nullptr : &it->second;
  }

  bool Completeness();
  bool ParseEntries();
  void ReplayAndCheck();
  void CheckEntry(const ManifestEntry& me, const SignedEntry& e, const State& state);
  void CheckCheckpoint(const ManifestCheckpoint& mc, const State& state);
  void CheckInclusion(const ManifestEntry& me);
  void CheckConsistency();
  void CheckDocuments();
  void CheckTimestamps();
  void CheckTrust();
};

bool Verifier::Completeness() {
  std::set<std::string> expected;
  for (auto& f : m.ExpectedFiles()) expected.insert(std::move(f));
  bool ok = true;
  for (const auto& f : expected) {
    if (files.count(f) == 0) {
      Fail(f, CheckKind::kCompleteness, "evidence.missing_file",
           "listed in the manifest but absent");
      ok = false;
    }
  }
  for (const auto& [name, data] : files) {
    if (name == kManifestPath || name == kReportPath || expected.count(name) > 0) continue;
    Fail(name, CheckKind::kCompleteness, "evidence.unexpected_file", "not listed in the manifest");
    ok = false;
  }
  if (ok)
    Pass("package", CheckKind::kCompleteness, std::to_string(files.size()) + " files, as listed");
  return ok;
}

bool Verifier::ParseEntries() {
  bool ok = true;
  for (const ManifestEntry& me : m.entries) {
    const std::string path = EntryPath(me.index);
    const std::string* bytes = File(path);
    if (bytes == nullptr) return false;  // reported by Completeness
    auto e = ParseSignedEntry(*bytes);
    if (!e.ok()) {
      Fail(path, CheckKind::kEntryFormat, e.status());
      ok = false;
      continue;
    }
    if (e->id != me.id) {
      Fail(path, CheckKind::kEntryFormat, "evidence.entry_id_mismatch",
           "leaf hash " + ToHex(e->id) + " differs from the manifest's " + ToHex(me.id));
      ok = false;
      continue;
    }
    if (e->type != me.type) {
      Fail(path, CheckKind::kEntryFormat, "evidence.manifest_mismatch",
           "entry type '" + e->type + "' differs from the manifest's '" + me.type + "'");
      ok = false;
      continue;
    }
    entries.emplace(me.index, std::move(*e));
  }
  auto g = entries.find(0);
  if (g == entries.end() || g->second.type != "genesis") {
    if (ok)
      Fail("entries/0.json", CheckKind::kKeyset, "evidence.no_genesis",
           "the genesis entry is absent");
    return false;
  }
  chain = g->second.chain;
  auto o = GetString(g->second.entry, "origin");
  origin = o.ok() ? *o : "";
  if (m.chain != chain || m.origin != origin) {
    Fail(std::string(kManifestPath), CheckKind::kManifest, "evidence.manifest_mismatch",
         "manifest chain/origin differ from the genesis");
    return false;
  }
  return ok;
}

// The node keys of the members in `state` (checkpoint signers) and quorum
// n - f, f = floor((n - 1) / 3), as the consortium certifies checkpoints.
Result<std::vector<log::NoteVerifier>> NodeKeysOf(const State& state) {
  TZ_ASSIGN_OR_RETURN(std::vector<std::string> members, state.Members());
  std::vector<log::NoteVerifier> keys;
  for (const auto& name : members) {
    TZ_ASSIGN_OR_RETURN(std::optional<MemberRecord> info, GetMemberRecord(state, name));
    if (!info) return Status::Corruption("evidence.keyset", "member " + name + " has no record");
    TZ_ASSIGN_OR_RETURN(log::NoteVerifier v, log::NoteVerifier::Parse(info->node_vkey));
    keys.push_back(std::move(v));
  }
  return keys;
}

void Verifier::CheckCheckpoint(const ManifestCheckpoint& mc, const State& state) {
  const std::string path = CheckpointPath(mc.size);
  const std::string* note = File(path);
  if (note == nullptr) return;
  auto keys = NodeKeysOf(state);
  if (!keys.ok() || keys->empty()) {
    Fail(path, CheckKind::kCheckpointQuorum, "evidence.keyset", "no key set in force at this size");
    return;
  }
  size_t n = keys->size(), quorum = n - (n - 1) / 3;
  auto cp = log::VerifyCertifiedCheckpoint(*note, *keys, quorum, origin);
  if (!cp.ok()) {
    Fail(path, CheckKind::kCheckpointQuorum, cp.status());
    return;
  }
  const log::Checkpoint& c = cp->checkpoint;
  if (c.size != mc.size || !c.block || c.block->height != mc.height ||
      static_cast<int64_t>(c.block->time_ms) != mc.time_ms) {
    Fail(path, CheckKind::kCheckpointQuorum, "evidence.manifest_mismatch",
         "size, height or time differ from the manifest");
    return;
  }
  Pass(path, CheckKind::kCheckpointQuorum,
       std::to_string(cp->signers.size()) + " of " + std::to_string(n) +
           " members signed (quorum " + std::to_string(quorum) + ")");
  CheckpointFact f{mc.size, mc.height, mc.time_ms, cp->signers, n, quorum, {}, {}};
  report->checkpoints.push_back(std::move(f));
  parsed.emplace(mc.size, c);
  verified.emplace(mc.size, std::move(*cp));
}

void Verifier::CheckEntry(const ManifestEntry& me, const SignedEntry& e, const State& state) {
  const std::string path = EntryPath(me.index);
  if (e.chain != chain) {
    Fail(path, CheckKind::kEntrySignature, "evidence.wrong_chain",
         "entry belongs to chain '" + e.chain + "', the package's is '" + chain + "'");
    return;
  }
  auto key = state.GetKey(e.key);
  if (!key.ok() || !key->has_value()) {
    Fail(path, CheckKind::kEntryKey, "envelope.unknown_key",
         "key " + ToHex(e.key) + " is not registered at log index " + std::to_string(me.index));
    return;
  }
  const KeyRecord& rec = **key;
  if (rec.revoked) {
    Fail(path, CheckKind::kEntryKey, "envelope.revoked_key",
         "key " + ToHex(e.key) + " was revoked before log index " + std::to_string(me.index));
    return;
  }
  Status sig = VerifyEntrySignature(e, rec.public_key);
  if (!sig.ok()) {
    Fail(path, CheckKind::kEntrySignature, sig);
    return;
  }
  auto type = handover::EntryTypes().Find(e.type, e.version);
  bool allowed = false;
  if (type.ok()) {
    for (Role r : (*type)->roles) allowed = allowed || rec.HasRole(r);
  }
  if (!allowed) {
    Fail(path, CheckKind::kEntryKey, "envelope.role_not_allowed",
         "the key may not submit " + e.type);
    return;
  }
  std::string roles;
  for (Role r : rec.roles) roles += (roles.empty() ? "" : ",") + std::string(RoleName(r));
  Pass(path, CheckKind::kEntrySignature, "signed by key " + ToHex(e.key) + " of " + rec.party);
  report->entries.push_back({me.index, e.type, me.role, ToHex(e.key), rec.party, roles, e.time,
                             me.checkpoint, 0, e.entry});
}

void Verifier::ReplayAndCheck() {
  State state(nullptr);
  size_t next_cp = 0;
  auto checkpoints_before = [&](uint64_t index) {
    while (next_cp < m.checkpoints.size() && m.checkpoints[next_cp].size <= index) {
      CheckCheckpoint(m.checkpoints[next_cp++], state);
    }
  };
  for (const ManifestEntry& me : m.entries) {
    checkpoints_before(me.index);
    auto it = entries.find(me.index);
    if (it == entries.end()) continue;
    const SignedEntry& e = it->second;
    bool governance = e.type == "genesis" || e.type.rfind("gov.", 0) == 0;
    if (governance != (me.role == EntryRole::kKeyset)) {
      Fail(EntryPath(me.index), CheckKind::kKeyset, "evidence.manifest_mismatch",
           "role 'keyset' is for genesis and gov.* entries exactly");
      continue;
    }
    if (!governance) {
      CheckEntry(me, e, state);
      continue;
    }
    // Replay with the consortium's own rules; time checks are moot offline,
    // so the block time is taken to be the client time.
    auto v = ValidateEntry(handover::EntryTypes(), e, chain, state, me.index, me.index == 0 ? 0 : 1,
                           e.time, false);
    if (!v.ok()) {
      Fail(EntryPath(me.index), CheckKind::kKeyset, v.status());
      continue;
    }
    ApplyEntry(e, *v, &state, me.index, me.index == 0 ? 0 : 1, e.time);
    Pass(EntryPath(me.index), CheckKind::kKeyset, e.type + " replayed");
    report->entries.push_back({me.index, e.type, me.role, ToHex(e.key), v->submitter.party, "",
                               e.time, me.checkpoint, 0, e.entry});
  }
  checkpoints_before(UINT64_MAX);
}

void Verifier::CheckInclusion(const ManifestEntry& me) {
  const std::string path = ProofPath(me.index);
  const std::string* text = File(path);
  auto e = entries.find(me.index);
  if (text == nullptr || e == entries.end()) return;
  auto proof = log::TlogProof::Parse(*text);
  if (!proof.ok()) return Fail(path, CheckKind::kInclusion, proof.status());
  if (proof->index != me.index) {
    return Fail(path, CheckKind::kInclusion, "evidence.manifest_mismatch",
                "proof is for another index");
  }
  const std::string* note = File(CheckpointPath(me.checkpoint));
  if (note == nullptr || proof->checkpoint != *note) {
    return Fail(
        path, CheckKind::kInclusion, "evidence.proof_checkpoint_mismatch",
        "the proof's checkpoint is not checkpoints/" + std::to_string(me.checkpoint) + ".note");
  }
  auto cp = verified.find(me.checkpoint);
  if (cp == verified.end()) {
    return Fail(path, CheckKind::kInclusion, "evidence.checkpoint_unverified",
                "its checkpoint did not verify");
  }
  const log::Checkpoint& c = cp->second.checkpoint;
  Status s =
      merkle::VerifyInclusion(hasher, me.index, c.size, hasher.HashLeaf(AsBytes(e->second.bytes)),
                              proof->inclusion, c.root_hash);
  if (!s.ok()) return Fail(path, CheckKind::kInclusion, s);
  for (auto& f : report->entries) {
    if (f.index == me.index && c.block)
      f.checkpoint_time_ms = static_cast<int64_t>(c.block->time_ms);
  }
  Pass(path, CheckKind::kInclusion,
       "leaf " + std::to_string(me.index) + " of " + std::to_string(c.size));
}

void Verifier::CheckConsistency() {
  const ManifestCheckpoint& newest = m.checkpoints.back();
  auto b = verified.find(newest.size);
  for (const ManifestCheckpoint& mc : m.checkpoints) {
    if (mc.size == newest.size) continue;
    const std::string path = ConsistencyPath(mc.size, newest.size);
    const std::string* text = File(path);
    if (text == nullptr) continue;
    auto a = verified.find(mc.size);
    if (a == verified.end() || b == verified.end()) {
      Fail(path, CheckKind::kConsistency, "evidence.checkpoint_unverified",
           "a checkpoint did not verify");
      continue;
    }
    auto j = ParseJson(*text);
    const Json* arr = j.ok() ? j->find("proof") : nullptr;
    std::vector<Bytes> proof;
    bool shape = arr != nullptr && arr->is_array() && GetInt(*j, "size1").ok() &&
                 GetInt(*j, "size2").ok() &&
                 static_cast<uint64_t>(*GetInt(*j, "size1")) == mc.size &&
                 static_cast<uint64_t>(*GetInt(*j, "size2")) == newest.size;
    for (size_t i = 0; shape && i < arr->size(); ++i) {
      const Json& h = arr->as_array()[i];
      if (!h.is_string()) {
        shape = false;
        break;
      }
      auto bytes = Base64Decode(h.as_string());
      if (!bytes.ok()) {
        shape = false;
        break;
      }
      proof.push_back(*bytes);
    }
    if (!shape) {
      Fail(path, CheckKind::kConsistency, "evidence.bad_consistency_file",
           "expected {\"size1\",\"size2\",\"proof\":[base64]} for these sizes");
      continue;
    }
    const log::Checkpoint& c1 = a->second.checkpoint;
    const log::Checkpoint& c2 = b->second.checkpoint;
    Status s = merkle::VerifyConsistency(hasher, c1.size, c2.size, proof, c1.root_hash.span(),
                                         c2.root_hash.span());
    if (!s.ok()) {
      Fail(path, CheckKind::kConsistency, s);
      continue;
    }
    Pass(path, CheckKind::kConsistency,
         "checkpoint " + std::to_string(c1.size) + " is a prefix of " + std::to_string(c2.size));
  }
}

void Verifier::CheckDocuments() {
  for (const ManifestDocument& d : m.documents) {
    const std::string path = DocumentPath(d.digest);
    auto e = entries.find(d.entry);
    const Json* digest = e == entries.end() ? nullptr : e->second.entry.find("digest");
    const Json* size = e == entries.end() ? nullptr : e->second.entry.find("size");
    if (e == entries.end() || e->second.type != "doc.notarize" || digest == nullptr ||
        !digest->is_string() || digest->as_string() != ToHex(d.digest)) {
      Fail(path, CheckKind::kDocumentNotarized, "evidence.document_not_notarized",
           "entry " + std::to_string(d.entry) + " is not the notarization of " + ToHex(d.digest));
      continue;
    }
    if (size == nullptr || !size->is_int() || size->as_uint64() != d.size) {
      Fail(path, CheckKind::kDocumentNotarized, "evidence.manifest_mismatch",
           "size differs from the notarized size");
      continue;
    }
    if (!d.included) {
      Unverified(path, CheckKind::kDocumentDigest, "evidence.document_withheld",
                 "bytes withheld (" + d.withheld + "); only the digest is evidenced");
      continue;
    }
    const std::string* bytes = File(path);
    if (bytes == nullptr) continue;
    if (bytes->size() != d.size) {
      Fail(path, CheckKind::kDocumentDigest, "evidence.document_digest_mismatch",
           "file has " + std::to_string(bytes->size()) + " bytes, notarized " +
               std::to_string(d.size));
      continue;
    }
    if (opts.hash_documents && Sha256(*bytes) != d.digest) {
      Fail(path, CheckKind::kDocumentDigest, "evidence.document_digest_mismatch",
           "SHA-256 of the file is " + ToHex(Sha256(*bytes)));
      continue;
    }
    Pass(path, CheckKind::kDocumentDigest,
         opts.hash_documents ? "SHA-256 matches the notarized digest" : "hashing skipped");
  }
}

void Verifier::CheckTimestamps() {
  for (const ManifestCheckpoint& mc : m.checkpoints) {
    if (!mc.timestamp) continue;
    const std::string path = TimestampPath(mc.size);
    const std::string* token = File(path);
    const std::string* note = File(CheckpointPath(mc.size));
    if (token == nullptr || note == nullptr) continue;
    Digest expected = Sha256(*note);
    TimeStampInfo info;
    if (!opts.tsa_ca_pem.empty()) {
      auto v = VerifyTimeStampToken(AsBytes(*token), expected, opts.tsa_ca_pem);
      if (!v.ok()) {
        Fail(path, CheckKind::kTimestamp, v.status());
        continue;
      }
      info = *v;
      Pass(path, CheckKind::kTimestamp,
           "checkpoint " + std::to_string(mc.size) + " existed at " + info.gen_time + " (" +
               info.signer_subject + ")");
    } else {
      auto v = InspectTimeStampTokenUnverified(AsBytes(*token));
      if (!v.ok()) {
        Fail(path, CheckKind::kTimestamp, v.status());
        continue;
      }
      info = *v;
      if (info.message_imprint != expected) {
        Fail(path, CheckKind::kTimestamp, "tsa.digest_mismatch",
             "the token stamps other data than checkpoints/" + std::to_string(mc.size) + ".note");
        continue;
      }
      Unverified(path, CheckKind::kTimestamp, "tsa.trust_unverified",
                 "imprint matches; signature and TSA not checked (no --tsa-ca): " + info.gen_time);
    }
    for (auto& f : report->checkpoints) {
      if (f.size == mc.size) {
        f.timestamp_time = info.gen_time;
        f.timestamp_tsa = info.signer_subject.empty() ? info.tsa_name : info.signer_subject;
      }
    }
  }
}

void Verifier::CheckTrust() {
  const ManifestCheckpoint& newest = m.checkpoints.back();
  const std::string path = CheckpointPath(newest.size);
  if (!opts.trust) {
    Unverified("package", CheckKind::kTrust, "evidence.trust_not_pinned",
               "consortium taken from the package's genesis; pass --trust to pin it");
    return;
  }
  const TrustedConsortium& t = *opts.trust;
  if (t.chain != chain || t.origin != origin) {
    Fail(path, CheckKind::kTrust, "evidence.untrusted_consortium",
         "package is for chain '" + chain + "', trusted is '" + t.chain + "'");
    return;
  }
  const std::string* note = File(path);
  if (note == nullptr) return;
  auto cp = log::VerifyCertifiedCheckpoint(*note, t.keys, t.quorum, t.origin);
  if (!cp.ok()) {
    Fail(path, CheckKind::kTrust, "evidence.untrusted_consortium",
         "newest checkpoint not certified by the trusted key set: " + cp.status().ToString());
    return;
  }
  Pass(path, CheckKind::kTrust, "newest checkpoint certified by the pinned consortium");
}

}  // namespace

VerifyReport VerifyPackageFiles(const std::vector<TarFile>& list, const VerifyOptions& options) {
  VerifyReport report;
  std::map<std::string, std::string> files;
  for (const auto& f : list) files[f.name] = f.data;
  Verifier v{files, options, &report, {}, {}, {}, {}, {}, {}, merkle::LogHasher()};
  auto finish = [&]() {
    const CheckResult* f = report.FirstFailure();
    report.verified = f == nullptr;
    report.reason = f == nullptr ? "" : f->reason;
    return report;
  };
  auto mf = files.find(std::string(kManifestPath));
  if (mf == files.end()) {
    v.Fail(std::string(kManifestPath), CheckKind::kManifest, "evidence.missing_file",
           "no manifest.json");
    return finish();
  }
  auto j = ParseCanonicalJson(mf->second, 64 << 20);
  auto m = j.ok() ? Manifest::FromJson(*j) : Result<Manifest>(j.status());
  if (!m.ok()) {
    v.Fail(std::string(kManifestPath), CheckKind::kManifest,
           m.status().reason().rfind("evidence.", 0) == 0
               ? m.status()
               : Status::Invalid("evidence.bad_manifest", m.status().ToString()));
    return finish();
  }
  v.m = *m;
  report.manifest = *m;
  v.Completeness();
  if (!v.ParseEntries()) return finish();
  v.ReplayAndCheck();
  for (const ManifestEntry& me : v.m.entries) v.CheckInclusion(me);
  v.CheckConsistency();
  v.CheckDocuments();
  v.CheckTimestamps();
  v.CheckTrust();
  return finish();
}

VerifyReport VerifyPackage(std::string_view tar_bytes, const VerifyOptions& options) {
  auto files = ReadTar(tar_bytes);
  if (!files.ok()) {
    VerifyReport report;
    report.checks.push_back({"package", CheckKind::kPackageFormat, CheckStatus::kFailed,
                             files.status().reason(), files.status().message()});
    report.reason = files.status().reason();
    return report;
  }
  return VerifyPackageFiles(*files, options);
}

}  // namespace tz::evidence
