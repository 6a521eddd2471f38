#include "crypto/json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>

namespace tz {
namespace {

std::string Reason(const Result<Json>& r) { return r.ok() ? "ok" : r.status().reason(); }

TEST(JsonTest, ParsesScalarsAndContainers) {
  auto r = ParseJson(R"( {"a": [1, -2, true, false, null, "x"], "b": {}} )");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Json& j = *r;
  ASSERT_TRUE(j.is_object());
  const Json* a = j.find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->size(), 6u);
  EXPECT_EQ(a->as_array()[1].as_int64(), -2);
  EXPECT_TRUE(a->as_array()[2].as_bool());
  EXPECT_TRUE(a->as_array()[4].is_null());
  EXPECT_EQ(a->as_array()[5].as_string(), "x");
  EXPECT_EQ(j.find("missing"), nullptr);
}

TEST(JsonTest, Uint64Range) {
  auto r = ParseJson("18446744073709551615");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->as_uint64(), UINT64_MAX);
  EXPECT_FALSE(r->fits_int64());
  EXPECT_EQ(Reason(ParseJson("18446744073709551616")), "json.int_range");
  EXPECT_EQ(ParseJson("-9223372036854775808")->as_int64(), INT64_MIN);
  EXPECT_EQ(Reason(ParseJson("-9223372036854775809")), "json.int_range");
}

TEST(JsonTest, RejectsFloatsAndBadNumbers) {
  EXPECT_EQ(Reason(ParseJson("1.5")), "json.float");
  EXPECT_EQ(Reason(ParseJson("1e3")), "json.float");
  EXPECT_EQ(Reason(ParseJson("-0")), "json.float");
  EXPECT_EQ(Reason(ParseJson("01")), "json.syntax");
  EXPECT_EQ(Reason(ParseJson("-")), "json.syntax");
  EXPECT_EQ(Reason(ParseJson("+1")), "json.syntax");
  ParseOptions jcs;
  jcs.jcs_integers = true;
  EXPECT_TRUE(ParseJson("9007199254740991", jcs).ok());
  EXPECT_EQ(Reason(ParseJson("9007199254740992", jcs)), "json.int_range");
}

TEST(JsonTest, RejectsDuplicateKeys) {
  EXPECT_EQ(Reason(ParseJson(R"({"a":1,"a":2})")), "json.duplicate_key");
  // Same key spelled with an escape is still a duplicate.
  EXPECT_EQ(Reason(ParseJson(R"({"a":1,"\u0061":2})")), "json.duplicate_key");
}

