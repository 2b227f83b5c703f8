// SPDX-License-Identifier: Apache-2.0
// The strict JSON reader used for the denial log: RFC 8259 grammar, UTF-8 and \u escapes,
// limits and error offsets.
#include "core/json_reader.hpp"

#include <gtest/gtest.h>
#include <string>

namespace authdiag::core {
namespace {

JsonValue parse_ok(std::string_view text) {
  auto result = parse_json(text);
  EXPECT_TRUE(result.ok()) << text << " → " << result.error << " at " << result.offset;
  return result.value.value_or(JsonValue{});
}

void expect_error(std::string_view text, std::size_t offset) {
  auto result = parse_json(text);
  EXPECT_FALSE(result.ok()) << "accepted: " << text;
  EXPECT_FALSE(result.error.empty());
  EXPECT_EQ(result.offset, offset) << text << " → " << result.error;
}

TEST(JsonReader, ScalarsAndContainers) {
  EXPECT_TRUE(parse_ok("null").is_null());
  EXPECT_EQ(parse_ok("true").as_bool(), true);
  EXPECT_EQ(parse_ok(" false ").as_bool(), false);
  EXPECT_EQ(*parse_ok("\"x\"").as_string(), "x");
  EXPECT_EQ(parse_ok("[]").items().size(), 0U);
  EXPECT_EQ(parse_ok("{}").keys().size(), 0U);

  JsonValue v = parse_ok(R"({"time":"2026-11-28T23:31:28.123456Z","status":401,)"
                         R"("substatus":"401.1","repaired":false,"n":null,"a":[1,[2,{"b":3}]]})");
  ASSERT_EQ(v.kind(), JsonValue::Kind::Object);
  EXPECT_EQ(v.keys().size(), 6U);
  EXPECT_EQ(v.keys()[0], "time");
  EXPECT_EQ(v.find("status")->as_int64(), 401);
  EXPECT_EQ(*v.find("substatus")->as_string(), "401.1");
  EXPECT_EQ(v.find("repaired")->as_bool(), false);
  EXPECT_TRUE(v.find("n")->is_null());
  EXPECT_EQ(v.find("missing"), nullptr);
  const JsonValue& inner = v.find("a")->items()[1].items()[1];
  EXPECT_EQ(inner.find("b")->as_int64(), 3);
  // find() on a non-object is harmless.
  EXPECT_EQ(v.find("status")->find("x"), nullptr);
}

TEST(JsonReader, NumbersKeepTheirLexeme) {
  EXPECT_EQ(parse_ok("401.1").number_lexeme(), "401.1");
  EXPECT_EQ(parse_ok("401.1").as_double(), 401.1);
  EXPECT_EQ(parse_ok("401.1").as_int64(), std::nullopt);
  EXPECT_EQ(parse_ok("-0").as_int64(), 0);
  EXPECT_EQ(parse_ok("1E3").as_double(), 1000.0);
  EXPECT_EQ(parse_ok("2.5e-1").as_double(), 0.25);
  EXPECT_EQ(parse_ok("9223372036854775807").as_int64(), INT64_MAX);
  EXPECT_EQ(parse_ok("9223372036854775808").as_int64(), std::nullopt);  // overflows
  EXPECT_EQ(parse_ok("1e999").as_double(), std::nullopt);               // not finite
  EXPECT_EQ(parse_ok("\"1\"").number_lexeme(), "");
}

TEST(JsonReader, NumberGrammar) {
  expect_error("01", 1);  // leading zero
  expect_error("-", 1);   // no digit
  expect_error("1.", 2);  // no fraction digit
  expect_error(".5", 0);
  expect_error("1e", 2);
  expect_error("1e+", 3);
  expect_error("+1", 0);
  expect_error("0x10", 1);  // trailing data after 0
  expect_error("NaN", 0);
  expect_error("Infinity", 0);
}

TEST(JsonReader, StringEscapes) {
  EXPECT_EQ(*parse_ok(R"("a\"b\\c\/d\b\f\n\r\t")").as_string(), "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(*parse_ok(R"("\u0041\u00e9\u20AC")").as_string(), "A\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(*parse_ok(R"("\u0000")").as_string(), std::string(1, '\0'));
  // U+1F600 as a surrogate pair, and as raw UTF-8.
  EXPECT_EQ(*parse_ok(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(*parse_ok("\"\xF0\x9F\x98\x80\"").as_string(), "\xF0\x9F\x98\x80");
  // U+10FFFF, the last code point.
  EXPECT_EQ(*parse_ok(R"("\uDBFF\uDFFF")").as_string(), "\xF4\x8F\xBF\xBF");
}

TEST(JsonReader, BrokenEscapesAndSurrogates) {
  expect_error(R"("\x41")", 1);          // unknown escape
  expect_error(R"("\u12")", 5);          // truncated: the quote is not a hex digit
  expect_error(R"("\u12G4")", 5);        // bad hex digit
  expect_error(R"("\ude00")", 1);        // lone low surrogate
  expect_error(R"("\ud83d")", 1);        // high surrogate at the end
  expect_error(R"("\ud83dx")", 1);       // high surrogate followed by a character
  expect_error(R"("\ud83d\u0041")", 1);  // high surrogate followed by a non-surrogate
  expect_error(R"("\ud83d\ud83d")", 1);  // two high surrogates
  expect_error("\"abc", 4);              // unterminated
  expect_error("\"a\\", 3);              // unterminated escape
}

TEST(JsonReader, RawBytesInStrings) {
  expect_error("\"a\nb\"", 2);                           // unescaped control character
  EXPECT_EQ(*parse_ok("\"\x7f\"").as_string(), "\x7f");  // DEL needs no escape
  expect_error("\"\\u00", 5);                            // input ends inside \u
  expect_error("\"\xC3\"", 1);                           // truncated sequence
  expect_error("\"\xC0\xAF\"", 1);                       // overlong '/'
  expect_error("\"\xED\xA0\x80\"", 1);                   // UTF-8 encoded surrogate
  expect_error("\"\xF4\x90\x80\x80\"", 1);               // above U+10FFFF
  expect_error("\"\xFF\"", 1);
}

TEST(JsonReader, StructureErrors) {
  expect_error("", 0);
  expect_error("   ", 3);
  expect_error("[1,]", 3);
  expect_error("[1 2]", 3);
  expect_error("{\"a\":1,}", 7);
  expect_error("{\"a\" 1}", 5);
  expect_error("{a:1}", 1);
  expect_error("{\"a\":1", 6);
  expect_error("[", 1);
  expect_error("{} {}", 3);
  expect_error("tru", 0);
  expect_error("nul", 0);
  expect_error("[true false]", 6);
}

TEST(JsonReader, DuplicateMembersAreRejected) {
  expect_error(R"({"user":"alice","user":"root"})", 16);
  // Same name through an escape is still the same name.
  expect_error(R"({"a":1,"\u0061":2})", 7);
  EXPECT_TRUE(parse_json(R"({"a":{"a":1}})").ok());
}

TEST(JsonReader, DepthLimit) {
  JsonLimits limits;
  limits.max_depth = 4;
  EXPECT_TRUE(parse_json("[[[[1]]]]", limits).ok());
  auto deep = parse_json("[[[[[1]]]]]", limits);
  EXPECT_FALSE(deep.ok());
  EXPECT_EQ(deep.offset, 4U);
  // The default limit stops a stack-exhausting input quickly.
  std::string bomb(100000, '[');
  auto result = parse_json(bomb);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.offset, 64U);
}

TEST(JsonReader, WhitespaceIsOnlyTheFourJsonCharacters) {
  EXPECT_TRUE(parse_json(" \t\r\n{ \"a\" : [ 1 , 2 ] }\r\n").ok());
  expect_error("\v1", 0);
  expect_error(
      "\xC2\xA0"
      "1",
      0);  // no-break space
}

}  // namespace
}  // namespace authdiag::core
