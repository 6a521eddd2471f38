// Strict JSON parser and RFC 8785 serializer. See crypto/json.h.
#include "crypto/json.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <utility>

namespace tz {
namespace {

constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

Status SyntaxError(size_t pos, const std::string& what) {
  return Status::Invalid("json.syntax", what + " at byte " + std::to_string(pos));
}

// Appends the UTF-8 encoding of a code point (assumed valid).
void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes one UTF-8 sequence at s[*i]; rejects overlong forms, surrogates and
// code points above U+10FFFF. Advances *i past it.
bool DecodeUtf8(std::string_view s, size_t* i, uint32_t* cp) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(*i);
  int len;
  uint32_t min;
  if (c < 0x80) {
    *cp = c;
    *i += 1;
    return true;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2, *cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, *cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, *cp = c & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (*i + len > s.size()) return false;
  for (int k = 1; k < len; ++k) {
    uint8_t cc = b(*i + k);
    if ((cc & 0xC0) != 0x80) return false;
    *cp = (*cp << 6) | (cc & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return false;
  *i += len;
  return true;
}

bool KeyLess(const std::string& a, const std::string& b);

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& opts) : s_(text), opts_(opts) {}

  // After a successful parse: whether the text is byte for byte the JCS form
  // Json::Canonical() writes (no whitespace, members in KeyLess order,
  // exactly WriteString's escapes; integers are always written canonically
  // since leading zeros, "-0" and fractions are refused).
  bool canonical() const { return !noncanonical_; }

  Result<Json> ParseDocument() {
    if (s_.size() > opts_.max_bytes) {
      return Status(Code::kResourceExhausted, "json.too_large",
                    "JSON document exceeds " + std::to_string(opts_.max_bytes) + " bytes");
    }
    SkipWs();
    Json v;
    TZ_RETURN_IF_ERROR(ParseValue(0, &v));
    SkipWs();
    if (pos_ != s_.size()) return SyntaxError(pos_, "trailing characters");
    return v;
  }

 private:
  void SkipWs() {
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
    if (pos_ != start) noncanonical_ = true;
  }

  bool Consume(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) return false;
    pos_ += lit.size();
    return true;
  }

  Status ParseValue(int depth, Json* out) {
    if (depth > opts_.max_depth) {
      return Status::Invalid("json.too_deep",
                             "nesting deeper than " + std::to_string(opts_.max_depth));
    }
    if (pos_ >= s_.size()) return SyntaxError(pos_, "unexpected end of input");
    char c = s_[pos_];
    switch (c) {
      case '{':
        return ParseObject(depth, out);
      case '[':
        return ParseArray(depth, out);
      case '"': {
        std::string str;
        TZ_RETURN_IF_ERROR(ParseString(&str));
        *out = Json(std::move(str));
        return Status::Ok();
      }
      case 't':
        if (Consume("true")) return *out = Json(true), Status::Ok();
        break;
      case 'f':
        if (Consume("false")) return *out = Json(false), Status::Ok();
        break;
      case 'n':
        if (Consume("null")) return *out = Json(nullptr), Status::Ok();
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(out);
    }
    return SyntaxError(pos_, "unexpected character");
  }

