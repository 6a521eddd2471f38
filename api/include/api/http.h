// Plain HTTP request/response types shared by the router and the handlers.
// No Boost here: only server.cc sees Beast, so handlers compile fast and can
// be unit-tested without a socket.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/json.h"
#include "crypto/status.h"
#include "ledger/state.h"
#include "ledger/types.h"

namespace tz::archive {
class ByteSource;
}

namespace tz::api {

// Who signed a request (set by the server after RFC 9421 verification).
struct Caller {
  ledger::KeyId key;
  ledger::KeyRecord record;
};

struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string target;  // as received: path plus "?query"
  std::string path;    // target up to '?', still percent-encoded
  std::string query;   // after '?', raw ("" if none)
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercase
  std::string body;                                          // buffered routes only
  std::vector<std::string> params;                           // path parameters, in pattern order
  std::optional<Caller> caller;                              // signed routes only

  // First header with that lowercase name, or nullptr.
  const std::string* header(std::string_view lower_name) const;
  // A query parameter's value (percent-decoded), or nullopt when absent.
  // Reason "request.bad_query" for a malformed escape.
  Result<std::optional<std::string>> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // A streamed body (blob downloads): `source` delivers exactly `length`
  // bytes. When set, `body` is ignored.
  std::shared_ptr<archive::ByteSource> source;
  uint64_t length = 0;
  // The length is not known in advance (decrypted household files): sent
  // with Transfer-Encoding: chunked until `source` ends; a source error
  // cuts the connection before the last chunk, so the client sees a
  // truncated, not a complete, body.
  bool chunked = false;
  bool head_only = false;  // HEAD: headers (with Content-Length) but no body
  bool close = false;      // close the connection after writing

  static Response Json(int status, const tz::Json& body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain");
};

// Maps a Status category to its HTTP status (docs/api.md "Errors").
int HttpStatusFor(const Status& s);
// {"error":{"code","category","message"}} with HttpStatusFor(s).
Response ErrorResponse(const Status& s);
// An error with an explicit HTTP status (the http.* codes).
Response HttpError(int status, std::string code, std::string message);

// Called exactly once with the response; may be called from any thread.
using Respond = std::function<void(Response)>;

// Receives a streamed request body (blob and part uploads). Write is called
// on an I/O thread for each chunk; an error aborts the request and is sent
// as the response. Finish is called once after the last chunk.
class BodyConsumer {
 public:
  virtual ~BodyConsumer() = default;
  [[nodiscard]] virtual Status Write(ByteSpan data) = 0;
  virtual void Finish(Respond done) = 0;
};

}  // namespace tz::api
