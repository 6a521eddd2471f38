// Status and Result<T>: errors as values, used by every module.
//
// A Status carries a category (Code), a stable machine-readable reason
// ("proof.wrong_length", "blob.corrupt") that tests, the API and scripts may
// depend on, and a human-readable message that they must not.
//
// "The input or evidence is invalid" (kInvalidArgument, kVerificationFailed,
// kCorruption) is deliberately distinct from "we failed" (kIOError, kInternal).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tz {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // malformed input from the caller
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // a conflicting thing exists already
  kVerificationFailed,  // evidence (signature, proof, digest) does not verify
  kCorruption,          // stored data fails its own integrity check
  kPermissionDenied,    // authenticated, but not allowed
  kUnauthenticated,     // no or bad credentials
  kFailedPrecondition,  // state does not allow the operation (e.g. revoked key)
  kResourceExhausted,   // too big, too many, disk full, rate limited
  kIOError,             // the OS or disk failed us
  kUnavailable,         // transient; retry may succeed
  kInternal,            // a bug
};

// Stable lowercase name of a code, e.g. "invalid_argument".
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string reason, std::string message)
      : code_(code), reason_(std::move(reason)), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status Invalid(std::string reason, std::string message) {
    return {Code::kInvalidArgument, std::move(reason), std::move(message)};
  }
  static Status NotFound(std::string reason, std::string message) {
    return {Code::kNotFound, std::move(reason), std::move(message)};
  }
  static Status Verification(std::string reason, std::string message) {
    return {Code::kVerificationFailed, std::move(reason), std::move(message)};
  }
  static Status Corruption(std::string reason, std::string message) {
    return {Code::kCorruption, std::move(reason), std::move(message)};
  }
  static Status IOError(std::string reason, std::string message) {
    return {Code::kIOError, std::move(reason), std::move(message)};
  }
  static Status Internal(std::string reason, std::string message) {
    return {Code::kInternal, std::move(reason), std::move(message)};
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // Stable dotted identifier; empty when ok().
  const std::string& reason() const { return reason_; }
  const std::string& message() const { return message_; }
  // "invalid_argument [hex.odd_length]: hex string has odd length"
  std::string ToString() const;

  // Prefixes the message with context, keeping code and reason.
  Status WithContext(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string reason_;
  std::string message_;
};

// Result<T>: either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tz

// Early-return helpers.
#define TZ_RETURN_IF_ERROR(expr)               \
  do {                                         \
    ::tz::Status tz_status__ = (expr);         \
    if (!tz_status__.ok()) return tz_status__; \
  } while (0)

#define TZ_CONCAT_INNER_(a, b) a##b
#define TZ_CONCAT_(a, b) TZ_CONCAT_INNER_(a, b)
#define TZ_ASSIGN_OR_RETURN(lhs, expr) \
  TZ_ASSIGN_OR_RETURN_IMPL_(TZ_CONCAT_(tz_result__, __LINE__), lhs, expr)
#define TZ_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
