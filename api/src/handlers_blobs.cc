// Blobs (PUT/GET/HEAD with ranges) and resumable upload sessions.
#include "api/request_signer.h"
#include "archive/blob_store.h"
#include "crypto/encoding.h"
#include "handlers.h"

namespace tz::api {
namespace {

using ledger::Role;

const std::vector<Role> kWriters = {Role::kConstructionUnit, Role::kReceivingUnit,
                                    Role::kOperator,         Role::kInspector,
                                    Role::kDepartment,       Role::kTenantRep};

Json BlobJson(const archive::BlobInfo& b) {
  Json j = Json::MakeObject();
  j.set("sha256", Json(ToHex(b.digest)));
  j.set("size", Json(b.size));
  return j;
}

// Streams a PUT body into a BlobWriter; the commit (fsync) runs on a worker.
class BlobConsumer : public BodyConsumer {
 public:
  BlobConsumer(Ctx* ctx, std::unique_ptr<archive::BlobWriter> w, bool existed)
      : ctx_(ctx), writer_(std::move(w)), existed_(existed) {}
  Status Write(ByteSpan data) override { return writer_->Append(data); }
  void Finish(Respond done) override {
    auto writer = std::shared_ptr<archive::BlobWriter>(std::move(writer_));
    bool existed = existed_;
    ctx_->workers->Post([writer, existed, done] {
      auto info = writer->Commit();
      if (!info.ok()) {
        Status s = info.status();
        if (s.reason() == "blob.digest_mismatch") {
          s = Status::Invalid("blob.digest_mismatch", "the bytes do not hash to the path digest");
        }
        return done(ErrorResponse(s));
      }
      done(Ok(BlobJson(*info), existed ? 200 : 201));
    });
  }

