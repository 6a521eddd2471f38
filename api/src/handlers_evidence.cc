// Evidence packages and trusted time over HTTP:
//   GET  /v1/evidence?document=|acceptance=|house=|case=[&withhold=1]
//        the evidence package (ustar, docs/evidence.md), streamed
//   POST /v1/tsa                       RFC 3161 time-stamping (this node's TSA)
//   GET  /v1/checkpoints/{n}/timestamp the stored token of a checkpoint
//
// Auth rule (docs/api.md): all three are public. An evidence package holds
// what the public endpoints already serve (signed entries, proofs,
// checkpoints, key-set history, document bytes by digest) and never personal
// data: encrypted household (一户一档) documents are always withheld, for
// every caller, as "personal_data"; household material appears only as
// digests and keyed commitments. Reading a household file stays the signed,
// access-logged GET /v1/households/{commitment}.
#include <atomic>
#include <memory>
#include <set>

#include "crypto/timestamp.h"
#include "handlers.h"
#include "node/evidence_export.h"

namespace tz::api {
namespace {

// Exports run on the worker pool (they read and verify the whole package);
// at most this many are planned or streamed at once.
constexpr int kMaxConcurrentExports = 2;
constexpr size_t kMaxTsaQuery = 64 * 1024;

struct EvidenceState {
  std::atomic<int> active{0};
};

// Counts an export as active until the stream is destroyed.
class GuardedSource : public archive::ByteSource {
 public:
  GuardedSource(std::unique_ptr<archive::ByteSource> inner, std::shared_ptr<EvidenceState> st)
      : inner_(std::move(inner)), st_(std::move(st)) {}
  ~GuardedSource() override { st_->active.fetch_sub(1); }
  Result<size_t> Read(uint8_t* buf, size_t n) override { return inner_->Read(buf, n); }

 private:
  std::unique_ptr<archive::ByteSource> inner_;
  std::shared_ptr<EvidenceState> st_;
};

Status BadQuery(const std::string& m) { return Status::Invalid("request.bad_query", m); }

// The subject named by the query: exactly one of document, acceptance,
// house, case; optional withhold=0|1|true|false; nothing else.
Result<node::EvidenceExportOptions> ParseEvidenceQuery(const Request& req) {
  static const std::set<std::string> kKnown = {"document", "acceptance", "house", "case",
                                               "withhold"};
  std::set<std::string> seen;
  std::string_view q = req.query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    std::string name(part.substr(0, part.find('=')));
    if (kKnown.count(name) == 0) return BadQuery("unknown query parameter '" + name + "'");
    if (!seen.insert(name).second) return BadQuery("'" + name + "' given twice");
  }
  node::EvidenceExportOptions o;
  int kinds = 0;
  for (const char* k : {"document", "acceptance", "house", "case"}) {
    TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, req.query_param(k));
    if (!v) continue;
    ++kinds;
    o.kind = k;
    o.id = *v;
  }
  if (kinds != 1) return BadQuery("give exactly one of document=, acceptance=, house=, case=");
  if (o.kind == "document" || o.kind == "acceptance") {
    if (!IsDigestHex(o.id)) {
      return Status::Invalid("request.bad_digest", o.kind + " must be 64 lowercase hex characters");
    }
  } else if (!ledger::IsValidId(o.id) || o.id == "." || o.id == "..") {
    // As the router's {name}: ids are not paths, but "." and ".." never name anything.
    return Status::Invalid("request.bad_id", o.kind + " is not a valid id");
  }
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> w, req.query_param("withhold"));
  const std::string withhold = w.value_or("0");
  if (withhold == "1" || withhold == "true") {
    o.withhold_documents = true;
  } else if (withhold != "0" && withhold != "false") {
    return BadQuery("withhold must be 0, 1, true or false");
  }
  return o;
}

void GetEvidence(Ctx* ctx, const std::shared_ptr<EvidenceState>& st, Request& req, Respond done) {
  auto opts = ParseEvidenceQuery(req);
  if (!opts.ok()) return done(ErrorResponse(opts.status()));
  if (st->active.fetch_add(1) >= kMaxConcurrentExports) {
    st->active.fetch_sub(1);
    Response r = ErrorResponse(
        Status(Code::kUnavailable, "evidence.busy", "too many exports in progress; retry"));
    r.headers.emplace_back("Retry-After", "1");
    return done(std::move(r));
  }
  ctx->workers->Post([ctx, st, o = std::move(*opts), done = std::move(done)]() mutable {
    node::Node* n = ctx->node;
    o.timestamps = &n->timestamps();
    o.tsa = n->tsa();
    auto plan = node::PlanEvidencePackage(n->ledger(), &n->blobs(), o);
    if (!plan.ok()) {
      st->active.fetch_sub(1);
      return done(ErrorResponse(plan.status()));
    }
    Response r;
    r.status = 200;
    r.content_type = "application/x-tar";
    r.length = plan->TarSize();
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"" + node::EvidenceFileName(o.kind, o.id) + "\"");
    r.headers.emplace_back("Cache-Control", "no-store");
    r.source = std::make_shared<GuardedSource>(
        node::OpenEvidenceStream(std::move(*plan), &n->blobs()), st);
    done(std::move(r));
  });
}

