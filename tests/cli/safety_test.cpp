// SPDX-License-Identifier: Apache-2.0
// Safety of the writing commands against a real httpd serving the directory: 50 concurrent
// writers, an anonymous poller during repeated protect runs (never a 200), and kill -9 at random
// moments while a 50,000-user file is rewritten (always the old or the new file).
#include "cli/password_hash.hpp"
#include "cli_test_support.hpp"
#include "core/htaccess.hpp"
#include "core/password_file.hpp"
#include "http_client.hpp"
#include "httpd_server.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <gtest/gtest.h>
#include <map>
#include <random>
#include <signal.h>
#include <thread>
#include <unistd.h>

namespace authdiag::clitest {
namespace {

class SafetyTest : public testing::Test {
 protected:
  SafetyTest() {
    itest::ServerOptions server_options;
    server_options.with_authdiag = false;
    server_options.json_log = false;
    // The lock and temporary files live next to the targets; httpd's usual rule hides them.
    server_options.server_directives = "<Files \".ht*\">\n  Require all denied\n</Files>\n";
    server_ = std::make_unique<itest::HttpdServer>("cli-safety", server_options);
    site_ = server_->htdocs() / "private";
    fs::create_directories(site_);
    write_bytes(site_ / "index.html", "secret page\n");
    user_file_ = (server_->root() / "auth" / "users.htpasswd").string();
    // protect reads the server config the way apache2ctl finds it: point it at this server.
    confdir_ = server_->root() / "apache2";
    fs::create_directories(confdir_);
    server_->start("");
    write_bytes(confdir_ / "apache2.conf", "Include \"" + server_->conf_path().string() + "\"\n");
  }

  RunOptions options(std::string stdin_data = {}) const {
    RunOptions o;
    o.stdin_data = std::move(stdin_data);
    o.env = {"APACHE_CONFDIR=" + confdir_.string(), "AUTHDIAG_LOCK_TIMEOUT=120"};
    return o;
  }

  int status(const std::string& user = {}, const std::string& password = {}) const {
    itest::HttpRequest request;
    request.target = "/private/index.html";
    if (!user.empty()) request.with("Authorization", itest::basic_credentials(user, password));
    return itest::http_send(server_->port(), request).status;
  }

