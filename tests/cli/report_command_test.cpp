// SPDX-License-Identifier: Apache-2.0
// `authdiag report` as a command: JSON and text output, several logs and stdin, --since,
// malformed lines never fatal, usage and file errors.
#include "cli_test_support.hpp"
#include "core/denial_record.hpp"
#include "lint_test_support.hpp"

#include <gtest/gtest.h>

namespace authdiag::clitest {
namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kBase = 1'793'577'600LL * kSecond;  // 2026-11-02T00:00:00Z

std::string record(std::int64_t time_us, std::string ip, core::Reason reason,
                   std::optional<core::SubstatusCode> substatus, std::optional<std::string> user) {
  core::DenialRecord r;
  r.time_us = time_us;
  r.client_ip = std::move(ip);
  r.method = "GET";
  r.path = "/members/";
  r.status = 401;
  r.substatus = substatus;
  r.reason = reason;
  r.user = std::move(user);
  return core::to_json_line(r);
}

// 4× 401.1 (alice, 10.0.0.1) on day one, 2× 401.2 (10.0.0.2) on day two.
std::string two_days() {
  std::string log;
  for (int i = 0; i < 4; ++i) {
    log += record(kBase + i * 60 * kSecond, "10.0.0.1", core::Reason::PasswordMismatch, 1, "alice");
  }
  for (int i = 0; i < 2; ++i) {
    log += record(kBase + 86400 * kSecond + i * kSecond, "10.0.0.2",
                  core::Reason::CredentialsMissing, 2, std::nullopt);
  }
  return log;
}

std::uint64_t count_in(const core::JsonValue& json, std::string_view list, std::string_view key) {
  const core::JsonValue* entries = json.find(list);
  if (entries == nullptr) return 0;
  for (const auto& e : entries->items()) {
    if (json_string(e, "key") == std::string(key)) {
      return static_cast<std::uint64_t>(e.find("count")->as_int64().value_or(0));
    }
  }
  return 0;
}

TEST(ReportCommand, JsonCountsAcrossLogsAndMalformedLines) {
  ScratchDir dir("report-json");
  write_bytes(dir.path() / "a.json", two_days() + "{\"time\":\"garbage\"}\n");
  write_bytes(dir.path() / "b.json",
              record(kBase + 2 * kSecond, "10.0.0.3", core::Reason::UserUnknown, 1, "eve") +
                  "truncated {\"time\":");  // a partial last line, as while httpd writes
  RunResult run = run_authdiag(
      {"report", (dir.path() / "a.json").string(), (dir.path() / "b.json").string(), "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << run.out;
  EXPECT_EQ(json_string(*json, "action"), "report");
  EXPECT_EQ(json_find(*json, "records")->as_int64(), 7);
  EXPECT_EQ(json_find(*json, "malformed")->as_int64(), 2);
  EXPECT_EQ(count_in(*json, "by_substatus", "401.1"), 5U);
  EXPECT_EQ(count_in(*json, "by_substatus", "401.2"), 2U);
  EXPECT_EQ(count_in(*json, "by_reason", "user_unknown"), 1U);
  EXPECT_EQ(count_in(*json, "top_clients", "10.0.0.1"), 4U);
  EXPECT_EQ(count_in(*json, "top_users", "alice"), 4U);
  EXPECT_EQ(json_string(*json, "first"), "2026-11-02T00:00:00.000000Z");
  const core::JsonValue* samples = json_find(*json, "malformed_samples");
  ASSERT_NE(samples, nullptr);
  ASSERT_EQ(samples->items().size(), 2U);
  EXPECT_EQ(json_string(samples->items()[0], "source"), (dir.path() / "a.json").string());
  EXPECT_EQ(samples->items()[0].find("line")->as_int64(), 7);
  EXPECT_EQ(samples->items()[1].find("line")->as_int64(), 2);
  // One day and a second: half-hour buckets are the smallest that give at most 60 bars (49).
  EXPECT_EQ(json_find(*json, "timeline.bucket_seconds")->as_int64(), 1800);
  EXPECT_EQ(json_find(*json, "timeline.buckets")->items().size(), 49U);
  EXPECT_NE(run.err.find("2 malformed lines"), std::string::npos) << run.err;
}

TEST(ReportCommand, SinceStdinAndText) {
  RunOptions options;
  options.stdin_data = two_days();
  RunResult run = run_authdiag({"report", "-", "--since", "2026-11-03", "--json"}, options);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto json = run.json();
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(json_find(*json, "records")->as_int64(), 2);
  EXPECT_EQ(json_find(*json, "before_since")->as_int64(), 4);
  EXPECT_EQ(json_string(*json, "since"), "2026-11-03T00:00:00.000000Z");

  RunResult text = run_authdiag({"report", "-"}, options);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("denials: 6"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("       4  401.1"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("       4  alice"), std::string::npos) << text.out;
}

TEST(ReportCommand, ClientControlledTextCannotForgeOutputLines) {
  RunOptions options;
  options.stdin_data =
      record(kBase, "10.0.0.1", core::Reason::UserUnknown, 1, "mallory\n       9  admin\x1b[2J");
  RunResult text = run_authdiag({"report", "-"}, options);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.find("\n       9  admin"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find('\x1b'), std::string::npos);
  EXPECT_NE(text.out.find("mallory\\x0a"), std::string::npos) << text.out;
}

TEST(ReportCommand, UsageAndFileErrors) {
  ScratchDir dir("report-errors");
  write_bytes(dir.path() / "a.json", two_days());
  const std::string log = (dir.path() / "a.json").string();
  EXPECT_EQ(run_authdiag({"report"}).exit_code, 2);
  EXPECT_EQ(run_authdiag({"report", log, "--since", "last tuesday"}).exit_code, 2);
  EXPECT_EQ(
      run_authdiag({"report", log, "--json", "--html", (dir.path() / "r.html").string()}).exit_code,
      2);
  // A missing log is an error, but the readable ones are still reported.
  RunResult partial =
      run_authdiag({"report", log, (dir.path() / "missing.json").string(), "--json"});
  EXPECT_EQ(partial.exit_code, 1);
  auto json = partial.json();
  ASSERT_TRUE(json.has_value()) << partial.out;
  EXPECT_EQ(json_find(*json, "records")->as_int64(), 6);
  EXPECT_EQ(json_find(*json, "errors")->items().size(), 1U);
  // An unwritable --html target.
  EXPECT_EQ(run_authdiag({"report", log, "--html", "/nonexistent-dir/r.html"}).exit_code, 1);
}

TEST(ReportCommand, HtmlFileIsWrittenCompletely) {
  ScratchDir dir("report-html-file");
  write_bytes(dir.path() / "a.json", two_days());
  const fs::path page = dir.path() / "report.html";
  RunResult run =
      run_authdiag({"report", (dir.path() / "a.json").string(), "--html", page.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  std::string html = read_bytes(page);
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_TRUE(html.ends_with("</html>\n"));
  EXPECT_NE(html.find("id=\"denials\">6<"), std::string::npos);
  EXPECT_FALSE(fs::exists(page.string() + ".tmp"));
}

}  // namespace
}  // namespace authdiag::clitest
