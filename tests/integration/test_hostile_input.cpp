// SPDX-License-Identifier: Apache-2.0
// Hostile credentials and realms: whatever a client sends, the JSON line stays valid and at most
// 4096 bytes, the error-log line stays one well-formed line that no input can forge or extend,
// and nothing secret leaks.
#include "integration_test.hpp"

#include <regex>
#include <set>

namespace authdiag::itest {
namespace {

class HostileInput : public IntegrationTest {
 protected:
  void SetUp() override { httpd(); }

  static HttpdServer& httpd() {
    ServerOptions options;
    // Room for a 10 kB user name (base64 makes it 13.7 kB) without a 400 from the core.
    options.server_directives = "LimitRequestFieldSize 65536";
    return shared_server("hostile-input", options, [](HttpdServer& s) {
      const StandardUsers u = StandardUsers::create(s.root() / "auth");
      const std::string file = "AuthUserFile \"" + u.user_file.string() + "\"";
      Site site(s.htdocs(), s.conf_path());
      site.area("basic", Scope::Htaccess, basic_auth_block(u.user_file));
      site.area("realm-quotes", Scope::Htaccess,
                "AuthType Basic\nAuthName \"He said \\\"hi\\\" back\\\\\\\\slash\"\n" + file +
                    "\nRequire valid-user");
      site.area("realm-linebreak", Scope::Htaccess,
                "AuthType Basic\nAuthName \"evil\\n[authdiag:warn] forged realm\"\n" + file +
                    "\nRequire valid-user");
      return site.text();
    });
  }

  Exchange send(const std::string& target, const std::string& authorization) {
    HttpRequest request{"GET", target, {}, {}};
    if (!authorization.empty()) request.with("Authorization", authorization);
    return fetch(httpd(), request);
  }

  // The invariants every denial must keep, whatever the input.
  static void expect_intact_logs(const Exchange& ex) {
    SCOPED_TRACE("request " + ex.marker);
    ASSERT_TRUE(ex.transport_error.empty()) << ex.describe();
    EXPECT_EQ(ex.response.status, 401) << ex.describe();
    // Every error-log line this request added is a complete line in httpd's format.
    static const std::regex kLineStart(R"(^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d )");
    for (const auto& line : split_lines(ex.error_text)) {
      EXPECT_TRUE(std::regex_search(line, kLineStart))
          << "a line that httpd did not start: " << printable(line);
      EXPECT_FALSE(contains(line, "\r")) << printable(line);
    }
    const auto lines = ex.lines_of("authdiag");
    ASSERT_EQ(lines.size(), 1u) << ex.describe();
    for (const char c : lines[0].raw) {
      const auto u = static_cast<unsigned char>(c);
      EXPECT_TRUE(u >= 0x20 && u < 0x7f)
          << "raw byte 0x" << std::hex << static_cast<int>(u) << " in " << printable(lines[0].raw);
    }
    if (const auto fields = single_log_fields(ex)) {
      std::set<std::string> keys;
      for (const auto& f : *fields) {
        EXPECT_TRUE(keys.insert(f.key).second)
            << "field " << f.key << " appears twice: " << printable(lines[0].raw);
      }
    }
    // The JSON record: one valid line of at most 4096 bytes.
    ASSERT_EQ(ex.json_lines.size(), 1u) << ex.describe();
    EXPECT_LE(ex.json_lines[0].size() + 1, 4096u);
    EXPECT_TRUE(ex.json_text.ends_with("\n"));
    EXPECT_TRUE(single_record(ex).has_value());
  }

