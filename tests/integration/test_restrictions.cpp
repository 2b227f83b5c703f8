// SPDX-License-Identifier: Apache-2.0
// The IP and rate restrictions (401.501-401.504) on a real httpd with the shared-memory store:
// every list and limit, every deny action, logging-only mode, AuthDiagAllowIP, exact counts
// across the children of prefork (and the threads of event), the failed-logon lockout under
// concurrent failures, deny files (reload on graceful, malformed lines at configtest and at a
// restart), IPv6 over [::1] and through mod_remoteip, and the status handler. Distinct clients
// are distinct source addresses in 127.0.0.0/8.
#include "integration_test.hpp"

#include <chrono>
#include <future>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace authdiag::itest {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

// A free TCP port on [::1] for a second Listen line.
int free_ipv6_port() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot bind [::1]:0");
  }
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin6_port);
}

// Fixed windows of a day end at midnight UTC: keep a test from straddling one.
void stay_clear_of_a_day_boundary() {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::int64_t left = kDayMs - now % kDayMs;
  if (left < 120'000) sleep_ms(static_cast<int>(left + 1000));
}

ClientOptions from(const std::string& address) {
  ClientOptions options;
  options.source_address = address;
  return options;
}

HttpRequest get_request(const std::string& target, const std::string& authorization = {}) {
  HttpRequest request;
  request.target = target;
  if (!authorization.empty()) request.with("Authorization", authorization);
  return request;
}

std::string slow_cgi() {
  return "#!/bin/sh\nsleep 2\nprintf 'Content-Type: text/plain\\r\\n\\r\\nslow\\n'\n";
}

struct Fixture {
  StandardUsers users;
  fs::path deny_file;
  fs::path reload_file;
  int ipv6_port = 0;
  std::string site;
};

class Restrictions : public IntegrationTest {
 protected:
  void SetUp() override { httpd(); }

  static Fixture& fx() {
    static Fixture fixture;
    return fixture;
  }

  static std::string site_config(HttpdServer& s) {
    Fixture& f = fx();
    f.users = StandardUsers::create(s.root() / "auth");
    f.deny_file = s.root() / "conf" / "deny.txt";
    write_file(f.deny_file,
               "# addresses refused by /deny-file/\n"
               "127.0.2.2\n"
               "\n"
               "127.0.2.64/26   # a small network\n"
               "2001:db8:bad::/48 ; IPv6 too\n"
               "::1\n");
    f.reload_file = s.root() / "conf" / "reload.txt";
    write_file(f.reload_file, "127.0.4.1\n");
    Site site(s.htdocs(), s.conf_path());
    const std::string auth = basic_auth_block(f.users.user_file);
    site.area("deny-inline", Scope::Htaccess, "AuthDiagDenyIP 127.0.2.1 2001:db8::/32");
    site.area("deny-file", Scope::Directory, "AuthDiagDenyIPFile conf/deny.txt");
    site.area("deny-host", Scope::Directory, "AuthDiagDenyHost localhost .example.invalid");
    site.area("protected-deny", Scope::Directory, auth + "\nAuthDiagDenyIP 127.0.2.1");
    site.area("rate", Scope::Directory, "AuthDiagMaxRequestRate 3 86400000");
    site.area("rate-burst", Scope::Directory, "AuthDiagMaxRequestRate 7 86400000");
    site.area("concurrent", Scope::Directory, "AuthDiagMaxConcurrentRequests 2",
              cgi_directory_directives());
    site.file("concurrent/slow.cgi", slow_cgi(), fs::perms(0755));
    site.area("lockout", Scope::Directory, auth + "\nAuthDiagMaxFailedLogons 3 600 600");
    site.area("lockout-burst", Scope::Directory, auth + "\nAuthDiagMaxFailedLogons 5 600 600");
    site.area("act-unauthorized", Scope::Directory, "AuthDiagDenyIP 127.0.3.0/24");
    site.area("act-forbidden", Scope::Directory,
              "AuthDiagDenyIP 127.0.3.0/24\nAuthDiagDenyAction Forbidden");
    site.area("act-notfound", Scope::Directory,
              "AuthDiagDenyIP 127.0.3.0/24\nAuthDiagDenyAction NotFound");
    site.area("act-429", Scope::Directory,
              "AuthDiagMaxRequestRate 1 86400000\nAuthDiagDenyAction TooManyRequests");
    site.area("act-abort", Scope::Directory,
              "AuthDiagDenyIP 127.0.3.0/24\nAuthDiagDenyAction Abort");
    site.area("logging-only", Scope::Directory,
              "AuthDiagDenyIP 127.0.3.0/24\nAuthDiagMaxRequestRate 1 86400000\n"
              "AuthDiagLoggingOnly On");
    site.area("reload", Scope::Directory, "AuthDiagDenyIPFile \"" + f.reload_file.string() + "\"");
    site.area("via-proxy", Scope::Directory, "AuthDiagDenyIP 2001:db8:beef::/48 198.51.100.0/24");
    site.config("<Location /authdiag-status>\n  SetHandler authdiag-status\n</Location>");
    f.site = site.text();
    return f.site;
  }

  static HttpdServer& httpd() {
    ServerOptions options;
    options.extra_modules = {"remoteip"};
    if (fx().ipv6_port == 0) fx().ipv6_port = free_ipv6_port();
    options.server_directives = "Listen [::1]:" + std::to_string(fx().ipv6_port) +
                                "\nAuthDiagAllowIP 127.0.3.9 127.0.9.0/24\n"
                                "RemoteIPHeader X-Client-IP\nRemoteIPInternalProxy 127.0.0.1\n";
    return shared_server("restrictions", options, site_config);
  }

  Exchange get(const std::string& target, const std::string& address,
               const std::string& authorization = {}) {
    return fetch(httpd(), get_request(target, authorization), from(address));
  }

  // Sends `count` requests at once, each on its own connection, and returns their statuses and
  // AuthDiag-Reason headers.
  std::vector<std::pair<int, std::string>> burst(int count, const std::string& target,
                                                 const std::string& address,
                                                 const std::string& authorization = {}) {
    const int port = httpd().port();
    std::vector<std::future<HttpResponse>> responses;
    std::promise<void> go;
    std::shared_future<void> start = go.get_future().share();
    for (int i = 0; i < count; ++i) {
      responses.push_back(std::async(std::launch::async, [=] {
        start.wait();
        return http_send(port, get_request(target, authorization), from(address));
      }));
    }
    go.set_value();
    std::vector<std::pair<int, std::string>> out;
    for (auto& response : responses) {
      const HttpResponse r = response.get();
      out.emplace_back(r.status, r.header("AuthDiag-Reason").value_or(""));
    }
    return out;
  }

  // Waits until the access log holds `count` lines under `path`: a burst's log lines are written
  // after its responses went out, and must not land in the next exchange's log delta.
  void wait_for_logged(const std::string& path, std::size_t count) {
    const bool logged = wait_until(
        [&] {
          std::size_t lines = 0;
          for (const auto& line : split_lines(read_file(httpd().access_log()))) {
            const auto record = parse_access_line(line);
            if (record && record->path.starts_with(path)) ++lines;
          }
          return lines >= count;
        },
        5000);
    EXPECT_TRUE(logged) << "fewer than " << count << " access-log lines under " << path;
  }

  Json status() {
    const Exchange ex = get("/authdiag-status", "127.0.0.1");
    EXPECT_EQ(ex.response.status, 200) << ex.describe();
    EXPECT_EQ(ex.response.header("Content-Type"), "application/json");
    return parse_json(ex.response.body);
  }

  // The value of the live counter of `kind` for `address` on the status page, 0 when absent.
  std::int64_t live_counter(const std::string& kind, const std::string& address) {
    const Json page = status();
    const Json* counters = page.find("counters");
    if (!counters || !counters->is_array()) return -1;
    for (const Json& counter : counters->as_array()) {
      if (counter.string_member("kind") == kind && counter.string_member("address") == address) {
        return static_cast<std::int64_t>(counter.find("value")->as_number());
      }
    }
    return 0;
  }

  static ExpectedDenial denied(int status, const std::string& substatus,
                               const std::string& reason) {
    ExpectedDenial e;
    e.status = status;
    e.substatus = substatus;
    e.reason = reason;
    return e;
  }
};

std::string number_field(const Exchange& ex, const char* key) {
  const auto record = single_record(ex);
  if (!record) return "(no record)";
  const Json* value = record->find(key);
  return value && value->is_number() ? value->number_text() : "(absent)";
}

TEST_F(Restrictions, InlineDenyListInHtaccessRefusesListedAddressesOnly) {
  expect_denial(get("/deny-inline/", "127.0.2.1"), denied(401, "401.503", "ip_denied"));
  const Exchange other = get("/deny-inline/", "127.0.2.3");
  EXPECT_EQ(other.response.status, 200) << other.describe();
  expect_not_diagnosed(other);
}

TEST_F(Restrictions, DenyFileRefusesAddressesAndNetworks) {
  for (const char* address : {"127.0.2.2", "127.0.2.64", "127.0.2.100", "127.0.2.127"}) {
    const Exchange ex = get("/deny-file/", address);
    expect_denial(ex, denied(401, "401.503", "ip_denied"));
    // A 401.50x carries a correct challenge for the scope (no AuthName here: the default).
    const std::vector<std::string> challenge{"Basic realm=\"Restricted\", charset=\"UTF-8\""};
    EXPECT_EQ(ex.response.values("WWW-Authenticate"), challenge) << ex.describe();
  }
  for (const char* address : {"127.0.2.3", "127.0.2.63", "127.0.2.128"}) {
    const Exchange ex = get("/deny-file/", address);
    EXPECT_EQ(ex.response.status, 200) << ex.describe();
  }
}

TEST_F(Restrictions, DeniedHostNameIsDoubleReverseChecked) {
  // 127.0.0.1 is "localhost" both ways; 127.0.2.5 has no name.
  const Exchange named = get("/deny-host/", "127.0.0.1");
  expect_denial(named, denied(401, "401.504", "host_denied"));
  const Exchange unnamed = get("/deny-host/", "127.0.2.5");
  EXPECT_EQ(unnamed.response.status, 200) << unnamed.describe();
  // Cached: the same answer again.
  expect_denial(get("/deny-host/", "127.0.0.1"), denied(401, "401.504", "host_denied"));
}

TEST_F(Restrictions, ListsApplyBeforeAuthentication) {
  // The deny list answers before any password is checked, with the scope's realm.
  const User& alice = fx().users.alice;
  const Exchange ex =
      get("/protected-deny/", "127.0.2.1", basic_credentials(alice.name, alice.password));
  ExpectedDenial e = denied(401, "401.503", "ip_denied");
  e.fields["realm"] = "Members";
  expect_denial(ex, e);
  const std::vector<std::string> challenge{"Basic realm=\"Members\", charset=\"UTF-8\""};
  EXPECT_EQ(ex.response.values("WWW-Authenticate"), challenge) << ex.describe();
  const Exchange other =
      get("/protected-deny/", "127.0.2.3", basic_credentials(alice.name, alice.password));
  EXPECT_EQ(other.response.status, 200) << other.describe();
}

TEST_F(Restrictions, RateLimitAdmitsNThenRefusesWithCounterLimitAndWindow) {
  stay_clear_of_a_day_boundary();
  for (int i = 0; i < 3; ++i) {
    const Exchange ex = get("/rate/", "127.0.2.10");
    ASSERT_EQ(ex.response.status, 200) << "request " << i + 1 << "\n" << ex.describe();
  }
  const Exchange refused = get("/rate/", "127.0.2.10");
  expect_denial(refused, denied(401, "401.502", "rate_limit"));
  EXPECT_EQ(number_field(refused, "counter"), "4");
  EXPECT_EQ(number_field(refused, "limit"), "3");
  EXPECT_EQ(number_field(refused, "window_ms"), "86400000");
  // The error-log line carries them too.
  if (const auto fields = single_log_fields(refused)) {
    const LogfmtField* counter = find_field(*fields, "counter");
    ASSERT_NE(counter, nullptr);
    EXPECT_EQ(counter->value, "4");
  }
  // Another address has its own counter.
  EXPECT_EQ(get("/rate/", "127.0.2.11").response.status, 200);
}

// Requests arriving at the same instant on different children (prefork) or threads (event):
// a limit of N lets exactly N through.
TEST_F(Restrictions, RateLimitIsExactUnderConcurrentRequests) {
  stay_clear_of_a_day_boundary();
  const auto results = burst(20, "/rate-burst/", "127.0.7.1");
  int served = 0;
  int refused = 0;
  for (const auto& [status, reason] : results) {
    if (status == 200) ++served;
    if (status == 401 && reason == "rate_limit") ++refused;
  }
  EXPECT_EQ(served, 7);
  EXPECT_EQ(refused, 13);
  wait_for_logged("/rate-burst/", 20);
}

TEST_F(Restrictions, ConcurrencyLimitCountsRequestsInFlight) {
  const std::string client = "127.0.5.1";
  const int port = httpd().port();
  auto slow = [&] {
    return std::async(std::launch::async, [=] {
      return http_send(port, get_request("/concurrent/slow.cgi"), from(client));
    });
  };
  auto first = slow();
  auto second = slow();
  ASSERT_TRUE(wait_until([&] { return live_counter("conc", client) == 2; }, 1500))
      << "two slow requests never showed as in flight";
  const Exchange third = get("/concurrent/", client);
  expect_denial(third, denied(401, "401.501", "concurrent_limit"));
  EXPECT_EQ(number_field(third, "counter"), "3");
  EXPECT_EQ(number_field(third, "limit"), "2");
  EXPECT_EQ(first.get().status, 200);
  EXPECT_EQ(second.get().status, 200);
  // Finished requests are counted down.
  EXPECT_TRUE(wait_until([&] { return live_counter("conc", client) == 0; }, 3000));
  EXPECT_EQ(get("/concurrent/", client).response.status, 200);
}

TEST_F(Restrictions, AbortedRequestsAreCountedDownToo) {
  const std::string client = "127.0.5.2";
  ClientOptions impatient = from(client);
  impatient.timeout_ms = 300;
  for (int i = 0; i < 2; ++i) {
    EXPECT_THROW(http_send(httpd().port(), get_request("/concurrent/slow.cgi"), impatient),
                 std::runtime_error);
  }
  // The CGI still runs after the client left; once it ends, nothing stays counted.
  EXPECT_TRUE(wait_until([&] { return live_counter("conc", client) == 0; }, 8000))
      << live_counter("conc", client);
  const auto results = burst(2, "/concurrent/", client);
  for (const auto& [status, reason] : results) EXPECT_EQ(status, 200) << reason;
  wait_for_logged("/concurrent/slow.cgi", 2);
}

TEST_F(Restrictions, LockoutStartsAtAttemptNPlusOneAndRefusesTheRightPassword) {
  const User& alice = fx().users.alice;
  const std::string client = "127.0.6.1";
  const std::string wrong = basic_credentials(alice.name, alice.password + "x");
  for (int i = 1; i <= 3; ++i) {
    ExpectedDenial e = denied(401, "401.1", "password_mismatch");
    e.fields["user"] = alice.name;
    SCOPED_TRACE("attempt " + std::to_string(i));
    expect_denial(get("/lockout/", client, wrong), e);
  }
  const Exchange locked = get("/lockout/", client, basic_credentials(alice.name, alice.password));
  ExpectedDenial e = denied(401, "401.502", "failed_logon_limit");
  e.fields["realm"] = "Members";
  expect_denial(locked, e);
  EXPECT_EQ(number_field(locked, "limit"), "3");
  EXPECT_EQ(number_field(locked, "window_ms"), "600000");
  // Another address still logs on; an unprotected scope is open to the locked address.
  EXPECT_EQ(
      get("/lockout/", "127.0.6.2", basic_credentials(alice.name, alice.password)).response.status,
      200);
  EXPECT_EQ(get("/deny-inline/", client).response.status, 200);
}

// Failures sent at once over separate connections (under prefork: to different children): the
// first N are password_mismatch, every later one is the lockout, whichever child answers it.
TEST_F(Restrictions, LockoutIsExactUnderConcurrentFailures) {
  const User& alice = fx().users.alice;
  const std::string client = "127.0.6.10";
  const auto results =
      burst(14, "/lockout-burst/", client, basic_credentials(alice.name, alice.password + "x"));
  int mismatches = 0;
  int lockouts = 0;
  for (const auto& [status, reason] : results) {
    EXPECT_EQ(status, 401);
    if (reason == "password_mismatch") ++mismatches;
    if (reason == "failed_logon_limit") ++lockouts;
  }
  EXPECT_EQ(mismatches, 5);
  EXPECT_EQ(lockouts, 9);
  wait_for_logged("/lockout-burst/", 14);
  expect_denial(get("/lockout-burst/", client, basic_credentials(alice.name, alice.password)),
                denied(401, "401.502", "failed_logon_limit"));
}

TEST_F(Restrictions, DenyActionForbiddenAndNotFoundKeepTheSubstatus) {
  ExpectedDenial forbidden = denied(403, "403.503", "ip_denied");
  expect_denial(get("/act-forbidden/", "127.0.3.1"), forbidden);
  expect_denial(get("/act-notfound/", "127.0.3.1"), denied(404, "404.503", "ip_denied"));
  const Exchange unauthorized = get("/act-unauthorized/", "127.0.3.1");
  expect_denial(unauthorized, denied(401, "401.503", "ip_denied"));
}

TEST_F(Restrictions, DenyActionTooManyRequestsSends429WithRetryAfter) {
  stay_clear_of_a_day_boundary();
  EXPECT_EQ(get("/act-429/", "127.0.3.20").response.status, 200);
  const Exchange ex = get("/act-429/", "127.0.3.20");
  expect_denial(ex, denied(429, "429.502", "rate_limit"));
  const auto retry_after = ex.response.header("Retry-After");
  ASSERT_TRUE(retry_after.has_value()) << ex.describe();
  const long seconds = std::stol(*retry_after);
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, kDayMs / 1000);
}

