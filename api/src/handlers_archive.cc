// Documents (public verification by digest), houses (一房一档), households
// (一户一档: signed, access-logged) and handover cases.
#include <chrono>
#include <cstdio>

#include "crypto/encoding.h"
#include "handlers.h"
#include "handover/commitment.h"
#include "handover/queries.h"

namespace tz::api {
namespace {

using ledger::Ledger;
using ledger::Role;

using handover::Index;
using handover::kMaxTimeline;
using handover::Timeline;

// The public verify-by-digest answer, written straight as canonical JSON
// (the same bytes Response::Json of the equivalent Json tree would give:
// entry summaries, then the inclusion proof of the first notarization
// against the head checkpoint). This is the hottest public route, so it
// avoids building and re-serializing a Json tree and takes proof nodes and
// the checkpoint from ctx->proofs.
Result<Response> Document(Ctx* ctx, const Request& req) {
  Ledger& l = ctx->node->ledger();
  const std::string& hex = req.params[0];
  ledger::Head head = l.head();
  TZ_ASSIGN_OR_RETURN(std::vector<uint64_t> idx, handover::Lookup(l, Index::kDocument, hex, 100));
  std::optional<uint64_t> notarization;
  Response r;
  std::string& body = r.body;
  body.reserve(4096);
  body.append("{\"entries\":[");
  std::string type;
  bool first = true;
  for (uint64_t i : idx) {
    if (i >= head.log_size) break;  // committed after our head snapshot
    if (!first) body.push_back(',');
    first = false;
    TZ_RETURN_IF_ERROR(AppendEntrySummary(ctx, i, &body, &type));
    if (!notarization && type == "doc.notarize") notarization = i;
  }
  if (!notarization) {
    return Status::NotFound("document.not_notarized", "no notarization of " + hex);
  }
  TZ_ASSIGN_OR_RETURN(Digest d, DigestFromHex(hex));
  TZ_ASSIGN_OR_RETURN(bool stored, ctx->node->blobs().Has(d));
  body.append(stored ? "],\"in_archive\":true" : "],\"in_archive\":false");
  body.append(",\"notarized\":true,\"proof\":");
  TZ_RETURN_IF_ERROR(AppendProof(ctx, *notarization, head.log_size, head.height, &body));
  body.append(",\"sha256\":\"");
  body.append(hex);  // the router admits only 64 lowercase hex digits here
  body.append("\"}");
  return r;
}

Result<Json> House(Ctx* ctx, const Request& req) {
  TZ_ASSIGN_OR_RETURN(Json timeline,
                      Timeline(ctx->node->ledger(), Index::kHouse, req.params[0], false));
  if (timeline.size() == 0) return Status::NotFound("house.not_found", "no entries for this house");
  Json j = Json::MakeObject();
  j.set("house", Json(req.params[0]));
  j.set("timeline", std::move(timeline));
  return j;
}

Result<Json> Case(Ctx* ctx, const Request& req) {
  Ledger& l = ctx->node->ledger();
  TZ_ASSIGN_OR_RETURN(std::optional<Json> state, handover::CaseState(l, req.params[0]));
  if (!state) return Status::NotFound("case.not_found", "no case " + req.params[0]);
  TZ_ASSIGN_OR_RETURN(std::vector<uint64_t> idx,
                      handover::Lookup(l, Index::kCase, req.params[0], kMaxTimeline));
  Json entries = Json::MakeArray();
  for (uint64_t i : idx) {
    TZ_ASSIGN_OR_RETURN(Json s, EntrySummary(ctx, i));
    entries.push_back(std::move(s));
  }
  Json j = Json::MakeObject();
  j.set("case", Json(req.params[0]));
  j.set("state", std::move(*state));
  j.set("entries", std::move(entries));
  return j;
}

const char* const kPurposes[] = {
    "eligibility_review", "lease_management", "repair", "arrears", "subsidy", "audit", "court"};

// X-TZ-Reason (1..256 bytes) and X-TZ-Purpose (default "audit").
Result<std::pair<std::string, std::string>> ReasonAndPurpose(const Request& req) {
  const std::string* reason = req.header("x-tz-reason");
  if (reason == nullptr || reason->empty() || reason->size() > 256) {
    return Status::Invalid("request.missing_reason",
                           "state why you read personal data in X-TZ-Reason (1..256)");
  }
  std::string purpose = "audit";
  if (const std::string* p = req.header("x-tz-purpose")) purpose = *p;
  bool known = false;
  for (const char* k : kPurposes) known = known || purpose == k;
  if (!known) {
    return Status::Invalid("request.bad_purpose",
                           "X-TZ-Purpose must be one of eligibility_review, lease_management, "
                           "repair, arrears, subsidy, audit, court");
  }
  return std::make_pair(*reason, purpose);
}

Status NoVault() {
  return Status(Code::kUnavailable, "household.vault_unavailable",
                "this node was started without --kek: it can neither decrypt household files "
                "nor keep the reason for reading them (本节点未配置 --kek)");
}

// Keeps the record of who asked and why (plus the document, for a file
// read) and submits the access.log entry that commits to it, signed with
// the node's service key. `done` runs once the entry's block is durable.
//
// The reason is personal data, so the record never enters the public blob
// space: it is sealed under the household's key in the vault
// (HouseholdVault::PutRecord) together with a fresh random commitment key
// K, and the entry's "request" is only
//   KeyedCommitment(K, "access", canonical record)    (handover/commitment.h)
// which reveals nothing about the reason (K is random) yet binds the entry
// to exactly that record: whoever may read the record (GET
// /v1/households/{commitment}/access/{request}) gets K and can recompute it.
// Crypto-shredding the household makes its access records unreadable too.
void LogAccess(Ctx* ctx, const Request& req, const std::string& reason, const std::string& purpose,
               const std::string* document, std::function<void(Result<ledger::Receipt>)> done) {
  if (ctx->vault == nullptr) return done(NoVault());
  auto id = archive::HouseholdId::Parse(req.params[0]);
  if (!id.ok()) return done(id.status());
  Json record = Json::MakeObject();
  record.set("household", Json(req.params[0]));
  record.set("key", Json(ledger::ToHex(req.caller->key)));
  record.set("purpose", Json(purpose));
  record.set("reason", Json(reason));
  const std::string* input = req.header("signature-input");
  record.set("signature_input", Json(input ? *input : ""));
  if (document != nullptr) record.set("document", Json(*document));
  SymmetricKey k = SymmetricKey::Generate();
  std::string request = handover::KeyedCommitment(k, "access", record.Canonical());
  Json sealed = Json::MakeObject();
  sealed.set("commitment_key", Json(Base64Encode(k.bytes())));
  sealed.set("record", std::move(record));
  std::string sealed_bytes = sealed.Canonical();
  Status put = ctx->vault->PutRecord(*id, request, AsBytes(sealed_bytes));
  SecureWipe(sealed_bytes.data(), sealed_bytes.size());
  if (!put.ok()) return done(put);
  Json entry = Json::MakeObject();
  entry.set("type", Json("access.log"));
  entry.set("v", Json(1));
  entry.set("household", Json(req.params[0]));
  entry.set("purpose", Json(purpose));
  entry.set("fields", Json::MakeArray({Json("file")}));
  entry.set("request", Json(request));
  ctx->node->SubmitAsNode(entry, std::move(done));
}

// GET /v1/households/{commitment}: writes the access.log entry (signed by
// the node's service key) and waits for it to be durable before answering
// (LogAccess: the record of who asked and why is sealed in the vault).
void Household(Ctx* ctx, Request& req, Respond done) {
  auto rp = ReasonAndPurpose(req);
  if (!rp.ok()) return done(ErrorResponse(rp.status()));
  std::string household = req.params[0];
  LogAccess(ctx, req, rp->first, rp->second, nullptr,
            [ctx, household, done](Result<ledger::Receipt> r) {
              if (!r.ok()) return done(ErrorResponse(r.status()));
              auto timeline = Timeline(ctx->node->ledger(), Index::kHousehold, household, true);
              if (!timeline.ok()) return done(ErrorResponse(timeline.status()));
              Json j = Json::MakeObject();
              j.set("household", Json(household));
              j.set("documents", std::move(*timeline));
              j.set("access_entry", Json(ledger::ToHex(r->id)));
              done(Ok(j));
            });
}

// GET /v1/households/{commitment}/files/{sha256}: one document of the
// household file, decrypted by the node's HouseholdVault. The digest must be
// linked to this household on the ledger (an archive.link of its file), the
// envelope must name the household (vault: "household.mismatch"), and the
// access.log entry is durable before the first byte is sent. The plaintext
// is streamed (chunked) as the vault authenticates it chunk by chunk; a
// failure mid-way (truncated or tampered envelope) cuts the connection.
void HouseholdFile(Ctx* ctx, Request& req, Respond done) {
  auto rp = ReasonAndPurpose(req);
  if (!rp.ok()) return done(ErrorResponse(rp.status()));
  if (ctx->vault == nullptr) return done(ErrorResponse(NoVault()));
  const std::string household = req.params[0], document = req.params[1];
  auto id = archive::HouseholdId::Parse(household);
  auto digest = DigestFromHex(document);
  if (!id.ok()) return done(ErrorResponse(id.status()));
  if (!digest.ok()) return done(ErrorResponse(digest.status()));
  auto timeline = Timeline(ctx->node->ledger(), Index::kHousehold, household, true);
  if (!timeline.ok()) return done(ErrorResponse(timeline.status()));
  bool linked = false;
  for (const Json& it : timeline->as_array()) {
    const Json* doc = it.find("document");
    const Json* sha = doc != nullptr ? doc->find("sha256") : nullptr;
    linked = linked || (sha != nullptr && sha->is_string() && sha->as_string() == document);
  }
  if (!linked) {
    return done(ErrorResponse(Status::NotFound(
        "household.file_not_found", "no document with that digest in this household's file")));
  }
  archive::HouseholdId hid = *id;
  Digest d = *digest;
  LogAccess(ctx, req, rp->first, rp->second, &document,
            [ctx, hid, d, done](Result<ledger::Receipt> r) {
              if (!r.ok()) return done(ErrorResponse(r.status()));
              auto src = ctx->vault->Open(hid, d);
              if (!src.ok()) return done(ErrorResponse(src.status()));
              Response res;
              res.content_type = "application/octet-stream";
              res.headers.emplace_back("X-TZ-Access-Entry", ledger::ToHex(r->id));
              res.headers.emplace_back("Cache-Control", "no-store");
              res.source = std::shared_ptr<archive::ByteSource>(std::move(*src));
              res.chunked = true;
              done(std::move(res));
            });
}

// The sealed access record `request` of household `id`, checked against
// its commitment: {"household","request","commitment_key","record"}.
Result<Json> OpenAccessRecord(Ctx* ctx, const archive::HouseholdId& id,
                              const std::string& request) {
  TZ_ASSIGN_OR_RETURN(Bytes sealed, ctx->vault->GetRecord(id, request));
  auto j = ParseJson(AsString(sealed));
  SecureWipe(sealed.data(), sealed.size());
  auto mismatch = Status::Corruption("household.record_mismatch",
                                     "the sealed record does not match its commitment");
  if (!j.ok()) return mismatch;
  const Json* rec = j->find("record");
  const Json* k64 = j->find("commitment_key");
  if (rec == nullptr || k64 == nullptr || !k64->is_string()) return mismatch;
  auto kb = Base64Decode(k64->as_string());
  if (!kb.ok()) return mismatch;
  auto k = SymmetricKey::FromBytes(*kb);
  if (!k.ok() || handover::KeyedCommitment(*k, "access", rec->Canonical()) != request) {
    return mismatch;
  }
  Json answer = Json::MakeObject();
  answer.set("household", Json(id.str()));
  answer.set("request", Json(request));
  answer.set("commitment_key", *k64);
  answer.set("record", *rec);
  return answer;
}

// GET /v1/households/{commitment}/access/{request}: one sealed access
// record, for an auditor checking who read the file and why. Reading it is
// itself a read of personal data, so it needs a reason and is access-logged
// first. The answer carries the commitment key, and the node checks before
// answering that the record recomputes the logged commitment.
void AccessRecord(Ctx* ctx, Request& req, Respond done) {
  auto rp = ReasonAndPurpose(req);
  if (!rp.ok()) return done(ErrorResponse(rp.status()));
  if (ctx->vault == nullptr) return done(ErrorResponse(NoVault()));
  auto id = archive::HouseholdId::Parse(req.params[0]);
  if (!id.ok()) return done(ErrorResponse(id.status()));
  auto answer = OpenAccessRecord(ctx, *id, req.params[1]);
  if (!answer.ok()) return done(ErrorResponse(answer.status()));
  LogAccess(ctx, req, rp->first, rp->second, nullptr,
            [answer = std::move(*answer), done](Result<ledger::Receipt> r) mutable {
              if (!r.ok()) return done(ErrorResponse(r.status()));
              answer.set("access_entry", Json(ledger::ToHex(r->id)));
              Response res = Ok(answer);
              res.headers.emplace_back("Cache-Control", "no-store");
              done(std::move(res));
            });
}

}  // namespace

void AddArchiveRoutes(Router* r, Ctx* ctx) {
  // Load the proof-node cache off the I/O threads (a sequential scan of the
  // stored upper log levels; lazily done by the first proofs otherwise).
  ctx->workers->Post([ctx] {
    Status s = ctx->proofs.Warm(ctx->node->ledger());
    if (!s.ok()) std::fprintf(stderr, "tiezheng: proof cache: %s\n", s.ToString().c_str());
  });
  auto add = [&](std::string pattern, std::string summary,
                 std::function<void(Request&, Respond)> h) {
    Route rt;
    rt.method = "GET";
    rt.pattern = std::move(pattern);
    rt.summary = std::move(summary);
    rt.handler = std::move(h);
    r->Add(std::move(rt));
  };
  add("/v1/documents/{sha256}", "Verify a document by digest: entries and inclusion proof",
      Sync(ctx, Document));
  add("/v1/houses/{name}", "A house's archive timeline (一房一档)", Sync(ctx, House));
  add("/v1/cases/{name}", "A handover case", Sync(ctx, Case));
  Route hh;
  hh.method = "GET";
  hh.pattern = "/v1/households/{sha256}";
  hh.summary = "A household file (一户一档); signed, X-TZ-Reason required, access-logged";
  hh.signed_request = true;
  hh.roles = {Role::kDepartment, Role::kOperator, Role::kAuditor};
  hh.handler = [ctx](Request& req, Respond done) { Household(ctx, req, std::move(done)); };
  Route file = hh;
  r->Add(std::move(hh));
  // {id64}: the commitment (64 hex, like {sha256}; a distinct parameter name
  // for OpenAPI).
  file.pattern = "/v1/households/{id64}/files/{sha256}";
  file.summary =
      "One household document, decrypted (一户一档); signed, X-TZ-Reason required, access-logged";
  file.response_type = "application/octet-stream";
  file.handler = [ctx](Request& req, Respond done) { HouseholdFile(ctx, req, std::move(done)); };
  Route access = file;
  r->Add(std::move(file));
  // {sha256} here is the access.log entry's "request" commitment (64 hex).
  access.pattern = "/v1/households/{id64}/access/{sha256}";
  access.summary =
      "The sealed record (who, why) behind an access.log entry of this household; signed, "
      "auditor or department, X-TZ-Reason required, itself access-logged";
  access.roles = {Role::kDepartment, Role::kAuditor};
  access.response_type = "application/json";
  access.handler = [ctx](Request& req, Respond done) { AccessRecord(ctx, req, std::move(done)); };
  r->Add(std::move(access));
}

}  // namespace tz::api
