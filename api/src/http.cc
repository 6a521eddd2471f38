// Request/Response helpers and the Status -> HTTP status mapping.
#include "api/http.h"

namespace tz::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) {
        return Status::Invalid("request.bad_query", "truncated percent escape");
      }
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return Status::Invalid("request.bad_query", "bad percent escape");
      char c = static_cast<char>(hi * 16 + lo);
      if (c == '\0') return Status::Invalid("request.bad_query", "NUL in query");
      out.push_back(c);
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

const std::string* Request::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return &v;
  }
  return nullptr;
}

Result<std::optional<std::string>> Request::query_param(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q.remove_prefix(amp == std::string_view::npos ? q.size() : amp + 1);
    size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    if (k == name) {
      TZ_ASSIGN_OR_RETURN(std::string d, PercentDecode(v));
      return std::optional<std::string>(std::move(d));
    }
  }
  return std::optional<std::string>();
}

Response Response::Json(int status, const tz::Json& body) {
  Response r;
  r.status = status;
  r.body = body.Canonical();
  return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
    case Code::kFailedPrecondition:
      return 409;
    case Code::kResourceExhausted:
      if (s.reason() == "http.rate_limited") return 429;
      // A full disk, the ledger's ("storage.full") or the blob store's
      // ("io.no_space"): 507 Insufficient Storage (RFC 4918), not 413.
      if (s.reason() == "storage.full" || s.reason() == "io.no_space") return 507;
      return 413;
    case Code::kVerificationFailed:
      return 422;
    case Code::kUnavailable:
      return 503;
    case Code::kIOError:
    case Code::kCorruption:
    case Code::kInternal:
      return 500;
  }
  return 500;
}

namespace {
Response MakeError(int status, std::string_view code, std::string_view category,
                   std::string_view message) {
  tz::Json err = tz::Json::MakeObject();
  err.set("code", tz::Json(code));
  err.set("category", tz::Json(category));
  err.set("message", tz::Json(message));
  tz::Json j = tz::Json::MakeObject();
  j.set("error", std::move(err));
  return Response::Json(status, j);
}

std::string_view CategoryForHttp(int status) {
  switch (status) {
    case 400:
    case 405:
    case 408:
      return "invalid_argument";
    case 401:
      return "unauthenticated";
    case 403:
      return "permission_denied";
    case 404:
      return "not_found";
    case 409:
      return "failed_precondition";
    case 413:
    case 429:
    case 507:
      return "resource_exhausted";
    case 503:
      return "unavailable";
    default:
      return "internal";
  }
}
}  // namespace

Response ErrorResponse(const Status& s) {
  int status = HttpStatusFor(s);
  // Our own failures keep their reason but not their details. A full disk
  // has one code whichever store hit it.
  std::string_view code = s.reason().empty() ? "internal" : std::string_view(s.reason());
  if (status == 507) code = "storage.full";
  return MakeError(status, code, CodeName(s.code()), s.message());
}

Response HttpError(int status, std::string code, std::string message) {
  return MakeError(status, code, CategoryForHttp(status), message);
}

}  // namespace tz::api
