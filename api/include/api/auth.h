// Server-side RFC 9421 verification (see request_signer.h for the format),
// replay protection, clock-skew window and per-key rate limits.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/http.h"
#include "crypto/status.h"
#include "crypto/thread_annotations.h"
#include "ledger/state.h"
#include "ledger/types.h"

namespace tz::api {

struct AuthOptions {
  int64_t max_skew_seconds = 300;
  double rate_per_second = 50;  // per key
  double burst = 100;
  size_t max_nonces = 1 << 20;  // remembered at once; beyond: auth.busy (503)
};

// Looks a key up in the ledger state: nullopt when unknown.
using KeyLookup = std::function<Result<std::optional<ledger::KeyRecord>>(const ledger::KeyId&)>;

// Thread-safe.
class Authenticator {
 public:
  Authenticator(KeyLookup lookup, AuthOptions options)
      : lookup_(std::move(lookup)), options_(options) {}

  // Checks the Signature-Input, Signature and Content-Digest headers of req
  // (the body is checked separately: CheckBody). now_s is Unix seconds.
  // Reasons (docs/api.md): auth.missing, auth.malformed, auth.expired,
  // auth.unknown_key, auth.revoked_key, auth.bad_signature, auth.replayed,
  // http.rate_limited, auth.forbidden (roles), auth.busy.
  Result<Caller> Verify(const Request& req, const std::vector<ledger::Role>& roles, int64_t now_s)
      TZ_EXCLUDES(mu_);

  // auth.digest_mismatch unless sha256(body) matches the Content-Digest.
  static Status CheckBody(const Request& req, const Digest& body_sha256);

 private:
  // auth.replayed if any key used `nonce` within the window.
  Status CheckNonce(const std::string& nonce, int64_t now_s) TZ_EXCLUDES(mu_);
  Status TakeToken(const std::string& keyid, int64_t now_ms) TZ_EXCLUDES(mu_);

  KeyLookup lookup_;
  AuthOptions options_;
  tz::Mutex mu_;
  // nonce -> expiry (s).
  std::unordered_map<std::string, int64_t> nonces_ TZ_GUARDED_BY(mu_);
  std::deque<std::pair<int64_t, std::string>> nonce_order_ TZ_GUARDED_BY(mu_);  // expiry order
  struct Bucket {
    double tokens;
    int64_t last_ms;
  };
  std::unordered_map<std::string, Bucket> buckets_ TZ_GUARDED_BY(mu_);
};

}  // namespace tz::api
