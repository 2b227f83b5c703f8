// SPDX-License-Identifier: Apache-2.0
// Denial-log aggregation and its JSON and HTML renderings.
#include "core/denial_report.hpp"

#include "core/civil_time.hpp"
#include "core/denial_record.hpp"
#include "core/html.hpp"
#include "core/json_reader.hpp"
#include "core/reason.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

namespace authdiag::core {

namespace {

constexpr std::int64_t kUsPerSecond = 1'000'000;
constexpr std::int64_t kUsPerDay = 86'400 * kUsPerSecond;
constexpr std::int64_t kUsPerWeek = 7 * kUsPerDay;
// 1970-01-05 was a Monday: weekly buckets start on Mondays.
constexpr std::int64_t kWeekOrigin = 4 * kUsPerDay;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses exactly `count` digits at `pos`.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (text.size() < pos + count) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!is_digit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

// "YYYY-MM-DD" at the start of `text` → days since the epoch.
std::optional<std::int64_t> parse_date(std::string_view text) {
  auto y = digits(text, 0, 4);
  auto m = digits(text, 5, 2);
  auto d = digits(text, 8, 2);
  if (!y || !m || !d || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (*m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m)) return std::nullopt;
  return days_from_civil(*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// "2026-11-28 23:31" (or the date alone) for chart labels.
std::string short_time(std::int64_t time_us, bool with_clock) {
  std::string full = format_rfc3339_us(time_us);
  if (full.size() < 16) return full;
  return with_clock ? full.substr(0, 10) + " " + full.substr(11, 5) : full.substr(0, 10);
}

std::size_t series_of(std::string_view substatus) {
  auto dot = substatus.find('.');
  if (dot == std::string_view::npos) return 4;
  auto sub = substatus.substr(dot + 1);
  if (substatus.starts_with("401.")) {
    if (sub == "1") return 0;
    if (sub == "2") return 1;
    if (sub == "3") return 2;
  }
  if (sub == "501" || sub == "502" || sub == "503" || sub == "504") return 3;
  return 4;
}

std::vector<CountEntry> sorted_counts(const std::unordered_map<std::string, std::uint64_t>& counter,
                                      std::size_t limit) {
  std::vector<CountEntry> entries;
  entries.reserve(counter.size());
  for (const auto& [key, count] : counter) entries.push_back({key, count});
  auto order = [](const CountEntry& a, const CountEntry& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  };
  if (entries.size() > limit) {
    std::partial_sort(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(limit),
                      entries.end(), order);
    entries.resize(limit);
  } else {
    std::sort(entries.begin(), entries.end(), order);
  }
  return entries;
}

// The smallest of a list of readable bucket sizes that keeps the bucket count at or below
// `max_buckets`; beyond that, whole weeks.
Timeline build_timeline(std::vector<std::pair<std::int64_t, std::uint8_t>> events,
                        std::size_t max_buckets) {
  Timeline timeline;
  if (events.empty()) return timeline;
  auto [min_it, max_it] = std::minmax_element(
      events.begin(), events.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  const std::int64_t first = min_it->first;
  const std::int64_t last = max_it->first;
  const auto max_count = static_cast<std::int64_t>(std::max<std::size_t>(max_buckets, 1));
  static constexpr std::array<std::int64_t, 10> kSizes{
      60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400};
  auto origin_for = [](std::int64_t size) { return size % kUsPerWeek == 0 ? kWeekOrigin : 0; };
  auto bucket_index = [&](std::int64_t t, std::int64_t size) {
    return floor_div(t - origin_for(size), size);
  };
  std::int64_t size = 0;
  for (std::int64_t seconds : kSizes) {
    std::int64_t candidate = seconds * kUsPerSecond;
    if (bucket_index(last, candidate) - bucket_index(first, candidate) + 1 <= max_count) {
      size = candidate;
      break;
    }
  }
  if (size == 0) {
    std::int64_t weeks = bucket_index(last, kUsPerWeek) - bucket_index(first, kUsPerWeek) + 1;
    size = kUsPerWeek * ((weeks + max_count - 1) / max_count);
    // Aligning both ends can add a bucket; widen until the bars fit.
    while (bucket_index(last, size) - bucket_index(first, size) + 1 > max_count) {
      size += kUsPerWeek;
    }
  }
  const std::int64_t first_index = bucket_index(first, size);
  const std::int64_t count = bucket_index(last, size) - first_index + 1;
  timeline.bucket_us = size;
  timeline.buckets.resize(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    timeline.buckets[static_cast<std::size_t>(i)].start_us =
        (first_index + i) * size + origin_for(size);
  }
  for (const auto& [time, series] : events) {
    auto index = static_cast<std::size_t>(bucket_index(time, size) - first_index);
    ++timeline.buckets[index].counts[series];
  }
  return timeline;
}

// ---- HTML -------------------------------------------------------------------------------

std::string percent_text(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "0.0%";
  std::uint64_t permille = (part * 1000 + whole / 2) / whole;
  return std::to_string(permille / 10) + "." + std::to_string(permille % 10) + "%";
}

constexpr std::array<std::string_view, kTimelineSeries.size()> kSeriesColors{
    "#c0392b", "#e67e22", "#2e6fd8", "#8e44ad", "#7f8c8d"};

constexpr std::string_view kStyle = R"(
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
body{margin:0;background:#f4f5f7;color:#1d2430}
header{background:#1d2430;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:2px 0;color:#c8cfdb;font-size:13px}
main{padding:20px 28px;max-width:1400px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:18px}
.card{background:#fff;border-radius:8px;padding:12px 18px;min-width:130px;box-shadow:0 1px 2px #0002}
.card .value{display:block;font-size:26px;font-weight:600}
.card .label{color:#5a6472;font-size:13px}
.card.warn .value{color:#c0392b}
section{background:#fff;border-radius:8px;padding:14px 18px;margin-bottom:18px;box-shadow:0 1px 2px #0002}
h2{font-size:16px;margin:0 0 10px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:18px;background:none;box-shadow:none;padding:0}
.grid section{margin:0}
table{border-collapse:collapse;width:100%;font-size:13px}
th{text-align:left;color:#5a6472;font-weight:500;border-bottom:1px solid #dde1e7;padding:4px 6px}
td{padding:3px 6px;border-bottom:1px solid #f0f2f5;vertical-align:middle}
td.key{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
td.key small{display:block;font-family:system-ui,sans-serif;color:#5a6472;word-break:normal}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.bar{width:210px}
.empty{color:#5a6472;font-style:italic}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:13px;margin-top:6px}
.legend span::before{content:"";display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px;background:var(--c)}
svg text{font-family:system-ui,sans-serif;font-size:11px;fill:#5a6472}
footer{color:#5a6472;font-size:12px;padding:0 28px 20px}
)";

// The IIS title of a substatus such as "401.1", from the reason table.
std::string_view substatus_title(std::string_view key) {
  auto dot = key.find('.');
  if (dot == std::string_view::npos) return {};
  SubstatusCode code = 0;
  auto sub = key.substr(dot + 1);
  auto [ptr, ec] = std::from_chars(sub.data(), sub.data() + sub.size(), code);
  if (ec != std::errc{} || ptr != sub.data() + sub.size()) return {};
  for (const auto& info : kReasonTable) {
    if (info.substatus == code && !info.is_configuration_error) return info.title;
  }
  return {};
}

std::string_view reason_explanation(std::string_view key) {
  auto reason = reason_from_token(key);
  return reason ? reason_info(*reason).explanation : std::string_view{};
}

enum class Caption : std::uint8_t { None, Substatus, Reason };

void append_bar_table(std::string& out, std::string_view id, std::string_view title,
                      std::string_view key_heading, const std::vector<CountEntry>& entries,
                      std::uint64_t total, std::uint64_t distinct, std::string_view color,
                      Caption caption) {
  out += "<section><h2>";
  out += html_escape(title);
  if (distinct > entries.size()) {
    out += " <small>(top " + std::to_string(entries.size()) + " of " + std::to_string(distinct) +
           ")</small>";
  }
  out += "</h2>\n";
  if (entries.empty()) {
    out += "<p class=\"empty\">No data.</p></section>\n";
    return;
  }
  out += "<table id=\"";
  out += id;
  out += "\"><thead><tr><th>";
  out += html_escape(key_heading);
  out +=
      "</th><th class=\"num\">Count</th><th class=\"num\">Share</th><th></th></tr></thead>"
      "<tbody>\n";
  std::uint64_t max = entries.front().count;
  for (const auto& entry : entries) {
    constexpr std::uint64_t kBarWidth = 200;
    std::uint64_t width = max == 0 ? 0 : std::max<std::uint64_t>(1, entry.count * kBarWidth / max);
    std::string key = html_escape(entry.key, 1000);
    out += "<tr data-key=\"" + key + "\"><td class=\"key\" title=\"" + key + "\">";
    out += html_escape(entry.key, 80);
    std::string_view note = caption == Caption::Substatus ? substatus_title(entry.key)
                            : caption == Caption::Reason  ? reason_explanation(entry.key)
                                                          : std::string_view{};
    if (!note.empty()) out += "<small>" + html_escape(note) + "</small>";
    out += "</td><td class=\"num\">" + std::to_string(entry.count) + "</td><td class=\"num\">" +
           percent_text(entry.count, total) + "</td>";
    out += "<td class=\"bar\"><svg width=\"" + std::to_string(kBarWidth) +
           "\" height=\"14\" role=\"img\" aria-label=\"" + std::to_string(entry.count) +
           "\"><rect x=\"0\" y=\"2\" height=\"10\" rx=\"2\" width=\"" + std::to_string(width) +
           "\" fill=\"";
    out += color;
    out += "\"/></svg></td></tr>\n";
  }
  out += "</tbody></table></section>\n";
}

void append_card(std::string& out, std::string_view id, std::uint64_t value, std::string_view label,
                 bool warn) {
  out += warn && value > 0 ? "<div class=\"card warn\">" : "<div class=\"card\">";
  out += "<span class=\"value\" id=\"";
  out += id;
  out += "\">" + std::to_string(value) + "</span><span class=\"label\">";
  out += html_escape(label);
  out += "</span></div>\n";
}

std::string bucket_label(std::int64_t bucket_us) {
  std::int64_t seconds = bucket_us / kUsPerSecond;
  if (seconds % (7 * 86400) == 0) {
    std::int64_t weeks = seconds / (7 * 86400);
    return weeks == 1 ? "1 week" : std::to_string(weeks) + " weeks";
  }
  if (seconds % 86400 == 0) return "1 day";
  if (seconds % 3600 == 0) {
    std::int64_t hours = seconds / 3600;
    return hours == 1 ? "1 hour" : std::to_string(hours) + " hours";
  }
  return std::to_string(seconds / 60) + " minutes";
}

void append_timeline(std::string& out, const Timeline& timeline) {
  out += "<section><h2>Timeline";
  if (timeline.bucket_us > 0) {
    out += " <small>(one bar per " + bucket_label(timeline.bucket_us) + ", UTC)</small>";
  }
  out += "</h2>\n";
  if (timeline.buckets.empty()) {
    out += "<p class=\"empty\">No data.</p></section>\n";
    return;
  }
  constexpr int kWidth = 1000;
  constexpr int kHeight = 260;
  constexpr int kLeft = 48;
  constexpr int kRight = 10;
  constexpr int kTop = 12;
  constexpr int kBottom = 36;
  constexpr int kPlotWidth = kWidth - kLeft - kRight;
  constexpr int kPlotHeight = kHeight - kTop - kBottom;
  std::uint64_t max = 1;
  for (const auto& bucket : timeline.buckets) max = std::max(max, bucket.total());
  const auto count = static_cast<std::int64_t>(timeline.buckets.size());
  const double slot = static_cast<double>(kPlotWidth) / static_cast<double>(count);
  const double bar = std::max(1.0, slot * 0.8);
  const bool with_clock = timeline.bucket_us < kUsPerDay;
  auto num = [](double v) {
    std::array<char, 32> buf{};
    auto [ptr, ec] =
        std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed, 1);
    return ec == std::errc{} ? std::string(buf.data(), ptr) : std::string("0");
  };
  auto y_of = [&](std::uint64_t value) {
    return kTop + kPlotHeight - static_cast<double>(value) * kPlotHeight / static_cast<double>(max);
  };

  out += "<svg id=\"timeline\" viewBox=\"0 0 " + std::to_string(kWidth) + " " +
         std::to_string(kHeight) +
         "\" width=\"100%\" role=\"img\" aria-label=\"Denials over time\">\n";
  // Axes and the three y ticks (0, half, max).
  std::vector<std::uint64_t> ticks{0, max};
  if (max / 2 > 0) ticks.push_back(max / 2);
  for (std::uint64_t tick : ticks) {
    std::string y = num(y_of(tick));
    out += "<line x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(kWidth - kRight) +
           "\" y1=\"" + y + "\" y2=\"" + y + "\" stroke=\"#dde1e7\"/>";
    out += "<text x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + num(y_of(tick) + 4) +
           "\" text-anchor=\"end\">" + std::to_string(tick) + "</text>\n";
  }
  for (std::int64_t i = 0; i < count; ++i) {
    const auto& bucket = timeline.buckets[static_cast<std::size_t>(i)];
    const double x = kLeft + static_cast<double>(i) * slot + (slot - bar) / 2;
    std::uint64_t stacked = 0;
    for (std::size_t s = 0; s < kTimelineSeries.size(); ++s) {
      std::uint64_t value = bucket.counts[s];
      if (value == 0) continue;
      const double top = y_of(stacked + value);
      const double height = y_of(stacked) - top;
      stacked += value;
      out += "<rect x=\"" + num(x) + "\" y=\"" + num(top) + "\" width=\"" + num(bar) +
             "\" height=\"" + num(height) + "\" fill=\"";
      out += kSeriesColors[s];
      out += "\"><title>" + short_time(bucket.start_us, true) + " UTC, ";
      out += html_escape(kTimelineSeries[s]);
      out += ": " + std::to_string(value) + "</title></rect>";
    }
    if (stacked > 0) out += "\n";
  }
  // At most eight x labels, evenly spread, first and last included.
  const std::int64_t label_step = std::max<std::int64_t>(1, (count + 7) / 8);
  for (std::int64_t i = 0; i < count; i += label_step) {
    // Centred under its bar, but kept inside the chart at both ends.
    constexpr double kHalfLabel = 50;
    double x = kLeft + (static_cast<double>(i) + 0.5) * slot;
    x = std::clamp(x, kHalfLabel, kWidth - kRight - kHalfLabel);
    out += "<text x=\"" + num(x) + "\" y=\"" + std::to_string(kHeight - kBottom + 16) +
           "\" text-anchor=\"middle\">" +
           short_time(timeline.buckets[static_cast<std::size_t>(i)].start_us, with_clock) +
           "</text>";
  }
  out += "<line x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(kWidth - kRight) +
         "\" y1=\"" + std::to_string(kTop + kPlotHeight) + "\" y2=\"" +
         std::to_string(kTop + kPlotHeight) + "\" stroke=\"#8a94a3\"/>\n</svg>\n";
  out += "<div class=\"legend\">";
  for (std::size_t s = 0; s < kTimelineSeries.size(); ++s) {
    out += "<span style=\"--c:";
    out += kSeriesColors[s];
    out += "\">";
    out += html_escape(kTimelineSeries[s]);
    out += "</span>";
  }
  out += "</div></section>\n";
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_us(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  if (text.size() < 20) return std::nullopt;
  auto days = parse_date(text);
  if (!days) return std::nullopt;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
  auto hh = digits(text, 11, 2);
  auto mm = digits(text, 14, 2);
  auto ss = digits(text, 17, 2);
  if (!hh || !mm || !ss || text[13] != ':' || text[16] != ':') return std::nullopt;
  if (*hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    std::int64_t scale = 100'000;
    while (pos < text.size() && is_digit(text[pos])) {
      micros += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos >= text.size()) return std::nullopt;
  std::int64_t offset_seconds = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    auto oh = digits(text, pos + 1, 2);
    auto om = digits(text, pos + 4, 2);
    if (!oh || !om || text[pos + 3] != ':' || *oh > 23 || *om > 59) return std::nullopt;
    offset_seconds = (*oh * 3600 + *om * 60) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  std::int64_t seconds = *days * 86400 + *hh * 3600 + *mm * 60 + *ss - offset_seconds;
  return seconds * kUsPerSecond + micros;
}

std::optional<std::int64_t> parse_since(std::string_view text, std::int64_t now_us) {
  if (text.size() == 10) {
    auto days = parse_date(text);
    if (days) return *days * kUsPerDay;
    return std::nullopt;
  }
  if (auto time = parse_rfc3339_us(text)) return time;
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = kUsPerSecond;
      break;
    case 'm':
      unit = 60 * kUsPerSecond;
      break;
    case 'h':
      unit = 3600 * kUsPerSecond;
      break;
    case 'd':
      unit = kUsPerDay;
      break;
    case 'w':
      unit = kUsPerWeek;
      break;
    default:
      return std::nullopt;
  }
  auto number = text.substr(0, text.size() - 1);
  std::int64_t amount = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), amount);
  if (ec != std::errc{} || ptr != number.data() + number.size() || amount < 0) return std::nullopt;
  // About 290,000 years of microseconds fit; anything longer is not an age.
  if (amount > (std::int64_t{1} << 62) / unit) return std::nullopt;
  return now_us - amount * unit;
}

std::uint64_t TimelineBucket::total() const noexcept {
  std::uint64_t sum = 0;
  for (auto c : counts) sum += c;
  return sum;
}

DenialReportBuilder::DenialReportBuilder(DenialReportOptions options) : options_(options) {}

void DenialReportBuilder::begin_source(std::string name) {
  sources_.push_back(std::move(name));
  line_no_ = 0;
}

void DenialReportBuilder::malformed(std::string error) {
  ++malformed_;
  if (samples_.size() < options_.malformed_samples) {
    samples_.push_back(
        {sources_.empty() ? std::string() : sources_.back(), line_no_, std::move(error)});
  }
}

void DenialReportBuilder::add_line(std::string_view line) {
  ++line_no_;
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
  ++lines_;
  auto parsed = parse_json(line);
  if (!parsed.ok()) {
    malformed("byte " + std::to_string(parsed.offset) + ": " + parsed.error);
    return;
  }
  const JsonValue& record = *parsed.value;
  if (record.kind() != JsonValue::Kind::Object) {
    malformed("not a JSON object");
    return;
  }
  const JsonValue* time_field = record.find("time");
  if (time_field == nullptr || time_field->as_string() == nullptr) {
    malformed("\"time\" missing or not a string");
    return;
  }
  auto time = parse_rfc3339_us(*time_field->as_string());
  if (!time) {
    malformed("\"time\" is not an RFC 3339 date-time");
    return;
  }
  auto optional_string = [&](std::string_view name, const std::string** out) {
    const JsonValue* field = record.find(name);
    *out = nullptr;
    if (field == nullptr || field->is_null()) return true;
    *out = field->as_string();
    if (*out != nullptr) return true;
    malformed("\"" + std::string(name) + "\" is not a string");
    return false;
  };
  const std::string* client = nullptr;
  const std::string* user = nullptr;
  const std::string* path = nullptr;
  const std::string* reason = nullptr;
  if (!optional_string("client_ip", &client) || !optional_string("user", &user) ||
      !optional_string("path", &path) || !optional_string("reason", &reason)) {
    return;
  }
  std::optional<std::int64_t> status;
  if (const JsonValue* field = record.find("status"); field != nullptr && !field->is_null()) {
    status = field->as_int64();
    if (!status || *status < 100 || *status > 999) {
      malformed("\"status\" is not an HTTP status code");
      return;
    }
  }
  std::string substatus = "none";
  if (const JsonValue* field = record.find("substatus"); field != nullptr && !field->is_null()) {
    if (const std::string* text = field->as_string()) {
      substatus = *text;
    } else if (auto code = field->as_int64(); code && status && *code >= 0) {
      substatus = std::to_string(*status) + "." + std::to_string(*code);
    } else if (field->kind() == JsonValue::Kind::Number) {
      substatus = std::string(field->number_lexeme());
    } else {
      malformed("\"substatus\" is neither a string nor a number");
      return;
    }
  }
  bool repaired = false;
  if (const JsonValue* field = record.find("repaired"); field != nullptr && !field->is_null()) {
    auto flag = field->as_bool();
    if (!flag) {
      malformed("\"repaired\" is not a boolean");
      return;
    }
    repaired = *flag;
  }

  if (options_.since_us && *time < *options_.since_us) {
    ++before_since_;
    return;
  }
  events_.push_back({*time, static_cast<std::uint8_t>(series_of(substatus))});
  if (repaired) ++repaired_;
  ++status_[status ? std::to_string(*status) : std::string("none")];
  ++substatus_[substatus];
  ++reason_[reason != nullptr ? *reason : std::string("none")];
  if (client != nullptr) ++clients_[*client];
  if (user != nullptr) ++users_[*user];
  if (path != nullptr) ++paths_[*path];
}

DenialReport DenialReportBuilder::finish() const {
  DenialReport report;
  report.sources = sources_;
  report.since_us = options_.since_us;
  report.lines = lines_;
  report.records = events_.size();
  report.before_since = before_since_;
  report.malformed = malformed_;
  report.malformed_samples = samples_;
  report.repaired = repaired_;
  std::vector<std::pair<std::int64_t, std::uint8_t>> events;
  events.reserve(events_.size());
  for (const auto& event : events_) {
    events.emplace_back(event.time_us, event.series);
    if (!report.first_us || event.time_us < *report.first_us) report.first_us = event.time_us;
    if (!report.last_us || event.time_us > *report.last_us) report.last_us = event.time_us;
  }
  const std::size_t all = std::numeric_limits<std::size_t>::max();
  report.by_status = sorted_counts(status_, all);
  report.by_substatus = sorted_counts(substatus_, all);
  report.by_reason = sorted_counts(reason_, all);
  report.top_clients = sorted_counts(clients_, options_.top);
  report.top_users = sorted_counts(users_, options_.top);
  report.top_paths = sorted_counts(paths_, options_.top);
  report.distinct_clients = clients_.size();
  report.distinct_users = users_.size();
  report.distinct_paths = paths_.size();
  report.timeline = build_timeline(std::move(events), options_.max_timeline_buckets);
  return report;
}

std::string render_report_html(const DenialReport& report, std::int64_t generated_us) {
  std::string out;
  out.reserve(32 * 1024);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>authdiag denial report</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<header><h1>Authentication denial report</h1>\n<p>";
  if (report.first_us && report.last_us) {
    out += "Denials from " + short_time(*report.first_us, true) + " to " +
           short_time(*report.last_us, true) + " UTC";
  } else {
    out += "No denials in the selected period";
  }
  if (report.since_us) out += " (since " + short_time(*report.since_us, true) + " UTC)";
  out += ".</p>\n<p>Source: ";
  for (std::size_t i = 0; i < report.sources.size(); ++i) {
    if (i > 0) out += ", ";
    out += html_escape(report.sources[i], 200);
  }
  out += "</p></header>\n<main>\n<div class=\"cards\">\n";
  append_card(out, "denials", report.records, "denials", false);
  append_card(out, "distinct-clients", report.distinct_clients, "client addresses", false);
  append_card(out, "distinct-users", report.distinct_users, "user names", false);
  append_card(out, "distinct-paths", report.distinct_paths, "paths", false);
  append_card(out, "repaired", report.repaired, "challenges repaired", false);
  if (report.since_us) {
    append_card(out, "before-since", report.before_since, "older records skipped", false);
  }
  append_card(out, "malformed", report.malformed, "malformed lines", true);
  out += "</div>\n";
  append_timeline(out, report.timeline);
  out += "<div class=\"grid\">\n";
  append_bar_table(out, "by-substatus", "By substatus", "Substatus", report.by_substatus,
                   report.records, report.by_substatus.size(), "#c0392b", Caption::Substatus);
  append_bar_table(out, "by-reason", "By reason", "Reason", report.by_reason, report.records,
                   report.by_reason.size(), "#2e6fd8", Caption::Reason);
  append_bar_table(out, "top-clients", "Top client addresses", "Client", report.top_clients,
                   report.records, report.distinct_clients, "#16a085", Caption::None);
  append_bar_table(out, "top-users", "Top user names", "User", report.top_users, report.records,
                   report.distinct_users, "#8e44ad", Caption::None);
  append_bar_table(out, "top-paths", "Top paths", "Path", report.top_paths, report.records,
                   report.distinct_paths, "#d35400", Caption::None);
  append_bar_table(out, "by-status", "By HTTP status", "Status", report.by_status, report.records,
                   report.by_status.size(), "#7f8c8d", Caption::None);
  out += "</div>\n";
  if (report.malformed > 0) {
    out += "<section><h2>Malformed lines";
    if (report.malformed > report.malformed_samples.size()) {
      out += " <small>(first " + std::to_string(report.malformed_samples.size()) + " of " +
             std::to_string(report.malformed) + ")</small>";
    }
    out +=
        "</h2>\n<table id=\"malformed-lines\"><thead><tr><th>File</th><th "
        "class=\"num\">Line</th><th>Problem</th></tr></thead><tbody>\n";
    for (const auto& sample : report.malformed_samples) {
      out += "<tr><td class=\"key\">" + html_escape(sample.source, 200) +
             "</td><td class=\"num\">" + std::to_string(sample.line) + "</td><td>" +
             html_escape(sample.error) + "</td></tr>\n";
    }
    out += "</tbody></table></section>\n";
  }
  out += "</main>\n<footer>Generated by authdiag report at " + short_time(generated_us, true) +
         " UTC from " + std::to_string(report.lines) + " log lines.</footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace authdiag::core
