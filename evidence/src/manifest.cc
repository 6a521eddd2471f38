// Evidence package manifest, paths, pinned consortium and report JSON.
#include "crypto/encoding.h"
#include "evidence/evidence.h"

namespace tz::evidence {

using namespace ledger;  // evidence is written in the ledger's vocabulary
namespace {

Status Bad(const std::string& m) { return Status::Invalid("evidence.bad_manifest", m); }

Result<uint64_t> GetU64(const Json& o, std::string_view k) {
  const Json* v = o.find(k);
  if (v == nullptr || !v->is_int() || !v->fits_uint64()) {
    return Bad("'" + std::string(k) + "' must be a non-negative integer");
  }
  return v->as_uint64();
}

Result<std::string> GetStr(const Json& o, std::string_view k) {
  auto s = GetString(o, k);
  if (!s.ok()) return Bad("'" + std::string(k) + "' must be a string");
  return *s;
}

Result<const Json::Array*> GetArr(const Json& o, std::string_view k) {
  const Json* v = o.find(k);
  if (v == nullptr || !v->is_array()) return Bad("'" + std::string(k) + "' must be an array");
  return &v->as_array();
}

Status Keys(const Json& o, std::initializer_list<std::string_view> allowed, const char* what) {
  if (!o.is_object() || !CheckKeys(o, allowed).ok()) {
    return Bad(std::string(what) + ": unexpected or missing fields");
  }
  return Status::Ok();
}

Result<ManifestDocument> DocFromJson(const Json& j) {
  TZ_RETURN_IF_ERROR(Keys(j, {"digest", "size", "title", "entry", "included", "withheld"}, "doc"));
  ManifestDocument d;
  TZ_ASSIGN_OR_RETURN(std::string hex, GetStr(j, "digest"));
  auto digest = DigestFromHex(hex);
  if (!digest.ok()) return Bad("document digest is not 64 lowercase hex");
  d.digest = *digest;
  TZ_ASSIGN_OR_RETURN(d.size, GetU64(j, "size"));
  TZ_ASSIGN_OR_RETURN(d.title, GetStr(j, "title"));
  TZ_ASSIGN_OR_RETURN(d.entry, GetU64(j, "entry"));
  auto inc = GetBool(j, "included");
  if (!inc.ok()) return Bad("'included' must be a boolean");
  d.included = *inc;
  if (j.find("withheld") != nullptr) {
    TZ_ASSIGN_OR_RETURN(d.withheld, GetStr(j, "withheld"));
  }
  if (d.included != d.withheld.empty()) return Bad("'withheld' exactly when not included");
  return d;
}

Result<ManifestEntry> EntryFromJson(const Json& j) {
  TZ_RETURN_IF_ERROR(Keys(j, {"index", "id", "type", "role", "checkpoint"}, "entry"));
  ManifestEntry e;
  TZ_ASSIGN_OR_RETURN(e.index, GetU64(j, "index"));
  TZ_ASSIGN_OR_RETURN(std::string id, GetStr(j, "id"));
  auto eid = EntryIdFromHex(id);
  if (!eid.ok()) return Bad("entry id is not 64 lowercase hex");
  e.id = *eid;
  TZ_ASSIGN_OR_RETURN(e.type, GetStr(j, "type"));
  TZ_ASSIGN_OR_RETURN(std::string role, GetStr(j, "role"));
  std::optional<EntryRole> r = ParseEntryRole(role);
  if (!r) return Bad("entry role must be subject, context or keyset");
  e.role = *r;
  TZ_ASSIGN_OR_RETURN(e.checkpoint, GetU64(j, "checkpoint"));
  return e;
}

Result<ManifestCheckpoint> CheckpointFromJson(const Json& j) {
  TZ_RETURN_IF_ERROR(Keys(j, {"size", "height", "time_ms", "timestamp"}, "checkpoint"));
  ManifestCheckpoint c;
  TZ_ASSIGN_OR_RETURN(c.size, GetU64(j, "size"));
  TZ_ASSIGN_OR_RETURN(c.height, GetU64(j, "height"));
  TZ_ASSIGN_OR_RETURN(uint64_t t, GetU64(j, "time_ms"));
  c.time_ms = static_cast<int64_t>(t);
  auto ts = GetBool(j, "timestamp");
  if (!ts.ok()) return Bad("'timestamp' must be a boolean");
  c.timestamp = *ts;
  return c;
}

}  // namespace

std::string DocumentPath(const Digest& d) { return "documents/" + ToHex(d); }
std::string EntryPath(uint64_t i) { return "entries/" + std::to_string(i) + ".json"; }
std::string ProofPath(uint64_t i) { return "proofs/" + std::to_string(i) + ".tlog-proof"; }
std::string CheckpointPath(uint64_t s) { return "checkpoints/" + std::to_string(s) + ".note"; }
std::string ConsistencyPath(uint64_t a, uint64_t b) {
  return "consistency/" + std::to_string(a) + "-" + std::to_string(b) + ".json";
}
std::string TimestampPath(uint64_t s) { return "timestamps/" + std::to_string(s) + ".tsr"; }

Json Manifest::ToJson() const {
  Json docs = Json::MakeArray();
  for (const auto& d : documents) {
    Json j = Json::MakeObject({{"digest", Json(ToHex(d.digest))},
                               {"size", Json(d.size)},
                               {"title", Json(d.title)},
                               {"entry", Json(d.entry)},
                               {"included", Json(d.included)}});
    if (!d.included) j.set("withheld", Json(d.withheld));
    docs.push_back(std::move(j));
  }
  Json ents = Json::MakeArray();
  for (const auto& e : entries) {
    ents.push_back(Json::MakeObject({{"index", Json(e.index)},
                                     {"id", Json(ToHex(e.id))},
                                     {"type", Json(e.type)},
                                     {"role", Json(Name(e.role))},
                                     {"checkpoint", Json(e.checkpoint)}}));
  }
  Json cps = Json::MakeArray();
  for (const auto& c : checkpoints) {
    cps.push_back(Json::MakeObject({{"size", Json(c.size)},
                                    {"height", Json(c.height)},
                                    {"time_ms", Json(c.time_ms)},
                                    {"timestamp", Json(c.timestamp)}}));
  }
  return Json::MakeObject({{"format", Json(kFormat)},
                           {"chain", Json(chain)},
                           {"origin", Json(origin)},
                           {"subject", Json::MakeObject({{"kind", Json(Name(subject_kind))},
                                                         {"id", Json(subject_id)}})},
                           {"exported_ms", Json(exported_ms)},
                           {"documents", std::move(docs)},
                           {"entries", std::move(ents)},
                           {"checkpoints", std::move(cps)}});
}

Result<Manifest> Manifest::FromJson(const Json& j) {
  TZ_RETURN_IF_ERROR(Keys(j,
                          {"format", "chain", "origin", "subject", "exported_ms", "documents",
                           "entries", "checkpoints"},
                          "manifest"));
  Manifest m;
  TZ_ASSIGN_OR_RETURN(std::string format, GetStr(j, "format"));
  if (format != kFormat) return Bad("unknown format '" + format + "'");
  TZ_ASSIGN_OR_RETURN(m.chain, GetStr(j, "chain"));
  TZ_ASSIGN_OR_RETURN(m.origin, GetStr(j, "origin"));
  // Keys() refuses unknown fields, not missing ones: each is checked here.
  const Json* subject = j.find("subject");
  if (subject == nullptr) return Bad("missing 'subject'");
  const Json& s = *subject;
  TZ_RETURN_IF_ERROR(Keys(s, {"kind", "id"}, "subject"));
  TZ_ASSIGN_OR_RETURN(std::string kind, GetStr(s, "kind"));
  TZ_ASSIGN_OR_RETURN(m.subject_id, GetStr(s, "id"));
  std::optional<SubjectKind> k = ParseSubjectKind(kind);
  if (!k) return Bad("unknown subject kind '" + kind + "'");
  m.subject_kind = *k;
  TZ_ASSIGN_OR_RETURN(uint64_t t, GetU64(j, "exported_ms"));
  m.exported_ms = static_cast<int64_t>(t);
  TZ_ASSIGN_OR_RETURN(const Json::Array* docs, GetArr(j, "documents"));
  for (const Json& d : *docs) {
    TZ_ASSIGN_OR_RETURN(ManifestDocument doc, DocFromJson(d));
    for (const auto& x : m.documents) {
      if (x.digest == doc.digest) return Bad("document listed twice");
    }
    m.documents.push_back(std::move(doc));
  }
  TZ_ASSIGN_OR_RETURN(const Json::Array* ents, GetArr(j, "entries"));
  for (const Json& e : *ents) {
    TZ_ASSIGN_OR_RETURN(ManifestEntry entry, EntryFromJson(e));
    if (!m.entries.empty() && entry.index <= m.entries.back().index) {
      return Bad("entries must be in ascending index order, each once");
    }
    m.entries.push_back(std::move(entry));
  }
  TZ_ASSIGN_OR_RETURN(const Json::Array* cps, GetArr(j, "checkpoints"));
  for (const Json& c : *cps) {
    TZ_ASSIGN_OR_RETURN(ManifestCheckpoint cp, CheckpointFromJson(c));
    if (!m.checkpoints.empty() && cp.size <= m.checkpoints.back().size) {
      return Bad("checkpoints must be in ascending size order, each once");
    }
    m.checkpoints.push_back(cp);
  }
  if (m.checkpoints.empty()) return Bad("a package needs at least one checkpoint");
  return m;
}

std::vector<std::string> Manifest::ExpectedFiles() const {
  std::vector<std::string> out;
  for (const auto& d : documents) {
    if (d.included) out.push_back(DocumentPath(d.digest));
  }
  for (const auto& e : entries) {
    out.push_back(EntryPath(e.index));
    out.push_back(ProofPath(e.index));
  }
  for (const auto& c : checkpoints) {
    out.push_back(CheckpointPath(c.size));
    if (c.size != checkpoints.back().size) {
      out.push_back(ConsistencyPath(c.size, checkpoints.back().size));
    }
    if (c.timestamp) out.push_back(TimestampPath(c.size));
  }
  return out;
}

Result<TrustedConsortium> TrustedConsortium::FromJson(const Json& j) {
  auto bad = [](const std::string& m) { return Status::Invalid("evidence.bad_trust_file", m); };
  TrustedConsortium t;
  auto chain = GetString(j, "chain");
  auto origin = GetString(j, "origin");
  auto quorum = GetInt(j, "quorum");
  const Json* members = j.find("members");
  if (!chain.ok() || !origin.ok() || !quorum.ok() || members == nullptr || !members->is_array()) {
    return bad("needs chain, origin, quorum and members");
  }
  t.chain = *chain;
  t.origin = *origin;
  for (const Json& m : members->as_array()) {
    auto vkey = GetString(m, "verifier_key");
    if (!vkey.ok()) return bad("each member needs a verifier_key");
    auto v = log::NoteVerifier::Parse(*vkey);
    if (!v.ok()) return bad("bad verifier_key: " + v.status().message());
    t.keys.push_back(*v);
  }
  if (*quorum < 1 || static_cast<size_t>(*quorum) > t.keys.size()) {
    return bad("quorum must be between 1 and the number of members");
  }
  t.quorum = static_cast<size_t>(*quorum);
  return t;
}

Json ConsistencyJson(uint64_t size1, uint64_t size2, const std::vector<Digest>& proof) {
  Json p = Json::MakeArray();
  for (const auto& d : proof) p.push_back(Json(Base64Encode(d.span())));
  return Json::MakeObject(
      {{"size1", Json(size1)}, {"size2", Json(size2)}, {"proof", std::move(p)}});
}

const CheckResult* VerifyReport::FirstFailure() const {
  for (const auto& c : checks) {
    if (c.status == CheckStatus::kFailed) return &c;
  }
  return nullptr;
}

bool VerifyReport::HasFailure(std::string_view r) const {
  for (const auto& c : checks) {
    if (c.status == CheckStatus::kFailed && c.reason == r) return true;
  }
  return false;
}

Json VerifyReport::ToJson() const {
  Json checks_json = Json::MakeArray();
  for (const auto& c : checks) {
    Json j = Json::MakeObject(
        {{"item", Json(c.item)}, {"check", Json(Name(c.check))}, {"status", Json(Name(c.status))}});
    if (!c.reason.empty()) j.set("reason", Json(c.reason));
    if (!c.detail.empty()) j.set("detail", Json(c.detail));
    checks_json.push_back(std::move(j));
  }
  Json ents = Json::MakeArray();
  for (const auto& e : entries) {
    ents.push_back(Json::MakeObject({{"index", Json(e.index)},
                                     {"type", Json(e.type)},
                                     {"role", Json(Name(e.role))},
                                     {"key_id", Json(e.key_id)},
                                     {"party", Json(e.party)},
                                     {"roles", Json(e.roles)},
                                     {"client_time_ms", Json(e.client_time_ms)},
                                     {"checkpoint", Json(e.checkpoint)},
                                     {"checkpoint_time_ms", Json(e.checkpoint_time_ms)}}));
  }
  Json cps = Json::MakeArray();
  for (const auto& c : checkpoints) {
    Json signers = Json::MakeArray();
    for (const auto& s : c.signers) signers.push_back(Json(s));
    Json j = Json::MakeObject({{"size", Json(c.size)},
                               {"height", Json(c.height)},
                               {"time_ms", Json(c.time_ms)},
                               {"signers", std::move(signers)},
                               {"members", Json(static_cast<uint64_t>(c.members))},
                               {"quorum", Json(static_cast<uint64_t>(c.quorum))}});
    if (!c.timestamp_time.empty()) {
      j.set("timestamp_time", Json(c.timestamp_time));
      j.set("timestamp_tsa", Json(c.timestamp_tsa));
    }
    cps.push_back(std::move(j));
  }
  Json out = Json::MakeObject({{"verdict", Json(verified ? "verified" : "not_verified")}});
  if (!verified) out.set("reason", Json(reason));
  if (manifest) {
    out.set("subject", Json::MakeObject({{"kind", Json(Name(manifest->subject_kind))},
                                         {"id", Json(manifest->subject_id)}}));
    out.set("chain", Json(manifest->chain));
  }
  out.set("checks", std::move(checks_json));
  out.set("entries", std::move(ents));
  out.set("checkpoints", std::move(cps));
  return out;
}

namespace {
constexpr std::string_view kEntryRoleNames[] = {"subject", "context", "keyset"};
constexpr std::string_view kSubjectKindNames[] = {"document", "acceptance", "house", "case"};
constexpr std::string_view kCheckStatusNames[] = {"passed", "failed", "unverified"};
constexpr std::string_view kCheckKindNames[] = {
    "format",
    "manifest",
    "completeness",
    "entry_format",
    "entry_signature",
    "entry_key",
    "keyset",
    "checkpoint_quorum",
    "inclusion",
    "consistency",
    "document_notarized",
    "document_digest",
    "timestamp",
    "trust",
};

template <typename E, size_t N>
std::optional<E> FromName(std::string_view name, const std::string_view (&names)[N]) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view Name(EntryRole r) { return kEntryRoleNames[static_cast<size_t>(r)]; }
std::optional<EntryRole> ParseEntryRole(std::string_view name) {
  return FromName<EntryRole>(name, kEntryRoleNames);
}
std::string_view Name(SubjectKind k) { return kSubjectKindNames[static_cast<size_t>(k)]; }
std::optional<SubjectKind> ParseSubjectKind(std::string_view name) {
  return FromName<SubjectKind>(name, kSubjectKindNames);
}
std::string_view Name(CheckStatus s) { return kCheckStatusNames[static_cast<size_t>(s)]; }
std::string_view Name(CheckKind k) { return kCheckKindNames[static_cast<size_t>(k)]; }

}  // namespace tz::evidence
