// crypto/text.h: unsafe characters and their display escapes.
#include "crypto/text.h"

#include <gtest/gtest.h>

namespace tz {
namespace {

TEST(TextTest, FindsEveryUnsafeClass) {
  EXPECT_FALSE(FindUnsafeChar("竣工验收报告 v2 — ✓ 🏠").has_value());
  EXPECT_FALSE(FindUnsafeChar("").has_value());
  struct Case {
    std::string text;
    size_t offset;
    uint32_t cp;
  };
  for (const Case& c : std::vector<Case>{{std::string("a\0b", 3), 1, 0},
                                         {"a\x1b[31m", 1, 0x1b},
                                         {"\r", 0, 0x0d},
                                         {"x\x7f", 1, 0x7f},
                                         {"x\xc2\x85", 1, 0x85},
                                         {"x\xc2\x9b", 1, 0x9b},
                                         {"ab\u202e", 2, 0x202e},
                                         {"\u202a", 0, 0x202a},
                                         {"\u2066", 0, 0x2066},
                                         {"\u2069", 0, 0x2069},
                                         {"\u061c", 0, 0x061c},
                                         {"\u200e", 0, 0x200e},
                                         {"\u2028", 0, 0x2028}}) {
    auto u = FindUnsafeChar(c.text);
    ASSERT_TRUE(u.has_value()) << c.cp;
    EXPECT_EQ(u->offset, c.offset);
    EXPECT_EQ(u->code_point, c.cp);
    EXPECT_FALSE(u->invalid_utf8);
  }
  // Neighbours of the unsafe ranges are fine.
  for (const char* ok : {"\u00a0", "\u2027", "\u202f", "\u2065", "\u206a", "\u200d"}) {
    EXPECT_FALSE(FindUnsafeChar(ok).has_value()) << ok;
  }
}

TEST(TextTest, InvalidUtf8IsUnsafe) {
  for (const std::string& bad : {std::string("\xff"), std::string("a\xc0\x80"),  // overlong NUL
                                 std::string("\xed\xa0\x80"),                    // a surrogate
                                 std::string("\xf4\x90\x80\x80"),                // past U+10FFFF
                                 std::string("\xe4\xb8"), std::string("\x80")}) {
    auto u = FindUnsafeChar(bad);
    ASSERT_TRUE(u.has_value());
    EXPECT_TRUE(u->invalid_utf8);
  }
}

TEST(TextTest, EscapesShowWhatIsThere) {
  EXPECT_EQ(EscapeForDisplay("title\x1b[2Jfake"), "title\\u001b[2Jfake");
  EXPECT_EQ(EscapeForDisplay("invoice \u202egpj.exe"), "invoice \\u202egpj.exe");
  EXPECT_EQ(EscapeForDisplay("a\r\nb\tc"), "a\\u000d\\u000ab\\u0009c");
  EXPECT_EQ(EscapeForDisplay("a\r\nb\tc", LineBreaks::kKeep), "a\\u000d\nb\tc");
  EXPECT_EQ(EscapeForDisplay("bad \xff byte"), "bad \\xff byte");
  EXPECT_EQ(EscapeForDisplay("中文 ✓"), "中文 ✓");
  // The result never holds an unsafe character.
  std::string all;
  for (int c = 0; c < 0x100; ++c) all.push_back(static_cast<char>(c));
  all += "\u202e\u2066\u2028";
  EXPECT_FALSE(FindUnsafeChar(EscapeForDisplay(all)).has_value());
}

TEST(TextTest, DecodeUtf8WaitsOnlyForPossiblyValidSequences) {
  uint32_t cp = 0;
  EXPECT_EQ(DecodeUtf8("\xe4\xb8", &cp), -1);  // first two bytes of 中
  EXPECT_EQ(DecodeUtf8("\xe4\xb8\xad", &cp), 3);
  EXPECT_EQ(cp, 0x4e2du);
  EXPECT_EQ(DecodeUtf8("\xe0\x80", &cp), 0);  // overlong: decided by the 2nd byte
  EXPECT_EQ(DecodeUtf8("\xed\xa0", &cp), 0);  // surrogate
  EXPECT_EQ(DecodeUtf8("\xf4\x90", &cp), 0);  // past U+10FFFF
  EXPECT_EQ(DecodeUtf8("\xf0\x9f", &cp), -1);
  EXPECT_EQ(DecodeUtf8("\xc1\xbf", &cp), 0);
}

}  // namespace
}  // namespace tz
