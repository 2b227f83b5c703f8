// SPDX-License-Identifier: Apache-2.0
// Stock httpd without mod_authdiag: reproduces the outcome table the module is measured against
// (httpd-internals.md §1.5). It keeps the harness honest and documents what "stock" means for
// the transparency comparisons in the other suites.
#include "integration_test.hpp"

namespace authdiag::itest {
namespace {

class StockBaseline : public IntegrationTest {
 protected:
  // Start (or reuse) the server first: fixtures such as the users exist only afterwards.
  void SetUp() override { httpd(); }

  static StandardUsers& users() {
    static StandardUsers u;
    return u;
  }

  static HttpdServer& httpd() {
    ServerOptions options;
    options.with_authdiag = false;
    return shared_server("stock-baseline", options, [](HttpdServer& s) {
      users() = StandardUsers::create(s.root() / "auth");
      const auto& u = users();
      Site site(s.htdocs(), s.conf_path());
      const std::string rewrite_dir =
          "  AllowOverride AuthConfig FileInfo\n  Options +FollowSymLinks";
      site.area("basic", Scope::Htaccess, basic_auth_block(u.user_file));
      site.area(
          "noname", Scope::Htaccess,
          "AuthType Basic\nAuthUserFile \"" + u.user_file.string() + "\"\nRequire valid-user");
      site.area("nofile", Scope::Htaccess, basic_auth_block(s.root() / "auth" / "missing"));
      site.area("linebreak", Scope::Htaccess,
                "AuthType Basic\nAuthName \"line\\nbreak\"\nAuthUserFile \"" +
                    u.user_file.string() + "\"\nRequire valid-user");
      site.area("quotes", Scope::Htaccess,
                "AuthType Basic\nAuthName \"He said \\\"hi\\\" back\\\\\\\\slash\"\n"
                "AuthUserFile \"" +
                    u.user_file.string() + "\"\nRequire valid-user");
      site.area("user-alice", Scope::Htaccess, basic_auth_block(u.user_file, "user alice"));
      site.area("group-missing", Scope::Htaccess,
                basic_auth_block(u.user_file, "group staff") + "\nAuthGroupFile \"" +
                    (s.root() / "auth" / "missing-groups").string() + "\"");
      site.area("authoritative-off", Scope::Htaccess,
                basic_auth_block(u.user_file) + "\nAuthBasicAuthoritative Off");
      site.area("forbidden-on-failure", Scope::Htaccess,
                basic_auth_block(u.user_file, "user alice") + "\nAuthzSendForbiddenOnFailure On");
      site.area("ip-only", Scope::Htaccess, "Require ip 10.9.9.9");
      site.area("no-authtype", Scope::Htaccess,
                "AuthUserFile \"" + u.user_file.string() + "\"\nRequire valid-user");
      site.area("rewrite401", Scope::Htaccess,
                basic_auth_block(u.user_file) + "\nRewriteEngine On\nRewriteRule ^ - [R=401]",
                rewrite_dir);
      site.area("doubled", Scope::Htaccess, basic_auth_block(u.user_file),
                "  Header always add WWW-Authenticate \"Basic realm=\\\"Members\\\"\" "
                "\"expr=%{REQUEST_STATUS} == 401\"");
      site.area("app", Scope::Htaccess, "", cgi_directory_directives());
      site.file("app/deny.cgi", cgi_401_script({}), fs::perms(0755));
      site.area("trailing", Scope::Htaccess,
                "AuthType Basic\nAuthName \"Trailing\\\\\"\nAuthUserFile \"" +
                    u.user_file.string() + "\"\nRequire valid-user");
      return site.text();
    });
  }

  Exchange get(const std::string& target, const std::string& authorization = {}) {
    HttpRequest request{"GET", target, {}, {}};
    if (!authorization.empty()) request.with("Authorization", authorization);
    return fetch(httpd(), request);
  }

  // The AH codes in the lines this request added to the error log.
  static std::vector<std::string> ah_codes(const Exchange& ex) {
    std::vector<std::string> codes;
    for (const auto& line : ex.error_lines) {
      const auto pos = line.message.find("AH0");
      if (pos != std::string::npos) codes.push_back(line.message.substr(pos, 7));
    }
    return codes;
  }

