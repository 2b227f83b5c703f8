// SPDX-License-Identifier: Apache-2.0
// `authdiag check` without a running server: usage, the verdict from the configuration alone,
// and an honest "no server answered" instead of a guess.
#include "lint_test_support.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace authdiag::clitest {
namespace {

// A loopback port nobody listens on (bound, then released).
int unused_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class CheckCommand : public ::testing::Test {
 protected:
  CheckCommand() : root_("check-config"), port_(unused_port()) {
    write_bytes(root_.root() / "etc" / "apache2" / "ports.conf",
                "Listen 127.0.0.1:" + std::to_string(port_) + "\n");
    write_bytes(root_.root() / "etc" / "apache2" / "sites-enabled" / "000-site.conf",
                "<VirtualHost *:" + std::to_string(port_) +
                    ">\n  ServerName site.test\n  DocumentRoot " + root_.site() +
                    "\n</VirtualHost>\n");
    fs::create_directories(root_.site() + "/members");
    write_bytes(root_.root() / "users", "alice:$apr1$ExypHY4P$U4x.MJb.grrMDTIwj6DMY/\n", 0644);
    write_bytes(root_.site() + "/members/.htaccess",
                "AuthType Basic\nAuthName \"Members\"\nAuthUserFile " +
                    (root_.root() / "users").string() + "\nRequire valid-user\n");
    fs::create_directories(root_.site() + "/open");
  }
  RunResult check(std::vector<std::string> args) {
    args.insert(args.begin(), "check");
    args.insert(args.end(), {"--server-config", root_.conf(), "--json"});
    return run_authdiag(args);
  }

  LintRoot root_;
  int port_;
};

TEST_F(CheckCommand, Usage) {
  EXPECT_EQ(run_authdiag({"check"}).exit_code, 2);
  EXPECT_EQ(check({root_.site(), "--url", "http://127.0.0.1/"}).exit_code, 2);
  EXPECT_EQ(check({root_.site(), root_.site()}).exit_code, 2);
  EXPECT_EQ(check({"--url", "https://127.0.0.1/"}).exit_code, 2);
  EXPECT_EQ(check({"--url", "http://user:pw@127.0.0.1/"}).exit_code, 2);
  EXPECT_EQ(check({"--url", "http://127.0.0.1:99999/"}).exit_code, 2);
  EXPECT_EQ(check({root_.site() + "/missing"}).exit_code, 1);
}

TEST_F(CheckCommand, ConfigVerdictWhenNoServerAnswers) {
  RunResult run = check({root_.site() + "/members"});
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_string(*json, "verdict.state"), "protected") << describe(run);
  EXPECT_EQ(json_string(*json, "verdict.auth_name"), "Members");
  EXPECT_EQ(json_string(*json, "live.url"),
            "http://127.0.0.1:" + std::to_string(port_) + "/members/");
  // The virtual host's ServerName goes into Host.
  EXPECT_EQ(json_string(*json, "live.host_header"), "site.test:" + std::to_string(port_));
  auto c003 = with_id(findings_of(run), "AD-C003");
  ASSERT_EQ(c003.size(), 1U) << describe(run);
  EXPECT_EQ(c003[0].level, "info");
  EXPECT_EQ(run.exit_code, 0) << describe(run);
}

TEST_F(CheckCommand, UnprotectedByConfiguration) {
  RunResult run = check({root_.site() + "/open"});
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_string(*json, "verdict.state"), "unprotected");
  EXPECT_EQ(with_id(findings_of(run), "AD-C001").size(), 1U);
  EXPECT_EQ(run.exit_code, 20);
}

TEST_F(CheckCommand, UrlWithoutAnyAnswerIsUnknown) {
  RunResult run =
      run_authdiag({"check", "--url", "http://127.0.0.1:" + std::to_string(port_) + "/x/",
                    "--server-config", "/nonexistent", "--json"});
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_string(*json, "verdict.state"), "unknown");
  EXPECT_EQ(run.exit_code, 20);
}

}  // namespace
}  // namespace authdiag::clitest
