// Fuzzes the request head as api/src/server.cc reads it: Boost.Beast's
// http::request_parser<buffer_body> with the server's limits (header_limit
// = ServerOptions::max_header_bytes, body_limit = 2^64-1 because the routes
// apply their own), fed in pieces as from a socket; then what the server
// does with an accepted head: the Request it builds (target split, lower-case
// header names), the route lookup with the real route patterns, the query
// parameters the handlers read, and the project's own RFC 9421 header
// parsers (Signature-Input, Signature, Content-Digest) and signature base.
// A chunked body is read through the parser in fixed-size buffers as the
// server's ReadBody does, a Content-Length body is skipped, and with
// keep-alive the next request on the connection follows (up to 16).
//
// The first input byte picks the size of the pieces (1..255 bytes; 0: all
// at once), so that incremental parsing is exercised too.
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.h"
#include "api/request_signer.h"
#include "api/router.h"
#include "api/server.h"
#include "fuzz_check.h"

namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

// The server's route patterns (api/src/handlers_*.cc), with dummy handlers:
// only Router::Find runs.
const tz::api::Router& Routes() {
  static const tz::api::Router router = [] {
    tz::api::Router r;
    struct P {
      const char* method;
      const char* pattern;
    };
    const P patterns[] = {
        {"GET", "/portal/{*file}"},
        {"GET", "/v1/blobs/{sha256}"},
        {"PUT", "/v1/blobs/{sha256}"},
        {"GET", "/v1/blocks"},
        {"GET", "/v1/blocks/{n}"},
        {"GET", "/v1/cases/{name}"},
        {"GET", "/v1/checkpoints/latest"},
        {"GET", "/v1/checkpoints/{n}"},
        {"GET", "/v1/checkpoints/{n}/timestamp"},
        {"GET", "/v1/consortium"},
        {"GET", "/v1/documents/{sha256}"},
        {"POST", "/v1/entries"},
        {"GET", "/v1/entries/{id64}"},
        {"GET", "/v1/entries/{id64}/proof"},
        {"GET", "/v1/evidence"},
        {"GET", "/v1/health"},
        {"GET", "/v1/households/{id64}/files/{sha256}"},
        {"GET", "/v1/households/{sha256}"},
        {"GET", "/v1/houses/{name}"},
        {"GET", "/v1/keys/{keyid}"},
        {"GET", "/v1/members"},
        {"GET", "/v1/metrics"},
        {"GET", "/v1/openapi.json"},
        {"GET", "/v1/proofs/consistency"},
        {"POST", "/v1/tsa"},
        {"POST", "/v1/uploads"},
        {"GET", "/v1/uploads/{upload}"},
        {"POST", "/v1/uploads/{upload}/complete"},
        {"PUT", "/v1/uploads/{upload}/parts/{n}"},
    };
    for (const P& p : patterns) {
      tz::api::Route route;
      route.method = p.method;
      route.pattern = p.pattern;
      route.max_body = route.method == "GET" ? 0 : 1 << 20;
      route.handler = [](tz::api::Request&, tz::api::Respond) {};
      r.Add(std::move(route));
    }
    return r;
  }();
  return router;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Feeds the input to the parser piece by piece, as reads from a socket
// would, until `done` says stop or the input ends (then put_eof).
class Feeder {
 public:
  Feeder(std::string_view input, size_t piece) : input_(input), piece_(piece) {}

  template <class Parser, class Done, class Prepare>
  beast::error_code Run(Parser& p, Done done, Prepare prepare) {
    beast::error_code ec;
    while (!done()) {
      prepare();
      size_t used = buf_.empty() ? 0 : p.put(net::buffer(buf_), ec);
      buf_.erase(0, used);
      if (ec == http::error::need_buffer) {  // the body buffer is full
        ec = {};
        continue;
      }
      if (ec && ec != http::error::need_more) return ec;
      ec = {};
      if (done()) break;
      if (used > 0) continue;
      if (pos_ >= input_.size()) {
        p.put_eof(ec);
        return ec;
      }
      size_t n = std::min(piece_, input_.size() - pos_);
      buf_.append(input_.substr(pos_, n));
      pos_ += n;
    }
    return ec;
  }

  // Drops up to n bytes (a Content-Length body, which the server reads from
  // the socket itself). Returns false if the input ended first.
  bool Skip(uint64_t n) {
    size_t from_buf = static_cast<size_t>(std::min<uint64_t>(n, buf_.size()));
    buf_.erase(0, from_buf);
    n -= from_buf;
    size_t from_input = static_cast<size_t>(std::min<uint64_t>(n, input_.size() - pos_));
    pos_ += from_input;
    return n == from_input;
  }

  bool AtEnd() const { return buf_.empty() && pos_ >= input_.size(); }

 private:
  std::string_view input_;
  size_t piece_;
  size_t pos_ = 0;
  std::string buf_;
};

void CheckSignatureHeaders(const tz::api::Request& req) {
  const std::string* input = req.header("signature-input");
  const std::string* sig = req.header("signature");
  const std::string* digest = req.header("content-digest");
  std::optional<tz::api::SignatureParams> params;
  if (input != nullptr) {
    auto p = tz::api::ParseSignatureInput(*input);
    if (p.ok()) {
      TZ_FUZZ_CHECK(p->keyid.size() == 32);
      params = *p;
    }
  }
  if (sig != nullptr) (void)tz::api::ParseSignatureHeader(*sig);
  if (digest != nullptr) {
    auto d = tz::api::ParseContentDigest(*digest);
    if (d.ok()) TZ_FUZZ_CHECK(tz::api::ContentDigestFromSha256(*d) == *digest);
  }
  if (params && digest != nullptr) {
    // The covered header fields as the server takes them into the base.
    std::vector<tz::api::CoveredHeader> covered;
    for (const std::string& name : params->covered_headers) {
      if (const std::string* v = req.header(name)) covered.push_back({name, *v});
    }
    (void)tz::api::SignatureBase(req.method, req.path, "?" + req.query, *digest, covered,
                                 params->raw);
  }
}

// One request on the connection, as ReadHeader() .. StartBody() handle it.
// Returns whether the connection would stay open for another request.
bool OneRequest(Feeder& feeder) {
  // As ReadHeader() sets the parser up.
  http::request_parser<http::buffer_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(tz::api::ServerOptions{}.max_header_bytes));
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());

  beast::error_code ec = feeder.Run(
      parser, [&] { return parser.is_header_done(); }, [] {});
  if (ec || !parser.is_header_done()) return false;

  // As OnHeader() builds the request.
  auto& h = parser.get();
  tz::api::Request req;
  req.method = std::string(h.method_string().data(), h.method_string().size());
  req.target = std::string(h.target().data(), h.target().size());
  size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = req.target.substr(q + 1);
  for (const auto& f : h) {
    req.headers.emplace_back(
        Lower(std::string_view(f.name_string().data(), f.name_string().size())),
        std::string(f.value()));
  }
  bool keep_alive = h.keep_alive();

  std::string_view split_path;
  std::string split_query;
  tz::api::SplitTarget(req.target, &split_path, &split_query);
  TZ_FUZZ_CHECK(split_path == req.path);
  TZ_FUZZ_CHECK(split_query == "?" + req.query);

  if (req.path.empty() || req.path.front() != '/') return false;  // 400, closed
  tz::api::Router::Match m = Routes().Find(req.method, req.path);
  if (m.route == nullptr) {
    TZ_FUZZ_CHECK(!m.error.ok());
  } else {
    TZ_FUZZ_CHECK(m.error.ok());
  }
  for (const char* name : {"cursor", "format", "source", "withhold"}) {
    (void)req.query_param(name);
  }
  CheckSignatureHeaders(req);

  if (parser.is_done()) return keep_alive;
  if (m.route == nullptr) return false;  // answered with an error and closed
  // A chunked body (or one without a length) goes through the parser into
  // fixed buffers (ReadBody); a Content-Length body is read from the socket
  // directly, not parsed.
  auto len = parser.content_length();
  if (!len || parser.chunked()) {
    static char chunk[4096];
    ec = feeder.Run(
        parser, [&] { return parser.is_done(); },
        [&] {
          parser.get().body().data = chunk;
          parser.get().body().size = sizeof chunk;
        });
    return !ec && parser.is_done() && keep_alive;
  }
  return feeder.Skip(*len) && keep_alive;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t piece = data[0] == 0 ? std::numeric_limits<size_t>::max() : data[0];
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  // Keep-alive: requests follow each other on one connection.
  Feeder feeder(input, piece);
  for (int i = 0; i < 16 && !feeder.AtEnd(); ++i) {
    if (!OneRequest(feeder)) break;
  }
  return 0;
}