TEST(JsonTest, RejectsMalformed) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "[1 2]", "tru", "nul", "\"abc",
                          "\"\\x\"", "{} {}", "'a'", "[\"\t\"]"}) {
    auto r = ParseJson(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(JsonTest, Utf8AndSurrogates) {
  EXPECT_EQ(ParseJson("\"\\ud83d\\ude00\"")->as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(Reason(ParseJson("\"\\ud83d\"")), "json.bad_utf8");
  EXPECT_EQ(Reason(ParseJson("\"\\ude00\"")), "json.bad_utf8");
  EXPECT_EQ(Reason(ParseJson("\"\xC0\xAF\"")), "json.bad_utf8");      // overlong '/'
  EXPECT_EQ(Reason(ParseJson("\"\xED\xA0\x80\"")), "json.bad_utf8");  // encoded surrogate
  EXPECT_EQ(Reason(ParseJson("\"\xFF\"")), "json.bad_utf8");
  EXPECT_EQ(ParseJson("\"住房\"")->as_string(), "住房");
}

TEST(JsonTest, DepthAndSizeLimits) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  EXPECT_EQ(Reason(ParseJson(deep)), "json.too_deep");
  ParseOptions small;
  small.max_bytes = 4;
  EXPECT_EQ(Reason(ParseJson("[1,2,3]", small)), "json.too_large");
}

// RFC 8785 §3.2.3: property sorting by UTF-16 code units.
TEST(JsonTest, CanonicalKeyOrderRfc8785) {
  auto r = ParseJson(
      R"({"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh",)"
      R"("1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control",)"
      R"("\u00f6":"Latin Small Letter O With Diaeresis","</script>":"Browser Challenge"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string expected =
      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"</script>\":\"Browser Challenge\","
      "\"\xC2\x80\":\"Control\",\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\","
      "\"\xE2\x82\xAC\":\"Euro Sign\",\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\","
      "\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}";
  EXPECT_EQ(r->Canonical(), expected);
}

TEST(JsonTest, CanonicalEscaping) {
  Json j = Json::MakeObject();
  j.set("s", Json(std::string("a\"b\\c\n\x01\x1f/\x7f\xE2\x80\xA8")));
  EXPECT_EQ(j.Canonical(), "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u001f/\x7f\xE2\x80\xA8\"}");
}

TEST(JsonTest, ParseCanonicalAcceptsOnlyCanonical) {
  EXPECT_TRUE(ParseCanonicalJson(R"({"a":1,"b":[true,null]})").ok());
  EXPECT_EQ(Reason(ParseCanonicalJson(R"({"b":1,"a":2})")), "json.not_canonical");
  EXPECT_EQ(Reason(ParseCanonicalJson(R"({"a": 1})")), "json.not_canonical");
  EXPECT_EQ(Reason(ParseCanonicalJson(R"({"a":"\u0041"})")), "json.not_canonical");
  EXPECT_EQ(Reason(ParseCanonicalJson(R"({"a":1.0})")), "json.float");
  EXPECT_EQ(Reason(ParseCanonicalJson(R"({"a":1,"a":1})")), "json.duplicate_key");
}

TEST(JsonTest, CopiesDoNotAlias) {
  Json a = Json::MakeObject();
  a.set("k", 1);
  Json b = a;
  b.set("k", 2);
  b.as_object().emplace_back("z", Json(true));
  EXPECT_EQ(a.find("k")->as_int64(), 1);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b.find("k")->as_int64(), 2);
}

TEST(JsonTest, FieldHelpers) {
  auto j = *ParseJson(R"({"s":"x","i":5,"b":true})");
  EXPECT_EQ(*GetString(j, "s"), "x");
  EXPECT_EQ(*GetInt(j, "i"), 5);
  EXPECT_TRUE(*GetBool(j, "b"));
  EXPECT_EQ(GetString(j, "i").status().reason(), "json.wrong_type");
  EXPECT_EQ(GetInt(j, "nope").status().reason(), "json.missing_field");
  EXPECT_TRUE(CheckKeys(j, {"s", "i", "b"}).ok());
  EXPECT_EQ(CheckKeys(j, {"s", "i"}).reason(), "json.unknown_field");
}

TEST(JsonTest, RoundTripPretty) {
  auto j = *ParseJson(R"({"a":[1,{"b":"住"}],"c":{}})");
  auto again = ParseJson(j.Pretty());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Canonical(), j.Canonical());
}

}  // namespace
}  // namespace tz

namespace tz {
namespace {

// ParseJson's canonical flag (found while parsing) must agree with the
// definition: text == Canonical(parse(text)). Random documents are written
// with members in random order, then mutated with equivalent but
// non-canonical spellings (whitespace, \u escapes in either case, "\/").
class RandomDoc {
 public:
  explicit RandomDoc(uint32_t seed) : rng_(seed) {}

  std::string Text() {
    std::string out;
    Write(0, &out);
    return Mutate(out);
  }

 private:
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  std::string RandomString() {
    static const char* kPieces[] = {"a",
                                    "b",
                                    "B",
                                    "1",
                                    "/",
                                    "\"",
                                    "\\",
                                    "\x01",
                                    "\x1f",
                                    "\n",
                                    "\t",
                                    "\x7f",
                                    "\xC3\xA9",
                                    "\xE2\x82\xAC",
                                    "\xEF\xAC\xB3",
                                    "\xF0\x9F\x98\x80",
                                    "\xEE\x80\x80",
                                    " "};
    std::string s;
    for (size_t n = Pick(4); n > 0; --n) s += kPieces[Pick(std::size(kPieces))];
    return s;
  }

