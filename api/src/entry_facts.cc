#include "api/entry_facts.h"

#include "crypto/json.h"

namespace tz::api {
namespace {

// A cursor over JSON text with no whitespace (RFC 8785 output).
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  // A string without escapes; false (caller falls back) otherwise.
  bool PlainString(std::string_view* out) {
    if (!Eat('"')) return false;
    for (size_t b = i_; i_ < s_.size(); ++i_) {
      char c = s_[i_];
      if (c == '\\') return false;
      if (c == '"') {
        *out = s_.substr(b, i_ - b);
        ++i_;
        return true;
      }
    }
    return false;
  }
  bool SkipString() {
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '\\') {
        ++i_;
      } else if (c == '"') {
        return true;
      }
    }
    return false;
  }
  bool SkipValue() {
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '"') return SkipString();
    if (c == '{' || c == '[') {
      int depth = 0;
      while (i_ < s_.size()) {
        char d = s_[i_];
        if (d == '"') {
          if (!SkipString()) return false;
          continue;
        }
        ++i_;
        if (d == '{' || d == '[') {
          ++depth;
        } else if ((d == '}' || d == ']') && --depth == 0) {
          return true;
        }
      }
      return false;
    }
    size_t b = i_;  // number, true, false, null
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']') ++i_;
    return i_ > b;
  }
  // Calls member(key) for each member of an object at the cursor; member
  // must consume the value. False on anything unexpected.
  template <typename F>
  bool Object(F member) {
    if (!Eat('{')) return false;
    if (Eat('}')) return true;
    for (;;) {
      std::string_view key;
      if (!PlainString(&key) || !Eat(':') || !member(key)) return false;
      if (Eat('}')) return true;
      if (!Eat(',')) return false;
    }
  }
  bool AtEnd() const { return i_ == s_.size(); }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

bool FastFacts(std::string_view bytes, std::string_view* key, std::string_view* type) {
  Scanner sc(bytes);
  bool have_key = false, have_type = false;
  bool ok = sc.Object([&](std::string_view k) {
    if (k == "key") return have_key = sc.PlainString(key);
    if (k == "entry") {
      return sc.Object([&](std::string_view ek) {
        if (ek == "type") return have_type = sc.PlainString(type);
        return sc.SkipValue();
      });
    }
    return sc.SkipValue();
  });
  return ok && sc.AtEnd() && have_key && have_type;
}

}  // namespace

Result<EntryFacts> ReadEntryFacts(std::string_view bytes) {
  EntryFacts f;
  std::string_view key, type;
  std::string key_buf;
  if (!FastFacts(bytes, &key, &type)) {
    ParseOptions opts;
    opts.max_bytes = ledger::kMaxEntryBytes;
    opts.max_depth = 16;
    opts.jcs_integers = true;
    TZ_ASSIGN_OR_RETURN(Json env, ParseJson(bytes, opts));
    const Json* k = env.is_object() ? env.find("key") : nullptr;
    const Json* e = env.is_object() ? env.find("entry") : nullptr;
    const Json* t = e != nullptr && e->is_object() ? e->find("type") : nullptr;
    if (k == nullptr || !k->is_string() || t == nullptr || !t->is_string()) {
      return Status::Corruption("ledger.bad_entry", "stored entry lacks key or entry.type");
    }
    key_buf = k->as_string();
    key = key_buf;
    f.type = t->as_string();
  } else {
    f.type = std::string(type);
  }
  TZ_ASSIGN_OR_RETURN(f.key, ledger::KeyIdFromHex(key));
  f.id = ledger::EntryIdOf(AsBytes(bytes));
  return f;
}

}  // namespace tz::api
