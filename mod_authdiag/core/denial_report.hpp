// SPDX-License-Identifier: Apache-2.0
// Aggregates the module's JSON-lines denial log (AuthDiagLog) into counts, top lists and a
// timeline, and renders the result as one self-contained HTML page with inline SVG.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace authdiag::core {

// RFC 3339 date-time ("2026-11-28T23:31:28.123456Z", "…+02:00") → µs since the epoch, UTC.
std::optional<std::int64_t> parse_rfc3339_us(std::string_view text);

// The argument of --since: an RFC 3339 date-time, a date ("2026-11-28", midnight UTC) or an
// age ("90s", "30m", "12h", "7d", "2w") counted back from `now_us`.
std::optional<std::int64_t> parse_since(std::string_view text, std::int64_t now_us);

struct CountEntry {
  std::string key;
  std::uint64_t count = 0;
};

struct MalformedLine {
  std::string source;
  std::uint64_t line = 0;
  std::string error;
};

// Timeline series: the bars of one bucket are stacked in this order.
inline constexpr std::array<std::string_view, 5> kTimelineSeries{"401.1", "401.2", "401.3",
                                                                 "limits (.501-.504)", "other"};

struct TimelineBucket {
  std::int64_t start_us = 0;
  std::array<std::uint64_t, kTimelineSeries.size()> counts{};
  std::uint64_t total() const noexcept;
};

struct Timeline {
  std::int64_t bucket_us = 0;  // 0 when there is no record
  std::vector<TimelineBucket> buckets;
};

struct DenialReport {
  std::vector<std::string> sources;
  std::optional<std::int64_t> since_us;
  std::uint64_t lines = 0;         // non-blank lines read
  std::uint64_t records = 0;       // records counted (at or after --since)
  std::uint64_t before_since = 0;  // well-formed records older than --since
  std::uint64_t malformed = 0;
  std::vector<MalformedLine> malformed_samples;  // the first few, in input order
  std::optional<std::int64_t> first_us;
  std::optional<std::int64_t> last_us;
  std::uint64_t repaired = 0;  // denials whose challenge the module had to add
  std::vector<CountEntry> by_status;
  std::vector<CountEntry> by_substatus;  // "401.1"; "none" for 500 configuration errors
  std::vector<CountEntry> by_reason;
  std::vector<CountEntry> top_clients;
  std::vector<CountEntry> top_users;
  std::vector<CountEntry> top_paths;
  std::uint64_t distinct_clients = 0;
  std::uint64_t distinct_users = 0;
  std::uint64_t distinct_paths = 0;
  Timeline timeline;
};

struct DenialReportOptions {
  std::optional<std::int64_t> since_us;
  std::size_t top = 10;                   // length of the top lists
  std::size_t malformed_samples = 20;     // how many malformed lines are quoted
  std::size_t max_timeline_buckets = 60;  // the bucket size is chosen to stay at or below this
};

class DenialReportBuilder {
 public:
  explicit DenialReportBuilder(DenialReportOptions options = {});

  // Starts a new input (its name appears in the report and in malformed-line locations).
  void begin_source(std::string name);
  // One line of the current input, without its '\n'; blank lines are skipped, malformed ones
  // counted and sampled.
  void add_line(std::string_view line);

  DenialReport finish() const;

 private:
  struct Event {
    std::int64_t time_us;
    std::uint8_t series;
  };
  using Counter = std::unordered_map<std::string, std::uint64_t>;

  void malformed(std::string error);

  DenialReportOptions options_;
  std::vector<std::string> sources_;
  std::uint64_t line_no_ = 0;
  std::uint64_t lines_ = 0;
  std::uint64_t before_since_ = 0;
  std::uint64_t malformed_ = 0;
  std::uint64_t repaired_ = 0;
  std::vector<MalformedLine> samples_;
  std::vector<Event> events_;
  Counter status_;
  Counter substatus_;
  Counter reason_;
  Counter clients_;
  Counter users_;
  Counter paths_;
};

// A complete HTML document: inline CSS, inline SVG charts, no script, no external resource.
// `generated_us` is shown as the time the report was made.
std::string render_report_html(const DenialReport& report, std::int64_t generated_us);

}  // namespace authdiag::core
