// Service wiring: router, auth against the ledger's key records, server,
// and the service routes (health, metrics, OpenAPI, consortium, portal).
#include "api/service.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "handlers.h"

#ifndef TZ_PORTAL_DIR
#define TZ_PORTAL_DIR ""
#endif

namespace tz::api {
namespace {

namespace fs = std::filesystem;

// 200 {"status":"ok",...}; 503 {"status":"store_failed","error":{...},...}
// once a write of the ledger's store failed (the node acknowledges nothing
// more until it is restarted).
Result<Response> Health(Ctx* ctx, const Request&) {
  ledger::Ledger& l = ctx->node->ledger();
  ledger::Head h = l.head();
  Status store = l.store_status();
  Json j = Json::MakeObject();
  j.set("status", Json(store.ok() ? "ok" : "store_failed"));
  j.set("height", Json(h.height));
  j.set("size", Json(h.log_size));
  j.set("chain", Json(l.chain()));
  if (!store.ok()) {
    j.set("error", Json::MakeObject({{"code", Json(store.reason())},
                                     {"category", Json(CodeName(store.code()))},
                                     {"message", Json(store.message())}}));
  }
  return Response::Json(store.ok() ? 200 : 503, j);
}

Result<Json> Consortium(Ctx* ctx, const Request&) {
  ledger::Ledger& l = ctx->node->ledger();
  std::vector<log::NoteVerifier> keys = l.NodeKeys();
  Json members = Json::MakeArray();
  for (const auto& v : keys) {
    members.push_back(
        Json::MakeObject({{"name", Json(v.name())}, {"verifier_key", Json(v.ToString())}}));
  }
  size_t n = keys.size(), f = n == 0 ? 0 : (n - 1) / 3;
  Json j = Json::MakeObject();
  j.set("chain", Json(l.chain()));
  j.set("suite", Json(ctx->node->config().suite));
  j.set("origin", Json(l.origin()));
  j.set("quorum", Json(static_cast<uint64_t>(n - f)));
  j.set("members", std::move(members));
  return j;
}

std::string ContentTypeFor(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"}};
  for (const auto& [ext, type] : kTypes) {
    std::string e = ext;
    if (path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0) {
      return type;
    }
  }
  return "application/octet-stream";
}

// Serves <portal_dir>/<file>. Each segment must be [A-Za-z0-9._-]+ and not
// start with '.', so nothing outside the directory can be named.
Response Static(Ctx* ctx, const std::string& file) {
  auto nf = [] { return ErrorResponse(Status::NotFound("portal.not_found", "no such file")); };
  if (ctx->portal_dir.empty() || file.empty() || file.size() > 200) return nf();
  size_t seg_start = 0;
  for (size_t i = 0; i <= file.size(); ++i) {
    if (i == file.size() || file[i] == '/') {
      if (i == seg_start || file[seg_start] == '.') return nf();
      seg_start = i + 1;
      continue;
    }
    char c = file[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return nf();
  }
  std::ifstream in(ctx->portal_dir + "/" + file, std::ios::binary);
  if (!in) return nf();
  std::stringstream ss;
  ss << in.rdbuf();
  Response r = Response::Text(200, ss.str(), ContentTypeFor(file));
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

void AddRoutesForService(Router* r, Ctx* ctx) {
  auto add = [&](std::string pattern, std::string summary, std::function<void(Request&, Respond)> h,
                 std::string type = "application/json", bool in_openapi = true) {
    Route rt;
    rt.method = "GET";
    rt.pattern = std::move(pattern);
    rt.summary = std::move(summary);
    rt.handler = std::move(h);
    rt.response_type = std::move(type);
    rt.in_openapi = in_openapi;
    r->Add(std::move(rt));
  };
  add("/v1/health", "Liveness and head", Sync(ctx, Health));
  add("/v1/consortium", "Chain, suite, origin, quorum and member keys", Sync(ctx, Consortium));
  add(
      "/v1/metrics", "Prometheus metrics",
      [ctx](Request&, Respond done) {
        std::string text = ctx->metrics->Render([ctx](std::string* out) {
          ledger::Head h = ctx->node->ledger().head();
          node::SequencerStats s = ctx->node->sequencer().stats();
          auto g = [out](const char* name, uint64_t v) {
            *out +=
                std::string("# TYPE ") + name + " gauge\n" + name + " " + std::to_string(v) + "\n";
          };
          g("tz_ledger_height", h.height);
          g("tz_ledger_log_size", h.log_size);
          g("tz_ledger_store_failed", ctx->node->ledger().store_status().ok() ? 0 : 1);
          g("tz_sequencer_blocks_total", s.blocks);
          g("tz_sequencer_entries_total", s.entries);
          g("tz_sequencer_rejected_total", s.rejected);
          for (const auto& st : ctx->node->stampers()) {
            node::StamperStats ts = st->stats();
            std::string src = "{source=\"" + st->source() + "\"}";
            *out += "# TYPE tz_tsa_stamped_total counter\ntz_tsa_stamped_total" + src + " " +
                    std::to_string(ts.stamped) + "\n# TYPE tz_tsa_failures_total counter\n" +
                    "tz_tsa_failures_total" + src + " " + std::to_string(ts.failures) + "\n";
          }
        });
        done(Response::Text(200, std::move(text), "text/plain; version=0.0.4; charset=utf-8"));
      },
      "text/plain");
  add("/v1/openapi.json", "This API as OpenAPI 3.0", [ctx](Request&, Respond done) {
    done(Response::Text(200, ctx->openapi, "application/json"));
  });
  add(
      "/", "The web portal", [ctx](Request&, Respond done) { done(Static(ctx, "index.html")); },
      "text/html");
  add(
      "/portal/{*file}", "The web portal's static files",
      [ctx](Request& req, Respond done) { done(Static(ctx, req.params[0])); }, "text/html");
}

}  // namespace

std::string DefaultPortalDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path p = exe.parent_path() / "portal";
    if (fs::exists(p / "index.html", ec)) return p.string();
  }
  return TZ_PORTAL_DIR;
}

struct Service::Impl {
  Ctx ctx;
  Router router;
  Metrics metrics;
  std::unique_ptr<WorkerPool> workers;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<Server> server;
};

Result<std::unique_ptr<Service>> Service::Create(node::Node* node, ServiceOptions options) {
  std::unique_ptr<Service> s(new Service());
  s->impl_ = std::make_unique<Impl>();
  Impl& i = *s->impl_;
  i.workers = std::make_unique<WorkerPool>(options.worker_threads);
  i.ctx.node = node;
  i.ctx.options = options;
  i.ctx.metrics = &i.metrics;
  i.ctx.workers = i.workers.get();
  i.ctx.portal_dir = options.portal_dir.empty() ? DefaultPortalDir() : options.portal_dir;
  if (!options.kek_path.empty()) {
    TZ_ASSIGN_OR_RETURN(
        archive::NodeKek kek,
        archive::LoadNodeKek(archive::Env::Default(), options.kek_path, node->dir().root));
    TZ_ASSIGN_OR_RETURN(i.ctx.vault,
                        archive::HouseholdVault::Open(&node->blobs(), archive::Env::Default(),
                                                      node->dir().households(), std::move(kek)));
  }
  AddRoutesForService(&i.router, &i.ctx);
  AddBlobRoutes(&i.router, &i.ctx);
  AddLedgerRoutes(&i.router, &i.ctx);
  AddArchiveRoutes(&i.router, &i.ctx);
  AddEvidenceRoutes(&i.router, &i.ctx);
  i.ctx.openapi = i.router.OpenApi("Tiezheng (铁证) evidence ledger API", "1").Pretty();
  i.auth = std::make_unique<Authenticator>(
      [node](const ledger::KeyId& id) { return node->ledger().CommittedState().GetKey(id); },
      options.auth);
  i.server = std::make_unique<Server>(options.server, &i.router, i.auth.get(), &i.metrics);
  return s;
}

Service::~Service() { Stop(); }
Status Service::Start() { return impl_->server->Start(); }
uint16_t Service::port() const { return impl_->server->port(); }
void Service::Stop() {
  if (impl_ && impl_->server) impl_->server->Stop();
}
void Service::Wait() { impl_->server->Wait(); }
const std::string& Service::portal_dir() const { return impl_->ctx.portal_dir; }

}  // namespace tz::api
