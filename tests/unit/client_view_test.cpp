// SPDX-License-Identifier: Apache-2.0
// Accept negotiation, the IIS-style detail page and the RFC 9457 problem object.
#include "core/client_view.hpp"

#include "support/json.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <string>

namespace authdiag::core {
namespace {

using authdiag::test_json::is_valid_json_object;

// ---------------------------------------------------------------------------------------------
// Accept

struct AcceptCase {
  std::string name;
  std::string accept;
  bool problem_json;
};

void PrintTo(const AcceptCase& c, std::ostream* os) { *os << c.name; }

class PrefersProblemJsonTest : public ::testing::TestWithParam<AcceptCase> {};

TEST_P(PrefersProblemJsonTest, Negotiates) {
  EXPECT_EQ(prefers_problem_json(GetParam().accept), GetParam().problem_json);
}

const AcceptCase kAcceptCases[] = {
    {"empty", "", false},
    {"problem_json", "application/problem+json", true},
    {"json", "application/json", true},
    {"html", "text/html", false},
    {"anything", "*/*", false},
    {"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
    {"axios", "application/json, text/plain, */*", true},
    {"curl", "*/*", false},
    {"html_weighted_lower", "text/html;q=0.5, application/problem+json", true},
    {"json_weighted_lower", "text/html, application/problem+json;q=0.9", false},
    {"equal_weights_keep_html", "application/json;q=1.0, text/html;q=1", false},
    {"json_refused", "application/json;q=0", false},
    {"json_refused_html_absent", "application/json;q=0, text/plain", false},
    {"html_refused", "text/html;q=0, application/json;q=0.1", true},
    {"text_wildcard_lower", "text/*;q=0.2, application/json;q=0.5", true},
    {"text_wildcard_equal", "text/*, application/json", false},
    {"case_insensitive", "APPLICATION/PROBLEM+JSON", true},
    {"q_case_insensitive", "text/html;Q=0.1, application/json", true},
    {"invalid_q_ignored", "application/json;q=abc", false},
    {"q_above_one_ignored", "application/json;q=1.5", false},
    {"q_too_precise_ignored", "application/json;q=0.0001, text/plain", false},
    {"whitespace", " application/json ; q=0.8 , text/html ; q=0.7 ", true},
    {"other_params", "text/html;level=1;q=0.1, application/json;charset=utf-8", true},
    {"best_weight_of_duplicates", "application/json;q=0.1, application/json;q=0.9, text/html;q=0.5",
     true},
    {"only_wildcard_application", "application/*", false},
    {"garbage", ",,;;=,", false},
};

INSTANTIATE_TEST_SUITE_P(Cases, PrefersProblemJsonTest, ::testing::ValuesIn(kAcceptCases),
                         [](const auto& param_info) { return param_info.param.name; });

// ---------------------------------------------------------------------------------------------
// Detail page

DenialRecord sample_record() {
  DenialRecord r;
  r.request_id = "ZW5hYmxlZA";
  r.client_ip = "127.0.0.1";
  r.method = "GET";
  r.path = "/private/index.html";
  r.status = 401;
  r.substatus = 1;
  r.reason = Reason::PasswordMismatch;
  r.user = "alice";
  r.realm = "Members";
  r.auth_type = "Basic";
  r.providers = "file";
  r.user_file = "/etc/apache2/.htpasswd";
  r.hash_scheme = "bcrypt(cost=10)";
  r.config_file = "/var/www/html/private/.htaccess";
  r.hint = "Ask the site owner to reset your password.";
  return r;
}

bool is_ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

TEST(RenderDetailPage, TitleSectionsAndFacts) {
  const std::string page = render_detail_page(sample_record());
  EXPECT_NE(page.find("<title>HTTP Error 401.1 - Unauthorized</title>"), std::string::npos);
  EXPECT_NE(page.find("Logon failed"), std::string::npos);
  EXPECT_NE(page.find("The user exists but the password does not match the stored hash."),
            std::string::npos);
  for (const char* text :
       {"Most likely causes", "Things you can try", "Detailed Error Information",
        "The password is wrong or was changed.", "Caps Lock or keyboard layout differs.",
        "Retype the password.", "Members", "Basic", "bcrypt(cost=10)", "/etc/apache2/.htpasswd",
        "/var/www/html/private/.htaccess", "ZW5hYmxlZA", "127.0.0.1", "/private/index.html",
        "password_mismatch", "<td>alice</td>"}) {
    EXPECT_NE(page.find(text), std::string::npos) << text;
  }
  EXPECT_TRUE(is_ascii(page));
}

TEST(RenderDetailPage, HintComesBeforeRemedies) {
  const std::string page = render_detail_page(sample_record());
  const std::size_t hint = page.find("Ask the site owner to reset your password.");
  const std::size_t remedy = page.find("Retype the password.");
  ASSERT_NE(hint, std::string::npos);
  ASSERT_NE(remedy, std::string::npos);
  EXPECT_LT(page.find("Things you can try"), hint);
  EXPECT_LT(hint, remedy);
}

TEST(RenderDetailPage, AbsentFactsAreNotShown) {
  DenialRecord r;
  r.status = 401;
  r.substatus = 2;
  r.reason = Reason::CredentialsMissing;
  const std::string page = render_detail_page(r);
  for (const char* label :
       {"User as sent", "User file", "Realm", "Hash scheme", "Failed requirement", "Request ID",
        "Client address", "Requested URL"}) {
    EXPECT_EQ(page.find(label), std::string::npos) << label;
  }
  EXPECT_NE(page.find("credentials_missing"), std::string::npos);
}

TEST(RenderDetailPage, StatusTexts) {
  const struct {
    int status;
    std::optional<SubstatusCode> substatus;
    Reason reason;
    const char* title;
  } cases[] = {
      {403, 503, Reason::IpDenied, "HTTP Error 403.503 - Forbidden"},
      {404, 504, Reason::HostDenied, "HTTP Error 404.504 - Not Found"},
      {429, 502, Reason::RateLimit, "HTTP Error 429.502 - Too Many Requests"},
      {500, std::nullopt, Reason::UserFileMissing, "HTTP Error 500 - Internal Server Error"},
      {401, 3, Reason::AuthzDenied, "HTTP Error 401.3 - Unauthorized"},
  };
  for (const auto& c : cases) {
    DenialRecord r;
    r.status = c.status;
    r.substatus = c.substatus;
    r.reason = c.reason;
    EXPECT_NE(render_detail_page(r).find(std::string("<title>") + c.title + "</title>"),
              std::string::npos)
        << c.title;
  }
}

TEST(RenderDetailPage, HostileValuesAreEscapedAndAscii) {
  DenialRecord r = sample_record();
  r.user = R"(<script>alert("x")</script>)";
  r.realm = "j\xc3\xbcrgen's \xe2\x82\xac";
  r.path = "/a&b";
  r.requirement = "user \xff\r\n\x7f\xc2\x85 \xe2\x80\xaegnp.exe";
  const std::string page = render_detail_page(r);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("j&#xFC;rgen&#39;s &#x20AC;"), std::string::npos);
  EXPECT_NE(page.find("/a&amp;b"), std::string::npos);
  // Invalid UTF-8 becomes U+FFFD; controls and bidi overrides visible escapes, so nothing can
  // hide or reorder the text around them.
  EXPECT_NE(page.find("user &#xFFFD;\\x0D\\x0A\\x7F\\u0085 \\u202Egnp.exe"), std::string::npos)
      << page;
  EXPECT_TRUE(is_ascii(page));
}

TEST(RenderDetailPage, SelfContained) {
  const std::string page = render_detail_page(sample_record());
  EXPECT_NE(page.find("<style>"), std::string::npos);
  for (const char* external : {"<link", "<script", "src=", "@import", "url("}) {
    EXPECT_EQ(page.find(external), std::string::npos) << external;
  }
}

// ---------------------------------------------------------------------------------------------
// Problem object

TEST(RenderProblemJson, Golden) {
  EXPECT_EQ(render_problem_json(sample_record()),
            R"({"type":"urn:authdiag:reason:password_mismatch","title":"Logon failed",)"
            R"("status":401,)"
            R"("detail":"The user exists but the password does not match the stored hash.",)"
            R"("instance":"/private/index.html","substatus":"401.1","reason":"password_mismatch",)"
            R"("request_id":"ZW5hYmxlZA","hints":["Ask the site owner to reset your password.",)"
            R"("Retype the password.",)"
            R"("Reset it: authdiag user set --user-file FILE --user NAME --password-stdin."]})");
}

TEST(RenderProblemJson, RecordDetailWinsAndAbsentMembersOmitted) {
  DenialRecord r;
  r.status = 500;
  r.reason = Reason::AuthnameMissing;
  r.detail = "AuthName is missing in /var/www/.htaccess.";
  EXPECT_EQ(render_problem_json(r),
            R"({"type":"urn:authdiag:reason:authname_missing",)"
            R"("title":"Logon failed due to server configuration","status":500,)"
            R"("detail":"AuthName is missing in /var/www/.htaccess.",)"
            R"("reason":"authname_missing",)"
            R"("hints":["Add AuthName \"Your realm\" next to AuthType Basic."]})");
}

TEST(RenderProblemJson, HostileValuesStayValidJson) {
  DenialRecord r = sample_record();
  r.path = std::string("/\"\\\n\0\xff\xe2\x80\xa8", 9);
  r.hint = "\x01\x7f";
  r.detail = "\xc0\xaf";
  const std::string json = render_problem_json(r);
  EXPECT_TRUE(is_valid_json_object(json)) << json;
  EXPECT_NE(json.find(R"("instance":"/\"\\\n\u0000\u00ff\u2028")"), std::string::npos) << json;
}

}  // namespace
}  // namespace authdiag::core