  using Codes = std::vector<std::string>;
};

TEST_F(StockBaseline, NoCredentialsIs401WithChallengeAndNothingLogged) {
  const Exchange ex = get("/basic/");
  ASSERT_EQ(ex.response.status, 401) << ex.describe();
  EXPECT_EQ(ex.response.values("WWW-Authenticate"),
            std::vector<std::string>{"Basic realm=\"Members\""});
  EXPECT_TRUE(ex.error_lines.empty()) << ex.describe();
  ASSERT_TRUE(ex.access.has_value());
  EXPECT_EQ(ex.access->authdiag_status, "-");
  EXPECT_EQ(ex.access->authdiag_substatus, "-");
  EXPECT_EQ(ex.access->authdiag_reason, "-");
  EXPECT_TRUE(ex.json_text.empty());
}

TEST_F(StockBaseline, OtherSchemeOrTabIsAH01614) {
  for (const std::string auth : {"Bearer abc.def.ghi", "Basic\tYWxpY2U6eA=="}) {
    const Exchange ex = get("/basic/", auth);
    EXPECT_EQ(ex.response.status, 401) << ex.describe();
    EXPECT_EQ(ex.response.count("WWW-Authenticate"), 1u);
    EXPECT_EQ(ah_codes(ex), Codes{"AH01614"}) << ex.describe();
  }
}

TEST_F(StockBaseline, EmptyOrInvalidBase64OrNoColonIsAH01618) {
  for (const std::string& auth : std::vector<std::string>{"Basic ", "Basic !!!notbase64",
                                                          "Basic " + base64_encode("nocolon")}) {
    const Exchange ex = get("/basic/", auth);
    EXPECT_EQ(ex.response.status, 401) << ex.describe();
    EXPECT_EQ(ah_codes(ex), Codes{"AH01618"}) << ex.describe();
  }
}

TEST_F(StockBaseline, UnknownUserAH01618WrongPasswordAH01617PlaintextNeverMatches) {
  const auto& u = users();
  Exchange ex = get("/basic/", basic_credentials("mallory", "whatever"));
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(ah_codes(ex), Codes{"AH01618"}) << ex.describe();
  for (const auto& user : u.verifiable()) {
    ex = get("/basic/", basic_credentials(user.name, "wrong-" + user.password));
    EXPECT_EQ(ex.response.status, 401) << user.name;
    EXPECT_EQ(ah_codes(ex), Codes{"AH01617"}) << ex.describe();
    ex = get("/basic/", basic_credentials(user.name, user.password));
    EXPECT_EQ(ex.response.status, 200) << user.name << "\n" << ex.describe();
  }
  ex = get("/basic/", basic_credentials(u.pat.name, u.pat.password));
  EXPECT_EQ(ex.response.status, 401) << "plaintext entries never verify on Linux";
  EXPECT_EQ(ah_codes(ex), Codes{"AH01617"}) << ex.describe();
  ex = get("/basic/", basic_credentials(u.dig.name, u.dig.password));
  EXPECT_EQ(ex.response.status, 401) << "an htdigest line never verifies";
  EXPECT_EQ(ah_codes(ex), Codes{"AH01617"}) << ex.describe();
}

TEST_F(StockBaseline, MissingAuthNameIs500WithoutChallenge) {
  const Exchange ex = get("/noname/", basic_credentials("alice", "x"));
  EXPECT_EQ(ex.response.status, 500);
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 0u);
  EXPECT_EQ(ah_codes(ex), Codes{"AH01615"}) << ex.describe();
}

TEST_F(StockBaseline, MissingUserFileIs500OnlyWithCredentials) {
  Exchange ex = get("/nofile/", basic_credentials("alice", "x"));
  EXPECT_EQ(ex.response.status, 500);
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 0u);
  EXPECT_EQ(ah_codes(ex), Codes{"AH01620"}) << ex.describe();
  ex = get("/nofile/");
  EXPECT_EQ(ex.response.status, 401) << "anonymous requests never reveal the missing file";
  EXPECT_TRUE(ex.error_lines.empty()) << ex.describe();
}

