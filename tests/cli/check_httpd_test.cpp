// SPDX-License-Identifier: Apache-2.0
// `authdiag check` against a real httpd (tests/integration harness, stock Debian apache2 on a
// free 127.0.0.1 port): the verdict from the config must agree with what an anonymous request
// gets — protected (401 + Basic challenge), unprotected (200), broken (500), .htaccess ignored.
#include "cli_test_support.hpp"
#include "http_client.hpp"
#include "httpd_server.hpp"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

namespace authdiag::clitest {
namespace {

const std::string kBcrypt10 = "$2y$10$YVva15fTe5BsPW2wu6868O4Tr7683ORai2OcX8ap3kmfOgKdMP53q";

class CheckAgainstHttpd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    itest::ServerOptions options;
    options.with_authdiag = false;  // stock httpd: check must not depend on the module
    server_ = new itest::HttpdServer("cli-check", options);
    fs::path htdocs = server_->htdocs();
    fs::create_directories(htdocs);
    users_ = server_->root() / "auth" / "members.passwd";
    fs::create_directories(users_.parent_path());
    write_bytes(users_, "alice:" + kBcrypt10 + "\n", 0644);
    const std::string protect = "AuthType Basic\nAuthName \"Members area\"\nAuthUserFile \"" +
                                users_.string() + "\"\nRequire valid-user\n";
    for (const char* dir : {"members", "open", "leftover", "broken", "ignored"}) {
      fs::create_directories(htdocs / dir);
      write_bytes(htdocs / dir / "index.html", "<h1>hello</h1>\n");
    }
    write_bytes(htdocs / "members" / ".htaccess", protect);
    write_bytes(htdocs / "leftover" / ".htaccess", "AuthType Basic\nAuthName \"Old\"\n");
    write_bytes(htdocs / "broken" / ".htaccess", "\xEF\xBB\xBF" + protect);
    write_bytes(htdocs / "ignored" / ".htaccess", protect);
    server_->start("<Directory \"" + (htdocs / "ignored").string() +
                   "\">\n  AllowOverride None\n</Directory>\n");
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) server_->stop();
    delete server_;
    server_ = nullptr;
  }

  static RunResult check(const std::vector<std::string>& what) {
    std::vector<std::string> args{"check"};
    args.insert(args.end(), what.begin(), what.end());
    args.insert(args.end(), {"--server-config", server_->conf_path().string(), "--json"});
    return run_authdiag(args);
  }
  static std::string dir(const char* name) { return (server_->htdocs() / name).string(); }
  static int anonymous_status(const std::string& path) {
    itest::HttpRequest request;
    request.target = path;
    return itest::http_send(server_->port(), request).status;
  }

  static itest::HttpdServer* server_;
  static fs::path users_;
};

itest::HttpdServer* CheckAgainstHttpd::server_ = nullptr;
fs::path CheckAgainstHttpd::users_;

std::string describe(const RunResult& run) {
  return "exit " + std::to_string(run.exit_code) + "\n" + run.out + "\n" + run.err;
}

bool has_finding(const core::JsonValue& json, std::string_view id) {
  const core::JsonValue* findings = json.find("findings");
  if (findings == nullptr) return false;
  for (const auto& f : findings->items()) {
    if (json_string(f, "id") == std::string(id)) return true;
  }
  return false;
}

TEST_F(CheckAgainstHttpd, ProtectedDirectoryAnswers401WithBasicChallenge) {
  ASSERT_EQ(anonymous_status("/members/"), 401);
  RunResult run = check({dir("members")});
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_string(*json, "verdict.state"), "protected") << describe(run);
  EXPECT_EQ(json_find(*json, "live.status")->as_int64(), 401) << describe(run);
  EXPECT_EQ(json_string(*json, "live.realm"), "Members area");
  EXPECT_EQ(json_string(*json, "live.url"),
            "http://127.0.0.1:" + std::to_string(server_->port()) + "/members/");
  EXPECT_EQ(json_string(*json, "verdict.user_file"), users_.string());
  EXPECT_EQ(run.exit_code, 0) << describe(run);
}

TEST_F(CheckAgainstHttpd, UrlModeFindsTheDirectory) {
  RunResult run =
      check({"--url", "http://127.0.0.1:" + std::to_string(server_->port()) + "/members/"});
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_string(*json, "dir"), dir("members"));
  EXPECT_EQ(json_string(*json, "verdict.state"), "protected") << describe(run);
  EXPECT_EQ(run.exit_code, 0);
}

TEST_F(CheckAgainstHttpd, UnprotectedDirectoryIsReported) {
  ASSERT_EQ(anonymous_status("/open/"), 200);
  RunResult run = check({dir("open")});
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_string(*json, "verdict.state"), "unprotected");
  EXPECT_EQ(json_find(*json, "live.status")->as_int64(), 200);
  EXPECT_TRUE(has_finding(*json, "AD-C001"));
  EXPECT_EQ(run.exit_code, 20);
}

TEST_F(CheckAgainstHttpd, LeftoverAuthLinesWithoutRequire) {
  ASSERT_EQ(anonymous_status("/leftover/"), 200);
  RunResult run = check({dir("leftover")});
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_string(*json, "verdict.state"), "unprotected");
  EXPECT_TRUE(has_finding(*json, "AD-L004"));
  EXPECT_EQ(run.exit_code, 20);
}

TEST_F(CheckAgainstHttpd, BrokenHtaccessGives500) {
  ASSERT_EQ(anonymous_status("/broken/"), 500);
  RunResult run = check({dir("broken")});
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_string(*json, "verdict.state"), "broken");
  EXPECT_EQ(json_find(*json, "live.status")->as_int64(), 500);
  EXPECT_TRUE(has_finding(*json, "AD-L001"));
  EXPECT_TRUE(has_finding(*json, "AD-C004"));
  EXPECT_EQ(run.exit_code, 20);
}

TEST_F(CheckAgainstHttpd, IgnoredHtaccessExits15) {
  ASSERT_EQ(anonymous_status("/ignored/"), 200);
  RunResult run = check({dir("ignored")});
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_string(*json, "verdict.state"), "ignored");
  EXPECT_TRUE(has_finding(*json, "AD-L002"));
  EXPECT_EQ(json_find(*json, "live.status")->as_int64(), 200);
  EXPECT_EQ(run.exit_code, 15);
}

TEST_F(CheckAgainstHttpd, UserFileUnreadableByHttpdIsInvisibleAnonymously) {
  if (geteuid() != 0 || getpwnam("www-data") == nullptr) {
    GTEST_SKIP() << "needs root so httpd runs as www-data";
  }
  fs::permissions(users_, static_cast<fs::perms>(0600));
  // Stock httpd still answers 401 to an anonymous request (c07): only lint can tell.
  EXPECT_EQ(anonymous_status("/members/"), 401);
  RunResult run = check({dir("members")});
  fs::permissions(users_, static_cast<fs::perms>(0644));
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_string(*json, "verdict.state"), "broken");
  EXPECT_TRUE(has_finding(*json, "AD-L011"));
  EXPECT_EQ(json_find(*json, "live.status")->as_int64(), 401);
  EXPECT_EQ(run.exit_code, 20);
}

}  // namespace
}  // namespace authdiag::clitest
