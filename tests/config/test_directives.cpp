// SPDX-License-Identifier: Apache-2.0
// Every mod_authdiag directive: bad arguments fail `apache2 -t` with a message naming the
// directive and the value, good ones pass, server-only directives are refused in <Directory>
// and .htaccess, and a bad value in .htaccess is the usual 500 with a clear error-log line.
#include "integration_test.hpp"

namespace authdiag::itest {
namespace {

struct Case {
  std::string directive;
  std::string arguments;  // as written in the configuration
  std::string value;      // what the message must quote; empty: the directive name suffices
};

std::string describe(const Case& c) { return c.directive + " " + c.arguments; }

const std::vector<Case>& bad_values() {
  static const std::vector<Case> cases = {
      {"AuthDiag", "Maybe", "Maybe"},
      {"AuthDiagErrorMode", "Verbose", "Verbose"},
      {"AuthDiagTrustedClients", "300.1.2.3/8", "300.1.2.3/8"},
      {"AuthDiagTrustedClients", "10.0.0.0/33", "10.0.0.0/33"},
      {"AuthDiagTrustedClients", "127.0.0.1 not-an-address", "not-an-address"},
      {"AuthDiagCharset", "latin1", "latin1"},
      {"AuthDiagRepairChallenge", "Sometimes", "Sometimes"},
      {"AuthDiagDefaultRealm", "\"\"", ""},
      {"AuthDiagConfigErrorStatus", "403", "403"},
      {"AuthDiagEqualizeTiming", "Sometimes", "Sometimes"},
      {"AuthDiagLog", "\"\"", ""},
      {"AuthDiagLogUser", "Encrypted", "Encrypted"},
  };
  return cases;
}

const std::vector<Case>& server_only_directives() {
  static const std::vector<Case> cases = {
      {"AuthDiagTrustedClients", "10.0.0.0/8", ""},
      {"AuthDiagLog", "\"/tmp/authdiag-never-written.json\"", ""},
      {"AuthDiagLogUser", "Hash", ""},
  };
  return cases;
}

// Directives that may stand in <Directory>/<Location>, with their good values.
const std::vector<Case>& per_directory_good_values() {
  static const std::vector<Case> cases = {
      {"AuthDiag", "On", ""},
      {"AuthDiag", "Off", ""},
      {"AuthDiagErrorMode", "DetailedLocalOnly", ""},
      {"AuthDiagErrorMode", "Custom", ""},
      {"AuthDiagErrorMode", "Detailed", ""},
      {"AuthDiagCharset", "UTF-8", ""},
      {"AuthDiagCharset", "Off", ""},
      {"AuthDiagRepairChallenge", "On", ""},
      {"AuthDiagRepairChallenge", "Off", ""},
      {"AuthDiagDefaultRealm", "\"Staff Area\"", ""},
      {"AuthDiagConfigErrorStatus", "500", ""},
      {"AuthDiagConfigErrorStatus", "401", ""},
      {"AuthDiagEqualizeTiming", "On", ""},
      {"AuthDiagEqualizeTiming", "Off", ""},
  };
  return cases;
}

class Directives : public IntegrationTest {
 protected:
  // Never started: only renders configurations for `apache2 -t`.
  static HttpdServer& checker() {
    static HttpdServer server("config-directives", [] {
      ServerOptions options;
      options.json_log = false;
      return options;
    }());
    return server;
  }

  static void expect_rejected(const std::string& config, const Case& c,
                              const std::string& extra_word = {}) {
    SCOPED_TRACE(config);
    const CommandResult r = checker().configtest(config);
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, c.directive)) << "message must name " << c.directive << ":\n"
                                                 << r.output;
    if (!c.value.empty()) {
      EXPECT_TRUE(contains(r.output, c.value))
          << "message must quote the value " << c.value << ":\n"
          << r.output;
    }
    if (!extra_word.empty()) {
      EXPECT_TRUE(contains(r.output, extra_word)) << r.output;
    }
  }

  static void expect_accepted(const std::string& config) {
    SCOPED_TRACE(config);
    const CommandResult r = checker().configtest(config);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "Syntax OK")) << r.output;
  }

  static std::string in_directory(const std::string& line) {
    return "<Directory \"" + checker().htdocs().string() + "\">\n  " + line + "\n</Directory>";
  }
};

TEST_F(Directives, ModuleLoadsWithNoDirectiveAtAll) { expect_accepted(""); }

TEST_F(Directives, BadArgumentsFailConfigtestNamingDirectiveAndValue) {
  for (const Case& c : bad_values()) expect_rejected(describe(c), c);
}