  Status ParseNumber(Json* out) {
    size_t start = pos_;
    bool neg = false;
    if (s_[pos_] == '-') {
      neg = true;
      ++pos_;
    }
    size_t digits_start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    size_t ndigits = pos_ - digits_start;
    if (ndigits == 0) return SyntaxError(start, "malformed number");
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E')) {
      return Status::Invalid("json.float", "non-integer number at byte " + std::to_string(start) +
                                               " (only integers are allowed)");
    }
    if (ndigits > 1 && s_[digits_start] == '0') return SyntaxError(start, "leading zero");
    uint64_t mag = 0;
    for (size_t k = digits_start; k < pos_; ++k) {
      uint64_t d = static_cast<uint64_t>(s_[k] - '0');
      if (mag > (std::numeric_limits<uint64_t>::max() - d) / 10) {
        return Status::Invalid("json.int_range",
                               "integer out of range at byte " + std::to_string(start));
      }
      mag = mag * 10 + d;
    }
    if (neg && mag == 0) return Status::Invalid("json.float", "-0 is not an integer");
    if (neg && mag > uint64_t{1} << 63) {
      return Status::Invalid("json.int_range",
                             "integer out of range at byte " + std::to_string(start));
    }
    if (opts_.jcs_integers && mag > kMaxSafeInteger) {
      return Status::Invalid("json.int_range",
                             "integer beyond +-(2^53-1) at byte " + std::to_string(start));
    }
    if (neg) {
      *out = Json(mag == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min()
                                             : -static_cast<int64_t>(mag));
    } else {
      *out = Json(mag);
    }
    return Status::Ok();
  }

