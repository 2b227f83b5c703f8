// SPDX-License-Identifier: Apache-2.0
// Classification through other authn providers: AuthnProviderAlias, mod_authn_socache in front
// of file, and DBM (htdbm) alone and chained after file.
#include "integration_test.hpp"

namespace authdiag::itest {
namespace {

class Providers : public IntegrationTest {
 protected:
  void SetUp() override { httpd(); }

  struct Fixture {
    StandardUsers users;
    User erin;  // only in the DBM file, apr1
    fs::path dbm;
  };
  static Fixture& fx() {
    static Fixture f;
    return f;
  }

  static HttpdServer& httpd() {
    ServerOptions options;
    options.extra_modules = {"authn_dbm", "socache_shmcb", "authn_socache"};
    // Without AuthnCacheEnable the cache is never initialised when socache is used only in
    // .htaccess, and stock httpd segfaults on the first request.
    options.server_directives = "AuthnCacheSOCache shmcb\nAuthnCacheEnable";
    return shared_server("providers", options, [](HttpdServer& s) {
      Fixture& f = fx();
      f.users = StandardUsers::create(s.root() / "auth");
      f.dbm = s.root() / "auth" / "users.dbm";
      f.erin = add_htdbm_user(f.dbm, "erin", "Erin-pw-4", HashKind::Apr1);
      const std::string file = "AuthUserFile \"" + f.users.user_file.string() + "\"";
      const std::string dbm = "AuthDBMType SDBM\nAuthDBMUserFile \"" + f.dbm.string() + "\"";
      const std::string head = "AuthType Basic\nAuthName \"Members\"\n";
      Site site(s.htdocs(), s.conf_path());
      site.config("<AuthnProviderAlias file members-file>\n  " + file + "\n</AuthnProviderAlias>");
      site.area("alias", Scope::Htaccess,
                head + "AuthBasicProvider members-file\nRequire valid-user");
      site.area("socache", Scope::Htaccess,
                head + "AuthBasicProvider socache file\n" + file +
                    "\nAuthnCacheProvideFor file\nRequire valid-user");
      site.area("dbm", Scope::Htaccess,
                head + "AuthBasicProvider dbm\n" + dbm + "\nRequire valid-user");
      site.area("file-dbm", Scope::Htaccess,
                head + "AuthBasicProvider file dbm\n" + file + "\n" + dbm + "\nRequire valid-user");
      return site.text();
    });
  }

  Exchange get(const std::string& target, const std::string& authorization) {
    HttpRequest request{"GET", target, {}, {}};
    request.with("Authorization", authorization);
    return fetch(httpd(), request);
  }

  // `providers`: the providers asked, in AuthBasicProvider order (by their configured names),
  // up to the one whose answer decided.
  static ExpectedDenial denial(const char* reason, const std::string& user,
                               std::vector<std::string> providers) {
    ExpectedDenial e;
    e.substatus = "401.1";
    e.reason = reason;
    e.fields["user"] = user;
    e.fields["realm"] = "Members";
    e.providers = std::move(providers);
    return e;
  }
};

TEST_F(Providers, AuthnProviderAlias) {
  const User& alice = fx().users.alice;
  Exchange ex = get("/alias/", basic_credentials("mallory", "Pw-alias-1"));
  ExpectedDenial e = denial("user_unknown", "mallory", {"members-file"});
  e.absent = {"hash_scheme"};
  expect_denial(ex, e);
  ex = get("/alias/", basic_credentials(alice.name, "Pw-alias-2"));
  e = denial("password_mismatch", "alice", {"members-file"});
  e.fields["hash_scheme"] = alice.hash_scheme;
  expect_denial(ex, e);
  expect_no_secrets(ex, {"Pw-alias-2", alice.password, alice.stored});
  ex = get("/alias/", basic_credentials(alice.name, alice.password));
  EXPECT_EQ(ex.response.status, 200) << ex.describe();
  expect_not_diagnosed(ex);
}

TEST_F(Providers, SocacheInFrontOfFile) {
  const User& bob = fx().users.bob;
  Exchange ex = get("/socache/", basic_credentials("mallory", "Pw-cache-1"));
  expect_denial(ex, denial("user_unknown", "mallory", {"socache", "file"}));
  // A first success fills the cache; the wrong password is then refused by socache itself.
  ex = get("/socache/", basic_credentials(bob.name, bob.password));
  EXPECT_EQ(ex.response.status, 200) << ex.describe();
  expect_not_diagnosed(ex);
  // socache holds bob's hash and decides alone; file is never asked.
  ex = get("/socache/", basic_credentials(bob.name, "Pw-cache-2"));
  expect_denial(ex, denial("password_mismatch", "bob", {"socache"}));
  expect_no_secrets(ex, {"Pw-cache-2", bob.password, bob.stored});
  ex = get("/socache/", basic_credentials(bob.name, bob.password));
  EXPECT_EQ(ex.response.status, 200) << ex.describe();
}

TEST_F(Providers, Dbm) {
  const User& erin = fx().erin;
  Exchange ex = get("/dbm/", basic_credentials("mallory", "Pw-dbm-1"));
  expect_denial(ex, denial("user_unknown", "mallory", {"dbm"}));
  ex = get("/dbm/", basic_credentials(erin.name, "Pw-dbm-2"));
  ExpectedDenial e = denial("password_mismatch", "erin", {"dbm"});
  e.fields["hash_scheme"] = "apr1";
  expect_denial(ex, e);
  expect_no_secrets(ex, {"Pw-dbm-2", erin.password});
  ex = get("/dbm/", basic_credentials(erin.name, erin.password));
  EXPECT_EQ(ex.response.status, 200) << ex.describe();
  expect_not_diagnosed(ex);
}

TEST_F(Providers, FileThenDbm) {
  const User& erin = fx().erin;
  Exchange ex = get("/file-dbm/", basic_credentials("mallory", "Pw-chain-1"));
  expect_denial(ex, denial("user_unknown", "mallory", {"file", "dbm"}));
  ex = get("/file-dbm/", basic_credentials(erin.name, "Pw-chain-2"));
  ExpectedDenial e = denial("password_mismatch", "erin", {"file", "dbm"});
  e.fields["hash_scheme"] = "apr1";
  expect_denial(ex, e);
  ex = get("/file-dbm/", basic_credentials(erin.name, erin.password));
  EXPECT_EQ(ex.response.status, 200) << ex.describe();
  const User& carol = fx().users.carol;
  // file knows carol and refuses: the chain stops there.
  ex = get("/file-dbm/", basic_credentials(carol.name, "Pw-chain-3"));
  e = denial("password_mismatch", "carol", {"file"});
  e.fields["hash_scheme"] = "sha1";
  expect_denial(ex, e);
}

}  // namespace
}  // namespace authdiag::itest