  std::unique_ptr<itest::HttpdServer> server_;
  fs::path site_;
  fs::path confdir_;
  std::string user_file_;
};

TEST_F(SafetyTest, FiftyConcurrentWritersLeaveValidFilesAndEveryAddedUser) {
  ASSERT_EQ(
      run_authdiag({"protect", site_.string(), "--user-file", user_file_}, options()).exit_code, 0);
  constexpr int kProcesses = 50;
  std::vector<pid_t> pids;
  std::vector<std::string> added;
  for (int i = 0; i < kProcesses; ++i) {
    if (i % 2 == 0) {
      const std::string user = "user" + std::to_string(i);
      added.push_back(user);
      // apr1 keeps the 25 hashes fast; the locking is what is under test.
      pids.push_back(spawn_authdiag({"user", "add", "--user-file", user_file_, "--user", user,
                                     "--password-stdin", "--hash", "apr1"},
                                    options("pw-" + user + "\n")));
    } else if (i % 4 == 1) {
      pids.push_back(spawn_authdiag({"protect", site_.string(), "--user-file", user_file_,
                                     "--realm", "Realm " + std::to_string(i)},
                                    options()));
    } else {
      pids.push_back(spawn_authdiag({"unprotect", site_.string()}, options()));
    }
  }
  for (const pid_t pid : pids) EXPECT_EQ(wait_child(pid), 0);

  // The .htaccess is whole: either no block or one intact block.
  const std::string htaccess =
      fs::exists(site_ / ".htaccess") ? read_bytes(site_ / ".htaccess") : std::string();
  const core::BlockScan scan = core::find_managed_block(core::parse_htaccess(htaccess));
  EXPECT_FALSE(scan.error);
  if (scan.block) {
    EXPECT_TRUE(scan.block->intact());
  }
  // Every added user is in the file exactly once, and its password verifies.
  const core::PasswordFile file = core::parse_password_file(read_bytes(user_file_));
  EXPECT_TRUE(core::malformed_lines(file).empty());
  EXPECT_EQ(core::list_users(file).size(), added.size());
  for (const auto& user : added) {
    const auto found = core::find_user(file, user);
    ASSERT_EQ(found.size(), 1U) << user;
    EXPECT_TRUE(cli::password_matches("pw-" + user, file.lines[found[0]].hash)) << user;
  }
  // And httpd agrees once the directory is protected.
  ASSERT_EQ(
      run_authdiag({"protect", site_.string(), "--user-file", user_file_}, options()).exit_code, 0);
  EXPECT_EQ(status(), 401);
  EXPECT_EQ(status(added.front(), "pw-" + added.front()), 200);
  EXPECT_EQ(status(added.back(), "pw-" + added.back()), 200);
  EXPECT_EQ(status(added.back(), "wrong"), 401);
  // No temporaries are left behind, and nothing of ours is served.
  for (const auto& entry : fs::directory_iterator(site_)) {
    const std::string name = entry.path().filename();
    EXPECT_EQ(name.find("authdiag-tmp"), std::string::npos) << name;
    if (name.rfind(".ht", 0) == 0) {
      itest::HttpRequest request;
      request.target = "/private/" + name;
      EXPECT_EQ(itest::http_send(server_->port(), request).status, 403) << name;
    }
  }
}

TEST_F(SafetyTest, AnonymousRequestsNeverSee200WhileProtectionIsOn) {
  // A file with other content, as in the measured panel case: 50 comment lines.
  std::string others;
  for (int i = 0; i < 50; ++i) others += "# site rule " + std::to_string(i) + "\n";
  write_bytes(site_ / ".htaccess", others);
  ASSERT_EQ(
      run_authdiag({"protect", site_.string(), "--user-file", user_file_}, options()).exit_code, 0);
  ASSERT_EQ(run_authdiag({"user", "add", "--user-file", user_file_, "--user", "alice",
                          "--password-stdin", "--hash", "apr1"},
                         options("secret\n"))
                .exit_code,
            0);
  ASSERT_EQ(status(), 401);

  std::atomic<bool> stop{false};
  std::map<int, int> seen;
  int errors = 0;
  std::thread poller([&] {
    while (!stop.load()) {
      try {
        ++seen[status()];
      } catch (const std::exception&) {
        ++errors;
      }
    }
  });
  constexpr int kRuns = 150;
  int failures = 0;
  for (int i = 0; i < kRuns; ++i) {
    // Every run changes the file: the realm alternates, users come and go.
    const std::string realm = "Realm " + std::to_string(i % 7);
    if (run_authdiag({"protect", site_.string(), "--user-file", user_file_, "--realm", realm},
                     options())
            .exit_code != 0) {
      ++failures;
    }
    if (i % 10 == 0) {
      run_authdiag({"user", "set", "--user-file", user_file_, "--user", "alice", "--password-stdin",
                    "--hash", "apr1"},
                   options("secret\n"));
    }
  }
  stop = true;
  poller.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(seen.count(200), 0U) << "anonymous 200 while protected: " << seen[200];
  EXPECT_EQ(seen.size(), 1U) << "only 401 expected";
  EXPECT_GT(seen[401], 100);
  EXPECT_EQ(errors, 0);
  std::cout << "[ info ] " << kRuns << " protect runs, anonymous responses:";
  for (const auto& [code, count] : seen) std::cout << " " << code << "=" << count;
  std::cout << "\n";
  EXPECT_EQ(status("alice", "secret"), 200);
}

std::string big_user_file(int users) {
  const std::string hash = cli::hash_password(cli::HashAlgorithm::Apr1, "bulk-password").hash;
  std::string bytes;
  bytes.reserve(static_cast<std::size_t>(users) * 48);
  for (int i = 0; i < users; ++i) bytes += "bulk" + std::to_string(i) + ":" + hash + "\n";
  return bytes;
}

TEST_F(SafetyTest, KillNineDuringWritesLeavesTheOldOrTheNewFile) {
  constexpr int kUsers = 50000;
  constexpr int kKills = 100;
  write_bytes(user_file_, big_user_file(kUsers), 0640);
  // Kill moments spread over a whole run: measure one first (the timing is never asserted).
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(run_authdiag({"user", "add", "--user-file", user_file_, "--user", "probe",
                          "--password-stdin", "--hash", "apr1"},
                         options("pw\n"))
                .exit_code,
            0);
  const auto run_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  std::mt19937 random(20241128);
  std::uniform_int_distribution<std::int64_t> delay_us(0, run_us + run_us / 5);
  int old_version = 0;
  int new_version = 0;
  for (int k = 0; k < kKills; ++k) {
    const std::string before = read_bytes(user_file_);
    const core::PasswordFile parsed = core::parse_password_file(before);
    // Alternate between adding a user (file grows) and removing one from the middle.
    const bool add = k % 2 == 0;
    const std::string user = add ? "new" + std::to_string(k) : "bulk" + std::to_string(k * 97);
    const pid_t pid =
        add ? spawn_authdiag({"user", "add", "--user-file", user_file_, "--user", user,
                              "--password-stdin", "--hash", "apr1"},
                             options("pw\n"))
            : spawn_authdiag({"user", "remove", "--user-file", user_file_, "--user", user},
                             options());
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    ::kill(pid, SIGKILL);
    wait_child(pid);

    const std::string after = read_bytes(user_file_);
    if (after == before) {
      ++old_version;
      continue;
    }
    ++new_version;
    // The new version is exactly the old one with the one edit applied.
    core::PasswordFile expected = parsed;
    if (add) {
      const core::PasswordFile now = core::parse_password_file(after);
      const auto found = core::find_user(now, user);
      ASSERT_EQ(found.size(), 1U) << "kill " << k;
      EXPECT_TRUE(cli::password_matches("pw", now.lines[found[0]].hash));
      core::set_user_hash(expected, user, now.lines[found[0]].hash);
    } else {
      core::remove_user(expected, user);
    }
    ASSERT_EQ(after, core::serialize_password_file(expected)) << "kill " << k << ": a mix";
  }
  std::cout << "[ info ] " << kKills << " kill -9 during writes of a " << kUsers
            << "-user file: old version " << old_version << ", new version " << new_version
            << ", mixed 0\n";
  EXPECT_GT(old_version + new_version, 0);
  // A later run cleans up temporaries of killed writers and works normally.
  ASSERT_EQ(run_authdiag({"user", "add", "--user-file", user_file_, "--user", "final",
                          "--password-stdin", "--hash", "apr1"},
                         options("pw\n"))
                .exit_code,
            0);
  for (const auto& entry : fs::directory_iterator(fs::path(user_file_).parent_path())) {
    EXPECT_EQ(entry.path().filename().string().find("authdiag-tmp"), std::string::npos);
  }
}

TEST_F(SafetyTest, KillNineDuringProtectAndUnprotect) {
  write_bytes(site_ / ".htaccess", "# keep me\r\nOptions -Indexes\r\n");
  const std::string unprotected = read_bytes(site_ / ".htaccess");
  ASSERT_EQ(
      run_authdiag({"protect", site_.string(), "--user-file", user_file_}, options()).exit_code, 0);
  const std::string protected_bytes = read_bytes(site_ / ".htaccess");
  ASSERT_EQ(run_authdiag({"unprotect", site_.string()}, options()).exit_code, 0);
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(
      run_authdiag({"protect", site_.string(), "--user-file", user_file_}, options()).exit_code, 0);
  const auto run_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  ASSERT_EQ(run_authdiag({"unprotect", site_.string()}, options()).exit_code, 0);
  std::mt19937 random(7);
  std::uniform_int_distribution<std::int64_t> delay_us(0, run_us + run_us / 5);
  int old_version = 0;
  int new_version = 0;
  std::string previous = unprotected;
  for (int k = 0; k < 60; ++k) {
    const pid_t pid = spawn_authdiag(
        k % 2 == 0 ? std::vector<std::string>{"protect", site_.string(), "--user-file", user_file_}
                   : std::vector<std::string>{"unprotect", site_.string()},
        options());
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    ::kill(pid, SIGKILL);
    wait_child(pid);
    const std::string now = read_bytes(site_ / ".htaccess");
    ASSERT_TRUE(now == unprotected || now == protected_bytes) << "kill " << k;
    // k even: protect ran on an unprotected file; odd: unprotect on whatever is there.
    ++(now == previous ? old_version : new_version);
    previous = now;
  }
  std::cout << "[ info ] 60 kill -9 during protect/unprotect: old version " << old_version
            << ", new version " << new_version << ", mixed 0\n";
}

TEST_F(SafetyTest, RealmsAreSentAsWritten) {
  const std::string realm = "Say \"hi\" at 100%{HTTP_HOST} é";
  ASSERT_EQ(run_authdiag({"protect", site_.string(), "--user-file", user_file_, "--realm", realm},
                         options())
                .exit_code,
            0);
  itest::HttpRequest request;
  request.target = "/private/index.html";
  const itest::HttpResponse response = itest::http_send(server_->port(), request);
  ASSERT_EQ(response.status, 401);
  // httpd escapes the quotes (ap_escape_quotes); the expression syntax stays literal.
  EXPECT_EQ(response.header("WWW-Authenticate"),
            "Basic realm=\"Say \\\"hi\\\" at 100%{HTTP_HOST} é\"");
}

}  // namespace
}  // namespace authdiag::clitest
