// SPDX-License-Identifier: Apache-2.0
// The JSON line and logfmt renderings of a DenialRecord: golden lines, escaping of hostile
// values, the 4096-byte cap, timestamps and user pseudonyms.
#include "core/denial_record.hpp"

#include "support/json.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace authdiag::core {
namespace {

using namespace std::string_literals;
using authdiag::test_json::is_valid_json_object;

DenialRecord full_record() {
  DenialRecord r;
  r.time_us = 1'700'000'000'123'456;
  r.request_id = "ZW5hYmxlZA";
  r.client_ip = "192.0.2.7";
  r.vhost = "www.example.com";
  r.method = "GET";
  r.path = "/private/";
  r.status = 401;
  r.substatus = 1;
  r.reason = Reason::PasswordMismatch;
  r.user = "alice";
  r.realm = "Members Area";
  r.auth_type = "Basic";
  r.providers = "file";
  r.user_file = "/etc/apache2/.htpasswd";
  r.hash_scheme = "bcrypt(cost=10)";
  r.requirement = "valid-user";
  r.scheme = "Basic";
  r.challenge = R"(Basic realm="Members Area")";
  r.repaired = true;
  r.config_file = "/var/www/html/private/.htaccess";
  r.counter = 3;
  r.limit = 5;
  r.window_ms = 60000;
  r.detail = "The password does not match the stored hash.";
  r.hint = "Reset the password with authdiag user set.";
  return r;
}

DenialRecord minimal_record() {
  DenialRecord r;
  r.status = 401;
  r.substatus = 1;
  r.reason = Reason::PasswordMismatch;
  return r;
}

// The JSON line without its newline.
std::string json_body(const std::string& line) { return line.substr(0, line.size() - 1); }

// ---------------------------------------------------------------------------------------------
// Golden lines

TEST(ToJsonLine, FullRecordGolden) {
  EXPECT_EQ(
      to_json_line(full_record()),
      R"({"time":"2023-11-14T22:13:20.123456Z","request_id":"ZW5hYmxlZA","client_ip":"192.0.2.7",)"
      R"("vhost":"www.example.com","method":"GET","path":"/private/","status":401,)"
      R"("substatus":"401.1","reason":"password_mismatch","user":"alice","realm":"Members Area",)"
      R"("auth_type":"Basic","providers":"file","user_file":"/etc/apache2/.htpasswd",)"
      R"j("hash_scheme":"bcrypt(cost=10)","requirement":"valid-user","scheme":"Basic",)j"
      R"("challenge":"Basic realm=\"Members Area\"","repaired":true,)"
      R"("config_file":"/var/www/html/private/.htaccess","counter":3,"limit":5,"window_ms":60000,)"
      R"("detail":"The password does not match the stored hash.",)"
      R"("hint":"Reset the password with authdiag user set."})"
      "\n");
}

TEST(ToJsonLine, MinimalRecordOmitsAbsentFacts) {
  DenialRecord r;
  r.status = 401;
  r.substatus = 2;
  r.reason = Reason::CredentialsMissing;
  EXPECT_EQ(to_json_line(r),
            R"({"time":"1970-01-01T00:00:00.000000Z","status":401,"substatus":"401.2",)"
            R"("reason":"credentials_missing"})"
            "\n");
}

TEST(ToJsonLine, ConfigurationErrorWithoutSubstatus) {
  DenialRecord r;
  r.status = 500;
  r.reason = Reason::UserFileMissing;
  r.user_file = "/etc/apache2/missing";
  EXPECT_EQ(to_json_line(r),
            R"({"time":"1970-01-01T00:00:00.000000Z","status":500,"reason":"user_file_missing",)"
            R"("user_file":"/etc/apache2/missing"})"
            "\n");
}

TEST(ToJsonLine, SubstatusFollowsStatus) {
  DenialRecord r;
  r.status = 403;
  r.substatus = 503;
  r.reason = Reason::IpDenied;
  EXPECT_NE(to_json_line(r).find(R"("status":403,"substatus":"403.503","reason":"ip_denied")"),
            std::string::npos);
}

TEST(ToJsonLine, PresentEmptyUserIsKeptButEmptyRequestFieldsAreNot) {
  DenialRecord r = minimal_record();
  r.user = "";
  const std::string line = to_json_line(r);
  EXPECT_NE(line.find(R"("user":"")"), std::string::npos);
  for (const char* key : {"request_id", "client_ip", "vhost", "method", "path", "repaired",
                          "truncated", "realm", "counter"}) {
    EXPECT_EQ(line.find("\""s + key + "\""), std::string::npos) << key;
  }
}

