// A strict JSON value, parser and RFC 8785 (JCS) canonical serializer.
//
// The parser accepts only I-JSON (RFC 7493): UTF-8, no duplicate object
// keys, no lone surrogates. Numbers must be integers (no fraction, no
// exponent, no "-0"); with ParseOptions::jcs_integers they must also lie in
// [-(2^53-1), 2^53-1] so every JCS implementation reads them identically.
// Errors carry reasons "json.syntax", "json.float", "json.duplicate_key",
// "json.bad_utf8", "json.too_deep", "json.too_large", "json.int_range".
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/status.h"

namespace tz {

class Json {
 public:
  enum class Type { kNull, kBool, kInt, kString, kArray, kObject };
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;  // insertion order

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool b) : type_(Type::kBool), bool_(b) {}
  Json(int v) : Json(static_cast<int64_t>(v)) {}
  Json(int64_t v);
  Json(uint64_t v);
  Json(const char* s) : type_(Type::kString), str_(s) {}
  Json(std::string s) : type_(Type::kString), str_(std::move(s)) {}
  Json(std::string_view s) : type_(Type::kString), str_(s) {}
  static Json MakeArray(Array a = {});
  static Json MakeObject(Object o = {});

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_int() const { return type_ == Type::kInt; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  bool as_bool() const { return bool_; }
  // Integer accessors; fits_* say whether the value is representable.
  bool fits_int64() const;
  bool fits_uint64() const { return !neg_; }
  int64_t as_int64() const;
  uint64_t as_uint64() const { return neg_ ? 0 : mag_; }
  const std::string& as_string() const { return str_; }
  // Requires is_array() / is_object(). Mutable access unshares the container.
  const Array& as_array() const { return *arr_; }
  Array& as_array();
  const Object& as_object() const { return *obj_; }
  Object& as_object();

  // Object access. find() returns nullptr when absent or not an object.
  const Json* find(std::string_view key) const;
  // Sets (replacing an existing key) on an object.
  Json& set(std::string key, Json value);
  // Appends to an array.
  void push_back(Json value);
  size_t size() const;

  bool operator==(const Json& o) const;

  // RFC 8785 canonical form: keys sorted by UTF-16 code units, no whitespace,
  // minimal string escaping.
  std::string Canonical() const;
  // Human-readable, two-space indented (for CLI output); not canonical.
  std::string Pretty() const;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  bool neg_ = false;
  uint64_t mag_ = 0;
  std::string str_;
  std::shared_ptr<Array> arr_;  // shared_ptr keeps Json copyable and cheap to move
  std::shared_ptr<Object> obj_;
  void Detach();
};

struct ParseOptions {
  size_t max_bytes = 16 * 1024 * 1024;
  int max_depth = 64;
  bool jcs_integers = false;  // restrict integers to +-(2^53-1)
};

Result<Json> ParseJson(std::string_view text, const ParseOptions& opts = {});
// As above; on success *canonical says whether text is byte for byte its own
// JCS form (text == result.Canonical(), found while parsing, without
// writing the canonical form).
Result<Json> ParseJson(std::string_view text, const ParseOptions& opts, bool* canonical);

// Parses and checks that text is byte-for-byte its own JCS form
// (reason "json.not_canonical" otherwise).
Result<Json> ParseCanonicalJson(std::string_view text, size_t max_bytes = 1 << 20);

// Typed field helpers for validating objects; reasons "json.missing_field",
// "json.wrong_type".
Result<std::string> GetString(const Json& obj, std::string_view key);
Result<int64_t> GetInt(const Json& obj, std::string_view key);
Result<bool> GetBool(const Json& obj, std::string_view key);
// Rejects any key not in `allowed` (reason "json.unknown_field").
Status CheckKeys(const Json& obj, std::initializer_list<std::string_view> allowed);

}  // namespace tz