TEST_F(Restrictions, DenyActionAbortClosesTheConnectionWithoutAResponse) {
  const Exchange ex = get("/act-abort/", "127.0.3.1");
  EXPECT_FALSE(ex.transport_error.empty()) << ex.describe();
  EXPECT_TRUE(ex.response.raw.empty()) << printable(ex.response.raw);
  const auto record = single_record(ex);
  ASSERT_TRUE(record.has_value()) << ex.describe();
  EXPECT_EQ(record->string_member("reason"), "ip_denied");
  EXPECT_EQ(record->string_member("substatus"), "403.503");
  ASSERT_TRUE(ex.access.has_value()) << ex.describe();
  EXPECT_EQ(ex.access->authdiag_status, "403.503");
}

TEST_F(Restrictions, AllowIPExemptsFromListsAndLimits) {
  stay_clear_of_a_day_boundary();
  for (const char* target : {"/act-forbidden/", "/act-abort/", "/deny-file/"}) {
    const Exchange ex = get(target, "127.0.3.9");
    EXPECT_EQ(ex.response.status, 200) << ex.describe();
    expect_not_diagnosed(ex);
  }
  for (int i = 0; i < 5; ++i) EXPECT_EQ(get("/act-429/", "127.0.9.1").response.status, 200);
}