TEST(ToLogfmt, FullRecordGolden) {
  EXPECT_EQ(to_logfmt(full_record()),
            "status=401 substatus=401.1 reason=password_mismatch user=alice "
            R"(realm="Members Area" method=GET path=/private/ auth_type=Basic providers=file )"
            "user_file=/etc/apache2/.htpasswd hash_scheme=bcrypt(cost=10) requirement=valid-user "
            "scheme=Basic repaired=true "
            "config_file=/var/www/html/private/.htaccess request_id=ZW5hYmxlZA counter=3 limit=5 "
            R"(window_ms=60000 detail="The password does not match the stored hash." )"
            R"(hint="Reset the password with authdiag user set.")");
}

TEST(ToLogfmt, MinimalAndConfigurationError) {
  DenialRecord r;
  r.status = 401;
  r.substatus = 2;
  r.reason = Reason::CredentialsMissing;
  EXPECT_EQ(to_logfmt(r), "status=401 substatus=401.2 reason=credentials_missing");
  DenialRecord error;
  error.status = 500;
  error.reason = Reason::UserFileUnreadable;
  error.user_file = "/etc/apache2/.htpasswd";
  EXPECT_EQ(to_logfmt(error),
            "status=500 reason=user_file_unreadable user_file=/etc/apache2/.htpasswd");
}

// ---------------------------------------------------------------------------------------------
// Escaping

struct EscapeCase {
  std::string name;
  std::string user;
  std::string json;    // the escaped JSON string content
  std::string logfmt;  // the logfmt value as written
};

void PrintTo(const EscapeCase& c, std::ostream* os) { *os << c.name; }

class EscapeTest : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(EscapeTest, JsonLine) {
  DenialRecord r = minimal_record();
  r.user = GetParam().user;
  const std::string line = to_json_line(r);
  EXPECT_NE(line.find("\"user\":\"" + GetParam().json + "\"}\n"), std::string::npos) << line;
  EXPECT_TRUE(is_valid_json_object(json_body(line))) << line;
}

TEST_P(EscapeTest, Logfmt) {
  DenialRecord r = minimal_record();
  r.user = GetParam().user;
  EXPECT_EQ(to_logfmt(r),
            "status=401 substatus=401.1 reason=password_mismatch user=" + GetParam().logfmt);
}

