// SPDX-License-Identifier: Apache-2.0
// AuthDiagLogUser Plain | Hash | Off (server, vhost): how user names appear in the error-log line
// and the JSON record. Three name-based virtual hosts share one protected directory.
#include "integration_test.hpp"

namespace authdiag::itest {
namespace {

class LogUser : public IntegrationTest {
 protected:
  void SetUp() override { httpd(); }

  static HttpdServer& httpd() {
    return shared_server("log-user", ServerOptions{}, [](HttpdServer& s) {
      const StandardUsers u = StandardUsers::create(s.root() / "auth");
      Site site(s.htdocs(), s.conf_path());
      site.area("basic", Scope::Htaccess, basic_auth_block(u.user_file));
      // The first virtual host is the default one for unknown Host headers.
      for (const auto& [name, mode] : std::vector<std::pair<std::string, std::string>>{
               {"localhost", ""}, {"hash.test", "Hash"}, {"off.test", "Off"}}) {
        site.config("<VirtualHost *>\n  ServerName " + name +
                    (mode.empty() ? std::string()
                                  : "\n  <IfModule authdiag_module>\n    AuthDiagLogUser " + mode +
                                        "\n  </IfModule>") +
                    "\n</VirtualHost>");
      }
      return site.text();
    });
  }

  Exchange get(const std::string& host, const std::string& user) {
    HttpRequest request{"GET", "/basic/", {}, {}};
    request.with("Host", host).with("Authorization", basic_credentials(user, "Pw-loguser-1"));
    return fetch(httpd(), request);
  }

  static std::string sha256_prefix(const std::string& text) {
    const CommandResult r = run_command({"sh", "-c", "printf '%s' \"$1\" | sha256sum", "sh", text});
    return r.output.substr(0, 12);
  }

  static std::optional<std::string> logged_user(const Exchange& ex) {
    const auto fields = single_log_fields(ex);
    if (!fields) return "(no line)";
    const LogfmtField* user = find_field(*fields, "user");
    if (user == nullptr) return std::nullopt;
    return user->value;
  }
};

TEST_F(LogUser, PlainByDefault) {
  const Exchange ex = get("localhost", "mallory");
  ExpectedDenial e;
  e.substatus = "401.1";
  e.reason = "user_unknown";
  e.fields["user"] = "mallory";
  expect_denial(ex, e);
}

TEST_F(LogUser, HashShowsTwelveHexDigitsOfSha256) {
  const std::string hashed = sha256_prefix("mallory");
  ASSERT_EQ(hashed.size(), 12u);
  const Exchange ex = get("hash.test", "mallory");
  ExpectedDenial e;
  e.substatus = "401.1";
  e.reason = "user_unknown";
  e.fields["user"] = hashed;
  expect_denial(ex, e);
  EXPECT_FALSE(contains(ex.json_text, "mallory")) << ex.json_text;
  for (const auto& line : ex.lines_of("authdiag")) {
    EXPECT_FALSE(contains(line.raw, "mallory")) << line.raw;
  }
}

TEST_F(LogUser, OffLeavesTheUserOut) {
  const Exchange ex = get("off.test", "mallory");
  ExpectedDenial e;
  e.substatus = "401.1";
  e.reason = "user_unknown";
  e.absent = {"user"};
  expect_denial(ex, e);
  EXPECT_EQ(logged_user(ex), std::nullopt);
  EXPECT_FALSE(contains(ex.json_text, "mallory")) << ex.json_text;
  for (const auto& line : ex.lines_of("authdiag")) {
    EXPECT_FALSE(contains(line.raw, "mallory")) << line.raw;
  }
}

}  // namespace
}  // namespace authdiag::itest
