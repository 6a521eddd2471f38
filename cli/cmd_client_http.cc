// The client's HTTP layer (cpp-httplib), requests signed per RFC 9421 with
// api/request_signer.h.
#include <string>

#include "api/request_signer.h"
#include "client_common.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wall"
#include <httplib.h>
#pragma GCC diagnostic pop

namespace tz::cli::client {
namespace {

Code CodeFromCategory(const std::string& c) {
  if (c == "invalid_argument") return Code::kInvalidArgument;
  if (c == "unauthenticated") return Code::kUnauthenticated;
  if (c == "permission_denied") return Code::kPermissionDenied;
  if (c == "not_found") return Code::kNotFound;
  if (c == "already_exists") return Code::kAlreadyExists;
  if (c == "failed_precondition") return Code::kFailedPrecondition;
  if (c == "resource_exhausted") return Code::kResourceExhausted;
  if (c == "verification_failed") return Code::kVerificationFailed;
  if (c == "corruption") return Code::kCorruption;
  if (c == "unavailable") return Code::kUnavailable;
  if (c == "io_error") return Code::kIOError;
  return Code::kInternal;
}

Code CodeFromHttp(int status) {
  switch (status) {
    case 400:
      return Code::kInvalidArgument;
    case 401:
      return Code::kUnauthenticated;
    case 403:
      return Code::kPermissionDenied;
    case 404:
      return Code::kNotFound;
    case 409:
      return Code::kAlreadyExists;
    case 413:
    case 429:
      return Code::kResourceExhausted;
    case 422:
      return Code::kVerificationFailed;
    case 503:
      return Code::kUnavailable;
    default:
      return Code::kInternal;
  }
}

// Builds the Status for a non-2xx answer.
Status ErrorFromAnswer(int status, const std::string& body) {
  auto j = ParseJson(body);
  if (j.ok() && j->is_object()) {
    if (const Json* e = j->find("error"); e != nullptr && e->is_object()) {
      const Json* code = e->find("code");
      const Json* cat = e->find("category");
      const Json* msg = e->find("message");
      std::string reason = code && code->is_string() ? code->as_string() : "http.error";
      Code c = cat && cat->is_string() ? CodeFromCategory(cat->as_string()) : CodeFromHttp(status);
      return Status(c, reason, msg && msg->is_string() ? msg->as_string() : "");
    }
  }
  return Status(CodeFromHttp(status), "http." + std::to_string(status),
                "server answered HTTP " + std::to_string(status));
}

Status Unreachable(const std::string& server, httplib::Error err) {
  return Status(Code::kUnavailable, "client.unreachable",
                "无法连接服务器 / cannot reach " + server + " (" + httplib::to_string(err) +
                    "); is `tiezheng node run` running?");
}

Result<Json> JsonBody(const std::string& body) {
  auto j = ParseJson(body);
  if (!j.ok()) {
    return Status(Code::kInternal, "client.bad_answer",
                  "server sent invalid JSON: " + j.status().message());
  }
  return *j;
}

}  // namespace

struct HttpClient::Impl {
  explicit Impl(const std::string& server) : cli(server) {
    cli.set_connection_timeout(10, 0);
    cli.set_read_timeout(300, 0);
    cli.set_write_timeout(300, 0);
    cli.set_keep_alive(true);
  }
  httplib::Client cli;

  Result<httplib::Headers> Sign(const ClientKey* key, const std::string& method,
                                const std::string& target, const std::string& body) {
    httplib::Headers headers;
    if (key == nullptr) return headers;
    TZ_ASSIGN_OR_RETURN(api::SignatureHeaders s,
                        api::SignRequest(key->id, key->pair.keys.secret_key, method, target, body));
    headers.emplace("Content-Digest", s.content_digest);
    headers.emplace("Signature-Input", s.signature_input);
    headers.emplace("Signature", s.signature);
    return headers;
  }
};

HttpClient::HttpClient(const std::string& server)
    : server_(server), impl_(std::make_unique<Impl>(server)) {}
HttpClient::~HttpClient() = default;

Result<std::string> HttpClient::GetText(const std::string& path) {
  auto res = impl_->cli.Get(path.c_str());
  if (!res) return Unreachable(server_, res.error());
  if (res->status < 200 || res->status >= 300) return ErrorFromAnswer(res->status, res->body);
  return res->body;
}

Result<Json> HttpClient::GetJson(const std::string& path) {
  TZ_ASSIGN_OR_RETURN(std::string body, GetText(path));
  return JsonBody(body);
}

Result<int> HttpClient::HeadStatus(const std::string& path) {
  auto res = impl_->cli.Head(path.c_str());
  if (!res) return Unreachable(server_, res.error());
  return res->status;
}

Result<Json> HttpClient::Post(const std::string& path, const std::string& body,
                              const std::string& content_type, const ClientKey* key) {
  TZ_ASSIGN_OR_RETURN(httplib::Headers headers, impl_->Sign(key, "POST", path, body));
  auto res = impl_->cli.Post(path.c_str(), headers, body, content_type.c_str());
  if (!res) return Unreachable(server_, res.error());
  if (res->status < 200 || res->status >= 300) return ErrorFromAnswer(res->status, res->body);
  return JsonBody(res->body);
}

Result<Json> HttpClient::Put(const std::string& path, const std::string& body,
                             const std::string& content_type, const ClientKey* key, int* status) {
  TZ_ASSIGN_OR_RETURN(httplib::Headers headers, impl_->Sign(key, "PUT", path, body));
  auto res = impl_->cli.Put(path.c_str(), headers, body, content_type.c_str());
  if (!res) return Unreachable(server_, res.error());
  if (status != nullptr) *status = res->status;
  if (res->status < 200 || res->status >= 300) return ErrorFromAnswer(res->status, res->body);
  return JsonBody(res->body);
}

}  // namespace tz::cli::client
