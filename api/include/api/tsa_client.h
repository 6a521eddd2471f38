// HTTP transport for an external RFC 3161 time-stamp authority (RFC 3161
// §3.4): POST a DER TimeStampReq as application/timestamp-query, read the
// DER TimeStampResp. Used by the node's external stamper (node/timestamps.h
// TsaPost); the reply is verified there (nonce, imprint, chain), so the
// transport only moves bytes.
#pragma once

#include <chrono>
#include <string>

#include "crypto/status.h"

namespace tz::api {

// url: "http://host[:port][/path]" (host may be "[v6]"). Plain HTTP only:
// tokens are signed, so TLS adds no integrity (docs/timestamp.md).
// Reasons: "tsa.bad_url" (kInvalidArgument), "tsa.unreachable" (connect,
// write, read or timeout; kUnavailable), "tsa.http_status" (not 200;
// kUnavailable), "tsa.reply_too_large" (over 1 MiB; kUnavailable).
Result<std::string> PostTimeStampQuery(const std::string& url, const std::string& body,
                                       std::chrono::milliseconds timeout);

}  // namespace tz::api
