// SPDX-License-Identifier: Apache-2.0
// HTTP/2 cleartext (h2c, prior knowledge, through curl): the same classification headers, env
// vars, records and challenge as over HTTP/1.1.
#include "integration_test.hpp"

namespace authdiag::itest {
namespace {

class Http2 : public IntegrationTest {
 protected:
  void SetUp() override { httpd(); }

  static StandardUsers& users() {
    static StandardUsers u;
    return u;
  }

  static HttpdServer& httpd() {
    ServerOptions options;
    options.extra_modules = {"http2"};
    options.server_directives = "Protocols h2c http/1.1";
    return shared_server("http2", options, [](HttpdServer& s) {
      users() = StandardUsers::create(s.root() / "auth");
      Site site(s.htdocs(), s.conf_path());
      site.area("basic", Scope::Htaccess, basic_auth_block(users().user_file));
      site.area("rewrite401", Scope::Htaccess,
                basic_auth_block(users().user_file) + "\nRewriteEngine On\nRewriteRule ^ - [R=401]",
                "  AllowOverride AuthConfig FileInfo\n  Options +FollowSymLinks");
      return site.text();
    });
  }

  Exchange h2(const std::string& target, const std::string& authorization = {}) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
    Exchange ex = fetch_h2(httpd(), target, headers);
    EXPECT_EQ(ex.response.version, "HTTP/2") << "not served over HTTP/2\n" << ex.describe();
    return ex;
  }

  static ExpectedDenial members(const char* substatus, const char* reason) {
    ExpectedDenial e;
    e.substatus = substatus;
    e.reason = reason;
    e.fields["realm"] = "Members";
    e.fields["auth_type"] = "Basic";
    return e;
  }

  static const std::vector<std::string>& members_challenge() {
    static const std::vector<std::string> c = {R"(Basic realm="Members", charset="UTF-8")"};
    return c;
  }
};

TEST_F(Http2, MissingCredentials) {
  const Exchange ex = h2("/basic/");
  ExpectedDenial e = members("401.2", "credentials_missing");
  e.level = "info";
  expect_denial(ex, e);
  EXPECT_EQ(ex.response.values("www-authenticate"), members_challenge());
}

TEST_F(Http2, WrongPassword) {
  const User& alice = users().alice;
  const Exchange ex = h2("/basic/", basic_credentials(alice.name, "Pw-h2-1"));
  ExpectedDenial e = members("401.1", "password_mismatch");
  e.fields["user"] = "alice";
  e.fields["hash_scheme"] = alice.hash_scheme;
  expect_denial(ex, e);
  EXPECT_EQ(ex.response.values("www-authenticate"), members_challenge());
  expect_no_secrets(ex, {"Pw-h2-1", alice.password, alice.stored, base64_encode("alice:Pw-h2-1")});
}

TEST_F(Http2, ModuleDeniedGetsAChallenge) {
  const User& bob = users().bob;
  const Exchange ex = h2("/rewrite401/", basic_credentials(bob.name, bob.password));
  ExpectedDenial e = members("401.4", "module_denied");
  e.fields["user"] = "bob";
  e.repaired = true;
  expect_denial(ex, e);
  EXPECT_EQ(ex.response.values("www-authenticate"), members_challenge());
}

TEST_F(Http2, RightPasswordIsNotDiagnosed) {
  const User& bob = users().bob;
  const Exchange ex = h2("/basic/", basic_credentials(bob.name, bob.password));
  EXPECT_EQ(ex.response.status, 200) << ex.describe();
  expect_not_diagnosed(ex);
}

}  // namespace
}  // namespace authdiag::itest