  void Write(int depth, std::string* out) {
    size_t kind = depth >= 3 ? 2 + Pick(3) : Pick(5);
    if (kind == 0) {  // object, members in random order
      std::vector<std::string> keys;
      for (size_t n = Pick(5); n > 0; --n) {
        std::string k = RandomString();
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
      }
      if (Pick(2) == 0) {  // often sorted, so that some documents are canonical
        std::sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
          Json ja = Json::MakeObject(), jb = Json::MakeObject();
          ja.set(a, Json(1));
          ja.set(b, Json(1));
          return ja.Canonical().find(Json(a).Canonical()) <
                 ja.Canonical().find(Json(b).Canonical());
        });
      }
      out->push_back('{');
      for (size_t i = 0; i < keys.size(); ++i) {
        if (i > 0) out->push_back(',');
        *out += Json(keys[i]).Canonical() + ":";
        Write(depth + 1, out);
      }
      out->push_back('}');
    } else if (kind == 1) {
      out->push_back('[');
      for (size_t n = Pick(4), i = 0; i < n; ++i) {
        if (i > 0) out->push_back(',');
        Write(depth + 1, out);
      }
      out->push_back(']');
    } else if (kind == 2) {
      *out += Json(RandomString()).Canonical();
    } else if (kind == 3) {
      *out += std::to_string(static_cast<int64_t>(Pick(2000)) - 1000);
    } else {
      *out += Pick(2) ? "true" : "null";
    }
  }

  // Rewrites some characters inside strings into equivalent spellings, and
  // sometimes adds whitespace between tokens.
  std::string Mutate(const std::string& in) {
    if (Pick(3) == 0) return in;
    std::string out;
    bool in_string = false;
    for (size_t i = 0; i < in.size(); ++i) {
      char c = in[i];
      if (in_string) {
        if (c == '\\') {
          char e = in[i + 1];
          if (e == 'n' && Pick(4) == 0) {
            out += Pick(2) ? "\\u000a" : "\\u000A";
          } else if (e == 'u' && Pick(4) == 0) {
            std::string hex = in.substr(i + 2, 4);
            for (char& h : hex) h = static_cast<char>(std::toupper(static_cast<unsigned char>(h)));
            out += "\\u" + hex;
            i += 4;
          } else {
            out += in.substr(i, 2);
          }
          ++i;
          continue;
        }
        if (c == '"') in_string = false;
        if (c == '/' && Pick(3) == 0) {
          out += "\\/";
        } else if (c == 'a' && Pick(5) == 0) {
          out += "\\u0061";
        } else {
          out.push_back(c);
        }
        continue;
      }
      if (c == '"') in_string = true;
      out.push_back(c);
      if ((c == ',' || c == ':' || c == '[' || c == '{') && Pick(12) == 0) out += " ";
    }
    if (Pick(20) == 0) out += "\n";
    return out;
  }

  std::mt19937 rng_;
};

TEST(JsonTest, CanonicalFlagAgreesWithCanonicalForm) {
  ParseOptions opts;
  opts.jcs_integers = true;
  int canonical = 0, not_canonical = 0;
  for (uint32_t seed = 1; seed <= 20000; ++seed) {
    std::string text = RandomDoc(seed).Text();
    bool flag = false;
    auto j = ParseJson(text, opts, &flag);
    ASSERT_TRUE(j.ok()) << text << ": " << j.status().ToString();
    bool expected = j->Canonical() == text;
    ASSERT_EQ(flag, expected) << "seed " << seed << ": " << text;
    (expected ? canonical : not_canonical)++;
  }
  // Both outcomes are well represented.
  EXPECT_GT(canonical, 2000);
  EXPECT_GT(not_canonical, 2000);
}

}  // namespace
}  // namespace tz