TEST_F(Restrictions, LoggingOnlyRecordsWhatWouldBeDeniedAndServesIt) {
  stay_clear_of_a_day_boundary();
  const Exchange listed = get("/logging-only/", "127.0.3.30");
  EXPECT_EQ(listed.response.status, 200) << listed.describe();
  const auto record = single_record(listed);
  ASSERT_TRUE(record.has_value()) << listed.describe();
  EXPECT_EQ(record->string_member("reason"), "ip_denied");
  EXPECT_EQ(record->string_member("substatus"), "200.503");
  EXPECT_NE(record->string_member("detail").value_or("").find("AuthDiagLoggingOnly"),
            std::string::npos);
  ASSERT_TRUE(listed.access.has_value());
  EXPECT_EQ(listed.access->authdiag_reason, "ip_denied");
  // Over the rate limit: still served, logged as rate_limit.
  const Exchange first = get("/logging-only/", "127.0.9.200");
  EXPECT_EQ(first.response.status, 200);
  EXPECT_TRUE(first.json_lines.empty()) << first.json_text;
}

TEST_F(Restrictions, LoggingOnlyRateLimit) {
  stay_clear_of_a_day_boundary();
  // 127.0.4.50 is outside the deny list; the second request is over the limit of 1.
  EXPECT_EQ(get("/logging-only/", "127.0.4.50").response.status, 200);
  const Exchange over = get("/logging-only/", "127.0.4.50");
  EXPECT_EQ(over.response.status, 200) << over.describe();
  const auto record = single_record(over);
  ASSERT_TRUE(record.has_value()) << over.describe();
  EXPECT_EQ(record->string_member("reason"), "rate_limit");
  EXPECT_EQ(number_field(over, "counter"), "2");
}

