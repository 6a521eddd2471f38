// Route matching with typed path parameters, and the OpenAPI document.
#include "api/router.h"

#include <cctype>
#include <charconv>
#include <map>

namespace tz::api {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsLowerHexOf(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 64 || s == "." || s == "..") return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Checks one parameter value against its type; OK or a 400 status.
Status CheckParam(std::string_view type, std::string_view v) {
  if (type == "sha256" || type == "id64") {
    if (!IsDigestHex(v)) {
      return Status::Invalid("request.bad_digest", "expected 64 lowercase hex characters");
    }
  } else if (type == "keyid") {
    if (!IsLowerHexOf(v, 32)) {
      return Status::Invalid("request.bad_key_id", "expected 32 lowercase hex characters");
    }
  } else if (type == "upload") {
    if (!IsLowerHexOf(v, 32)) {
      return Status::Invalid("request.bad_upload_id", "expected 32 lowercase hex characters");
    }
  } else if (type == "name") {
    if (!IsName(v)) return Status::Invalid("request.bad_id", "expected an id token");
  } else if (type == "n") {
    return ParseDecimal(v, "path number").status();
  }
  return Status::Ok();
}

bool IsParam(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}
std::string_view ParamType(std::string_view seg) { return seg.substr(1, seg.size() - 2); }

// OpenAPI: the method followed by the pattern with every character that is
// not alphanumeric replaced by '_'.
std::string OperationId(const Route& r) {
  std::string op_id = r.method;
  for (char c : r.pattern) op_id.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return op_id;
}

// OpenAPI: the schema of a path parameter of type `type` (CheckParam).
Json PathParamSchema(std::string_view type) {
  Json schema = Json::MakeObject();
  if (type == "n") {
    schema.set("type", Json("integer"));
  } else {
    schema.set("type", Json("string"));
    if (type == "sha256" || type == "id64") schema.set("pattern", Json("^[0-9a-f]{64}$"));
    if (type == "keyid" || type == "upload") schema.set("pattern", Json("^[0-9a-f]{32}$"));
  }
  return schema;
}

// OpenAPI: the parameters of a route, those of its path, then its query.
Json Parameters(const Route& r) {
  Json params = Json::MakeArray();
  for (std::string_view seg : Split(r.pattern)) {
    if (!IsParam(seg)) continue;
    std::string_view type = ParamType(seg);
    if (type[0] == '*') type.remove_prefix(1);
    Json p = Json::MakeObject();
    p.set("name", Json(type));
    p.set("in", Json("path"));
    p.set("required", Json(true));
    p.set("schema", PathParamSchema(type));
    params.push_back(std::move(p));
  }
  for (const QueryParam& q : r.query) {
    Json p = Json::MakeObject();
    p.set("name", Json(q.name));
    p.set("in", Json("query"));
    p.set("required", Json(false));
    p.set("description", Json(q.description));
    Json schema = Json::MakeObject();
    schema.set("type", Json(q.integer ? "integer" : "string"));
    p.set("schema", std::move(schema));
    params.push_back(std::move(p));
  }
  return params;
}

// OpenAPI: the requestBody of a route that takes a body.
Json RequestBody(const Route& r) {
  Json content = Json::MakeObject();
  Json media = Json::MakeObject();
  media.set("schema", Json::MakeObject({{"type", Json("string")}}));
  content.set(!r.request_type.empty() ? r.request_type
              : r.consumer            ? "application/octet-stream"
                                      : "application/json",
              std::move(media));
  return Json::MakeObject({{"content", std::move(content)}});
}

// OpenAPI: a route's responses: 200, 429 (the rate limit that applies to
// it) and the error body of every other status.
Json Responses(const Route& r) {
  Json ok = Json::MakeObject({{"description", Json("success")}});
  Json content = Json::MakeObject();
  content.set(r.response_type, Json::MakeObject());
  ok.set("content", std::move(content));
  Json err = Json::MakeObject(
      {{"description", Json("error: {\"error\":{\"code\",\"category\",\"message\"}}")}});
  Json limited = Json::MakeObject(
      {{"description",
        Json(r.signed_request
                 ? "http.rate_limited: too many signed requests for this key (--rate, --burst)"
                 : "http.rate_limited: too many unsigned requests from this client address "
                   "(--public-rate, --public-burst); Retry-After: 1")}});
  return Json::MakeObject(
      {{"200", std::move(ok)}, {"429", std::move(limited)}, {"default", std::move(err)}});
}

// OpenAPI: the operation object of a route.
Json Operation(const Route& r) {
  Json op = Json::MakeObject();
  op.set("summary", Json(r.summary));
  op.set("operationId", Json(OperationId(r)));
  Json params = Parameters(r);
  if (params.size() > 0) op.set("parameters", std::move(params));
  if (r.max_body > 0) {
    op.set("requestBody", RequestBody(r));
    op.set("x-max-body-bytes", Json(static_cast<uint64_t>(r.max_body)));
  }
  if (r.signed_request) {
    op.set("security", Json::MakeArray({Json::MakeObject({{"rfc9421", Json::MakeArray()}})}));
    Json roles = Json::MakeArray();
    for (ledger::Role role : r.roles) roles.push_back(Json(ledger::RoleName(role)));
    op.set("x-roles", std::move(roles));
  }
  op.set("x-rate-limit", Json(r.signed_request ? "per-key" : "per-address"));
  op.set("responses", Responses(r));
  return op;
}

// OpenAPI: the path of a route pattern; a "{*name}" rest-of-path parameter
// is written "{name}".
std::string OpenApiPath(std::string_view pattern) {
  std::string path;
  for (std::string_view seg : Split(pattern)) {
    path += "/";
    if (IsParam(seg) && ParamType(seg)[0] == '*') {
      path += "{" + std::string(ParamType(seg).substr(1)) + "}";
    } else {
      path += seg;
    }
  }
  return path;
}

// OpenAPI: the components, i.e. the RFC 9421 security scheme that signed
// operations name.
Json Components() {
  Json scheme = Json::MakeObject(
      {{"type", Json("apiKey")},
       {"in", Json("header")},
       {"name", Json("Signature")},
       {"description", Json("RFC 9421 HTTP Message Signature (see docs/api.md)")}});
  return Json::MakeObject(
      {{"securitySchemes", Json::MakeObject({{"rfc9421", std::move(scheme)}})}});
}

}  // namespace