  static std::string logged_user(const Exchange& ex) {
    const auto fields = single_log_fields(ex);
    if (!fields) return "(unparsed)";
    const LogfmtField* user = find_field(*fields, "user");
    return user == nullptr ? "(absent)" : user->value;
  }
};

TEST_F(HostileInput, MalformedCredentialsKeepLogsIntact) {
  const std::vector<std::string> cases = {
      "Basic !!!notbase64",
      "Basic " + base64_encode("no-colon-at-all"),
      "Basic " + base64_encode(std::string("nul\0user:Pw-nul-1", 17)),
      "Basic " + base64_encode("cr\ruser:Pw-cr-1"),
      "Basic " + base64_encode("lf\nuser:Pw-lf-1"),
      "Basic " + base64_encode("tab\tuser:Pw-tab-1"),
      "Basic " + base64_encode("\x7f\x1b[31mansi:Pw-ansi-1"),
  };
  for (const auto& authorization : cases) {
    SCOPED_TRACE(authorization);
    const Exchange ex = send("/basic/", authorization);
    expect_intact_logs(ex);
    ASSERT_TRUE(ex.access.has_value());
    EXPECT_EQ(ex.access->authdiag_reason, "credentials_malformed");
    expect_no_secrets(
        ex, {"Pw-nul-1", "Pw-cr-1", "Pw-lf-1", "Pw-tab-1", "Pw-ansi-1", authorization.substr(6)});
  }
}

TEST_F(HostileInput, HighBytesInUserName) {
  const std::string user =
      "\xff\xfe"
      "admin\xc3\xa9";
  const Exchange ex = send("/basic/", basic_credentials(user, "Pw-high-1"));
  expect_intact_logs(ex);
  expect_no_secrets(ex, {"Pw-high-1"});
  if (const auto record = single_record(ex)) {
    const auto logged = record->string_member("user");
    ASSERT_TRUE(logged.has_value()) << record->dump();
    EXPECT_TRUE(contains(*logged, "admin")) << record->dump();
  }
}

TEST_F(HostileInput, LineForgingUserNameStaysOnOneLine) {
  // Basic ends the user name at the first colon, so the first one forges only "[authdiag";
  // the second spells a whole line without a colon.
  for (const std::string user :
       {"x\n[authdiag:warn] fake", "x\r\n[authdiag-warn] fake AD0105 status=401",
        "x\n[Sun Nov 29 00.00.00.000000 2026] [authdiag-warn] fake"}) {
    SCOPED_TRACE(printable(user));
    const Exchange ex = send("/basic/", basic_credentials(user, "Pw-forge-1"));
    expect_intact_logs(ex);
    expect_no_secrets(ex, {"Pw-forge-1"});
    for (const auto& line : split_lines(ex.error_text)) {
      EXPECT_FALSE(line.starts_with("[authdiag")) << printable(line);
    }
  }
}

TEST_F(HostileInput, FieldInjectionThroughUserName) {
  for (const std::string user : {"x reason=password_mismatch", "x\" reason=\"password_mismatch",
                                 "a\"b", "a\\b", "trailing\\"}) {
    SCOPED_TRACE(user);
    const Exchange ex = send("/basic/", basic_credentials(user, "Pw-inject-1"));
    expect_intact_logs(ex);
    ASSERT_TRUE(ex.access.has_value());
    EXPECT_EQ(ex.access->authdiag_reason, "user_unknown");
    if (const auto fields = single_log_fields(ex)) {
      const LogfmtField* reason = find_field(*fields, "reason");
      ASSERT_NE(reason, nullptr);
      EXPECT_EQ(reason->value, "user_unknown");
    }
    EXPECT_EQ(logged_user(ex), user) << "the user name round-trips through logfmt quoting";
    if (const auto record = single_record(ex)) {
      EXPECT_EQ(record->string_member("user"), user);
    }
  }
}

TEST_F(HostileInput, TenKilobyteUserNameIsTruncatedAndMarked) {
  const std::string user(10240, 'u');
  const Exchange ex = send("/basic/", basic_credentials(user, "Pw-long-1"));
  expect_intact_logs(ex);
  expect_no_secrets(ex, {"Pw-long-1"});
  if (const auto record = single_record(ex)) {
    const auto logged = record->string_member("user");
    ASSERT_TRUE(logged.has_value()) << "cut, not dropped";
    EXPECT_LT(logged->size(), user.size());
    const Json* truncated = record->find("truncated");
    const bool marked = (truncated != nullptr && truncated->is_bool() && truncated->as_bool()) ||
                        logged->ends_with("...") || logged->ends_with("\u2026");
    EXPECT_TRUE(marked) << "a cut field is marked: " << printable(record->dump(), 300);
  }
  ASSERT_EQ(ex.lines_of("authdiag").size(), 1u);
  EXPECT_LT(ex.lines_of("authdiag")[0].raw.size(), 8192u) << "the error-log line is bounded too";
}

TEST_F(HostileInput, EightKilobyteAuthorizationHeader) {
  const std::string token(8000, 'A');
  const Exchange ex = send("/basic/", "Bearer " + token);
  expect_intact_logs(ex);
  ASSERT_TRUE(ex.access.has_value());
  EXPECT_EQ(ex.access->authdiag_reason, "scheme_unsupported");
  expect_no_secrets(ex, {token.substr(0, 64)});

  const std::string long_basic = basic_credentials(std::string(3000, 'v'), std::string(3000, 'p'));
  const Exchange basic = send("/basic/", long_basic);
  expect_intact_logs(basic);
  expect_no_secrets(basic, {std::string(64, 'p')});
}

TEST_F(HostileInput, HostileRealmsKeepLogsIntact) {
  Exchange ex = send("/realm-quotes/", basic_credentials("mallory", "Pw-realm-1"));
  expect_intact_logs(ex);
  if (const auto record = single_record(ex)) {
    EXPECT_EQ(record->string_member("realm"), R"(He said "hi" back\slash)");
  }
  if (const auto fields = single_log_fields(ex)) {
    const LogfmtField* realm = find_field(*fields, "realm");
    ASSERT_NE(realm, nullptr);
    EXPECT_EQ(realm->value, R"(He said "hi" back\slash)");
  }
  ex = send("/realm-linebreak/", basic_credentials("mallory", "Pw-realm-2"));
  expect_intact_logs(ex);
  for (const auto& line : split_lines(ex.error_text)) {
    EXPECT_FALSE(line.starts_with("[authdiag:warn] forged")) << printable(line);
  }
}

}  // namespace
}  // namespace authdiag::itest
