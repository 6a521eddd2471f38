// RFC 9421 signing helpers shared by the CLI client and the server.
#include "api/request_signer.h"

#include <chrono>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tz::api {
namespace {

Status Malformed(std::string msg) {
  return Status(Code::kUnauthenticated, "auth.malformed", std::move(msg));
}

bool IsNonceChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool ValidNonce(std::string_view n) {
  if (n.size() < kMinNonceLength || n.size() > kMaxNonceLength) return false;
  for (char c : n)
    if (!IsNonceChar(c)) return false;
  return true;
}

std::string RandomNonce() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  Bytes r = RandomBytes(24);
  std::string out;
  for (uint8_t b : r) out.push_back(kAlphabet[b & 63]);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses `label=:<base64>:` and returns the decoded bytes.
Result<Bytes> ParseByteSequence(std::string_view header, std::string_view label) {
  header = Trim(header);
  if (header.size() < label.size() + 3 || header.substr(0, label.size()) != label ||
      header[label.size()] != '=' || header[label.size() + 1] != ':' || header.back() != ':') {
    return Malformed("expected " + std::string(label) + "=:<base64>:");
  }
  std::string_view b64 = header.substr(label.size() + 2, header.size() - label.size() - 3);
  auto bytes = Base64Decode(b64);
  if (!bytes.ok()) return Malformed("bad base64 in " + std::string(label));
  return std::move(bytes).value();
}

}  // namespace

std::string ContentDigestFromSha256(const Digest& sha256) {
  return "sha-256=:" + Base64Encode(sha256.span()) + ":";
}

std::string ContentDigestOf(std::string_view body) { return ContentDigestFromSha256(Sha256(body)); }

void SplitTarget(std::string_view target, std::string_view* path, std::string* query) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) {
    *path = target;
    *query = "?";
  } else {
    *path = target.substr(0, q);
    *query = std::string(target.substr(q));
  }
}

std::string SignatureBase(std::string_view method, std::string_view path, std::string_view query,
                          std::string_view content_digest,
                          const std::vector<CoveredHeader>& headers, std::string_view params_raw) {
  std::string b;
  b.reserve(200 + path.size() + query.size() + params_raw.size());
  b.append("\"@method\": ").append(method).append("\n");
  b.append("\"@path\": ").append(path).append("\n");
  b.append("\"@query\": ").append(query).append("\n");
  b.append("\"content-digest\": ").append(content_digest).append("\n");
  for (const CoveredHeader& h : headers) {
    b.append("\"").append(h.name).append("\": ").append(Trim(h.value)).append("\n");
  }
  b.append("\"@signature-params\": ").append(params_raw);
  return b;
}

namespace {

std::string ComponentList(const std::vector<CoveredHeader>& headers) {
  std::string list = "(" + std::string(kCoveredComponents);
  for (const CoveredHeader& h : headers) list += " \"" + h.name + "\"";
  return list + ")";
}

// True if `headers` names coverable headers only, each once, in order.
bool InCoverableOrder(const std::vector<CoveredHeader>& headers) {
  size_t next = 0;
  for (const CoveredHeader& h : headers) {
    while (next < std::size(kCoverableHeaders) && kCoverableHeaders[next] != h.name) ++next;
    if (next == std::size(kCoverableHeaders)) return false;
    ++next;
  }
  return true;
}

}  // namespace

Result<SignatureHeaders> SignRequestWithDigest(const ledger::KeyId& key, const SecretKey& sk,
                                               std::string_view method, std::string_view target,
                                               std::string content_digest, int64_t created,
                                               std::string nonce,
                                               const std::vector<CoveredHeader>& covered) {
  if (target.empty() || target.front() != '/') return Malformed("target must start with '/'");
  if (!InCoverableOrder(covered)) {
    return Malformed("covered headers must be among x-tz-reason, x-tz-purpose, in that order");
  }
  if (nonce.empty()) nonce = RandomNonce();
  if (!ValidNonce(nonce)) return Malformed("nonce must be 16-64 chars of [A-Za-z0-9_-]");
  if (created == 0) {
    created = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  }
  std::string params = ComponentList(covered) + ";created=" + std::to_string(created) +
                       ";nonce=\"" + nonce + "\";keyid=\"" + ledger::ToHex(key) + "\";alg=\"" +
                       std::string(SignatureName(sk.algorithm())) + "\"";
  std::string_view path;
  std::string query;
  SplitTarget(target, &path, &query);
  std::string base = SignatureBase(method, path, query, content_digest, covered, params);
  TZ_ASSIGN_OR_RETURN(Signature sig, Sign(sk, AsBytes(base)));
  SignatureHeaders h;
  h.content_digest = std::move(content_digest);
  h.signature_input = std::string(kSignatureLabel) + "=" + params;
  h.signature = std::string(kSignatureLabel) + "=:" + Base64Encode(sig.span()) + ":";
  return h;
}