TEST_F(Restrictions, Ipv6ClientsOverLoopbackAndThroughRemoteIp) {
  // ::1 is listed in the deny file; curl connects over [::1].
  const CommandResult curl =
      run_command({"curl", "-sS", "-g", "-o", "/dev/null", "-w", "%{http_code}",
                   "http://[::1]:" + std::to_string(fx().ipv6_port) + "/deny-file/"});
  EXPECT_EQ(curl.output, "401") << curl.output;
  const std::string log = read_file(httpd().json_log());
  EXPECT_NE(log.find("\"client_ip\":\"::1\""), std::string::npos) << log;
  // Behind a proxy, r->useragent_ip is the address mod_remoteip took from the header.
  HttpRequest proxied = get_request("/via-proxy/");
  proxied.with("X-Client-IP", "2001:db8:beef::7");
  const Exchange v6 = fetch(httpd(), proxied);
  EXPECT_EQ(v6.response.status, 401) << v6.describe();
  const auto record = single_record(v6);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->string_member("client_ip"), "2001:db8:beef::7");
  EXPECT_EQ(record->string_member("reason"), "ip_denied");
  HttpRequest other = get_request("/via-proxy/");
  other.with("X-Client-IP", "2001:db8:cafe::7");
  EXPECT_EQ(fetch(httpd(), other).response.status, 200);
}

