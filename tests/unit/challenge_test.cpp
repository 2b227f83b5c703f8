// SPDX-License-Identifier: Apache-2.0
// quote_string, build/parse/render of challenges and every rule of repair_challenges.
#include "core/challenge.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace authdiag::core {

bool operator==(const AuthParam& a, const AuthParam& b) {
  return a.name == b.name && a.value == b.value;
}
bool operator==(const Challenge& a, const Challenge& b) {
  return a.scheme == b.scheme && a.token68 == b.token68 && a.params == b.params;
}
void PrintTo(const Challenge& c, std::ostream* os) {
  *os << "{" << c.scheme << " token68=" << c.token68;
  for (const AuthParam& p : c.params) *os << " [" << p.name << "]=[" << p.value << "]";
  *os << "}";
}

namespace {

using namespace std::string_literals;

// ---------------------------------------------------------------------------------------------
// quote_string and build_basic_challenge

struct QuoteCase {
  std::string name;
  std::string text;
  std::string quoted;
};

void PrintTo(const QuoteCase& c, std::ostream* os) { *os << c.name; }

class QuoteStringTest : public ::testing::TestWithParam<QuoteCase> {};

TEST_P(QuoteStringTest, Quotes) { EXPECT_EQ(quote_string(GetParam().text), GetParam().quoted); }

const QuoteCase kQuoteCases[] = {
    {"plain", "Restricted Area", R"("Restricted Area")"},
    {"empty", "", R"("")"},
    {"quote", R"(He said "hi")", R"("He said \"hi\"")"},
    {"backslash", R"(back\slash)", R"("back\\slash")"},
    {"trailing_backslash", R"(Trailing\)", R"("Trailing\\")"},
    {"crlf_removed", "line\r\nbreak", R"("linebreak")"},
    {"nul_removed", "a\0b"s, R"("ab")"},
    {"del_removed",
     "a\x7f"
     "b",
     R"("ab")"},
    {"tab_kept", "a\tb", "\"a\tb\""},
    {"obs_text_kept", "caf\xc3\xa9 \xff", "\"caf\xc3\xa9 \xff\""},
};

INSTANTIATE_TEST_SUITE_P(Cases, QuoteStringTest, ::testing::ValuesIn(kQuoteCases),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(BuildBasicChallenge, WithAndWithoutCharset) {
  EXPECT_EQ(build_basic_challenge("Restricted", true),
            R"(Basic realm="Restricted", charset="UTF-8")");
  EXPECT_EQ(build_basic_challenge("Restricted", false), R"(Basic realm="Restricted")");
  EXPECT_EQ(build_basic_challenge("a\"b\\\n", false), R"(Basic realm="a\"b\\")");
}

TEST(BuildBasicChallenge, RealmRoundTrips) {
  const std::vector<std::string> realms = {"Members",
                                           "",
                                           R"(He said "hi")",
                                           R"(back\slash)",
                                           R"(Trailing\)",
                                           R"(\\")",
                                           "tab\tinside",
                                           "caf\xc3\xa9",
                                           R"(a, charset="x")",
                                           "\"",
                                           "\\"};
  for (const std::string& realm : realms) {
    const std::vector<Challenge> parsed = parse_challenges(build_basic_challenge(realm, true));
    ASSERT_EQ(parsed.size(), 1U) << realm;
    ASSERT_EQ(parsed[0].params.size(), 2U) << realm;
    EXPECT_EQ(parsed[0].params[0].value, realm);
    EXPECT_EQ(parsed[0].params[1].value, "UTF-8");
  }
}

TEST(BuildBasicChallenge, RealmLosesOnlyControlCharacters) {
  const std::vector<Challenge> parsed =
      parse_challenges(build_basic_challenge("a\r\nb\0c\x1f"
                                             "d\te"s,
                                             false));
  ASSERT_EQ(parsed.size(), 1U);
  EXPECT_EQ(parsed[0].params[0].value, "abcd\te");
}

// ---------------------------------------------------------------------------------------------
// parse_challenges

struct ParseCase {
  std::string name;
  std::string field_value;
  std::vector<Challenge> expected;
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name; }

class ParseChallengesTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseChallengesTest, Parses) {
  EXPECT_EQ(parse_challenges(GetParam().field_value), GetParam().expected);
}

Challenge basic(std::string realm) { return {"Basic", "", {{"realm", std::move(realm)}}}; }