Result<SignatureHeaders> SignRequest(const ledger::KeyId& key, const SecretKey& sk,
                                     std::string_view method, std::string_view target,
                                     std::string_view body, int64_t created, std::string nonce,
                                     const std::vector<CoveredHeader>& covered) {
  return SignRequestWithDigest(key, sk, method, target, ContentDigestOf(body), created,
                               std::move(nonce), covered);
}

namespace {

// Parses the inner list of covered components: kCoveredComponents, then
// coverable header names in order, then ')'. Returns the rest of `rest`.
Result<std::string_view> ParseComponentList(std::string_view rest,
                                            std::vector<std::string>* headers) {
  std::string want = "(" + std::string(kCoveredComponents);
  if (rest.substr(0, want.size()) != want) {
    return Malformed("covered components must start with (" + std::string(kCoveredComponents));
  }
  rest.remove_prefix(want.size());
  size_t next = 0;
  while (!rest.empty() && rest.front() == ' ') {
    bool found = false;
    for (; next < std::size(kCoverableHeaders); ++next) {
      std::string item = " \"" + std::string(kCoverableHeaders[next]) + "\"";
      if (rest.substr(0, item.size()) == item) {
        headers->emplace_back(kCoverableHeaders[next]);
        rest.remove_prefix(item.size());
        found = true;
        ++next;
        break;
      }
    }
    if (!found) {
      return Malformed("only x-tz-reason and x-tz-purpose, in that order, may follow " +
                       std::string(kCoveredComponents));
    }
  }
  if (rest.empty() || rest.front() != ')') return Malformed("unterminated component list");
  rest.remove_prefix(1);
  return rest;
}

}  // namespace

Result<SignatureParams> ParseSignatureInput(std::string_view header) {
  header = Trim(header);
  std::string prefix = std::string(kSignatureLabel) + "=";
  if (header.substr(0, prefix.size()) != prefix) return Malformed("no \"tz\" signature");
  SignatureParams p;
  p.raw = std::string(header.substr(prefix.size()));
  TZ_ASSIGN_OR_RETURN(std::string_view rest, ParseComponentList(p.raw, &p.covered_headers));
  bool have_created = false;
  while (!rest.empty()) {
    if (rest.front() != ';') return Malformed("expected ';' between parameters");
    rest.remove_prefix(1);
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos) return Malformed("parameter without value");
    std::string_view name = rest.substr(0, eq);
    rest.remove_prefix(eq + 1);
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      size_t end = rest.find('"', 1);
      if (end == std::string_view::npos) return Malformed("unterminated string parameter");
      value = std::string(rest.substr(1, end - 1));
      if (value.find('\\') != std::string::npos) return Malformed("escapes not allowed");
      rest.remove_prefix(end + 1);
    } else {
      size_t end = rest.find(';');
      value = std::string(rest.substr(0, end));
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }
    auto dup = [&](bool seen) { return seen ? Malformed("duplicate parameter") : Status(); };
    if (name == "created") {
      TZ_RETURN_IF_ERROR(dup(have_created));
      if (value.empty() || value.size() > 12) return Malformed("bad created");
      int64_t v = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return Malformed("bad created");
        v = v * 10 + (c - '0');
      }
      p.created = v;
      have_created = true;
    } else if (name == "nonce") {
      TZ_RETURN_IF_ERROR(dup(!p.nonce.empty()));
      if (!ValidNonce(value)) return Malformed("nonce must be 16-64 chars of [A-Za-z0-9_-]");
      p.nonce = value;
    } else if (name == "keyid") {
      TZ_RETURN_IF_ERROR(dup(!p.keyid.empty()));
      if (!ledger::IsLowerHex(value, 32)) return Malformed("keyid must be 32 lowercase hex");
      p.keyid = value;
    } else if (name == "alg") {
      TZ_RETURN_IF_ERROR(dup(!p.alg.empty()));
      if (value != "ed25519" && value != "sm2") return Malformed("alg must be ed25519 or sm2");
      p.alg = value;
    } else {
      return Malformed("unknown signature parameter '" + std::string(name) + "'");
    }
  }
  if (!have_created || p.nonce.empty() || p.keyid.empty() || p.alg.empty()) {
    return Malformed("created, nonce, keyid and alg are required");
  }
  return p;
}

Result<Signature> ParseSignatureHeader(std::string_view header) {
  TZ_ASSIGN_OR_RETURN(Bytes b, ParseByteSequence(header, kSignatureLabel));
  Signature sig;
  if (!Signature::FromSpan(b, &sig)) return Malformed("signature must be 64 bytes");
  return sig;
}

Result<Digest> ParseContentDigest(std::string_view header) {
  TZ_ASSIGN_OR_RETURN(Bytes b, ParseByteSequence(header, "sha-256"));
  Digest d;
  if (!Digest::FromSpan(b, &d)) return Malformed("sha-256 digest must be 32 bytes");
  return d;
}

}  // namespace tz::api