 private:
  Ctx* ctx_;
  std::unique_ptr<archive::BlobWriter> writer_;
  bool existed_;
};

Result<std::unique_ptr<BodyConsumer>> PutBlob(Ctx* ctx, Request& req) {
  TZ_ASSIGN_OR_RETURN(Digest d, archive::ParseBlobDigest(req.params[0]));
  // The signed Content-Digest must name the same bytes as the path; the
  // writer then checks the body against it while storing.
  TZ_ASSIGN_OR_RETURN(Digest cd, ParseContentDigest(*req.header("content-digest")));
  if (!(cd == d)) {
    return Status::Invalid("auth.digest_mismatch", "Content-Digest differs from the path digest");
  }
  TZ_ASSIGN_OR_RETURN(bool existed, ctx->node->blobs().Has(d));
  archive::PutOptions po;
  po.expected_digest = d;
  TZ_ASSIGN_OR_RETURN(std::unique_ptr<archive::BlobWriter> w, ctx->node->blobs().NewWriter(po));
  return std::unique_ptr<BodyConsumer>(new BlobConsumer(ctx, std::move(w), existed));
}

// "bytes=a-b", "bytes=a-", "bytes=-n" (one range only).
Result<std::pair<uint64_t, uint64_t>> ParseRange(std::string_view h, uint64_t size) {
  auto bad = [] {
    return Status(Code::kInvalidArgument, "request.bad_range", "unsupported or invalid Range");
  };
  if (h.substr(0, 6) != "bytes=" || h.find(',') != std::string_view::npos) return bad();
  h.remove_prefix(6);
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return bad();
  std::string_view a = h.substr(0, dash), b = h.substr(dash + 1);
  uint64_t first, last;
  if (a.empty()) {
    auto n = ParseDecimal(b, "range");
    if (!n.ok() || *n == 0) return bad();
    first = *n >= size ? 0 : size - *n;
    last = size - 1;
  } else {
    auto x = ParseDecimal(a, "range");
    if (!x.ok()) return bad();
    first = *x;
    last = size - 1;
    if (!b.empty()) {
      auto y = ParseDecimal(b, "range");
      if (!y.ok() || *y < first) return bad();
      last = std::min(*y, size - 1);
    }
  }
  if (first >= size) {
    return Status(Code::kInvalidArgument, "blob.bad_range", "range starts past the end");
  }
  return std::make_pair(first, last);
}

Result<Response> BlobResponse(Ctx* ctx, const std::string& id, const std::string* range,
                              bool head) {
  TZ_ASSIGN_OR_RETURN(Digest d, archive::ParseBlobDigest(id));
  TZ_ASSIGN_OR_RETURN(archive::BlobInfo info, ctx->node->blobs().Stat(d));
  Response r;
  r.content_type = "application/octet-stream";
  r.headers.emplace_back("ETag", "\"" + id + "\"");
  r.headers.emplace_back("Accept-Ranges", "bytes");
  r.head_only = head;
  if (range != nullptr && info.size > 0) {
    auto rg = ParseRange(*range, info.size);
    if (!rg.ok()) {
      Response e = ErrorResponse(rg.status());
      if (rg.status().reason() == "blob.bad_range") {
        e.status = 416;
        e.headers.emplace_back("Content-Range", "bytes */" + std::to_string(info.size));
      }
      return e;
    }
    uint64_t len = rg->second - rg->first + 1;
    TZ_ASSIGN_OR_RETURN(std::unique_ptr<archive::ByteSource> src,
                        ctx->node->blobs().OpenRange(d, rg->first, len));
    r.status = 206;
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(rg->first) + "-" +
                                                std::to_string(rg->second) + "/" +
                                                std::to_string(info.size));
    r.source = std::shared_ptr<archive::ByteSource>(std::move(src));
    r.length = len;
    return r;
  }
  TZ_ASSIGN_OR_RETURN(std::unique_ptr<archive::BlobReader> rd, ctx->node->blobs().Open(d));
  r.length = rd->size();
  r.source = std::shared_ptr<archive::ByteSource>(std::move(rd));
  return r;
}

void GetBlob(Ctx* ctx, Request& req, Respond done, bool head) {
  auto finish = [head](Result<Response> r, const Respond& respond) {
    if (!r.ok()) {
      Response e = ErrorResponse(r.status());
      e.head_only = head;
      if (head) e.body.clear();
      return respond(std::move(e));
    }
    respond(std::move(r).value());
  };
  const std::string* range = req.header("range");
  if (range != nullptr) {
    // A verified range read of a large blob may hash all of it once (to make
    // its chunk index, docs/archive.md): never on an I/O thread.
    ctx->workers->Post(
        [ctx, head, finish, id = req.params[0], range = *range, done = std::move(done)]() mutable {
          finish(BlobResponse(ctx, id, &range, head), done);
        });
    return;
  }
  finish(BlobResponse(ctx, req.params[0], nullptr, head), done);
}

Json UploadJson(const archive::UploadState& s, uint64_t part_size) {
  // Part n covers [n*part_size, min(size, (n+1)*part_size)); it is received
  // when a received range covers it.
  Json received = Json::MakeArray();
  uint64_t parts = (s.size + part_size - 1) / part_size;
  for (uint64_t n = 0; n < parts; ++n) {
    uint64_t b = n * part_size, e = std::min(s.size, b + part_size);
    for (const auto& r : s.received) {
      if (r.offset <= b && r.end() >= e) {
        received.push_back(Json(n));
        break;
      }
    }
  }
  Json j = Json::MakeObject();
  j.set("upload_id", Json(s.id.str()));
  j.set("sha256", Json(ToHex(s.digest)));
  j.set("size", Json(s.size));
  j.set("part_size", Json(part_size));
  j.set("parts", Json(parts));
  j.set("received", std::move(received));
  return j;
}

Result<Response> BeginUpload(Ctx* ctx, const Request& req) {
  TZ_ASSIGN_OR_RETURN(Json body, ParseJson(req.body, {.max_bytes = ctx->options.max_json_body,
                                                      .jcs_integers = true}));
  if (!body.is_object()) return Status::Invalid("json.wrong_type", "expected an object");
  TZ_RETURN_IF_ERROR(CheckKeys(body, {"sha256", "size"}));
  TZ_ASSIGN_OR_RETURN(std::string hex, GetString(body, "sha256"));
  TZ_ASSIGN_OR_RETURN(int64_t size, GetInt(body, "size"));
  auto d = archive::ParseBlobDigest(hex);
  if (!d.ok()) return Status::Invalid("request.bad_digest", "sha256 must be 64 lowercase hex");
  if (size <= 0) return Status::Invalid("upload.bad_size", "size must be positive");
  TZ_ASSIGN_OR_RETURN(archive::UploadState s,
                      ctx->node->uploads().Begin(*d, static_cast<uint64_t>(size)));
  return Ok(UploadJson(s, ctx->options.part_size), 201);
}

void PutPart(Ctx* ctx, Request& req, Respond done) {
  auto id = archive::UploadId::Parse(req.params[0]);
  auto n = ParseDecimal(req.params[1], "part");
  if (!id.ok()) return done(ErrorResponse(id.status()));
  if (!n.ok()) return done(ErrorResponse(n.status()));
  auto body = std::make_shared<std::string>(std::move(req.body));
  uint64_t part = ctx->options.part_size;
  ctx->workers->Post([ctx, id = *id, n = *n, body, part, done] {
    auto run = [&]() -> Result<Response> {
      TZ_ASSIGN_OR_RETURN(archive::UploadState s, ctx->node->uploads().Query(id));
      uint64_t offset = n * part;
      if (offset >= s.size) {
        return Status::Invalid("upload.part_out_of_range", "no such part");
      }
      uint64_t len = std::min(part, s.size - offset);
      if (body->size() != len) {
        return Status::Invalid(
            body->size() < len ? "upload.part_short" : "upload.part_long",
            "part " + std::to_string(n) + " must be " + std::to_string(len) + " bytes");
      }
      TZ_RETURN_IF_ERROR(ctx->node->uploads().PutPart(id, offset, AsBytes(*body)));
      TZ_ASSIGN_OR_RETURN(s, ctx->node->uploads().Query(id));
      Json j = UploadJson(s, part);
      Json out = Json::MakeObject();
      out.set("received", *j.find("received"));
      return Ok(out);
    };
    auto r = run();
    done(r.ok() ? std::move(r).value() : ErrorResponse(r.status()));
  });
}

Result<Response> QueryUpload(Ctx* ctx, const Request& req) {
  TZ_ASSIGN_OR_RETURN(archive::UploadId id, archive::UploadId::Parse(req.params[0]));
  TZ_ASSIGN_OR_RETURN(archive::UploadState s, ctx->node->uploads().Query(id));
  return Ok(UploadJson(s, ctx->options.part_size));
}

void CompleteUpload(Ctx* ctx, Request& req, Respond done) {
  auto id = archive::UploadId::Parse(req.params[0]);
  if (!id.ok()) return done(ErrorResponse(id.status()));
  ctx->workers->Post([ctx, id = *id, done] {
    auto info = ctx->node->uploads().Finish(id);
    if (!info.ok()) {
      Status s = info.status();
      if (s.reason() == "upload.digest_mismatch") {
        s = Status::Invalid(s.reason(), s.message());  // 400 per docs/api.md
      }
      return done(ErrorResponse(s));
    }
    done(Ok(BlobJson(*info), 201));
  });
}

}  // namespace