TEST_F(StockBaseline, RealmWithLineBreakTurns401Into500) {
  const Exchange ex = get("/linebreak/");
  EXPECT_EQ(ex.response.status, 500);
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 0u);
  EXPECT_EQ(ah_codes(ex), Codes{"AH02430"}) << ex.describe();
}

TEST_F(StockBaseline, RealmBackslashIsNotEscaped) {
  // The AuthName text is `He said "hi" back\slash`; stock escapes only the quotes.
  const Exchange ex = get("/quotes/");
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(ex.response.values("WWW-Authenticate"),
            std::vector<std::string>{R"(Basic realm="He said \"hi\" back\slash")"});
}

TEST_F(StockBaseline, RequireUserMismatchIs401WithEmptyReason) {
  const auto& u = users();
  const Exchange ex = get("/user-alice/", basic_credentials(u.bob.name, u.bob.password));
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 1u);
  EXPECT_EQ(ah_codes(ex), Codes{"AH01631"}) << ex.describe();
}

TEST_F(StockBaseline, MissingGroupFileIs401Loop) {
  const auto& u = users();
  const Exchange ex = get("/group-missing/", basic_credentials(u.alice.name, u.alice.password));
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 1u);
  EXPECT_EQ(ah_codes(ex), (Codes{"AH01665", "AH01631"})) << ex.describe();
}

TEST_F(StockBaseline, AuthoritativeOffUnknownUserIs500AH01796) {
  const Exchange ex = get("/authoritative-off/", basic_credentials("mallory", "x"));
  EXPECT_EQ(ex.response.status, 500);
  EXPECT_EQ(ah_codes(ex), Codes{"AH01796"}) << ex.describe();
}

TEST_F(StockBaseline, ForbiddenOnFailureAndIpDenialAre403WithoutChallenge) {
  const auto& u = users();
  Exchange ex = get("/forbidden-on-failure/", basic_credentials(u.bob.name, u.bob.password));
  EXPECT_EQ(ex.response.status, 403);
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 0u);
  EXPECT_EQ(ah_codes(ex), Codes{"AH01631"}) << ex.describe();
  ex = get("/ip-only/");
  EXPECT_EQ(ex.response.status, 403);
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 0u);
  EXPECT_EQ(ah_codes(ex), Codes{"AH01630"}) << ex.describe();
}

TEST_F(StockBaseline, RequireWithoutAuthTypeIs500) {
  const Exchange ex = get("/no-authtype/", basic_credentials("alice", "x"));
  EXPECT_EQ(ex.response.status, 500) << ex.describe();
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 0u);
}

TEST_F(StockBaseline, RewriteAndCgi401CarryNoChallenge) {
  const auto& u = users();
  Exchange ex = get("/rewrite401/", basic_credentials(u.alice.name, u.alice.password));
  EXPECT_EQ(ex.response.status, 401) << ex.describe();
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 0u) << ex.response.header_block();
  ex = get("/app/deny.cgi");
  EXPECT_EQ(ex.response.status, 401) << ex.describe();
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 0u) << ex.response.header_block();
  EXPECT_EQ(ex.response.body, "application refused the request\n");
}

TEST_F(StockBaseline, HeaderAlwaysAddSendsASecondBasicChallenge) {
  // The precondition of the "no duplicate Basic challenge" test in the challenge suite.
  const Exchange ex = get("/doubled/");
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(ex.response.values("WWW-Authenticate"),
            (std::vector<std::string>{R"(Basic realm="Members")", R"(Basic realm="Members")"}))
      << ex.response.header_block();
  EXPECT_EQ(count_basic_challenges(ex.response), 2u);
}

TEST_F(StockBaseline, TrailingBackslashInAuthNameKillsTheChild) {
  // The harness must see this crash: no response at all, and the flex abort in the error log.
  allow_in_error_log("flex scanner jammed");
  const Exchange ex = get("/trailing/");
  EXPECT_FALSE(ex.transport_error.empty()) << ex.describe();
  EXPECT_TRUE(
      wait_until([&] { return !crash_lines(read_file(httpd().error_log())).empty(); }, 5000));
  EXPECT_EQ(crash_lines(read_file(httpd().error_log())).size(), 1u);
  // The server recovers: the next request is answered.
  EXPECT_EQ(get("/basic/").response.status, 401);
}

}  // namespace
}  // namespace authdiag::itest
