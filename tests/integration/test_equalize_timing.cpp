// SPDX-License-Identifier: Apache-2.0
// AuthDiagEqualizeTiming: nothing is timed here (the bench measures that); these tests check that
// equalizing changes no outcome: an unknown user is still user_unknown next to a bcrypt cost-12
// user, a wrong password still password_mismatch, the right one still 200.
#include "integration_test.hpp"

namespace authdiag::itest {
namespace {

class EqualizeTiming : public IntegrationTest {
 protected:
  void SetUp() override { httpd(); }

  static User& carl() {
    static User u;
    return u;
  }

  static HttpdServer& httpd() {
    return shared_server("equalize-timing", ServerOptions{}, [](HttpdServer& s) {
      const fs::path users = s.root() / "auth" / "htpasswd-cost12";
      carl() = add_htpasswd_user(users, "carl", "Carl-pw-12", HashKind::Bcrypt, 12);
      Site site(s.htdocs(), s.conf_path());
      site.area("default", Scope::Htaccess, basic_auth_block(users));
      site.area("on", Scope::Htaccess, basic_auth_block(users),
                "  <IfModule authdiag_module>\n    AuthDiagEqualizeTiming On\n  </IfModule>");
      site.area("off", Scope::Htaccess, basic_auth_block(users),
                "  <IfModule authdiag_module>\n    AuthDiagEqualizeTiming Off\n  </IfModule>");
      return site.text();
    });
  }

  Exchange get(const std::string& target, const std::string& authorization) {
    HttpRequest request{"GET", target, {}, {}};
    request.with("Authorization", authorization);
    return fetch(httpd(), request);
  }
};

TEST_F(EqualizeTiming, OutcomesDoNotChange) {
  for (const std::string target : {"/default/", "/on/", "/off/"}) {
    SCOPED_TRACE(target);
    Exchange ex = get(target, basic_credentials("mallory", "Pw-timing-1"));
    ExpectedDenial unknown;
    unknown.substatus = "401.1";
    unknown.reason = "user_unknown";
    unknown.fields["user"] = "mallory";
    unknown.absent = {"hash_scheme"};
    expect_denial(ex, unknown);
    expect_no_secrets(ex, {"Pw-timing-1", carl().stored});

    ex = get(target, basic_credentials(carl().name, "Pw-timing-2"));
    ExpectedDenial mismatch;
    mismatch.substatus = "401.1";
    mismatch.reason = "password_mismatch";
    mismatch.fields["user"] = "carl";
    mismatch.fields["hash_scheme"] = "bcrypt(cost=12)";
    expect_denial(ex, mismatch);
    expect_no_secrets(ex, {"Pw-timing-2", carl().password, carl().stored});

    ex = get(target, basic_credentials(carl().name, carl().password));
    EXPECT_EQ(ex.response.status, 200) << ex.describe();
    expect_not_diagnosed(ex);
  }
}

}  // namespace
}  // namespace authdiag::itest