TEST_F(Directives, GoodValuesPassConfigtest) {
  for (const Case& c : per_directory_good_values()) expect_accepted(describe(c));
  const std::string log = (checker().root() / "logs" / "denials.json").string();
  for (const std::string line : {"AuthDiagTrustedClients 10.0.0.0/8 192.168.1.7 ::1 2001:db8::/32",
                                 "AuthDiagTrustedClients none", "AuthDiagLogUser Plain",
                                 "AuthDiagLogUser Hash", "AuthDiagLogUser Off"}) {
    expect_accepted(line);
  }
  expect_accepted("AuthDiagLog \"" + log + "\"");
  expect_accepted("AuthDiagLog \"|/bin/cat >/dev/null\"");
  expect_accepted(
      "<VirtualHost 127.0.0.1:8080>\n  AuthDiagTrustedClients 10.1.0.0/16\n"
      "  AuthDiagLog \"" +
      log + "\"\n  AuthDiagLogUser Hash\n</VirtualHost>");
}

TEST_F(Directives, PerDirectoryDirectivesPassInDirectoryAndLocation) {
  for (const Case& c : per_directory_good_values()) {
    expect_accepted(in_directory(describe(c)));
    expect_accepted("<Location /x/>\n  " + describe(c) + "\n</Location>");
  }
}

TEST_F(Directives, BadArgumentsInDirectoryFailToo) {
  for (const Case& c : bad_values()) {
    const bool server_only = c.directive == "AuthDiagTrustedClients" ||
                             c.directive == "AuthDiagLog" || c.directive == "AuthDiagLogUser";
    if (!server_only) expect_rejected(in_directory(describe(c)), c);
  }
}

TEST_F(Directives, ServerOnlyDirectivesAreRefusedInDirectory) {
  for (const Case& c : server_only_directives()) {
    expect_rejected(in_directory(describe(c)), c, "not allowed");
    expect_rejected("<Location /x/>\n  " + describe(c) + "\n</Location>", c, "not allowed");
  }
}

// .htaccess: a running server, one directory per case.
class HtaccessDirectives : public IntegrationTest {
 protected:
  void SetUp() override { httpd(); }

  static std::vector<std::pair<std::string, Case>>& areas() {
    static std::vector<std::pair<std::string, Case>> a;
    return a;
  }

  static HttpdServer& httpd() {
    return shared_server("config-htaccess", ServerOptions{}, [](HttpdServer& s) {
      Site site(s.htdocs(), s.conf_path());
      int n = 0;
      auto add = [&](const Case& c) {
        const std::string rel = "case" + std::to_string(n++);
        site.area(rel, Scope::Htaccess, describe(c));
        areas().emplace_back(rel, c);
      };
      for (const Case& c : bad_values()) add(c);
      for (const Case& c : server_only_directives()) add(c);
      site.area("good", Scope::Htaccess,
                "AuthDiag On\nAuthDiagCharset Off\nAuthDiagRepairChallenge Off\n"
                "AuthDiagDefaultRealm \"Staff Area\"\nAuthDiagConfigErrorStatus 401");
      return site.text();
    });
  }

  // The directives whose spec context includes .htaccess ("all"); the others are refused there
  // by context, so their line need not quote the value.
  static bool allowed_in_htaccess(const Case& c) {
    for (const char* d : {"AuthDiag", "AuthDiagCharset", "AuthDiagRepairChallenge",
                          "AuthDiagDefaultRealm", "AuthDiagConfigErrorStatus"}) {
      if (c.directive == d) return true;
    }
    return false;
  }
};

TEST_F(HtaccessDirectives, BadValueIs500WithALineNamingDirectiveAndValue) {
  allow_in_error_log(R"(\[core:alert\].*\.htaccess)");
  for (const auto& [rel, c] : areas()) {
    SCOPED_TRACE(rel + ": " + describe(c));
    HttpRequest request{"GET", "/" + rel + "/", {}, {}};
    const Exchange ex = fetch(httpd(), request);
    EXPECT_EQ(ex.response.status, 500) << ex.describe();
    bool named = false;
    const std::string htaccess = (httpd().htdocs() / rel / ".htaccess").string();
    for (const auto& line : ex.error_lines) {
      if (!contains(line.message, c.directive) || !contains(line.raw, htaccess)) continue;
      const bool quotes_value =
          c.value.empty() || !allowed_in_htaccess(c) || contains(line.message, c.value);
      named = named || quotes_value;
    }
    EXPECT_TRUE(named) << "one line naming " << c.directive << " and " << c.value << "\n"
                       << ex.describe();
  }
}

TEST_F(HtaccessDirectives, GoodValuesAreAccepted) {
  HttpRequest request{"GET", "/good/", {}, {}};
  const Exchange ex = fetch(httpd(), request);
  EXPECT_EQ(ex.response.status, 200) << ex.describe();
  EXPECT_TRUE(ex.error_lines.empty()) << ex.describe();
}

}  // namespace
}  // namespace authdiag::itest
