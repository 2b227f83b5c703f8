// SPDX-License-Identifier: Apache-2.0
// The WWW-Authenticate challenge on every 401: present, exactly one Basic challenge, a correct
// quoted-string realm, charset="UTF-8" unless switched off, and repaired where stock sends none.
#include "integration_test.hpp"

#include <regex>

namespace authdiag::itest {
namespace {

const std::string kMembers = R"(Basic realm="Members", charset="UTF-8")";

class Challenge : public IntegrationTest, public ::testing::WithParamInterface<LoadOrder> {
 protected:
  // Start (or reuse) the server first: fixtures such as the users exist only afterwards.
  void SetUp() override { httpd(); }

  static StandardUsers& users(LoadOrder order) {
    static std::map<LoadOrder, StandardUsers> u;
    return u[order];
  }
  const StandardUsers& u() { return users(GetParam()); }

  HttpdServer& httpd() {
    const LoadOrder order = GetParam();
    ServerOptions options;
    options.order = order;
    return shared_server(
        "challenge-" + std::string(load_order_name(order)), options, [order](HttpdServer& s) {
          StandardUsers& us = users(order);
          us = StandardUsers::create(s.root() / "auth");
          Site site(s.htdocs(), s.conf_path());
          const std::string file = "AuthUserFile \"" + us.user_file.string() + "\"";
          const std::string rewrite = "\nRewriteEngine On\nRewriteRule ^ - [R=401]";
          const std::string rewrite_dir =
              "  AllowOverride AuthConfig FileInfo\n  Options +FollowSymLinks";
          auto module_only = [](const std::string& directive) {
            return "\n<IfModule authdiag_module>\n" + directive + "\n</IfModule>";
          };
          site.area("basic", Scope::Htaccess, basic_auth_block(us.user_file));
          site.area("dir-basic", Scope::Directory, basic_auth_block(us.user_file));
          site.area("charset-off", Scope::Htaccess,
                    basic_auth_block(us.user_file) + module_only("AuthDiagCharset Off"));
          site.area("quotes", Scope::Htaccess,
                    "AuthType Basic\nAuthName \"He said \\\"hi\\\" back\\\\\\\\slash\"\n" + file +
                        "\nRequire valid-user");
          site.area("linebreak", Scope::Htaccess,
                    "AuthType Basic\nAuthName \"line\\nbreak\"\n" + file + "\nRequire valid-user");
          site.area("rewrite401", Scope::Htaccess, basic_auth_block(us.user_file) + rewrite,
                    rewrite_dir);
          site.area(
              "repair-off", Scope::Htaccess,
              basic_auth_block(us.user_file) + rewrite + module_only("AuthDiagRepairChallenge Off"),
              rewrite_dir);
          site.area("cgi", Scope::Htaccess, basic_auth_block(us.user_file),
                    cgi_directory_directives());
          site.file("cgi/deny.cgi", cgi_401_script({}), fs::perms(0755));
          site.file("cgi/own-basic.cgi", cgi_401_script({R"(WWW-Authenticate: Basic realm="App")"}),
                    fs::perms(0755));
          site.area("app", Scope::Htaccess, "", cgi_directory_directives());
          site.file("app/deny.cgi", cgi_401_script({}), fs::perms(0755));
          site.file("app/own-basic.cgi", cgi_401_script({R"(WWW-Authenticate: Basic realm="App")"}),
                    fs::perms(0755));
          site.file("app/own-charset.cgi",
                    cgi_401_script({R"(WWW-Authenticate: Basic realm="App", charset="UTF-8")"}),
                    fs::perms(0755));
          site.file("app/bearer.cgi", cgi_401_script({R"(WWW-Authenticate: Bearer realm="api")"}),
                    fs::perms(0755));
          site.area("app-realm", Scope::Htaccess,
                    module_only("AuthDiagDefaultRealm \"Staff Area\""), cgi_directory_directives());
          site.file("app-realm/deny.cgi", cgi_401_script({}), fs::perms(0755));
          site.area("app-repair-off", Scope::Htaccess, module_only("AuthDiagRepairChallenge Off"),
                    cgi_directory_directives());
          site.file("app-repair-off/deny.cgi", cgi_401_script({}), fs::perms(0755));
          site.area("config401", Scope::Htaccess,
                    "AuthType Basic\n" + file + "\nRequire valid-user" +
                        module_only("AuthDiagConfigErrorStatus 401"));
          // mod_headers adds a second Basic challenge on top of mod_auth_basic's.
          site.area("doubled", Scope::Htaccess, basic_auth_block(us.user_file),
                    "  Header always add WWW-Authenticate \"Basic realm=\\\"Members\\\"\" "
                    "\"expr=%{REQUEST_STATUS} == 401\"");
          return site.text();
        });
  }

