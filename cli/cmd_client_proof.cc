// Local verification of a document's notarization: the client recomputes
// everything from the bytes the server sent and the pinned consortium keys.
// What the entry notarizes and its signature are checked by
// handover::VerifyNotarization; here are the fetching and the log proof.
#include "client_common.h"
#include "crypto/encoding.h"
#include "handover/verify.h"
#include "log/checkpoint.h"
#include "log/merkle.h"

namespace tz::cli::client {
namespace {

Status Fails(const std::string& reason, const std::string& message) {
  return Status::Verification(reason, message);
}

Result<std::string> SignedBytesOf(HttpClient& http, const Json& summary) {
  if (const Json* s = summary.find("signed"); s != nullptr && s->is_string()) {
    return s->as_string();
  }
  TZ_ASSIGN_OR_RETURN(std::string id, AnswerString(summary, "id"));
  TZ_ASSIGN_OR_RETURN(Json full, http.GetJson("/v1/entries/" + id));
  return AnswerString(full, "signed");
}

std::string OptString(const Json& obj, std::string_view key) {
  const Json* v = obj.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

}  // namespace

Result<PublicKey> RegisteredKey(HttpClient& http, const ledger::KeyId& key_id, std::string* party) {
  std::string hex = ledger::ToHex(key_id);
  TZ_ASSIGN_OR_RETURN(Json rec, http.GetJson("/v1/keys/" + hex));
  TZ_ASSIGN_OR_RETURN(std::string alg_name, AnswerString(rec, "algorithm"));
  TZ_ASSIGN_OR_RETURN(std::string pub_b64, AnswerString(rec, "public_key"));
  TZ_ASSIGN_OR_RETURN(SignatureAlgorithm alg, ParseSignatureName(alg_name));
  TZ_ASSIGN_OR_RETURN(Bytes pub, Base64Decode(pub_b64));
  TZ_ASSIGN_OR_RETURN(PublicKey pk, PublicKey::FromBytes(alg, pub));
  if (!(ledger::KeyIdOf(pk) == key_id)) {
    return Fails("client.key_mismatch",
                 "the server's public key for " + hex + " does not hash to that key id");
  }
  if (const Json* p = rec.find("party"); p != nullptr && p->is_string()) *party = p->as_string();
  return pk;
}

Result<ProvenInclusion> VerifyInclusionAnswer(const Consortium& consortium,
                                              const ledger::EntryId& entry_id, const Json& proof) {
  TZ_ASSIGN_OR_RETURN(std::string note, AnswerString(proof, "checkpoint"));
  TZ_ASSIGN_OR_RETURN(
      log::CertifiedCheckpoint cp,
      log::VerifyCertifiedCheckpoint(note, consortium.keys, consortium.quorum, consortium.origin));
  TZ_ASSIGN_OR_RETURN(int64_t index, AnswerInt(proof, "index"));
  TZ_ASSIGN_OR_RETURN(int64_t tree_size, AnswerInt(proof, "tree_size"));
  if (index < 0 || tree_size < 0 || static_cast<uint64_t>(tree_size) != cp.checkpoint.size) {
    return Fails("client.size_mismatch", "proof tree size differs from the checkpoint size");
  }
  const Json* hashes = proof.find("hashes");
  if (hashes == nullptr || !hashes->is_array()) {
    return Status(Code::kInternal, "client.bad_answer", "proof lacks hashes");
  }
  std::vector<Bytes> path;
  for (const Json& h : hashes->as_array()) {
    if (!h.is_string()) return Fails("proof.bad_node_size", "proof hash is not a string");
    auto b = Base64Decode(h.as_string());
    if (!b.ok()) return Fails("proof.bad_node_size", "proof hash is not base64");
    path.push_back(std::move(*b));
  }
  HashAlgorithm hash = consortium.suite == "gm" ? HashAlgorithm::kSm3 : HashAlgorithm::kSha256;
  merkle::LogHasher hasher(hash);
  TZ_RETURN_IF_ERROR(merkle::VerifyInclusion(hasher, static_cast<uint64_t>(index),
                                             static_cast<uint64_t>(tree_size), entry_id.span(),
                                             path, cp.checkpoint.root_hash.span()));
  ProvenInclusion out;
  out.index = index;
  out.tree_size = cp.checkpoint.size;
  out.checkpoint_time_ms =
      cp.checkpoint.block ? static_cast<int64_t>(cp.checkpoint.block->time_ms) : -1;
  out.signers = cp.signers;
  return out;
}

Result<VerifiedEntry> FetchVerifiedEntry(HttpClient& http, const Consortium& consortium,
                                         const std::string& entry_id_hex) {
  TZ_ASSIGN_OR_RETURN(ledger::EntryId want, ledger::EntryIdFromHex(entry_id_hex));
  TZ_ASSIGN_OR_RETURN(Json summary, http.GetJson("/v1/entries/" + entry_id_hex));
  TZ_ASSIGN_OR_RETURN(std::string bytes, AnswerString(summary, "signed"));
  VerifiedEntry out;
  TZ_ASSIGN_OR_RETURN(out.entry, ledger::ParseSignedEntry(bytes));
  if (!(out.entry.id == want)) {
    return Fails("client.entry_id_mismatch", "entry bytes do not hash to " + entry_id_hex);
  }
  if (out.entry.chain != consortium.chain) {
    return Fails("client.wrong_chain", "entry is for chain " + out.entry.chain);
  }
  TZ_ASSIGN_OR_RETURN(PublicKey pk, RegisteredKey(http, out.entry.key, &out.party));
  TZ_RETURN_IF_ERROR(ledger::VerifyEntrySignature(out.entry, pk));
  TZ_ASSIGN_OR_RETURN(Json proof, http.GetJson("/v1/entries/" + entry_id_hex + "/proof"));
  TZ_ASSIGN_OR_RETURN(out.inclusion, VerifyInclusionAnswer(consortium, out.entry.id, proof));
  if (auto h = AnswerInt(summary, "height"); h.ok()) out.height = *h;
  return out;
}

namespace {

// The doc.notarize summary of a GET /v1/documents answer; the types of the
// other entries go to `others`.
Result<const Json*> NotarizationOf(const Json& entries, std::vector<std::string>* others) {
  const Json* notarization = nullptr;
  for (const Json& s : entries.as_array()) {
    std::string type = OptString(s, "type");
    if (type == "doc.notarize" && notarization == nullptr) {
      notarization = &s;
    } else {
      others->push_back(type);
    }
  }
  if (notarization == nullptr) {
    return Fails("client.no_notarization", "the answer holds no doc.notarize entry");
  }
  return notarization;
}

void SetNotarized(const handover::DocumentNotarization& n, VerifiedNotarization* out) {
  out->title = n.title;
  out->doc_type = n.doc_type;
  out->project = n.project;
  out->house = n.house.value_or("");
  out->media_type = n.media_type;
  out->size = n.size;
}

}  // namespace

Result<VerifiedNotarization> VerifyDocumentAnswer(HttpClient& http, const Consortium& consortium,
                                                  const std::string& digest, const Json& answer) {
  VerifiedNotarization out;
  out.digest = digest;
  TZ_ASSIGN_OR_RETURN(Digest want, DigestFromHex(digest));
  const Json* entries = answer.find("entries");
  const Json* proof = answer.find("proof");
  if (entries == nullptr || !entries->is_array() || proof == nullptr || !proof->is_object()) {
    return Status(Code::kInternal, "client.bad_answer", "answer lacks entries or proof");
  }
  TZ_ASSIGN_OR_RETURN(const Json* notarization, NotarizationOf(*entries, &out.other_entries));
  // 1. The entry bytes: their leaf hash is the entry id, on the pinned chain.
  TZ_ASSIGN_OR_RETURN(std::string bytes, SignedBytesOf(http, *notarization));
  TZ_ASSIGN_OR_RETURN(ledger::SignedEntry e, ledger::ParseSignedEntry(bytes));
  if (e.chain != consortium.chain) {
    return Fails("client.wrong_chain", "entry is for chain " + e.chain);
  }
  out.entry_id = ledger::ToHex(e.id);
  if (OptString(*notarization, "id") != out.entry_id) {
    return Fails("client.entry_id_mismatch", "entry bytes do not hash to the claimed id");
  }
  // 2. A notarization of this digest, signed by the submitter's registered key.
  TZ_ASSIGN_OR_RETURN(PublicKey pk, RegisteredKey(http, e.key, &out.party));
  TZ_ASSIGN_OR_RETURN(handover::DocumentNotarization n, handover::VerifyNotarization(e, pk, want));
  SetNotarized(n, &out);
  // 3. The checkpoint and the inclusion proof.
  TZ_ASSIGN_OR_RETURN(ProvenInclusion inc, VerifyInclusionAnswer(consortium, e.id, *proof));
  if (auto idx = AnswerInt(*notarization, "index"); idx.ok() && *idx != inc.index) {
    return Fails("client.index_mismatch", "the proof is for another log position");
  }
  out.index = inc.index;
  auto height = AnswerInt(*notarization, "height");
  out.height = height.ok() ? *height : -1;
  out.client_time_ms = e.time;
  out.checkpoint_time_ms = inc.checkpoint_time_ms;
  out.tree_size = inc.tree_size;
  out.key_id = ledger::ToHex(e.key);
  out.checkpoint_signers = inc.signers;
  return out;
}

}  // namespace tz::cli::client