const EscapeCase kEscapeCases[] = {
    {"plain", "alice", "alice", "alice"},
    {"empty", "", "", R"("")"},
    {"email_like", "alice@example.com", "alice@example.com", "alice@example.com"},
    {"allowed_punctuation", "a.b_c:d/e@f+g,h(i)=j-k", "a.b_c:d/e@f+g,h(i)=j-k",
     "a.b_c:d/e@f+g,h(i)=j-k"},
    {"space", "alice smith", "alice smith", R"("alice smith")"},
    {"quote", R"(al"ice)", R"(al\"ice)", R"("al%22ice")"},
    {"backslash", R"(dom\alice)", R"(dom\\alice)", R"("dom%5calice")"},
    {"forged_field", R"(x" reason="forged)", R"(x\" reason=\"forged)",
     R"("x%22 reason=%22forged")"},
    {"crlf", "alice\r\nforged", R"(alice\r\nforged)", R"("alice%0d%0aforged")"},
    {"nul", "al\0ice"s, R"(al\u0000ice)", R"("al%00ice")"},
    {"c0_controls", "\x01\x1f\b\f\t", R"(\u0001\u001f\b\f\t)", R"("%01%1f%08%0c%09")"},
    {"del", "a\x7f", R"(a\u007f)", R"("a%7f")"},
    {"byte_ff",
     "\xff"
     "alice",
     R"(\u00ffalice)", R"("%ffalice")"},
    {"utf8_kept_in_json", "j\xc3\xbcrgen", "j\xc3\xbcrgen", R"("j%c3%bcrgen")"},
    {"emoji", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", R"("%f0%9f%98%80")"},
    {"line_separators",
     "a\xe2\x80\xa8"
     "b\xe2\x80\xa9",
     R"(a\u2028b\u2029)", R"("a%e2%80%a8b%e2%80%a9")"},
    {"c1_control", "\xc2\x85", R"(\u0085)", R"("%c2%85")"},
    {"overlong", "\xc0\xaf", R"(\u00c0\u00af)", R"("%c0%af")"},
    {"surrogate", "\xed\xa0\x80", R"(\u00ed\u00a0\u0080)", R"("%ed%a0%80")"},
    {"above_max", "\xf4\x90\x80\x80", R"(\u00f4\u0090\u0080\u0080)", R"("%f4%90%80%80")"},
    {"cut_sequence", "x\xe2\x82", R"(x\u00e2\u0082)", R"("x%e2%82")"},
    {"html_and_slash", "<b>/</b>", "<b>/</b>", R"("<b>/</b>")"},
};

INSTANTIATE_TEST_SUITE_P(Cases, EscapeTest, ::testing::ValuesIn(kEscapeCases),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(ToLogfmt, EveryByteOfAHostileValueIsPrintable) {
  DenialRecord r = minimal_record();
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  r.user = all;
  r.realm = all;
  r.path = all;
  const std::string line = to_logfmt(r);
  EXPECT_TRUE(std::all_of(line.begin(), line.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  }));
}

TEST(ToLogfmt, LongValuesAreCappedWithMarker) {
  DenialRecord r = minimal_record();
  r.user = std::string(10'000, 'u');
  r.realm = std::string(1000, '\xff');
  r.detail = std::string(512, 'd');  // exactly at the cap: kept whole
  const std::string line = to_logfmt(r);
  EXPECT_NE(line.find(" user=" + std::string(509, 'u') + "... "), std::string::npos);
  std::string realm = " realm=\"";
  for (int i = 0; i < 169; ++i) realm += "%ff";  // 507 bytes: one more would pass 509
  EXPECT_NE(line.find(realm + "...\""), std::string::npos);
  EXPECT_NE(line.find(" detail=" + std::string(512, 'd')), std::string::npos);
  EXPECT_EQ(line.find(std::string(512, 'd') + "..."), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The 4096-byte cap

std::vector<std::string*> client_strings(DenialRecord& r) { return {&r.vhost, &r.method, &r.path}; }

std::vector<std::optional<std::string>*> optional_strings(DenialRecord& r) {
  return {&r.user,        &r.realm,  &r.auth_type, &r.providers,   &r.user_file, &r.hash_scheme,
          &r.requirement, &r.scheme, &r.challenge, &r.config_file, &r.detail,    &r.hint};
}

void expect_well_formed_line(const std::string& line) {
  EXPECT_LE(line.size(), kMaxJsonLineBytes);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  EXPECT_TRUE(is_valid_json_object(json_body(line))) << line;
}

// The raw JSON string content of a member, escapes undecoded.
std::string member(const std::string& line, const std::string& key) {
  const std::string prefix = "\"" + key + "\":\"";
  const std::size_t start = line.find(prefix);
  if (start == std::string::npos) return "<absent>";
  std::size_t end = start + prefix.size();
  while (line[end] != '"') end += line[end] == '\\' ? 2U : 1U;
  return line.substr(start + prefix.size(), end - start - prefix.size());
}

TEST(ToJsonLineCap, EveryFieldTenKilobytes) {
  DenialRecord r = full_record();
  r.request_id = std::string(10'000, 'i');
  r.client_ip = std::string(10'000, 'c');
  for (std::string* field : client_strings(r)) *field = std::string(10'000, 'x');
  for (auto* field : optional_strings(r)) *field = std::string(10'000, 'y');
  const std::string line = to_json_line(r);
  expect_well_formed_line(line);
  EXPECT_NE(line.find(R"(,"truncated":true})"), std::string::npos);
  // Every member is still there, in order.
  std::size_t previous = 0;
  for (const char* key :
       {"time",      "request_id",  "client_ip",   "vhost",       "method",    "path",
        "status",    "substatus",   "reason",      "user",        "realm",     "auth_type",
        "providers", "user_file",   "hash_scheme", "requirement", "scheme",    "challenge",
        "repaired",  "config_file", "counter",     "limit",       "window_ms", "detail",
        "hint",      "truncated"}) {
    const std::size_t at = line.find("\""s + key + "\":");
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_GT(at, previous) << key;
    previous = at;
  }
  EXPECT_EQ(member(line, "time"), "2023-11-14T22:13:20.123456Z");
}

TEST(ToJsonLineCap, EveryFieldTenKilobytesOfEscapes) {
  DenialRecord r = full_record();
  for (std::string* field : client_strings(r)) *field = std::string(10'000, '\x01');
  for (auto* field : optional_strings(r)) *field = std::string(10'000, '\xff');
  const std::string line = to_json_line(r);
  expect_well_formed_line(line);
  // Cut between escapes, never inside one.
  EXPECT_EQ(member(line, "user").size() % 6, 0U);
  EXPECT_EQ(member(line, "path").size() % 6, 0U);
}

TEST(ToJsonLineCap, LongUserIsCutOthersKept) {
  DenialRecord r = full_record();
  r.user = std::string(10'000, 'u');
  const std::string line = to_json_line(r);
  expect_well_formed_line(line);
  EXPECT_NE(line.find(R"("truncated":true)"), std::string::npos);
  EXPECT_EQ(member(line, "realm"), "Members Area");
  EXPECT_EQ(member(line, "detail"), "The password does not match the stored hash.");
  const std::string user = member(line, "user");
  EXPECT_GT(user.size(), 3000U);
  EXPECT_EQ(user, std::string(user.size(), 'u'));
}

TEST(ToJsonLineCap, ClientFieldsAreCutBeforeConfigurationFields) {
  DenialRecord r = full_record();
  r.user = std::string(10'000, 'u');
  r.path = std::string(10'000, 'p');
  r.realm = std::string(2000, 'r');
  r.detail = std::string(1000, 'd');
  const std::string line = to_json_line(r);
  expect_well_formed_line(line);
  EXPECT_EQ(member(line, "realm"), std::string(2000, 'r'));
  EXPECT_EQ(member(line, "detail"), std::string(1000, 'd'));
  // The two long client fields share what is left, longest first.
  const std::size_t user = member(line, "user").size();
  const std::size_t path = member(line, "path").size();
  EXPECT_LT(user, 1000U);
  EXPECT_LE(user > path ? user - path : path - user, 1U);
}

TEST(ToJsonLineCap, Utf8IsCutOnCharacterBoundary) {
  DenialRecord r = full_record();
  r.user.reset();
  r.path = "/";
  for (int i = 0; i < 5000; ++i) *r.realm += "\xc3\xa9";  // 10 kB of e-acute
  const std::string line = to_json_line(r);
  expect_well_formed_line(line);
  const std::string realm = member(line, "realm");
  EXPECT_LT(realm.size(), 10'000U);
  EXPECT_EQ(realm.size() % 2, 0U);
}

TEST(ToJsonLineCap, ExactFitIsNotTruncated) {
  DenialRecord r = full_record();
  r.user = "";
  const std::size_t base = to_json_line(r).size();
  r.user = std::string(kMaxJsonLineBytes - base, 'u');
  const std::string fits = to_json_line(r);
  EXPECT_EQ(fits.size(), kMaxJsonLineBytes);
  EXPECT_EQ(fits.find("truncated"), std::string::npos);
  EXPECT_EQ(member(fits, "user"), *r.user);

  *r.user += 'u';
  const std::string over = to_json_line(r);
  expect_well_formed_line(over);
  EXPECT_NE(over.find(R"("truncated":true)"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Time

struct TimeCase {
  std::string name;
  std::int64_t time_us;
  std::string text;
};

void PrintTo(const TimeCase& c, std::ostream* os) { *os << c.name; }

class Rfc3339Test : public ::testing::TestWithParam<TimeCase> {};

TEST_P(Rfc3339Test, Formats) { EXPECT_EQ(format_rfc3339_us(GetParam().time_us), GetParam().text); }

// Expected values from Python's datetime.fromtimestamp(t, timezone.utc).
const TimeCase kTimeCases[] = {
    {"epoch", 0, "1970-01-01T00:00:00.000000Z"},
    {"one_microsecond", 1, "1970-01-01T00:00:00.000001Z"},
    {"before_epoch", -1, "1969-12-31T23:59:59.999999Z"},
    {"leap_day_2000", 951'782'400'000'000, "2000-02-29T00:00:00.000000Z"},
    {"recent", 1'700'000'000'123'456, "2023-11-14T22:13:20.123456Z"},
    {"no_leap_2100", 4'107'542'399'000'000, "2100-02-28T23:59:59.000000Z"},
    {"year_1900", -2'203'891'200'000'000, "1900-03-01T00:00:00.000000Z"},
    {"year_one", -62'135'596'800'000'000, "0001-01-01T00:00:00.000000Z"},
    {"last_of_9999", 253'402'300'799'999'999, "9999-12-31T23:59:59.999999Z"},
    {"clamped_high", std::numeric_limits<std::int64_t>::max(), "9999-12-31T23:59:59.999999Z"},
    {"clamped_low", std::numeric_limits<std::int64_t>::min(), "0000-01-01T00:00:00.000000Z"},
};

INSTANTIATE_TEST_SUITE_P(Cases, Rfc3339Test, ::testing::ValuesIn(kTimeCases),
                         [](const auto& param_info) { return param_info.param.name; });

// ---------------------------------------------------------------------------------------------
// User rendering

TEST(RenderUser, Modes) {
  EXPECT_EQ(render_user("alice", LogUserMode::Plain), "alice");
  EXPECT_EQ(render_user("", LogUserMode::Plain), "");
  // sha256("alice") = 2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90
  EXPECT_EQ(render_user("alice", LogUserMode::Hash), "2bd806c97f0e");
  EXPECT_EQ(render_user("", LogUserMode::Hash), "e3b0c44298fc");
  EXPECT_EQ(render_user("alice", LogUserMode::Off), std::nullopt);
}

}  // namespace
}  // namespace authdiag::core
