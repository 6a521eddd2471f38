// Documents (public verification by digest), houses (一房一档), households
// (一户一档: signed, access-logged) and handover cases.
#include <chrono>
#include <cstdio>

#include "handlers.h"
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

// GET /v1/households/{commitment}: writes the access.log entry (signed by
// the node's service key) and waits for it to be durable before answering.
// The entry's "request" is the SHA-256 of a canonical JSON record of who
// asked and why ({"household","key","nonce","reason"}); the record itself is
// stored as a blob under that digest, so the stated reason is retrievable
// and provably the one logged.
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

// Stores the canonical record of who asked and why (plus the document, for
// a file read) as a blob and submits the access.log entry naming its
// digest, signed with the node's service key. `done` runs once the entry's
// block is durable.
void LogAccess(Ctx* ctx, const Request& req, const std::string& reason, const std::string& purpose,
               const std::string* document, std::function<void(Result<ledger::Receipt>)> done) {
  Json record = Json::MakeObject();
  record.set("household", Json(req.params[0]));
  record.set("key", Json(ledger::ToHex(req.caller->key)));
  record.set("reason", Json(reason));
  const std::string* input = req.header("signature-input");
  record.set("signature_input", Json(input ? *input : ""));
  if (document != nullptr) record.set("document", Json(*document));
  std::string record_bytes = record.Canonical();
  auto stored = ctx->node->blobs().Put(AsBytes(record_bytes));
  if (!stored.ok()) return done(stored.status());
  Json entry = Json::MakeObject();
  entry.set("type", Json("access.log"));
  entry.set("v", Json(1));
  entry.set("household", Json(req.params[0]));
  entry.set("purpose", Json(purpose));
  entry.set("fields", Json::MakeArray({Json("file")}));
  entry.set("request", Json(ToHex(stored->digest)));
  ctx->node->SubmitAsNode(entry, std::move(done));
}

// GET /v1/households/{commitment}: writes the access.log entry (signed by
// the node's service key) and waits for it to be durable before answering.
// The entry's "request" is the SHA-256 of a canonical JSON record of who
// asked and why ({"household","key","reason","signature_input"}); the
// record itself is stored as a blob under that digest, so the stated reason
// is retrievable and provably the one logged.
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
  if (ctx->vault == nullptr) {
    return done(ErrorResponse(Status(Code::kUnavailable, "household.vault_unavailable",
                                     "this node was started without --kek and cannot decrypt "
                                     "household files")));
  }
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
  r->Add(std::move(file));
}

}  // namespace tz::api