const ParseCase kParseCases[] = {
    {"httpd", R"(Basic realm="Restricted")", {basic("Restricted")}},
    {"with_charset",
     R"(Basic realm="a", charset="UTF-8")",
     {{"Basic", "", {{"realm", "a"}, {"charset", "UTF-8"}}}}},
    {"two_challenges",
     R"(Basic realm="a", Bearer realm="api", error="invalid_token")",
     {basic("a"), {"Bearer", "", {{"realm", "api"}, {"error", "invalid_token"}}}}},
    {"token68", "Negotiate YIIGhg==", {{"Negotiate", "YIIGhg==", {}}}},
    {"token68_then_basic",
     R"(Negotiate abc==, Basic realm="x")",
     {{"Negotiate", "abc==", {}}, basic("x")}},
    {"scheme_only", "Bearer", {{"Bearer", "", {}}}},
    {"schemes_only", "Bearer, Negotiate", {{"Bearer", "", {}}, {"Negotiate", "", {}}}},
    {"comma_in_quoted",
     R"(Digest realm="r", qop="auth,auth-int", nonce="n")",
     {{"Digest", "", {{"realm", "r"}, {"qop", "auth,auth-int"}, {"nonce", "n"}}}}},
    {"httpd_unescaped_backslash", R"(Basic realm="back\slash")", {basic(R"(back\slash)")}},
    {"backslash_letter_literal", R"(Basic realm="a\nb")", {basic(R"(a\nb)")}},
    {"escaped_backslash", R"(Basic realm="a\\b")", {basic(R"(a\b)")}},
    {"escaped_quote", R"(Basic realm="He said \"hi\"")", {basic(R"(He said "hi")")}},
    {"trailing_backslash_unterminated", R"(Basic realm="x\)", {basic(R"(x\)")}},
    {"unterminated", R"(Basic realm="open)", {basic("open")}},
    {"control_chars_dropped",
     "Basic realm=\"a\r\nb\x01"
     "c\"",
     {basic("abc")}},
    {"nul_dropped", "Basic realm=\"a\0b\""s, {basic("ab")}},
    {"tab_kept", "Basic realm=\"a\tb\"", {basic("a\tb")}},
    {"obs_text", "Basic realm=\"caf\xc3\xa9\"", {basic("caf\xc3\xa9")}},
    {"token_realm", "Basic realm=simple", {basic("simple")}},
    {"bad_whitespace",
     R"(Basic realm = "spaced" ,  charset = UTF-8)",
     {{"Basic", "", {{"realm", "spaced"}, {"charset", "UTF-8"}}}}},
    {"empty_list_elements", R"(, ,Basic realm="x",, ,)", {basic("x")}},
    {"name_case_kept", R"(basic REALM="x")", {{"basic", "", {{"REALM", "x"}}}}},
    {"junk_skipped", R"("junk", =, Basic realm="x")", {basic("x")}},
    {"empty", "", {}},
    {"only_commas", " , ,, ", {}},
    {"parameter_without_scheme", R"(realm="x")", {}},
};

INSTANTIATE_TEST_SUITE_P(Cases, ParseChallengesTest, ::testing::ValuesIn(kParseCases),
                         [](const auto& param_info) { return param_info.param.name; });

// ---------------------------------------------------------------------------------------------
// render_challenge

TEST(RenderChallenge, Canonical) {
  EXPECT_EQ(render_challenge(basic("x")), R"(Basic realm="x")");
  EXPECT_EQ(render_challenge({"Negotiate", "abc==", {}}), "Negotiate abc==");
  EXPECT_EQ(render_challenge({"Bearer", "", {}}), "Bearer");
  EXPECT_EQ(render_challenge({"Bearer", "", {{"realm", "api"}, {"error", "invalid_token"}}}),
            R"(Bearer realm="api", error="invalid_token")");
  EXPECT_EQ(render_challenge(basic("a\"b\\c\r\n")), R"(Basic realm="a\"b\\c")");
}

TEST(RenderChallenge, NeverEmitsControlCharacters) {
  const Challenge hostile{"Bea\r\nrer", "ab\0c="s, {}};
  EXPECT_EQ(render_challenge(hostile), "Bearer abc=");
  const Challenge hostile_name{"Basic", "", {{"re\nalm", "x"}, {"\r\n", "dropped"}}};
  EXPECT_EQ(render_challenge(hostile_name), R"(Basic realm="x")");
}

TEST(RenderChallenge, ParseRenderRoundTrip) {
  const std::vector<std::string> values = {
      R"(Basic realm="a", charset="UTF-8")", "Negotiate abc==", "Bearer",
      R"(Digest realm="r", qop="auth,auth-int", nonce="n")", R"(Basic realm="x\"y\\z")"};
  for (const std::string& value : values) {
    const std::vector<Challenge> parsed = parse_challenges(value);
    ASSERT_EQ(parsed.size(), 1U) << value;
    EXPECT_EQ(render_challenge(parsed[0]), value);
  }
}

