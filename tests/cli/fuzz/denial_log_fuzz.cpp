// SPDX-License-Identifier: Apache-2.0
// Fuzzes the denial-log report: any bytes, read as log lines, are either records or counted as
// malformed (never both, never lost); the JSON reader stays within its depth limit; the HTML page
// is valid UTF-8 with every value escaped (no markup, no control bytes from the input).
#include "core/denial_report.hpp"
#include "core/json_reader.hpp"
#include "core/utf8.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace authdiag::core;

using authdiag::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto single = parse_json(input);
  check(single.ok() == single.error.empty(), "error text iff failure");
  check(single.ok() || single.offset <= input.size(), "error offset inside the input");

  DenialReportOptions options;
  options.since_us = 1'700'000'000LL * 1'000'000;
  DenialReportBuilder builder(options);
  builder.begin_source("fuzz<&>\"'");
  std::uint64_t non_blank = 0;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    std::string_view line = input.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) ++non_blank;
    builder.add_line(line);
    start = end + 1;
  }
  DenialReport report = builder.finish();
  check(report.lines == non_blank, "every non-blank line is read");
  check(report.records + report.malformed + report.before_since == report.lines,
        "each line is a record, malformed, or older than --since");
  std::uint64_t in_timeline = 0;
  for (const auto& bucket : report.timeline.buckets) in_timeline += bucket.total();
  check(in_timeline == report.records, "the timeline holds every record");
  check(report.timeline.buckets.size() <= 60, "at most 60 bars");

  const std::string html = render_report_html(report, 0);
  for (std::size_t pos = 0; pos < html.size();) {
    Utf8Char ch = decode_utf8(html, pos);
    check(ch.length > 0, "the page is valid UTF-8");
    check(ch.code_point >= 0x20 || ch.code_point == '\n', "no control characters in the page");
    pos += ch.length;
  }
  check(html.find("<script") == std::string::npos, "no script element");
  check(html.find("<img") == std::string::npos, "no markup from log values");
  return 0;
}