void AddBlobRoutes(Router* r, Ctx* ctx) {
  Route put;
  put.method = "PUT";
  put.pattern = "/v1/blobs/{sha256}";
  put.summary = "Store a document's bytes (streamed; body = the bytes)";
  put.signed_request = true;
  put.roles = kWriters;
  put.max_body = ctx->options.max_blob_body;
  put.consumer = [ctx](Request& req) { return PutBlob(ctx, req); };
  r->Add(std::move(put));
  for (const char* m : {"GET", "HEAD"}) {
    Route get;
    get.method = m;
    get.pattern = "/v1/blobs/{sha256}";
    get.summary = std::string(m) == "GET" ? "Fetch a blob (Range supported)" : "Blob headers";
    get.response_type = "application/octet-stream";
    bool head = std::string(m) == "HEAD";
    get.handler = [ctx, head](Request& req, Respond done) {
      GetBlob(ctx, req, std::move(done), head);
    };
    r->Add(std::move(get));
  }
  Route begin;
  begin.method = "POST";
  begin.pattern = "/v1/uploads";
  begin.summary = "Start a resumable upload {\"sha256\",\"size\"}";
  begin.signed_request = true;
  begin.roles = kWriters;
  begin.max_body = ctx->options.max_json_body;
  begin.handler = Sync(ctx, BeginUpload);
  r->Add(std::move(begin));
  Route part;
  part.method = "PUT";
  part.pattern = "/v1/uploads/{upload}/parts/{n}";
  part.summary = "Upload part n (0-based)";
  part.signed_request = true;
  part.roles = kWriters;
  part.max_body = ctx->options.part_size;
  part.handler = [ctx](Request& req, Respond done) { PutPart(ctx, req, std::move(done)); };
  r->Add(std::move(part));
  Route query;
  query.method = "GET";
  query.pattern = "/v1/uploads/{upload}";
  query.summary = "An upload session's state";
  query.handler = Sync(ctx, QueryUpload);
  r->Add(std::move(query));
  Route done;
  done.method = "POST";
  done.pattern = "/v1/uploads/{upload}/complete";
  done.summary = "Verify and store the uploaded blob";
  done.signed_request = true;
  done.roles = kWriters;
  done.handler = [ctx](Request& req, Respond d) { CompleteUpload(ctx, req, std::move(d)); };
  r->Add(std::move(done));
}

}  // namespace tz::api