TEST_F(Restrictions, DenyFileIsReloadedOnGracefulAndMalformedLinesAreSkippedWithOneLine) {
  allow_in_error_log("AD0510");
  HttpdServer& server = httpd();
  expect_denial(get("/reload/", "127.0.4.1"), denied(401, "401.503", "ip_denied"));
  EXPECT_EQ(get("/reload/", "127.0.4.2").response.status, 200);
  write_file(fx().reload_file, "# now another address\n127.0.4.2\nnot-an-address\n127.0.4.3\n");
  const std::size_t offset = file_size_or_zero(server.error_log());
  server.graceful();
  EXPECT_EQ(get("/reload/", "127.0.4.1").response.status, 200);
  expect_denial(get("/reload/", "127.0.4.2"), denied(401, "401.503", "ip_denied"));
  expect_denial(get("/reload/", "127.0.4.3"), denied(401, "401.503", "ip_denied"));
  std::vector<std::string> lines;
  for (const auto& line : split_lines(read_file_from(server.error_log(), offset))) {
    if (contains(line, "AD0510")) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 1u) << read_file_from(server.error_log(), offset);
  EXPECT_TRUE(contains(lines[0], fx().reload_file.string())) << lines[0];
  EXPECT_TRUE(contains(lines[0], "line 3")) << lines[0];
  EXPECT_TRUE(contains(lines[0], "'not-an-address'")) << lines[0];
  // Counters survive the graceful restart (they live in shared memory kept by the parent).
  EXPECT_GT(status().find("denials")->find("ip_denied")->find("denied")->as_number(), 0);
  write_file(fx().reload_file, "127.0.4.1\n");
  server.graceful();
}