  Status ParseHex4(uint32_t* v) {
    if (pos_ + 4 > s_.size()) return SyntaxError(pos_, "truncated \\u escape");
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      char h = s_[pos_++];
      *v <<= 4;
      if (h >= '0' && h <= '9')
        *v |= h - '0';
      else if (h >= 'a' && h <= 'f')
        *v |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        *v |= h - 'A' + 10;
      else
        return SyntaxError(pos_ - 1, "bad \\u escape");
    }
    return Status::Ok();
  }

  // Decodes a \uXXXX escape (pos_ just after the 'u'; a surrogate pair
  // takes two) and appends it to `out` as UTF-8; notes if it is not the
  // canonical spelling.
  Status ParseUnicodeEscape(std::string* out) {
    uint32_t cp = 0;
    size_t hex = pos_;
    TZ_RETURN_IF_ERROR(ParseHex4(&cp));
    // Canonical only for control characters without a short escape, in
    // lowercase hex.
    if (cp >= 0x20 || cp == '\b' || cp == '\f' || cp == '\n' || cp == '\r' || cp == '\t' ||
        s_.substr(hex, 4) != LowerHex4(cp)) {
      noncanonical_ = true;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return Status::Invalid("json.bad_utf8", "lone low surrogate escape");
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (!Consume("\\u")) return Status::Invalid("json.bad_utf8", "lone high surrogate escape");
      uint32_t lo = 0;
      TZ_RETURN_IF_ERROR(ParseHex4(&lo));
      if (lo < 0xDC00 || lo > 0xDFFF) return Status::Invalid("json.bad_utf8", "bad surrogate pair");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    AppendUtf8(cp, out);
    return Status::Ok();
  }

  Status ParseString(std::string* out) {
    ++pos_;  // opening quote
    while (true) {
      if (pos_ >= s_.size()) return SyntaxError(pos_, "unterminated string");
      uint8_t c = static_cast<uint8_t>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return Status::Ok();
      }
      if (c < 0x20) return SyntaxError(pos_, "control character in string");
      if (c == '\\') {
        if (++pos_ >= s_.size()) return SyntaxError(pos_, "unterminated escape");
        char e = s_[pos_++];
        switch (e) {
          case '"':
            out->push_back('"');
            break;
          case '\\':
            out->push_back('\\');
            break;
          case '/':
            out->push_back('/');
            noncanonical_ = true;  // written raw
            break;
          case 'b':
            out->push_back('\b');
            break;
          case 'f':
            out->push_back('\f');
            break;
          case 'n':
            out->push_back('\n');
            break;
          case 'r':
            out->push_back('\r');
            break;
          case 't':
            out->push_back('\t');
            break;
          case 'u':
            TZ_RETURN_IF_ERROR(ParseUnicodeEscape(out));
            break;
          default:
            return SyntaxError(pos_ - 1, "bad escape");
        }
        continue;
      }
      if (c < 0x80) {
        // A run of plain ASCII is appended at once.
        size_t run = pos_ + 1;
        while (run < s_.size()) {
          uint8_t r = static_cast<uint8_t>(s_[run]);
          if (r < 0x20 || r >= 0x80 || r == '"' || r == '\\') break;
          ++run;
        }
        out->append(s_.substr(pos_, run - pos_));
        pos_ = run;
        continue;
      }
      size_t begin = pos_;
      uint32_t cp;
      if (!DecodeUtf8(s_, &pos_, &cp)) {
        return Status::Invalid("json.bad_utf8", "invalid UTF-8 at byte " + std::to_string(begin));
      }
      out->append(s_.substr(begin, pos_ - begin));
    }
  }

  Status ParseArray(int depth, Json* out) {
    ++pos_;
    Json arr = Json::MakeArray();
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      *out = std::move(arr);
      return Status::Ok();
    }
    while (true) {
      SkipWs();
      Json v;
      TZ_RETURN_IF_ERROR(ParseValue(depth + 1, &v));
      arr.push_back(std::move(v));
      SkipWs();
      if (pos_ >= s_.size()) return SyntaxError(pos_, "unterminated array");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == ']') {
        ++pos_;
        *out = std::move(arr);
        return Status::Ok();
      }
      return SyntaxError(pos_, "expected ',' or ']'");
    }
  }

  Status ParseObject(int depth, Json* out) {
    ++pos_;
    Json obj = Json::MakeObject();
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      *out = std::move(obj);
      return Status::Ok();
    }
    while (true) {
      SkipWs();
      if (pos_ >= s_.size() || s_[pos_] != '"') return SyntaxError(pos_, "expected object key");
      std::string key;
      TZ_RETURN_IF_ERROR(ParseString(&key));
      if (obj.find(key) != nullptr) {
        return Status::Invalid("json.duplicate_key", "duplicate object key \"" + key + "\"");
      }
      const Json::Object& members = std::as_const(obj).as_object();
      if (!members.empty() && !KeyLess(members.back().first, key)) noncanonical_ = true;
      SkipWs();
      if (pos_ >= s_.size() || s_[pos_] != ':') return SyntaxError(pos_, "expected ':'");
      ++pos_;
      SkipWs();
      Json v;
      TZ_RETURN_IF_ERROR(ParseValue(depth + 1, &v));
      obj.as_object().emplace_back(std::move(key), std::move(v));
      SkipWs();
      if (pos_ >= s_.size()) return SyntaxError(pos_, "unterminated object");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == '}') {
        ++pos_;
        *out = std::move(obj);
        return Status::Ok();
      }
      return SyntaxError(pos_, "expected ',' or '}'");
    }
  }

  static std::string LowerHex4(uint32_t cp) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string h(4, '0');
    for (int k = 3; k >= 0; --k, cp >>= 4) h[k] = kHex[cp & 15];
    return h;
  }

  std::string_view s_;
  const ParseOptions& opts_;
  bool noncanonical_ = false;
  size_t pos_ = 0;
};

void WriteString(const std::string& s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Runs that need no escaping are copied at once.
    size_t run = i;
    while (run < s.size()) {
      unsigned char r = static_cast<unsigned char>(s[run]);
      if (r < 0x20 || r == '"' || r == '\\') break;
      ++run;
    }
    out->append(s, i, run - i);
    i = run;
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i++]);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// UTF-16 code units of a (valid) UTF-8 string, for JCS key ordering.
std::u16string Utf16(const std::string& s) {
  std::u16string r;
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp;
    if (!DecodeUtf8(s, &i, &cp)) {  // built in code: fall back to bytes
      r.push_back(static_cast<unsigned char>(s[i++]));
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      r.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      r.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      r.push_back(static_cast<char16_t>(cp));
    }
  }
  return r;
}