Response Tsa(Ctx* ctx, const Request& req) {
  const TimeStampAuthority* tsa = ctx->node->tsa();
  if (tsa == nullptr) {
    return ErrorResponse(Status::NotFound(
        "tsa.not_configured", "this node is not a time-stamp authority (node run --tsa-cert)"));
  }
  const std::string* ct = req.header("content-type");
  if (ct == nullptr || ct->rfind("application/timestamp-query", 0) != 0) {
    return ErrorResponse(Status::Invalid("tsa.bad_content_type",
                                         "send a DER TimeStampReq as application/timestamp-query"));
  }
  // Always an RFC 3161 answer: malformed requests get a signed-less
  // rejection with the failure info (docs/timestamp.md).
  auto resp = tsa->CreateResponse(AsBytes(req.body));
  if (!resp.ok()) return ErrorResponse(resp.status());
  return Response::Text(200, std::string(AsString(*resp)), "application/timestamp-reply");
}

Result<Response> CheckpointTimestamp(Ctx* ctx, const Request& req) {
  TZ_ASSIGN_OR_RETURN(uint64_t size, ParseDecimal(req.params[0], "checkpoint size"));
  ledger::Ledger& l = ctx->node->ledger();
  TZ_ASSIGN_OR_RETURN(ledger::BlockHeader h, BlockAtSize(l, size));
  TZ_ASSIGN_OR_RETURN(std::string note, l.GetCheckpoint(h.height));
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> source, req.query_param("source"));
  std::optional<std::string> token;
  std::string used;
  const node::TimestampStore& store = ctx->node->timestamps();
  if (source) {
    if (*source != node::kTsaSourceLocal && *source != node::kTsaSourceExternal) {
      return BadQuery("source must be local or external");
    }
    TZ_ASSIGN_OR_RETURN(token, store.Get(*source, size));
    used = *source;
    if (token) {
      auto info = InspectTimeStampTokenUnverified(AsBytes(*token));
      if (!info.ok() || info->message_imprint != Sha256(note)) token.reset();
    }
  } else {
    TZ_ASSIGN_OR_RETURN(token, store.GetForNote(size, note, &used));
  }
  if (!token) {
    return Status::NotFound("timestamp.not_found",
                            "no time-stamp token for checkpoint " + std::to_string(size));
  }
  Response r = Response::Text(200, std::move(*token), "application/octet-stream");
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + std::to_string(size) + ".tsr\"");
  r.headers.emplace_back("X-TZ-TSA-Source", used);
  return r;
}

}  // namespace

void AddEvidenceRoutes(Router* r, Ctx* ctx) {
  auto st = std::make_shared<EvidenceState>();
  Route ev;
  ev.method = "GET";
  ev.pattern = "/v1/evidence";
  ev.summary = "Evidence package (ustar) for a document, acceptance record, house or case";
  ev.response_type = "application/x-tar";
  ev.query = {{"document", "SHA-256 hex of a notarized document", false},
              {"acceptance", "entry id of an acceptance.open record", false},
              {"house", "house id (一房一档)", false},
              {"case", "handover case id", false},
              {"withhold", "1: digests only, no document bytes", false}};
  ev.handler = [ctx, st](Request& req, Respond done) {
    GetEvidence(ctx, st, req, std::move(done));
  };
  r->Add(std::move(ev));

  Route tsa;
  tsa.method = "POST";
  tsa.pattern = "/v1/tsa";
  tsa.summary = "RFC 3161 time-stamping by this node's TSA (timestamp-query -> timestamp-reply)";
  tsa.response_type = "application/timestamp-reply";
  tsa.request_type = "application/timestamp-query";
  tsa.max_body = kMaxTsaQuery;
  tsa.handler = [ctx](Request& req, Respond done) { done(Tsa(ctx, req)); };
  r->Add(std::move(tsa));

  Route tok;
  tok.method = "GET";
  tok.pattern = "/v1/checkpoints/{n}/timestamp";
  tok.summary = "The stored RFC 3161 token (DER) over the checkpoint at a log size";
  tok.response_type = "application/octet-stream";
  tok.query = {{"source", "local or external (default: external if stored, else local)", false}};
  tok.handler = Sync(ctx, CheckpointTimestamp);
  r->Add(std::move(tok));
}

}  // namespace tz::api
