// The client's HTTP layer (cpp-httplib), requests signed per RFC 9421 with
// api/request_signer.h.
#include <unistd.h>

#include <cstdio>
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

Result<uint64_t> HttpClient::GetToFile(const std::string& path, const std::string& file) {
  const std::string part = file + ".part";
  std::FILE* out = nullptr;
  int status = 0;
  std::string error_body;
  uint64_t received = 0;
  bool write_failed = false;
  auto res = impl_->cli.Get(
      path.c_str(),
      [&](const httplib::Response& r) {
        status = r.status;
        if (status >= 200 && status < 300) {
          out = std::fopen(part.c_str(), "wb");
          if (out == nullptr) write_failed = true;
        }
        return !write_failed;
      },
      [&](const char* data, size_t n) {
        if (out == nullptr) {
          if (error_body.size() < (1 << 20)) error_body.append(data, n);
          return true;
        }
        if (std::fwrite(data, 1, n, out) != n) {
          write_failed = true;
          return false;
        }
        received += n;
        return true;
      });
  bool closed_ok = out == nullptr || (std::fflush(out) == 0 && fsync(fileno(out)) == 0);
  if (out != nullptr && std::fclose(out) != 0) closed_ok = false;
  auto fail = [&](Status st) {
    if (out != nullptr) std::remove(part.c_str());
    return st;
  };
  if (write_failed || !closed_ok) {
    return fail(Status::IOError("file.write", "cannot write " + part));
  }
  if (!res) return fail(Unreachable(server_, res.error()));
  if (status < 200 || status >= 300) return ErrorFromAnswer(status, error_body);
  if (res->has_header("Content-Length") &&
      std::to_string(received) != res->get_header_value("Content-Length")) {
    return fail(Status(Code::kUnavailable, "client.truncated",
                       "server sent " + std::to_string(received) + " of " +
                           res->get_header_value("Content-Length") + " bytes"));
  }
  if (std::rename(part.c_str(), file.c_str()) != 0) {
    return fail(Status::IOError("file.write", "cannot rename " + part + " to " + file));
  }
  return received;
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