// ---------------------------------------------------------------------------------------------
// repair_challenges

struct RepairCase {
  std::string name;
  std::vector<std::string> existing;
  bool add_charset;
  bool repair;
  std::vector<std::string> expected;
  bool changed;
  bool added;
  bool sanitized;
};

void PrintTo(const RepairCase& c, std::ostream* os) { *os << c.name; }

class RepairChallengesTest : public ::testing::TestWithParam<RepairCase> {};

TEST_P(RepairChallengesTest, Repairs) {
  const RepairCase& c = GetParam();
  ChallengeRepairInput input;
  input.existing_values = c.existing;
  input.fallback_realm = "Members";
  input.add_charset = c.add_charset;
  input.repair = c.repair;
  const ChallengeRepairResult result = repair_challenges(input);
  EXPECT_EQ(result.values, c.expected);
  EXPECT_EQ(result.changed, c.changed);
  EXPECT_EQ(result.added, c.added);
  EXPECT_EQ(result.sanitized, c.sanitized);
}

constexpr bool kCharset = true;
constexpr bool kNoCharset = false;
constexpr bool kRepair = true;
constexpr bool kNoRepair = false;
const std::string kMembersUtf8 = R"(Basic realm="Members", charset="UTF-8")";

const RepairCase kRepairCases[] = {
    // Missing challenge.
    {"none_added", {}, kCharset, kRepair, {kMembersUtf8}, true, true, false},
    {"none_added_without_charset",
     {},
     kNoCharset,
     kRepair,
     {R"(Basic realm="Members")"},
     true,
     true,
     false},
    {"garbage_only_added",
     {"", ",,,", R"("quoted junk")"},
     kCharset,
     kRepair,
     {kMembersUtf8},
     true,
     true,
     false},
    {"none_repair_off", {}, kCharset, kNoRepair, {}, false, false, false},
    // Charset.
    {"httpd_gets_charset",
     {R"(Basic realm="Members")"},
     kCharset,
     kRepair,
     {kMembersUtf8},
     true,
     false,
     false},
    {"canonical_unchanged", {kMembersUtf8}, kCharset, kRepair, {kMembersUtf8}, false, false, false},
    {"charset_off_unchanged",
     {R"(Basic realm="x")"},
     kNoCharset,
     kRepair,
     {R"(Basic realm="x")"},
     false,
     false,
     false},
    {"charset_present_kept_when_off",
     {R"(Basic realm="x", charset="UTF-8")"},
     kNoCharset,
     kRepair,
     {R"(Basic realm="x", charset="UTF-8")"},
     false,
     false,
     false},
    {"charset_lowercase_not_doubled",
     {R"(Basic realm="x", Charset="utf-8")"},
     kCharset,
     kRepair,
     {R"(Basic realm="x", Charset="utf-8")"},
     false,
     false,
     false},
    // Duplicates.
    {"later_basic_dropped",
     {R"(Basic realm="a")", R"(Bearer realm="b")", R"(BASIC realm="c")"},
     kCharset,
     kRepair,
     {R"(Basic realm="a", charset="UTF-8")", R"(Bearer realm="b")"},
     true,
     false,
     false},
    {"duplicate_in_one_value",
     {R"(Basic realm="a", basic realm="b")"},
     kCharset,
     kRepair,
     {R"(Basic realm="a", charset="UTF-8")"},
     true,
     false,
     false},
    {"duplicate_realm_param",
     {R"(Basic realm="a", realm="b")"},
     kCharset,
     kRepair,
     {R"(Basic realm="a", charset="UTF-8")"},
     true,
     false,
     false},
    // One challenge per value, other schemes as sent.
    {"value_split",
     {R"(Bearer realm="api", Basic realm="x")"},
     kCharset,
     kRepair,
     {R"(Bearer realm="api")", R"(Basic realm="x", charset="UTF-8")"},
     true,
     false,
     false},
    {"other_scheme_kept_as_sent",
     {"Bearer  realm=api"},
     kCharset,
     kRepair,
     {"Bearer  realm=api"},
     false,
     false,
     false},
    {"other_scheme_with_control_rendered",
     {"Bearer error=\"x\x01y\", realm=api"},
     kCharset,
     kRepair,
     {R"(Bearer error="xy", realm="api")"},
     true,
     false,
     false},
    {"lowercase_scheme_canonical",
     {R"(basic realm="x")"},
     kNoCharset,
     kRepair,
     {R"(Basic realm="x")"},
     true,
     false,
     false},
    // Realm repair.
    {"httpd_backslash_escaped",
     {R"(Basic realm="back\slash")"},
     kCharset,
     kRepair,
     {R"(Basic realm="back\\slash", charset="UTF-8")"},
     true,
     false,
     true},
    {"control_characters_removed",
     {"Basic realm=\"a\r\nb\""},
     kCharset,
     kRepair,
     {R"(Basic realm="ab", charset="UTF-8")"},
     true,
     false,
     true},
    {"unterminated_closed",
     {R"(Basic realm="open)"},
     kNoCharset,
     kRepair,
     {R"(Basic realm="open")"},
     true,
     false,
     true},
    {"token_realm_quoted",
     {"Basic realm=simple"},
     kCharset,
     kRepair,
     {R"(Basic realm="simple", charset="UTF-8")"},
     true,
     false,
     true},
    {"escaped_quote_is_fine",
     {R"(Basic realm="say \"hi\"")"},
     kNoCharset,
     kRepair,
     {R"(Basic realm="say \"hi\"")"},
     false,
     false,
     false},
    {"missing_realm_from_scope", {"Basic"}, kCharset, kRepair, {kMembersUtf8}, true, false, false},
    {"token68_basic_gets_realm",
     {"Basic abc"},
     kCharset,
     kRepair,
     {kMembersUtf8},
     true,
     false,
     false},
    {"other_params_kept_once",
     {R"(Basic realm="x", foo=bar, FOO="baz")"},
     kCharset,
     kRepair,
     {R"(Basic realm="x", foo="bar", charset="UTF-8")"},
     true,
     false,
     false},
    // Repair off: byte for byte, except the appended charset.
    {"off_appends_charset",
     {R"(Basic realm="a", Bearer)"},
     kCharset,
     kNoRepair,
     {R"(Basic realm="a", charset="UTF-8", Bearer)"},
     true,
     false,
     false},
    {"off_appends_to_bare_basic",
     {"Basic"},
     kCharset,
     kNoRepair,
     {R"(Basic charset="UTF-8")"},
     true,
     false,
     false},
    {"off_keeps_duplicates",
     {R"(Basic realm="a")", R"(Basic realm="b")"},
     kCharset,
     kNoRepair,
     {R"(Basic realm="a", charset="UTF-8")", R"(Basic realm="b", charset="UTF-8")"},
     true,
     false,
     false},
    {"off_keeps_httpd_backslash",
     {R"(Basic realm="back\slash")"},
     kCharset,
     kNoRepair,
     {R"(Basic realm="back\slash", charset="UTF-8")"},
     true,
     false,
     false},
    {"off_leaves_unterminated",
     {R"(Basic realm="open)"},
     kCharset,
     kNoRepair,
     {R"(Basic realm="open)"},
     false,
     false,
     false},
    {"off_leaves_token68", {"Basic abc"}, kCharset, kNoRepair, {"Basic abc"}, false, false, false},
    {"off_leaves_charset_present",
     {R"(Basic realm="a", charset="UTF-8")"},
     kCharset,
     kNoRepair,
     {R"(Basic realm="a", charset="UTF-8")"},
     false,
     false,
     false},
    {"off_without_charset_identical",
     {"Basic realm=\"a\r\n\"", "junk"},
     kNoCharset,
     kNoRepair,
     {"Basic realm=\"a\r\n\"", "junk"},
     false,
     false,
     false},
    {"off_other_scheme_untouched",
     {R"(Bearer realm="x")"},
     kCharset,
     kNoRepair,
     {R"(Bearer realm="x")"},
     false,
     false,
     false},
};

INSTANTIATE_TEST_SUITE_P(Cases, RepairChallengesTest, ::testing::ValuesIn(kRepairCases),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(RepairChallenges, FallbackRealmIsSanitized) {
  ChallengeRepairInput input;
  input.fallback_realm = "bad\n\"realm\"\\";
  const ChallengeRepairResult result = repair_challenges(input);
  ASSERT_EQ(result.values.size(), 1U);
  EXPECT_EQ(result.values[0], R"(Basic realm="bad\"realm\"\\", charset="UTF-8")");
  EXPECT_TRUE(result.added);
  EXPECT_TRUE(result.sanitized);
}

TEST(RepairChallenges, LongRealmKept) {
  const std::string realm(8000, 'r');
  ChallengeRepairInput input;
  input.existing_values = {R"(Basic realm=")" + realm + "\""};
  const ChallengeRepairResult result = repair_challenges(input);
  ASSERT_EQ(result.values.size(), 1U);
  EXPECT_EQ(result.values[0], R"(Basic realm=")" + realm + R"(", charset="UTF-8")");
}

}  // namespace
}  // namespace authdiag::core