bool IsDigestHex(std::string_view s) { return IsLowerHexOf(s, 64); }

Result<uint64_t> ParseDecimal(std::string_view s, std::string_view what) {
  auto bad = [&] {
    return Status::Invalid("request.bad_number",
                           std::string(what) + " must be a decimal integer without leading zeros");
  };
  if (s.empty() || s.size() > 18 || (s.size() > 1 && s[0] == '0')) return bad();
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return bad();
  return v;
}

void Router::Add(Route r) { routes_.push_back(std::move(r)); }

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  std::vector<std::string_view> segs = Split(path);
  Status param_error;
  for (const Route& r : routes_) {
    // Cheap pre-filter (this runs for every request): the literal part of
    // the pattern before its first parameter must prefix the path, and a
    // pattern without parameters must equal it.
    size_t brace = r.pattern.find('{');
    if (brace == std::string::npos
            ? path != r.pattern
            : !path.starts_with(std::string_view(r.pattern).substr(0, brace))) {
      continue;
    }
    std::vector<std::string_view> pat = Split(r.pattern);
    bool wildcard = !pat.empty() && IsParam(pat.back()) && ParamType(pat.back())[0] == '*';
    if (wildcard ? segs.size() < pat.size() : segs.size() != pat.size()) continue;
    std::vector<std::string> params;
    bool literal_match = true;
    Status perr;
    for (size_t i = 0; i < pat.size(); ++i) {
      if (!IsParam(pat[i])) {
        if (pat[i] != segs[i]) {
          literal_match = false;
          break;
        }
        continue;
      }
      std::string_view type = ParamType(pat[i]);
      if (type[0] == '*') {
        std::string rest;
        for (size_t j = i; j < segs.size(); ++j) {
          if (j > i) rest.push_back('/');
          rest.append(segs[j]);
        }
        params.push_back(std::move(rest));
        break;
      }
      if (perr.ok()) perr = CheckParam(type, segs[i]);
      params.emplace_back(segs[i]);
    }
    if (!literal_match) continue;
    if (r.method != method) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += r.method;
      continue;
    }
    if (!perr.ok()) {
      if (param_error.ok()) param_error = perr;
      continue;
    }
    m.route = &r;
    m.params = std::move(params);
    return m;
  }
  if (!param_error.ok()) {
    m.error = param_error;
  } else if (!m.allow.empty()) {
    m.error = Status(Code::kInvalidArgument, "http.method_not_allowed",
                     std::string(method) + " not allowed; allowed: " + m.allow);
  } else {
    m.error = Status(Code::kNotFound, "http.not_found", "no such endpoint");
  }
  return m;
}

Json Router::OpenApi(std::string_view title, std::string_view version) const {
  std::map<std::string, Json> paths;  // sorted, deterministic
  for (const Route& r : routes_) {
    if (!r.in_openapi) continue;
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string path = OpenApiPath(r.pattern);
    auto it = paths.find(path);
    if (it == paths.end()) it = paths.emplace(path, Json::MakeObject()).first;
    it->second.set(method, Operation(r));
  }
  Json paths_json = Json::MakeObject();
  for (auto& [p, ops] : paths) paths_json.set(p, std::move(ops));
  Json info = Json::MakeObject({{"title", Json(title)}, {"version", Json(version)}});
  return Json::MakeObject({{"openapi", Json("3.0.3")},
                           {"info", std::move(info)},
                           {"paths", std::move(paths_json)},
                           {"components", Components()}});
}

}  // namespace tz::api
