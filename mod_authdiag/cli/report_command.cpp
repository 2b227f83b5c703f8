// SPDX-License-Identifier: Apache-2.0
// `authdiag report DENIAL-LOG... [--since T] [--json | --html FILE]`: summarises the JSON-lines
// denial log written by AuthDiagLog.
#include "cli/commands.hpp"
#include "core/denial_record.hpp"
#include "core/denial_report.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace authdiag::cli {

namespace {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

JsonValue counts_json(const std::vector<core::CountEntry>& entries) {
  JsonValue array = JsonValue::array();
  for (const auto& entry : entries) {
    JsonValue item = JsonValue::object();
    item.set("key", entry.key);
    item.set("count", entry.count);
    array.push(std::move(item));
  }
  return array;
}

void fill_json(JsonValue& root, const core::DenialReport& report) {
  JsonValue sources = JsonValue::array();
  for (const auto& source : report.sources) sources.push(source);
  root.set("sources", std::move(sources));
  root.set("since",
           report.since_us ? JsonValue(core::format_rfc3339_us(*report.since_us)) : JsonValue());
  root.set("lines", report.lines);
  root.set("records", report.records);
  root.set("before_since", report.before_since);
  root.set("malformed", report.malformed);
  JsonValue samples = JsonValue::array();
  for (const auto& sample : report.malformed_samples) {
    JsonValue item = JsonValue::object();
    item.set("source", sample.source);
    item.set("line", sample.line);
    item.set("error", sample.error);
    samples.push(std::move(item));
  }
  root.set("malformed_samples", std::move(samples));
  root.set("first",
           report.first_us ? JsonValue(core::format_rfc3339_us(*report.first_us)) : JsonValue());
  root.set("last",
           report.last_us ? JsonValue(core::format_rfc3339_us(*report.last_us)) : JsonValue());
  root.set("repaired", report.repaired);
  root.set("by_status", counts_json(report.by_status));
  root.set("by_substatus", counts_json(report.by_substatus));
  root.set("by_reason", counts_json(report.by_reason));
  root.set("top_clients", counts_json(report.top_clients));
  root.set("top_users", counts_json(report.top_users));
  root.set("top_paths", counts_json(report.top_paths));
  JsonValue distinct = JsonValue::object();
  distinct.set("clients", report.distinct_clients);
  distinct.set("users", report.distinct_users);
  distinct.set("paths", report.distinct_paths);
  root.set("distinct", std::move(distinct));

  JsonValue timeline = JsonValue::object();
  timeline.set("bucket_seconds", report.timeline.bucket_us / 1'000'000);
  JsonValue series = JsonValue::array();
  for (auto name : core::kTimelineSeries) series.push(name);
  timeline.set("series", std::move(series));
  JsonValue buckets = JsonValue::array();
  for (const auto& bucket : report.timeline.buckets) {
    JsonValue item = JsonValue::object();
    item.set("start", core::format_rfc3339_us(bucket.start_us));
    item.set("total", bucket.total());
    JsonValue counts = JsonValue::array();
    for (auto count : bucket.counts) counts.push(count);
    item.set("counts", std::move(counts));
    buckets.push(std::move(item));
  }
  timeline.set("buckets", std::move(buckets));
  root.set("timeline", std::move(timeline));
}

void append_top(std::string& out, std::string_view title,
                const std::vector<core::CountEntry>& entries) {
  out += std::string(title) + ":\n";
  if (entries.empty()) out += "  (none)\n";
  for (const auto& entry : entries) {
    std::string count = std::to_string(entry.count);
    out += "  " + std::string(count.size() < 8 ? 8 - count.size() : 0, ' ') + count + "  ";
    // Log values are client-controlled: show control bytes escaped, never raw.
    for (char c : entry.key) {
      auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte == 0x7f) {
        static constexpr std::string_view kHex = "0123456789abcdef";
        out += "\\x";
        out += kHex[byte >> 4U];
        out += kHex[byte & 0xfU];
      } else {
        out += c;
      }
    }
    out += '\n';
  }
}

