// SPDX-License-Identifier: Apache-2.0
// Stress: 20 graceful restarts (SIGUSR1) while wrk keeps 20 connections busy on a protected URL
// with valid credentials. Every response must be 200 and no child may crash.
#include "integration_test.hpp"

#include <csignal>
#include <iostream>
#include <regex>

namespace authdiag::itest {
namespace {

constexpr int kRestarts = 20;

class GracefulRestart : public IntegrationTest {
 protected:
  void SetUp() override { httpd(); }

  static User& bob() {
    static User u;
    return u;
  }

  static HttpdServer& httpd() {
    return shared_server("graceful-restart", ServerOptions{}, [](HttpdServer& s) {
      const fs::path users = s.root() / "auth" / "htpasswd";
      // apr1 keeps each request cheap so the load is about restarts, not hashing.
      bob() = add_htpasswd_user(users, "bob", "Bob-pw-K2m", HashKind::Apr1);
      Site site(s.htdocs(), s.conf_path());
      site.area("protected", Scope::Htaccess, basic_auth_block(users));
      site.area("dir-protected", Scope::Directory, basic_auth_block(users));
      return site.text();
    });
  }
};

TEST_F(GracefulRestart, TwentyGracefulRestartsUnderLoad) {
  HttpdServer& server = httpd();
  const std::size_t log_start = file_size_or_zero(server.error_log());
  const fs::path wrk_output = server.root() / "logs" / "wrk.out";
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/protected/";
  const pid_t wrk = spawn_command({"wrk", "-t2", "-c20", "-d120s", "--timeout", "10s", "-s",
                                   std::string(AUTHDIAG_TEST_DATA_DIR) + "/data/count_status.lua",
                                   url, "--", basic_credentials(bob().name, bob().password)},
                                  wrk_output);
  sleep_ms(500);
  int restarts = 0;
  for (; restarts < kRestarts; ++restarts) {
    try {
      server.graceful();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "graceful restart " << restarts + 1 << ": " << e.what();
      break;
    }
    sleep_ms(150);
  }
  sleep_ms(500);
  // wrk prints its summary (and runs done()) when interrupted.
  kill(wrk, SIGINT);
  const int wrk_exit = wait_command(wrk);
  const std::string out = read_file(wrk_output);
  EXPECT_EQ(restarts, kRestarts);
  EXPECT_EQ(wrk_exit, 0) << out;

  std::smatch m;
  static const std::regex kSummary(
      R"(AUTHDIAG_WRK responses=(\d+) non200=(\d+) errors_connect=(\d+) errors_read=(\d+) )"
      R"(errors_write=(\d+) errors_status=(\d+) errors_timeout=(\d+))");
  ASSERT_TRUE(std::regex_search(out, m, kSummary)) << out;
  const long responses = std::stol(m[1].str());
  EXPECT_GT(responses, 0) << out;
  EXPECT_EQ(std::stol(m[2].str()), 0) << "responses other than 200:\n" << out;
  EXPECT_EQ(std::stol(m[6].str()), 0) << out;
  // Connections that a graceful restart closes while idle show up as read errors in wrk; they
  // are not responses, so they are reported, not asserted.
  std::cout << "[ wrk      ] " << m[0].str() << "\n";

  const std::string log = read_file_from(server.error_log(), log_start);
  EXPECT_TRUE(crash_lines(log).empty()) << log;
  std::size_t generations = 0;
  for (const auto& line : split_lines(log)) generations += contains(line, "AH00094: Command line");
  EXPECT_EQ(generations, static_cast<std::size_t>(kRestarts)) << "one new generation per restart";

  // Still serving, and still diagnosing, after the restarts.
  HttpRequest ok{"GET", "/dir-protected/", {}, {}};
  ok.with("Authorization", basic_credentials(bob().name, bob().password));
  EXPECT_EQ(fetch(server, ok).response.status, 200);
  HttpRequest wrong{"GET", "/dir-protected/", {}, {}};
  wrong.with("Authorization", basic_credentials(bob().name, "Pw-after-restarts"));
  const Exchange ex = fetch(server, wrong);
  EXPECT_EQ(ex.response.status, 401);
  ASSERT_TRUE(ex.access.has_value());
  EXPECT_EQ(ex.access->authdiag_reason, "password_mismatch");
}

}  // namespace
}  // namespace authdiag::itest