// RFC 8785 orders member names by their UTF-16 code units. UTF-8 byte order
// is code point order, which agrees with UTF-16 order except between
// supplementary characters (surrogates in UTF-16) and U+E000..U+FFFF; both
// have a UTF-8 lead byte >= 0xEE, so names without such bytes compare as
// bytes and only the others are converted.
bool KeyLess(const std::string& a, const std::string& b) {
  auto plain = [](const std::string& s) {
    for (unsigned char c : s) {
      if (c >= 0xEE) return false;
    }
    return true;
  };
  if (plain(a) && plain(b)) return a < b;
  return Utf16(a) < Utf16(b);
}

void WriteValue(const Json& v, bool canonical, int indent, std::string* out) {
  auto newline = [&](int level) {
    if (canonical) return;
    out->push_back('\n');
    out->append(static_cast<size_t>(level) * 2, ' ');
  };
  switch (v.type()) {
    case Json::Type::kNull:
      out->append("null");
      break;
    case Json::Type::kBool:
      out->append(v.as_bool() ? "true" : "false");
      break;
    case Json::Type::kInt:
      out->append(v.fits_int64() ? std::to_string(v.as_int64()) : std::to_string(v.as_uint64()));
      break;
    case Json::Type::kString:
      WriteString(v.as_string(), out);
      break;
    case Json::Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) out->push_back(',');
        first = false;
        newline(indent + 1);
        WriteValue(e, canonical, indent + 1, out);
      }
      if (!v.as_array().empty()) newline(indent);
      out->push_back(']');
      break;
    }
    case Json::Type::kObject: {
      std::vector<const std::pair<std::string, Json>*> members;
      for (const auto& m : v.as_object()) members.push_back(&m);
      if (canonical) {
        auto less = [](const auto* a, const auto* b) { return KeyLess(a->first, b->first); };
        // Parsed canonical input is already in order: check before sorting.
        if (!std::is_sorted(members.begin(), members.end(), less)) {
          std::sort(members.begin(), members.end(), less);
        }
      }
      out->push_back('{');
      bool first = true;
      for (auto* m : members) {
        if (!first) out->push_back(',');
        first = false;
        newline(indent + 1);
        WriteString(m->first, out);
        out->append(canonical ? ":" : ": ");
        WriteValue(m->second, canonical, indent + 1, out);
      }
      if (!members.empty()) newline(indent);
      out->push_back('}');
      break;
    }
  }
}

}  // namespace

Json::Json(int64_t v) : type_(Type::kInt), neg_(v < 0) {
  mag_ = v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
}
Json::Json(uint64_t v) : type_(Type::kInt), mag_(v) {}

Json Json::MakeArray(Array a) {
  Json j;
  j.type_ = Type::kArray;
  j.arr_ = std::make_shared<Array>(std::move(a));
  return j;
}

Json Json::MakeObject(Object o) {
  Json j;
  j.type_ = Type::kObject;
  j.obj_ = std::make_shared<Object>(std::move(o));
  return j;
}

bool Json::fits_int64() const {
  return neg_ ? mag_ <= (uint64_t{1} << 63) : mag_ <= static_cast<uint64_t>(INT64_MAX);
}

int64_t Json::as_int64() const {
  if (!neg_) return static_cast<int64_t>(mag_);
  if (mag_ == (uint64_t{1} << 63)) return std::numeric_limits<int64_t>::min();
  return -static_cast<int64_t>(mag_);
}

void Json::Detach() {
  // Copy-on-write: copies of a Json share containers until one is mutated.
  if (arr_ && arr_.use_count() > 1) arr_ = std::make_shared<Array>(*arr_);
  if (obj_ && obj_.use_count() > 1) obj_ = std::make_shared<Object>(*obj_);
}

Json::Array& Json::as_array() {
  Detach();
  return *arr_;
}

Json::Object& Json::as_object() {
  Detach();
  return *obj_;
}

const Json* Json::find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  for (const auto& [k, v] : *obj_) {
    if (k == key) return &v;
  }
  return nullptr;
}

