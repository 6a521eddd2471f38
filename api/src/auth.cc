// RFC 9421 verification, nonce cache and token buckets.
#include "api/auth.h"

#include <algorithm>
#include <chrono>

#include "api/request_signer.h"

namespace tz::api {
namespace {

Status Unauth(std::string reason, std::string msg) {
  return Status(Code::kUnauthenticated, std::move(reason), std::move(msg));
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The values of the header fields the signature covers. Each must occur
// exactly once; a coverable field the request carries but the signature
// does not cover is refused, so what a reader states about a read is what
// the reader signed.
Result<std::vector<CoveredHeader>> CoveredHeaders(const Request& req,
                                                  const SignatureParams& params) {
  std::vector<CoveredHeader> out;
  for (std::string_view name : kCoverableHeaders) {
    size_t count = 0;
    const std::string* value = nullptr;
    for (const auto& [k, v] : req.headers) {
      if (k == name) {
        ++count;
        value = &v;
      }
    }
    bool covered = std::find(params.covered_headers.begin(), params.covered_headers.end(), name) !=
                   params.covered_headers.end();
    if (count > 1) {
      return Unauth("auth.malformed", "header " + std::string(name) + " given more than once");
    }
    if (covered && count == 0) {
      return Unauth("auth.malformed", "covered header " + std::string(name) + " is missing");
    }
    if (!covered && count == 1) {
      return Unauth("auth.uncovered_header",
                    "the signature must cover " + std::string(name) + " (docs/api.md)");
    }
    if (covered) out.push_back({std::string(name), *value});
  }
  return out;
}

}  // namespace

Result<Caller> Authenticator::Verify(const Request& req, const std::vector<ledger::Role>& roles,
                                     int64_t now_s) {
  const std::string* input = req.header("signature-input");
  const std::string* sig_header = req.header("signature");
  const std::string* digest_header = req.header("content-digest");
  if (input == nullptr || sig_header == nullptr || digest_header == nullptr) {
    return Unauth("auth.missing",
                  "this endpoint needs Signature-Input, Signature and Content-Digest headers");
  }
  TZ_ASSIGN_OR_RETURN(SignatureParams params, ParseSignatureInput(*input));
  TZ_ASSIGN_OR_RETURN(Signature sig, ParseSignatureHeader(*sig_header));
  TZ_RETURN_IF_ERROR(ParseContentDigest(*digest_header).status());
  if (params.created > now_s + options_.max_skew_seconds ||
      params.created < now_s - options_.max_skew_seconds) {
    return Unauth("auth.expired", "signature 'created' is more than " +
                                      std::to_string(options_.max_skew_seconds) +
                                      " s from the node's clock");
  }
  auto key_id = ledger::KeyIdFromHex(params.keyid);
  if (!key_id.ok()) return Unauth("auth.malformed", "bad keyid");
  TZ_ASSIGN_OR_RETURN(std::optional<ledger::KeyRecord> rec, lookup_(*key_id));
  if (!rec) return Unauth("auth.unknown_key", "key " + params.keyid + " is not registered");
  if (rec->revoked) return Unauth("auth.revoked_key", "key " + params.keyid + " is revoked");
  if (SignatureName(rec->public_key.algorithm()) != params.alg) {
    return Unauth("auth.bad_signature", "alg does not match the registered key");
  }
  TZ_ASSIGN_OR_RETURN(std::vector<CoveredHeader> covered, CoveredHeaders(req, params));
  std::string base =
      SignatureBase(req.method, req.path, "?" + req.query, *digest_header, covered, params.raw);
  if (!tz::Verify(rec->public_key, AsBytes(base), sig).ok()) {
    return Unauth("auth.bad_signature", "the request signature does not verify");
  }
  TZ_RETURN_IF_ERROR(TakeToken(params.keyid, NowMs()));
  TZ_RETURN_IF_ERROR(CheckNonce(params.nonce, now_s));
  if (!roles.empty()) {
    bool allowed =
        std::any_of(roles.begin(), roles.end(), [&](ledger::Role r) { return rec->HasRole(r); });
    if (!allowed) {
      return Status(Code::kPermissionDenied, "auth.forbidden",
                    "the key's roles do not allow this operation");
    }
  }
  return Caller{*key_id, std::move(*rec)};
}

Status Authenticator::CheckBody(const Request& req, const Digest& body_sha256) {
  const std::string* h = req.header("content-digest");
  if (h == nullptr) return Unauth("auth.missing", "no Content-Digest");
  TZ_ASSIGN_OR_RETURN(Digest d, ParseContentDigest(*h));
  if (!(d == body_sha256)) {
    return Status::Invalid("auth.digest_mismatch", "the body does not match Content-Digest");
  }
  return Status::Ok();
}

Status Authenticator::CheckNonce(const std::string& nonce, int64_t now_s) {
  tz::MutexLock lock(mu_);
  while (!nonce_order_.empty() && nonce_order_.front().first < now_s) {
    nonces_.erase(nonce_order_.front().second);
    nonce_order_.pop_front();
  }
  if (nonces_.size() >= options_.max_nonces) {
    return Status(Code::kUnavailable, "auth.busy", "too many signed requests in flight");
  }
  // One space for all keys (docs/api.md: "a nonce seen before, by any
  // key"): a nonce one key used is refused for every other key too.
  std::string k = nonce;
  // A nonce must be remembered for as long as a request carrying it could
  // still pass the created-window check.
  int64_t expiry = now_s + 2 * options_.max_skew_seconds + 1;
  auto [it, inserted] = nonces_.emplace(k, expiry);
  if (!inserted) return Unauth("auth.replayed", "this request's nonce was used before");
  nonce_order_.emplace_back(expiry, std::move(k));
  return Status::Ok();
}

Status Authenticator::TakeToken(const std::string& keyid, int64_t now_ms) {
  tz::MutexLock lock(mu_);
  auto [it, inserted] = buckets_.emplace(keyid, Bucket{options_.burst, now_ms});
  Bucket& b = it->second;
  b.tokens = std::min(options_.burst, b.tokens + static_cast<double>(now_ms - b.last_ms) *
                                                     options_.rate_per_second / 1000.0);
  b.last_ms = now_ms;
  if (b.tokens < 1.0) {
    return Status(Code::kResourceExhausted, "http.rate_limited",
                  "too many signed requests for this key; slow down");
  }
  b.tokens -= 1.0;
  return Status::Ok();
}

}  // namespace tz::api