TEST_F(Restrictions, ConfigtestFailsNamingFileLineAndValue) {
  HttpdServer& server = httpd();
  const fs::path bad = server.root() / "conf" / "bad-deny.txt";
  write_file(bad, "192.0.2.1\n\n192.0.2.300\n");
  const std::string extra =
      "<Location /bad-list>\n  AuthDiagDenyIPFile \"" + bad.string() + "\"\n</Location>\n";
  const CommandResult failed = server.configtest(fx().site + extra);
  EXPECT_NE(failed.exit_code, 0) << failed.output;
  EXPECT_TRUE(contains(failed.output, bad.string() + ":3")) << failed.output;
  EXPECT_TRUE(contains(failed.output, "'192.0.2.300'")) << failed.output;
  write_file(bad, "192.0.2.1\n");
  const CommandResult passed = server.configtest(fx().site + extra);
  EXPECT_EQ(passed.exit_code, 0) << passed.output;
  const CommandResult missing = server.configtest(
      fx().site + "<Location /gone>\n  AuthDiagDenyIPFile conf/no-such-file\n</Location>\n");
  EXPECT_NE(missing.exit_code, 0) << missing.output;
  EXPECT_TRUE(contains(missing.output, "no-such-file")) << missing.output;
}

TEST_F(Restrictions, StatusHandlerReportsStoreListsCountersAndBlockedAddresses) {
  const User& alice = fx().users.alice;
  const std::string client = "127.0.8.1";
  for (int i = 0; i < 3; ++i) {
    get("/lockout/", client, basic_credentials(alice.name, alice.password + "x"));
  }
  expect_denial(get("/lockout/", client), denied(401, "401.502", "failed_logon_limit"));
  const Json page = status();
  const Json* store = page.find("store");
  ASSERT_NE(store, nullptr) << page.dump();
  EXPECT_EQ(store->string_member("type"), "shm");
  EXPECT_TRUE(store->find("reachable")->as_bool());
  const Json* blocked = page.find("blocked");
  ASSERT_TRUE(blocked && blocked->is_array()) << page.dump();
  bool found = false;
  for (const Json& entry : blocked->as_array()) {
    if (entry.string_member("address") != client) continue;
    found = true;
    EXPECT_EQ(entry.string_member("reason"), "failed_logon_limit");
    const double left = entry.find("time_left_ms")->as_number();
    EXPECT_GT(left, 0);
    EXPECT_LE(left, 600000);
  }
  EXPECT_TRUE(found) << page.dump();
  const Json* lists = page.find("deny_lists");
  ASSERT_TRUE(lists && lists->is_array()) << page.dump();
  bool listed = false;
  for (const Json& list : lists->as_array()) {
    if (list.string_member("file") != fx().deny_file.string()) continue;
    listed = true;
    EXPECT_EQ(list.find("entries")->as_number(), 4);
    EXPECT_EQ(list.find("ipv4_ranges")->as_number(), 2);
    EXPECT_EQ(list.find("ipv6_ranges")->as_number(), 2);
    EXPECT_TRUE(list.string_member("loaded").has_value());
  }
  EXPECT_TRUE(listed) << page.dump();
  EXPECT_GE(page.find("denials")->find("failed_logon_limit")->find("denied")->as_number(), 1);
  EXPECT_GT(page.find("shared_memory")->find("slots")->as_number(), 0);
}