Json& Json::set(std::string key, Json value) {
  if (type_ != Type::kObject) *this = MakeObject();
  Detach();
  for (auto& [k, v] : *obj_) {
    if (k == key) return v = std::move(value);
  }
  obj_->emplace_back(std::move(key), std::move(value));
  return obj_->back().second;
}

void Json::push_back(Json value) {
  if (type_ != Type::kArray) *this = MakeArray();
  Detach();
  arr_->push_back(std::move(value));
}

size_t Json::size() const {
  if (type_ == Type::kArray) return arr_->size();
  if (type_ == Type::kObject) return obj_->size();
  return 0;
}

bool Json::operator==(const Json& o) const {
  if (type_ != o.type_) return false;
  switch (type_) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return bool_ == o.bool_;
    case Type::kInt:
      return neg_ == o.neg_ && mag_ == o.mag_;
    case Type::kString:
      return str_ == o.str_;
    case Type::kArray:
      return *arr_ == *o.arr_;
    case Type::kObject:
      return Canonical() == o.Canonical();
  }
  return false;
}

std::string Json::Canonical() const {
  std::string out;
  WriteValue(*this, true, 0, &out);
  return out;
}

std::string Json::Pretty() const {
  std::string out;
  WriteValue(*this, false, 0, &out);
  return out;
}

Result<Json> ParseJson(std::string_view text, const ParseOptions& opts) {
  return Parser(text, opts).ParseDocument();
}

Result<Json> ParseJson(std::string_view text, const ParseOptions& opts, bool* canonical) {
  Parser p(text, opts);
  TZ_ASSIGN_OR_RETURN(Json j, p.ParseDocument());
  *canonical = p.canonical();
  return j;
}

Result<Json> ParseCanonicalJson(std::string_view text, size_t max_bytes) {
  ParseOptions opts;
  opts.max_bytes = max_bytes;
  opts.jcs_integers = true;
  bool canonical = false;
  TZ_ASSIGN_OR_RETURN(Json j, ParseJson(text, opts, &canonical));
  if (!canonical) {
    return Status::Invalid("json.not_canonical",
                           "JSON is not in RFC 8785 canonical form (key order, whitespace or "
                           "escaping differs)");
  }
  return j;
}

namespace {
Result<const Json*> Field(const Json& obj, std::string_view key) {
  const Json* v = obj.find(key);
  if (v == nullptr) {
    return Status::Invalid("json.missing_field", "missing field \"" + std::string(key) + "\"");
  }
  return v;
}
Status WrongType(std::string_view key, const char* want) {
  return Status::Invalid("json.wrong_type", "field \"" + std::string(key) + "\" must be " + want);
}
}  // namespace

Result<std::string> GetString(const Json& obj, std::string_view key) {
  TZ_ASSIGN_OR_RETURN(const Json* v, Field(obj, key));
  if (!v->is_string()) return WrongType(key, "a string");
  return v->as_string();
}

Result<int64_t> GetInt(const Json& obj, std::string_view key) {
  TZ_ASSIGN_OR_RETURN(const Json* v, Field(obj, key));
  if (!v->is_int() || !v->fits_int64()) return WrongType(key, "an integer");
  return v->as_int64();
}

Result<bool> GetBool(const Json& obj, std::string_view key) {
  TZ_ASSIGN_OR_RETURN(const Json* v, Field(obj, key));
  if (!v->is_bool()) return WrongType(key, "a boolean");
  return v->as_bool();
}

Status CheckKeys(const Json& obj, std::initializer_list<std::string_view> allowed) {
  if (!obj.is_object()) return Status::Invalid("json.wrong_type", "expected a JSON object");
  for (const auto& [k, v] : obj.as_object()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return Status::Invalid("json.unknown_field", "unknown field \"" + k + "\"");
    }
  }
  return Status::Ok();
}

}  // namespace tz
