// SPDX-License-Identifier: Apache-2.0
// `AuthDiag Off` (as a panel writes it into .htaccess): the scope behaves as if the module were
// not loaded. Every response is compared with the same request to a server without the module.
#include "integration_test.hpp"

namespace authdiag::itest {
namespace {

class AuthDiagOff : public IntegrationTest {
 protected:
  void SetUp() override {
    httpd();
    stock();
  }

  static StandardUsers& users() {
    static StandardUsers u;
    return u;
  }
  static std::string& site_text() {
    static std::string text;
    return text;
  }

  static HttpdServer& httpd() {
    return shared_server("authdiag-off", ServerOptions{}, [](HttpdServer& s) {
      users() = StandardUsers::create(s.root() / "auth");
      const auto& u = users();
      const std::string off = "<IfModule authdiag_module>\nAuthDiag Off\n</IfModule>\n";
      const std::string file = "AuthUserFile \"" + u.user_file.string() + "\"";
      Site site(s.htdocs(), s.conf_path());
      site.area("off/basic", Scope::Htaccess, off + basic_auth_block(u.user_file));
      site.area("off/rewrite401", Scope::Htaccess,
                off + basic_auth_block(u.user_file) + "\nRewriteEngine On\nRewriteRule ^ - [R=401]",
                "  AllowOverride AuthConfig FileInfo\n  Options +FollowSymLinks");
      site.area("off/app", Scope::Htaccess, off, cgi_directory_directives());
      site.file("off/app/deny.cgi", cgi_401_script({}), fs::perms(0755));
      site.area(
          "off/linebreak", Scope::Htaccess,
          off + "AuthType Basic\nAuthName \"line\\nbreak\"\n" + file + "\nRequire valid-user");
      site.area("off/no-authname", Scope::Htaccess,
                off + "AuthType Basic\n" + file + "\nRequire valid-user");
      site.area("off/dir", Scope::Directory, off + basic_auth_block(u.user_file));
      site_text() = site.text();
      return site_text();
    });
  }

  static HttpdServer& stock() {
    ServerOptions options;
    options.with_authdiag = false;
    options.document_root = httpd().htdocs();
    return shared_server("authdiag-off-stock", options, [](HttpdServer&) { return site_text(); });
  }

  // Same status line, header fields (Date aside), body and error-log messages (both servers
  // serve the same files, so even paths match).
  void expect_as_stock(const std::string& target, const std::string& authorization,
                       const std::string& method = "GET", bool streamed = false) {
    SCOPED_TRACE(method + " " + target + " " + authorization);
    HttpRequest request{method, target, {}, {}};
    if (!authorization.empty()) request.with("Authorization", authorization);
    const Exchange ours = fetch(httpd(), request);
    const Exchange theirs = fetch(stock(), request);
    ASSERT_TRUE(ours.transport_error.empty()) << ours.describe();
    ASSERT_TRUE(theirs.transport_error.empty()) << theirs.describe();
    expect_same_response(
        ours.response, theirs.response, [](std::string v) { return v; }, streamed);
    expect_not_diagnosed(ours);
    auto messages = [](const Exchange& ex) {
      std::vector<std::string> out;
      for (const auto& line : ex.error_lines) {
        out.push_back(line.module + ":" + line.level + " " + line.message);
      }
      return out;
    };
    EXPECT_EQ(messages(ours), messages(theirs)) << ours.error_text << "\n" << theirs.error_text;
  }
};

TEST_F(AuthDiagOff, ProtectedScopeAnswersExactlyAsStock) {
  const auto& u = users();
  for (const std::string target : {"/off/basic/", "/off/dir/"}) {
    expect_as_stock(target, "");
    expect_as_stock(target, "Bearer abc.def");
    expect_as_stock(target, "Basic !!!");
    expect_as_stock(target, basic_credentials("mallory", "Pw-off-1"));
    expect_as_stock(target, basic_credentials(u.alice.name, "Pw-off-2"));
    expect_as_stock(target, basic_credentials(u.bob.name, u.bob.password));
    expect_as_stock(target, "", "HEAD");
  }
}

TEST_F(AuthDiagOff, ChallengesAreNotRepaired) {
  const auto& u = users();
  expect_as_stock("/off/rewrite401/", basic_credentials(u.bob.name, u.bob.password));
  expect_as_stock("/off/app/deny.cgi", "", "GET", true);
}

TEST_F(AuthDiagOff, ConfigurationErrorsStayStock) {
  // Stock turns the line break realm into a 500 (AH02430); Off keeps it that way.
  expect_as_stock("/off/linebreak/", "");
  expect_as_stock("/off/no-authname/", basic_credentials("alice", "Pw-off-3"));
}

}  // namespace
}  // namespace authdiag::itest