  Exchange get(const std::string& target, const std::string& authorization = {}) {
    HttpRequest request{"GET", target, {}, {}};
    if (!authorization.empty()) request.with("Authorization", authorization);
    return fetch(httpd(), request);
  }

  std::string alice() { return basic_credentials(u().alice.name, u().alice.password); }

  // The record's `challenge` is the challenge as sent.
  static void expect_recorded_challenge(const Exchange& ex) {
    if (const auto record = single_record(ex)) {
      const auto sent = ex.response.values("WWW-Authenticate");
      ASSERT_EQ(sent.size(), 1u);
      EXPECT_EQ(record->string_member("challenge"), sent[0]) << record->dump();
    }
  }

  static std::optional<bool> repaired_flag(const Exchange& ex) {
    const auto record = single_record(ex);
    if (!record) return std::nullopt;
    const Json* r = record->find("repaired");
    return r != nullptr && r->is_bool() && r->as_bool();
  }
};

TEST_P(Challenge, BasicChallengeCarriesCharsetExactlyOnce) {
  for (const std::string& target : {std::string("/basic/"), std::string("/dir-basic/")}) {
    for (const std::string& auth : {std::string(), basic_credentials("alice", "Wrong-pw-1")}) {
      SCOPED_TRACE(target + (auth.empty() ? " anonymous" : " wrong password"));
      const Exchange ex = get(target, auth);
      EXPECT_EQ(ex.response.status, 401);
      EXPECT_EQ(ex.response.values("WWW-Authenticate"), std::vector<std::string>{kMembers})
          << ex.response.header_block();
      expect_recorded_challenge(ex);
      EXPECT_EQ(repaired_flag(ex), false) << "stock already sent a challenge here";
    }
  }
}

TEST_P(Challenge, CharsetOffLeavesTheStockChallenge) {
  const Exchange ex = get("/charset-off/");
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(ex.response.values("WWW-Authenticate"),
            std::vector<std::string>{R"(Basic realm="Members")"})
      << ex.response.header_block();
}

TEST_P(Challenge, RealmIsAValidQuotedString) {
  // AuthName text: He said "hi" back\slash. Stock sends back\slash unescaped (a client reads
  // "backslash"); a quoted-string needs \\ for a backslash.
  const Exchange ex = get("/quotes/");
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(
      ex.response.values("WWW-Authenticate"),
      std::vector<std::string>{R"(Basic realm="He said \"hi\" back\\slash", charset="UTF-8")"})
      << ex.response.header_block();
  expect_recorded_challenge(ex);
}

TEST_P(Challenge, RealmWithLineBreakStays401WithControlCharacterRemoved) {
  const Exchange ex = get("/linebreak/");
  EXPECT_EQ(ex.response.status, 401) << "stock turns this into 500 (AH02430)\n" << ex.describe();
  EXPECT_EQ(ex.response.values("WWW-Authenticate"),
            std::vector<std::string>{R"(Basic realm="linebreak", charset="UTF-8")"})
      << ex.response.header_block();
  EXPECT_FALSE(contains(ex.error_text, "AH02430")) << ex.error_text;
  for (const auto& [name, value] : ex.response.headers) {
    for (const char c : value) {
      EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 && c != '\t')
          << name << " carries a control character";
    }
  }
}

TEST_P(Challenge, RewriteAndCgi401GetTheScopeChallengeAdded) {
  for (const std::string& target : {std::string("/rewrite401/"), std::string("/cgi/deny.cgi")}) {
    SCOPED_TRACE(target);
    const Exchange ex = get(target, alice());
    EXPECT_EQ(ex.response.status, 401);
    EXPECT_EQ(ex.response.values("WWW-Authenticate"), std::vector<std::string>{kMembers})
        << ex.response.header_block();
    EXPECT_EQ(repaired_flag(ex), true);
    expect_recorded_challenge(ex);
  }
}

TEST_P(Challenge, UnprotectedApplication401GetsTheDefaultRealm) {
  Exchange ex = get("/app/deny.cgi");
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(ex.response.values("WWW-Authenticate"),
            std::vector<std::string>{R"(Basic realm="Restricted", charset="UTF-8")"})
      << ex.response.header_block();
  EXPECT_EQ(repaired_flag(ex), true);
  ex = get("/app-realm/deny.cgi");
  EXPECT_EQ(ex.response.values("WWW-Authenticate"),
            std::vector<std::string>{R"(Basic realm="Staff Area", charset="UTF-8")"})
      << ex.response.header_block();
  EXPECT_EQ(repaired_flag(ex), true);
}

TEST_P(Challenge, ConfigurationErrorAnsweredWith401CarriesAChallenge) {
  const Exchange ex = get("/config401/", basic_credentials("alice", "Any-pw-2"));
  EXPECT_EQ(ex.response.status, 401) << ex.describe();
  EXPECT_EQ(ex.response.values("WWW-Authenticate"),
            std::vector<std::string>{R"(Basic realm="Restricted", charset="UTF-8")"})
      << "no AuthName in scope: AuthDiagDefaultRealm\n"
      << ex.response.header_block();
}

TEST_P(Challenge, RepairOffLeavesABare401Bare) {
  Exchange ex = get("/repair-off/", alice());
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 0u) << ex.response.header_block();
  EXPECT_EQ(repaired_flag(ex), false);
  ex = get("/app-repair-off/deny.cgi");
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(ex.response.count("WWW-Authenticate"), 0u) << ex.response.header_block();
}

TEST_P(Challenge, ApplicationChallengeIsKeptNotDuplicated) {
  for (const std::string& target :
       {std::string("/app/own-basic.cgi"), std::string("/cgi/own-basic.cgi")}) {
    SCOPED_TRACE(target);
    const Exchange ex = get(target, target.starts_with("/cgi") ? alice() : std::string());
    EXPECT_EQ(ex.response.status, 401);
    EXPECT_EQ(ex.response.values("WWW-Authenticate"),
              std::vector<std::string>{R"(Basic realm="App", charset="UTF-8")"})
        << ex.response.header_block();
    EXPECT_EQ(repaired_flag(ex), false);
  }
  const Exchange ex = get("/app/own-charset.cgi");
  EXPECT_EQ(ex.response.values("WWW-Authenticate"),
            std::vector<std::string>{R"(Basic realm="App", charset="UTF-8")"})
      << ex.response.header_block();
}

TEST_P(Challenge, OtherSchemeChallengeSatisfiesTheRule) {
  const Exchange ex = get("/app/bearer.cgi");
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(ex.response.values("WWW-Authenticate"),
            std::vector<std::string>{R"(Bearer realm="api")"})
      << ex.response.header_block();
}

TEST_P(Challenge, DuplicateBasicChallengeIsMerged) {
  const Exchange ex = get("/doubled/");
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(count_basic_challenges(ex.response), 1u) << ex.response.header_block();
  EXPECT_EQ(ex.response.values("WWW-Authenticate"), std::vector<std::string>{kMembers})
      << ex.response.header_block();
}

TEST_P(Challenge, Every401CarriesAtLeastOneChallenge) {
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"/basic/", ""},
      {"/basic/", "Bearer x.y.z"},
      {"/basic/", "Basic !!!"},
      {"/basic/", basic_credentials("mallory", "x1x1x1")},
      {"/basic/", basic_credentials("alice", "x1x1x1")},
      {"/basic/", basic_credentials(u().pat.name, u().pat.password)},
      {"/rewrite401/", alice()},
      {"/cgi/deny.cgi", alice()},
      {"/app/deny.cgi", ""},
      {"/linebreak/", ""},
      {"/quotes/", ""},
      {"/config401/", ""},
  };
  for (const auto& [target, auth] : requests) {
    SCOPED_TRACE(target + " " + auth);
    const Exchange ex = get(target, auth);
    ASSERT_EQ(ex.response.status, 401) << ex.describe();
    EXPECT_GE(ex.response.count("WWW-Authenticate"), 1u) << ex.response.header_block();
    EXPECT_EQ(count_basic_challenges(ex.response), 1u) << ex.response.header_block();
  }
}

INSTANTIATE_TEST_SUITE_P(LoadedAfterAuthModules, Challenge,
                         ::testing::Values(LoadOrder::AfterAuthModules));
INSTANTIATE_TEST_SUITE_P(LoadedBeforeAuthModules, Challenge,
                         ::testing::Values(LoadOrder::BeforeAuthModules));

}  // namespace
}  // namespace authdiag::itest
