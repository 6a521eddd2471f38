// The route table: method + path pattern -> handler, with the per-route
// policy (signed or public, roles, body limit, buffered or streamed body).
// The same table generates /v1/openapi.json, so the document cannot drift
// from what the server does.
//
// Patterns are '/'-separated literal segments and typed parameters; a
// parameter is validated before any handler runs, so handlers see only
// well-formed values:
//   {sha256} {id64}  64 lowercase hex     else 400 request.bad_digest
//   {keyid}          32 lowercase hex     else 400 request.bad_key_id
//   {upload}         32 lowercase hex     else 400 request.bad_upload_id
//   {name}           1..64 of [A-Za-z0-9._:-], not "." or ".."
//                                         else 400 request.bad_id
//   {n}              decimal, no leading zeros, < 2^63
//                                         else 400 request.bad_number
//   {*file}          the rest of the path (static files; checked by the handler)
// Percent-escapes are never decoded in path segments: "%2f", "%00" or ".."
// fail the parameter check like any other bad character.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.h"
#include "crypto/json.h"
#include "ledger/types.h"

namespace tz::api {

struct QueryParam {
  std::string name;
  std::string description;
  bool integer = false;
};

struct Route {
  std::string method;               // "GET", "HEAD", "PUT", "POST"
  std::string pattern;              // "/v1/blobs/{sha256}"
  std::string summary;              // one line, for the OpenAPI document
  bool signed_request = false;      // RFC 9421 signature required
  std::vector<ledger::Role> roles;  // signed: the key needs one of these (empty: any)
  size_t max_body = 0;              // bytes; 0 means no body allowed
  bool in_openapi = true;
  std::vector<QueryParam> query;
  std::string response_type = "application/json";
  std::string request_type;  // body media type for OpenAPI; "" = JSON (octet-stream if streamed)
  // Exactly one of these is set: a buffered handler (body in Request::body)
  // or a streaming consumer factory.
  std::function<void(Request&, Respond)> handler;
  std::function<Result<std::unique_ptr<BodyConsumer>>(Request&)> consumer;
};

class Router {
 public:
  void Add(Route r);

  struct Match {
    const Route* route = nullptr;
    std::vector<std::string> params;
    // Set when route is null: http.not_found (404), http.method_not_allowed
    // (405, with `allow`), or a parameter error (400).
    Status error;
    std::string allow;  // "GET, HEAD"
  };
  Match Find(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }
  // OpenAPI 3.0.3 document of every route with in_openapi.
  Json OpenApi(std::string_view title, std::string_view version) const;

 private:
  std::vector<Route> routes_;
};

// Parameter checks, also used by handlers for query values.
bool IsDigestHex(std::string_view s);  // 64 lowercase hex
Result<uint64_t> ParseDecimal(std::string_view s, std::string_view what);

}  // namespace tz::api