std::string render_text(const core::DenialReport& report) {
  std::string out;
  out += "denials: " + std::to_string(report.records);
  if (report.first_us && report.last_us) {
    out += " from " + core::format_rfc3339_us(*report.first_us) + " to " +
           core::format_rfc3339_us(*report.last_us);
  }
  out += "\n";
  if (report.since_us) {
    out += "older than --since (skipped): " + std::to_string(report.before_since) + "\n";
  }
  out += "malformed lines: " + std::to_string(report.malformed) + "\n";
  out += "challenges repaired: " + std::to_string(report.repaired) + "\n";
  append_top(out, "by substatus", report.by_substatus);
  append_top(out, "by reason", report.by_reason);
  append_top(out, "top client addresses", report.top_clients);
  append_top(out, "top users", report.top_users);
  append_top(out, "top paths", report.top_paths);
  return out;
}

bool read_log(std::istream& in, core::DenialReportBuilder& builder) {
  std::string line;
  while (std::getline(in, line)) builder.add_line(line);
  return !in.bad();
}

}  // namespace

int run_report(const Args& args, Output& output) {
  output.set_action("report");
  const auto& logs = args.positionals();
  if (logs.empty()) return output.error(ExitCode::Usage, "report needs at least one DENIAL-LOG");
  auto html_file = args.value("html");
  if (html_file && args.json()) {
    return output.error(ExitCode::Usage, "--json and --html exclude each other");
  }
  core::DenialReportOptions options;
  const std::int64_t now = now_us();
  if (auto since = args.value("since")) {
    options.since_us = core::parse_since(*since, now);
    if (!options.since_us) {
      return output.error(ExitCode::Usage,
                          "--since takes an RFC 3339 time (2026-11-28T10:00:00Z), a date "
                          "(2026-11-28) or an age (90m, 12h, 7d, 2w), not '" +
                              *since + "'");
    }
  }
  core::DenialReportBuilder builder(options);
  bool unreadable = false;
  for (const auto& log : logs) {
    if (log == "-") {
      builder.begin_source("(stdin)");
      read_log(std::cin, builder);
      continue;
    }
    std::ifstream in(log, std::ios::binary);
    if (!in) {
      output.error(ExitCode::FileAccess, "cannot read " + log + ": " + std::strerror(errno));
      unreadable = true;
      continue;
    }
    builder.begin_source(log);
    if (!read_log(in, builder)) {
      output.error(ExitCode::FileAccess, "error while reading " + log);
      unreadable = true;
    }
  }
  core::DenialReport report = builder.finish();
  if (report.malformed > 0) {
    const auto& first = report.malformed_samples.front();
    output.note("report: " + std::to_string(report.malformed) +
                " malformed lines skipped (first: " + first.source + ":" +
                std::to_string(first.line) + ": " + first.error + ")");
  }
  if (html_file) {
    std::string page = core::render_report_html(report, now);
    std::string temp = *html_file + ".tmp";
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out << page;
      out.close();
      if (!out) {
        std::remove(temp.c_str());
        return output.error(ExitCode::FileAccess, "cannot write " + *html_file);
      }
    }
    if (std::rename(temp.c_str(), html_file->c_str()) != 0) {
      int saved = errno;
      std::remove(temp.c_str());
      return output.error(ExitCode::FileAccess,
                          "cannot write " + *html_file + ": " + std::strerror(saved));
    }
    output.root().set("html", *html_file);
    output.note("report: wrote " + *html_file + " (" + std::to_string(report.records) +
                " denials)");
  }
  if (output.json()) {
    fill_json(output.root(), report);
  } else if (!html_file) {
    output.print(render_text(report));
  }
  return unreadable ? to_int(ExitCode::FileAccess) : to_int(ExitCode::Success);
}

}  // namespace authdiag::cli