// A deny file with a malformed line at the very start of a server: one error-log line, the rest
// of the file in force.
TEST(RestrictionsStartup, MalformedLineAtStartIsSkippedWithOneLogLine) {
  ServerOptions options;
  HttpdServer server("restrictions-malformed", options);
  const fs::path list = server.root() / "conf" / "deny.txt";
  write_file(list, "127.0.2.1\n10.0.0.0/33\n127.0.2.2\n");
  Site site(server.htdocs(), server.conf_path());
  site.area("denied", Scope::Directory, "AuthDiagDenyIPFile conf/deny.txt");
  server.start(site.text());
  ClientOptions client = from("127.0.2.2");
  EXPECT_EQ(http_send(server.port(), get_request("/denied/"), client).status, 401);
  client.source_address = "127.0.2.3";
  EXPECT_EQ(http_send(server.port(), get_request("/denied/"), client).status, 200);
  std::vector<std::string> lines;
  for (const auto& line : split_lines(read_file(server.error_log()))) {
    if (contains(line, "AD0510")) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 1u) << read_file(server.error_log());
  EXPECT_TRUE(contains(lines[0], list.string())) << lines[0];
  EXPECT_TRUE(contains(lines[0], "line 2")) << lines[0];
  EXPECT_TRUE(contains(lines[0], "'10.0.0.0/33'")) << lines[0];
  EXPECT_TRUE(server.stop().empty());
}

}  // namespace
}  // namespace authdiag::itest
