// RFC 9421 HTTP Message Signatures as Tiezheng uses them (docs/api.md,
// "Authentication"): the client side (SignRequest) and the pieces the server
// shares with it (signature base, Content-Digest, header parsing).
//
// A signed request carries three headers:
//
//   Content-Digest: sha-256=:<base64 SHA-256 of the body>:          (RFC 9530)
//   Signature-Input: tz=("@method" "@path" "@query" "content-digest");
//                    created=<unix s>;nonce="<16-64 chars>";keyid="<32 hex>";alg="ed25519"
//   Signature: tz=:<base64 64-byte signature>:
//
// The signature covers the RFC 9421 §2.5 signature base:
//
//   "@method": PUT
//   "@path": /v1/blobs/<sha256>
//   "@query": ?                       ("?" + raw query, or "?" when none)
//   "content-digest": sha-256=:...:
//   "@signature-params": ("@method" "@path" "@query" "content-digest");created=...;...
//
// lines joined by "\n", no trailing newline. "@path" is the request target's
// path exactly as sent (still percent-encoded); "@query" likewise. alg is
// "ed25519" for the intl suite and "sm2" for the gm suite.
//
// A request that says why it reads personal data also covers those header
// fields, in this order, after "content-digest" (RFC 9421 §2.1: the field
// value with surrounding whitespace removed; the field must occur once):
//
//   Signature-Input: tz=("@method" "@path" "@query" "content-digest"
//                        "x-tz-reason" "x-tz-purpose");created=...
//   ...
//   "content-digest": sha-256=:...:
//   "x-tz-reason": annual audit 2026
//   "x-tz-purpose": audit
//   "@signature-params": (...)
//
// Either may be left out when the request does not carry it; the server
// refuses a signed request that carries one of them uncovered
// (auth.uncovered_header), so a proxy cannot rewrite why a file was read.
//
// This header has no Boost or httplib dependency; the CLI client links tz_api
// and uses it with any HTTP library:
//
//   auto h = tz::api::SignRequest(key_id, secret, "PUT", "/v1/blobs/" + hex, body);
//   headers.emplace("Content-Digest", h->content_digest);
//   headers.emplace("Signature-Input", h->signature_input);
//   headers.emplace("Signature", h->signature);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/hash.h"
#include "crypto/sign.h"
#include "crypto/status.h"
#include "ledger/types.h"

namespace tz::api {

inline constexpr std::string_view kSignatureLabel = "tz";
// The components every signature covers, without the list's parentheses.
inline constexpr std::string_view kCoveredComponents =
    R"("@method" "@path" "@query" "content-digest")";
// Header fields a signature may cover after them, in this order; a signed
// request that carries one must cover it.
inline constexpr std::string_view kCoverableHeaders[] = {"x-tz-reason", "x-tz-purpose"};
inline constexpr int64_t kMaxClockSkewSeconds = 300;
inline constexpr size_t kMinNonceLength = 16;
inline constexpr size_t kMaxNonceLength = 64;

// A header field the signature covers: lower-case name, value as sent.
struct CoveredHeader {
  std::string name;
  std::string value;
};

// The three header values to add to a request.
struct SignatureHeaders {
  std::string content_digest;   // "Content-Digest"
  std::string signature_input;  // "Signature-Input"
  std::string signature;        // "Signature"
};

// "sha-256=:<base64>:" for a body.
std::string ContentDigestOf(std::string_view body);
// The same header for a body whose SHA-256 is already known (a blob upload:
// the body's digest is the one in the path), so a 1 GiB file is not hashed twice.
std::string ContentDigestFromSha256(const Digest& sha256);

// Signs a request. target is the request target as it will be sent:
// path plus optional "?query" (e.g. "/v1/households/ab..?x=1"). created is
// unix seconds (0 = now); nonce empty = 24 random base64url characters.
// `covered`: header fields (of kCoverableHeaders, in that order) the
// signature also covers; the caller sends them with these exact values.
// The algorithm comes from the secret key. Reasons: "key.bad_length" from
// the signer; "auth.malformed" for a nonce outside 16..64 chars of
// [A-Za-z0-9_-], a target not starting with '/', or a covered header not
// in kCoverableHeaders order.
Result<SignatureHeaders> SignRequest(const ledger::KeyId& key, const SecretKey& sk,
                                     std::string_view method, std::string_view target,
                                     std::string_view body, int64_t created = 0,
                                     std::string nonce = "",
                                     const std::vector<CoveredHeader>& covered = {});
// As SignRequest, with the Content-Digest header value given (see
// ContentDigestFromSha256) instead of the body.
Result<SignatureHeaders> SignRequestWithDigest(const ledger::KeyId& key, const SecretKey& sk,
                                               std::string_view method, std::string_view target,
                                               std::string content_digest, int64_t created = 0,
                                               std::string nonce = "",
                                               const std::vector<CoveredHeader>& covered = {});

// ---- Shared with the server ----

// The parsed "tz" member of Signature-Input.
struct SignatureParams {
  std::string raw;  // the member value after "tz=", as signed in @signature-params
  std::vector<std::string> covered_headers;  // of kCoverableHeaders, in order
  int64_t created = 0;
  std::string nonce;
  std::string keyid;  // 32 lowercase hex
  std::string alg;    // "ed25519" or "sm2"
};

// Parses a Signature-Input header. Requires the "tz" label, exactly the
// covered components above (optionally followed by kCoverableHeaders, in
// order), and created/nonce/keyid/alg parameters (any order, no others).
// Reason "auth.malformed".
Result<SignatureParams> ParseSignatureInput(std::string_view header);
// Parses a Signature header ("tz=:<base64>:"). Reason "auth.malformed".
Result<Signature> ParseSignatureHeader(std::string_view header);
// Parses "sha-256=:<base64 32 bytes>:". Reason "auth.malformed".
Result<Digest> ParseContentDigest(std::string_view header);

// The RFC 9421 signature base for the covered components above and the
// covered header fields (values trimmed of surrounding whitespace).
std::string SignatureBase(std::string_view method, std::string_view path, std::string_view query,
                          std::string_view content_digest,
                          const std::vector<CoveredHeader>& headers, std::string_view params_raw);

// Splits a request target into path and "@query" ("?" + query, "?" if none).
void SplitTarget(std::string_view target, std::string_view* path, std::string* query);

}  // namespace tz::api
