// SPDX-License-Identifier: Apache-2.0
// `report --html` rendered by headless Chromium: the page's DOM must carry the right counts in
// every table, hostile log values must stay text, and a screenshot is kept as a test artifact
// (<build>/tests/cli/artifacts/report_html.png) for a person to look at the charts.
#include "cli_test_support.hpp"
#include "core/denial_record.hpp"

#include <cstdlib>
#include <gtest/gtest.h>
#include <map>
#include <regex>

namespace authdiag::clitest {
namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kBase = 1'793'577'600LL * kSecond;  // 2026-11-02T00:00:00Z

std::optional<std::string> chromium_binary() {
  for (const char* candidate :
       {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    if (fs::exists(candidate)) return std::string(candidate);
  }
  return std::nullopt;
}

std::string quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs chromium headless with `flags` on `page`; stdout goes to `out_file`.
int run_chromium(const std::string& chromium, const fs::path& profile,
                 const std::vector<std::string>& flags, const fs::path& page,
                 const fs::path& out_file) {
  std::string command = "timeout 120 " + quote(chromium) +
                        " --headless --no-sandbox --disable-gpu --disable-background-networking"
                        " --no-first-run --user-data-dir=" +
                        quote(profile.string());
  for (const auto& flag : flags) command += " " + quote(flag);
  command += " " + quote("file://" + page.string()) + " > " + quote(out_file.string()) + " 2> " +
             quote(out_file.string() + ".stderr");
  return std::system(command.c_str());
}

struct Row {
  std::string key;
  std::uint64_t count = 0;
};

// Rows of the table with `id` in the serialized DOM: <tr data-key="K">…<td class="num">N</td>.
std::vector<Row> table_rows(const std::string& dom, const std::string& id) {
  std::vector<Row> rows;
  auto start = dom.find("<table id=\"" + id + "\"");
  if (start == std::string::npos) return rows;
  auto end = dom.find("</table>", start);
  std::string table = dom.substr(start, end - start);
  std::regex row(R"re(<tr data-key="([^"]*)">.*?<td class="num">(\d+)</td>)re");
  for (std::sregex_iterator it(table.begin(), table.end(), row), last; it != last; ++it) {
    rows.push_back({(*it)[1].str(), std::stoull((*it)[2].str())});
  }
  return rows;
}

std::string line(std::int64_t time_us, std::string ip, core::Reason reason, int status,
                 std::optional<core::SubstatusCode> substatus, std::optional<std::string> user,
                 std::string path) {
  core::DenialRecord r;
  r.time_us = time_us;
  r.client_ip = std::move(ip);
  r.method = "GET";
  r.path = std::move(path);
  r.status = status;
  r.substatus = substatus;
  r.reason = reason;
  r.user = std::move(user);
  return core::to_json_line(r);
}

TEST(ReportHtml, ChromiumRendersTheCountsAndTheCharts) {
  auto chromium = chromium_binary();
  if (!chromium) GTEST_SKIP() << "chromium is not installed (Debian package: chromium)";
  ScratchDir dir("report-html");

  // Over six hours: 40 password mismatches from 203.0.113.7 for admin, 25 missing credentials
  // from 198.51.100.20, 9 unknown users from 192.0.2.66 (a hostile name among them), 6 rate
  // limits and 3 authorization refusals, plus 2 broken lines.
  const std::string hostile = "<img src=x onerror=alert(1)>";
  std::string log;
  std::map<std::string, std::uint64_t> substatus{
      {"401.1", 49}, {"401.2", 25}, {"401.502", 6}, {"401.3", 3}};
  for (int i = 0; i < 40; ++i) {
    log += line(kBase + i * 9 * 60 * kSecond / 2, "203.0.113.7", core::Reason::PasswordMismatch,
                401, 1, "admin", "/wp-admin/");
  }
  for (int i = 0; i < 25; ++i) {
    log += line(kBase + i * 14 * 60 * kSecond, "198.51.100.20", core::Reason::CredentialsMissing,
                401, 2, std::nullopt, "/members/");
  }
  for (int i = 0; i < 9; ++i) {
    log +=
        line(kBase + 3 * 3600 * kSecond + i * 60 * kSecond, "192.0.2.66", core::Reason::UserUnknown,
             401, 1, i == 0 ? hostile : "user" + std::to_string(i), "/members/");
  }
  for (int i = 0; i < 6; ++i) {
    log += line(kBase + 5 * 3600 * kSecond + i * kSecond, "203.0.113.7", core::Reason::RateLimit,
                401, 502, std::nullopt, "/wp-admin/");
  }
  for (int i = 0; i < 3; ++i) {
    log += line(kBase + 6 * 3600 * kSecond, "10.1.1.1", core::Reason::AuthzDenied, 401, 3, "bob",
                "/members/staff/");
  }
  log += "{\"time\":\"2026-11-02T01:00:00Z\"\n</table><script>alert(2)</script>\n";
  write_bytes(dir.path() / "denials.json", log);

  const fs::path page = dir.path() / "report.html";
  RunResult run =
      run_authdiag({"report", (dir.path() / "denials.json").string(), "--html", page.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  const fs::path artifacts = fs::path(AUTHDIAG_CLI_TEST_TMP).parent_path() / "artifacts";
  fs::create_directories(artifacts);
  const fs::path screenshot = artifacts / "report_html.png";
  fs::remove(screenshot);
  int shot = run_chromium(
      *chromium, dir.path() / "profile-shot",
      {"--screenshot=" + screenshot.string(), "--window-size=1200,1600", "--hide-scrollbars"}, page,
      dir.path() / "shot.out");
  ASSERT_EQ(shot, 0) << read_bytes(dir.path() / "shot.out.stderr");
  ASSERT_TRUE(fs::exists(screenshot));
  std::string png = read_bytes(screenshot);
  ASSERT_GT(png.size(), 24U);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto be32 = [&](std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 3]));
  };
  EXPECT_EQ(be32(16), 1200U);  // IHDR width
  EXPECT_EQ(be32(20), 1600U);  // IHDR height
  // A blank or error page compresses to a few kilobytes; charts and tables do not.
  EXPECT_GT(png.size(), 40'000U);

  int dumped = run_chromium(*chromium, dir.path() / "profile-dom", {"--dump-dom"}, page,
                            dir.path() / "dom.html");
  ASSERT_EQ(dumped, 0) << read_bytes(dir.path() / "dom.html.stderr");
  const std::string dom = read_bytes(dir.path() / "dom.html");
  ASSERT_FALSE(dom.empty());

  // The counts, as the browser parsed them.
  auto substatus_rows = table_rows(dom, "by-substatus");
  ASSERT_EQ(substatus_rows.size(), substatus.size()) << dom;
  for (const auto& row : substatus_rows) EXPECT_EQ(row.count, substatus[row.key]) << row.key;
  EXPECT_EQ(substatus_rows.front().key, "401.1");

  std::map<std::string, std::uint64_t> clients{
      {"203.0.113.7", 46}, {"198.51.100.20", 25}, {"192.0.2.66", 9}, {"10.1.1.1", 3}};
  auto client_rows = table_rows(dom, "top-clients");
  ASSERT_EQ(client_rows.size(), clients.size());
  for (const auto& row : client_rows) EXPECT_EQ(row.count, clients[row.key]) << row.key;

  auto reason_rows = table_rows(dom, "by-reason");
  std::map<std::string, std::uint64_t> reasons;
  for (const auto& row : reason_rows) reasons[row.key] = row.count;
  EXPECT_EQ(reasons["password_mismatch"], 40U);
  EXPECT_EQ(reasons["credentials_missing"], 25U);
  EXPECT_EQ(reasons["user_unknown"], 9U);
  EXPECT_EQ(reasons["rate_limit"], 6U);
  EXPECT_EQ(reasons["authz_denied"], 3U);

  auto path_rows = table_rows(dom, "top-paths");
  std::map<std::string, std::uint64_t> paths;
  for (const auto& row : path_rows) paths[row.key] = row.count;
  EXPECT_EQ(paths["/wp-admin/"], 46U);
  EXPECT_EQ(paths["/members/"], 34U);

  EXPECT_NE(dom.find("id=\"denials\">83<"), std::string::npos);
  EXPECT_NE(dom.find("id=\"malformed\">2<"), std::string::npos);

  // Hostile values stayed text: no element was created from them.
  EXPECT_EQ(dom.find("<img"), std::string::npos);
  EXPECT_EQ(dom.find("<script"), std::string::npos);
  EXPECT_NE(dom.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  // The timeline has one stacked bar segment per non-empty (bucket, series).
  std::regex rect(R"re(<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="#)re");
  auto timeline_start = dom.find("<svg id=\"timeline\"");
  ASSERT_NE(timeline_start, std::string::npos);
  std::string timeline =
      dom.substr(timeline_start, dom.find("</svg>", timeline_start) - timeline_start);
  EXPECT_GT(std::distance(std::sregex_iterator(timeline.begin(), timeline.end(), rect),
                          std::sregex_iterator()),
            10);
}

}  // namespace
}  // namespace authdiag::clitest
