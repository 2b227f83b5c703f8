// SPDX-License-Identifier: Apache-2.0
// Denial-log aggregation: records are written with the module's own JSON-line writer
// (core::to_json_line) so the report reads exactly what AuthDiagLog produces.
#include "core/denial_record.hpp"
#include "core/denial_report.hpp"

#include <ctime>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <vector>

namespace authdiag::core {
namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
// 2026-11-02T00:00:00Z (a Monday).
constexpr std::int64_t kBase = 1'793'577'600LL * kSecond;

std::string line_for(std::int64_t time_us, std::string_view ip, Reason reason, int status,
                     std::optional<SubstatusCode> substatus, std::optional<std::string> user,
                     std::string_view path, bool repaired = false) {
  DenialRecord r;
  r.time_us = time_us;
  r.client_ip = std::string(ip);
  r.method = "GET";
  r.path = std::string(path);
  r.status = status;
  r.substatus = substatus;
  r.reason = reason;
  r.user = std::move(user);
  r.repaired = repaired;
  std::string line = to_json_line(r);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

// 12 records over 30 minutes: 7× 401.1, 3× 401.2, one 500 without substatus, one 401.502.
std::vector<std::string> sample_log() {
  std::vector<std::string> lines;
  for (int i = 0; i < 5; ++i) {
    lines.push_back(line_for(kBase + i * kMinute, "10.0.0.1", Reason::PasswordMismatch, 401, 1,
                             "alice", "/admin/"));
  }
  for (int i = 0; i < 3; ++i) {
    lines.push_back(line_for(kBase + (10 + i) * kMinute, "10.0.0.2", Reason::CredentialsMissing,
                             401, 2, std::nullopt, "/admin/", i == 0));
  }
  for (int i = 0; i < 2; ++i) {
    lines.push_back(line_for(kBase + 20 * kMinute + i * kSecond, "10.0.0.3", Reason::UserUnknown,
                             401, 1, "mallory", "/secret/"));
  }
  lines.push_back(line_for(kBase + 25 * kMinute, "10.0.0.1", Reason::UserFileMissing, 500,
                           std::nullopt, "alice", "/admin/"));
  lines.push_back(
      line_for(kBase + 30 * kMinute, "10.0.0.9", Reason::RateLimit, 401, 502, std::nullopt, "/"));
  return lines;
}

std::uint64_t count_of(const std::vector<CountEntry>& entries, std::string_view key) {
  for (const auto& e : entries) {
    if (e.key == key) return e.count;
  }
  return 0;
}

DenialReport build(const std::vector<std::string>& lines, DenialReportOptions options = {}) {
  DenialReportBuilder builder(options);
  builder.begin_source("denials.json");
  for (const auto& line : lines) builder.add_line(line);
  return builder.finish();
}

TEST(DenialReport, CountsBySubstatusReasonClientUserPath) {
  DenialReport report = build(sample_log());
  EXPECT_EQ(report.records, 12U);
  EXPECT_EQ(report.lines, 12U);
  EXPECT_EQ(report.malformed, 0U);
  EXPECT_EQ(report.repaired, 1U);

  EXPECT_EQ(count_of(report.by_substatus, "401.1"), 7U);
  EXPECT_EQ(count_of(report.by_substatus, "401.2"), 3U);
  EXPECT_EQ(count_of(report.by_substatus, "401.502"), 1U);
  EXPECT_EQ(count_of(report.by_substatus, "none"), 1U);
  ASSERT_FALSE(report.by_substatus.empty());
  EXPECT_EQ(report.by_substatus.front().key, "401.1");  // largest first

  EXPECT_EQ(count_of(report.by_reason, "password_mismatch"), 5U);
  EXPECT_EQ(count_of(report.by_reason, "credentials_missing"), 3U);
  EXPECT_EQ(count_of(report.by_reason, "user_unknown"), 2U);
  EXPECT_EQ(count_of(report.by_reason, "user_file_missing"), 1U);
  EXPECT_EQ(count_of(report.by_reason, "rate_limit"), 1U);

  EXPECT_EQ(count_of(report.by_status, "401"), 11U);
  EXPECT_EQ(count_of(report.by_status, "500"), 1U);

  ASSERT_EQ(report.top_clients.size(), 4U);
  EXPECT_EQ(report.top_clients[0].key, "10.0.0.1");
  EXPECT_EQ(report.top_clients[0].count, 6U);
  EXPECT_EQ(count_of(report.top_clients, "10.0.0.2"), 3U);

  EXPECT_EQ(report.distinct_users, 2U);  // records without a user are not counted as one
  EXPECT_EQ(count_of(report.top_users, "alice"), 6U);
  EXPECT_EQ(count_of(report.top_users, "mallory"), 2U);
  EXPECT_EQ(count_of(report.top_paths, "/admin/"), 9U);
  EXPECT_EQ(report.first_us, kBase);
  EXPECT_EQ(report.last_us, kBase + 30 * kMinute);
}

TEST(DenialReport, TopListsAreCutAndOrdered) {
  std::vector<std::string> lines;
  for (int client = 0; client < 30; ++client) {
    for (int n = 0; n <= client; ++n) {
      lines.push_back(line_for(kBase + n * kSecond, "192.0.2." + std::to_string(client),
                               Reason::CredentialsMissing, 401, 2, std::nullopt, "/"));
    }
  }
  DenialReportOptions options;
  options.top = 5;
  DenialReport report = build(lines, options);
  ASSERT_EQ(report.top_clients.size(), 5U);
  EXPECT_EQ(report.distinct_clients, 30U);
  EXPECT_EQ(report.top_clients[0].key, "192.0.2.29");
  EXPECT_EQ(report.top_clients[0].count, 30U);
  EXPECT_EQ(report.top_clients[4].key, "192.0.2.25");
  // Ties are broken by key so the output is stable.
  DenialReport tie = build({line_for(kBase, "b", Reason::UserUnknown, 401, 1, "u", "/"),
                            line_for(kBase, "a", Reason::UserUnknown, 401, 1, "u", "/")});
  EXPECT_EQ(tie.top_clients[0].key, "a");
}

TEST(DenialReport, MalformedLinesAreCountedNeverFatal) {
  std::vector<std::string> lines = sample_log();
  std::string good = lines[0];
  lines.insert(lines.begin() + 1, "not json at all");                       // line 2
  lines.insert(lines.begin() + 2, "");                                      // blank: skipped
  lines.insert(lines.begin() + 3, R"({"time":"yesterday","status":401})");  // line 4
  lines.insert(lines.begin() + 4, "[1,2,3]");                               // line 5
  lines.insert(lines.begin() + 5, R"({"status":401})");                     // line 6: no time
  lines.insert(lines.begin() + 6, good.substr(0, good.size() / 2));         // line 7: truncated
  lines.insert(lines.begin() + 7,
               R"({"time":"2026-11-02T00:00:00Z","status":"401"})");   // line 8
  lines.push_back(R"({"time":"2026-11-02T00:00:00Z","user":["x"]})");  // wrong type
  DenialReportOptions options;
  options.malformed_samples = 3;
  DenialReport report = build(lines, options);
  EXPECT_EQ(report.records, 12U);
  EXPECT_EQ(report.malformed, 7U);
  EXPECT_EQ(report.lines, 19U);
  ASSERT_EQ(report.malformed_samples.size(), 3U);
  EXPECT_EQ(report.malformed_samples[0].line, 2U);
  EXPECT_EQ(report.malformed_samples[0].source, "denials.json");
  EXPECT_EQ(report.malformed_samples[1].line, 4U);
  EXPECT_NE(report.malformed_samples[1].error.find("RFC 3339"), std::string::npos);
  EXPECT_EQ(report.malformed_samples[2].line, 5U);
}

TEST(DenialReport, SinceSkipsOlderRecords) {
  DenialReportOptions options;
  options.since_us = kBase + 10 * kMinute;
  DenialReport report = build(sample_log(), options);
  EXPECT_EQ(report.before_since, 5U);  // the five 401.1 of alice
  EXPECT_EQ(report.records, 7U);
  EXPECT_EQ(count_of(report.by_reason, "password_mismatch"), 0U);
  EXPECT_EQ(report.first_us, kBase + 10 * kMinute);
}

TEST(DenialReport, TimelineBucketFollowsTheSpan) {
  DenialReport report = build(sample_log());
  EXPECT_EQ(report.timeline.bucket_us, kMinute);
  ASSERT_EQ(report.timeline.buckets.size(), 31U);
  std::uint64_t total = 0;
  std::uint64_t logon_failed = 0;
  for (const auto& bucket : report.timeline.buckets) {
    total += bucket.total();
    logon_failed += bucket.counts[0];
  }
  EXPECT_EQ(total, 12U);
  EXPECT_EQ(logon_failed, 7U);
  EXPECT_EQ(report.timeline.buckets[20].counts[0], 2U);  // mallory's two at +20 min
  EXPECT_EQ(report.timeline.buckets[30].counts[3], 1U);  // the rate limit at +30 min

  // Two days: hourly.
  DenialReport days =
      build({line_for(kBase, "a", Reason::UserUnknown, 401, 1, "u", "/"),
             line_for(kBase + 2 * kDay - kSecond, "a", Reason::UserUnknown, 401, 1, "u", "/")});
  EXPECT_EQ(days.timeline.bucket_us, kHour);
  EXPECT_EQ(days.timeline.buckets.size(), 48U);

  // A year: whole weeks starting on Mondays, at most 60 bars.
  DenialReport year =
      build({line_for(kBase + 3 * kDay, "a", Reason::UserUnknown, 401, 1, "u", "/"),
             line_for(kBase + 400 * kDay, "a", Reason::UserUnknown, 401, 1, "u", "/")});
  EXPECT_EQ(year.timeline.bucket_us % (7 * kDay), 0);
  EXPECT_LE(year.timeline.buckets.size(), 60U);
  for (const auto& bucket : year.timeline.buckets) {
    std::time_t t = static_cast<std::time_t>(bucket.start_us / kSecond);
    std::tm tm{};
    gmtime_r(&t, &tm);
    EXPECT_EQ(tm.tm_wday, 1) << format_rfc3339_us(bucket.start_us);
    EXPECT_EQ(tm.tm_hour, 0);
  }
  EXPECT_EQ(year.timeline.buckets.front().counts[0], 1U);
  EXPECT_EQ(year.timeline.buckets.back().counts[0], 1U);

  // Centuries (found by fuzzing): aligning both ends must not add a 61st bar.
  DenialReportBuilder centuries;
  centuries.add_line(R"({"time":"2030-12-31T23:59:59.999999+14:00"})");
  centuries.add_line(R"({"time":"2288-01-01T00:00:00Z"})");
  EXPECT_LE(centuries.finish().timeline.buckets.size(), 60U);

  // Nothing to show.
  EXPECT_TRUE(build({}).timeline.buckets.empty());
}

TEST(DenialReport, Rfc3339AgainstGmtime) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::int64_t> seconds(0, 4'102'444'800LL);  // up to 2100
  for (int i = 0; i < 2000; ++i) {
    std::time_t t = static_cast<std::time_t>(seconds(rng));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[40];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    EXPECT_EQ(parse_rfc3339_us(text), static_cast<std::int64_t>(t) * kSecond) << text;
    std::int64_t us = static_cast<std::int64_t>(t) * kSecond + (i * 7919) % kSecond;
    EXPECT_EQ(parse_rfc3339_us(format_rfc3339_us(us)), us);
  }
  EXPECT_EQ(parse_rfc3339_us("2000-01-01T01:30:00+01:30"), 946'684'800LL * kSecond);
  EXPECT_EQ(parse_rfc3339_us("1999-12-31T23:00:00-01:00"), 946'684'800LL * kSecond);
  EXPECT_EQ(parse_rfc3339_us("2000-01-01t00:00:00.5z"), 946'684'800LL * kSecond + 500'000);
  EXPECT_EQ(parse_rfc3339_us("2024-02-29T00:00:00Z"), 1'709'164'800LL * kSecond);
  for (const char* bad :
       {"2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-28T24:00:00Z",
        "2026-11-28T23:31:28", "2026-11-28 23:31Z", "2026-11-28T23:31:28.Z",
        "2026-11-28T23:31:28+0100", "x026-11-28T23:31:28Z", "2026-11-28T23:31:28Zjunk", ""}) {
    EXPECT_EQ(parse_rfc3339_us(bad), std::nullopt) << bad;
  }
}

TEST(DenialReport, SinceArgument) {
  const std::int64_t now = kBase + 12 * kHour;
  EXPECT_EQ(parse_since("90s", now), now - 90 * kSecond);
  EXPECT_EQ(parse_since("30m", now), now - 30 * kMinute);
  EXPECT_EQ(parse_since("12h", now), kBase);
  EXPECT_EQ(parse_since("7d", now), now - 7 * kDay);
  EXPECT_EQ(parse_since("2w", now), now - 14 * kDay);
  EXPECT_EQ(parse_since("2026-11-02", now), kBase);
  EXPECT_EQ(parse_since("2026-11-02T06:00:00Z", now), kBase + 6 * kHour);
  for (const char* bad :
       {"", "h", "-5m", "5x", "1.5h", "2026-11-31", "yesterday", "99999999999999999999d"}) {
    EXPECT_EQ(parse_since(bad, now), std::nullopt) << bad;
  }
}

TEST(DenialReportHtml, SelfContainedAndEscaped) {
  std::vector<std::string> lines = sample_log();
  lines.push_back(line_for(kBase + kMinute, "10.6.6.6", Reason::UserUnknown, 401, 1,
                           "<script>alert(1)</script>\xE2\x80\xAE"
                           "cod.exe",
                           "/a\"b'<c>&d"));
  lines.push_back("{broken <b>html</b>");
  DenialReport report = build(lines);
  std::string html = render_report_html(report, kBase + kDay);
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;\\u202Ecod.exe"), std::string::npos);
  EXPECT_NE(html.find("/a&quot;b&#39;&lt;c&gt;&amp;d"), std::string::npos);
  // No external resource of any kind.
  for (const char* needle : {"src=", "href=", "url(", "@import", "http://", "https://"}) {
    EXPECT_EQ(html.find(needle), std::string::npos) << needle;
  }
  EXPECT_NE(html.find("<svg id=\"timeline\""), std::string::npos);
  EXPECT_NE(html.find("<tr data-key=\"401.1\">"), std::string::npos);
  EXPECT_NE(html.find("id=\"malformed\">1<"), std::string::npos);
  EXPECT_NE(html.find("id=\"denials\">13<"), std::string::npos);
}

}  // namespace
}  // namespace authdiag::core
