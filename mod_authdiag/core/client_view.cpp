// SPDX-License-Identifier: Apache-2.0
// Content negotiation between the HTML detail page and the problem object, and both renderings.
#include "core/client_view.hpp"

#include "core/html.hpp"
#include "core/json_writer.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace authdiag::core {

namespace {

// ---------------------------------------------------------------------------------------------
// Accept (RFC 9110 §12.5.1)

constexpr bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_ows(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ows(text.back())) text.remove_suffix(1);
  return text;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
std::optional<int> parse_qvalue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  int value = (text[0] - '0') * 1000;
  if (text.size() == 1) return value;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  int scale = 100;
  for (const char c : text.substr(2)) {
    if (c < '0' || c > '9') return std::nullopt;
    value += (c - '0') * scale;
    scale /= 10;
  }
  if (value > 1000) return std::nullopt;
  return value;
}

struct MediaRange {
  std::string_view type;  // "text/html", "text/*", "*/*"
  int quality = 1000;
};

// Media ranges with their weights; an element with an invalid q is ignored.
std::vector<MediaRange> parse_accept(std::string_view header) {
  std::vector<MediaRange> ranges;
  while (!header.empty()) {
    const std::size_t comma = std::min(header.find(','), header.size());
    std::string_view element = header.substr(0, comma);
    header.remove_prefix(std::min(comma + 1, header.size()));
    const std::size_t semicolon = std::min(element.find(';'), element.size());
    MediaRange range{trim(element.substr(0, semicolon))};
    if (range.type.empty()) continue;
    std::string_view params = element.substr(semicolon);
    bool valid = true;
    while (!params.empty()) {
      params.remove_prefix(1);  // ';'
      const std::size_t next = std::min(params.find(';'), params.size());
      const std::string_view param = trim(params.substr(0, next));
      params.remove_prefix(next);
      const std::size_t equals = param.find('=');
      if (equals == std::string_view::npos || !iequals(trim(param.substr(0, equals)), "q")) {
        continue;
      }
      const std::optional<int> quality = parse_qvalue(trim(param.substr(equals + 1)));
      if (!quality) {
        valid = false;
        break;
      }
      range.quality = *quality;
    }
    if (valid) ranges.push_back(range);
  }
  return ranges;
}

// The highest weight given to any of `types` by name (no wildcards), or nullopt if none is named.
std::optional<int> named_quality(const std::vector<MediaRange>& ranges,
                                 std::initializer_list<std::string_view> types) {
  std::optional<int> best;
  for (const MediaRange& range : ranges) {
    for (const std::string_view type : types) {
      if (iequals(range.type, type)) best = std::max(best.value_or(0), range.quality);
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// HTML

std::string_view status_text(int status) {
  switch (status) {
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    default:
      return "Error";
  }
}

std::string status_code_text(const DenialRecord& record) {
  return record.substatus ? format_substatus(record.status, *record.substatus)
                          : std::to_string(record.status);
}

// The record's own hint first, then the reason's other remedies.
std::vector<std::string_view> hints_of(const DenialRecord& record, const ReasonInfo& info) {
  std::vector<std::string_view> hints;
  if (record.hint) hints.emplace_back(*record.hint);
  for (const std::string_view remedy : info.remedies) {
    if (!remedy.empty() && remedy != record.hint) hints.push_back(remedy);
  }
  return hints;
}

constexpr std::string_view kPageStyle =
    "body{margin:0;font-size:.9em;font-family:Verdana,Arial,Helvetica,sans-serif;"
    "background:#cbe1ef;color:#000}"
    "#header{width:96%;margin:0;padding:6px 2% 6px 2%;background:#5f87b7;color:#fff}"
    "#header h1{margin:0;font-size:1.6em;font-weight:normal}"
    "#content{margin:0 0 0 2%}"
    ".content-container{background:#fff;width:96%;margin-top:8px;padding:10px;"
    "border-radius:4px}"
    "h2{font-size:1.1em;color:#cc0000;margin:0 0 6px 0}"
    "h3{font-size:1em;margin:10px 0 4px 0}"
    "table{border-collapse:collapse}"
    "th{text-align:right;vertical-align:top;padding:2px 12px 2px 0;white-space:nowrap}"
    "td{font-family:Consolas,monospace;word-break:break-all;padding:2px 0}";

void append_list_section(std::string& out, std::string_view heading,
                         const std::vector<std::string_view>& items) {
  if (items.empty()) return;
  out += "<div class=\"content-container\"><h3>";
  out += heading;
  out += "</h3><ul>";
  for (const std::string_view item : items) {
    out += "<li>";
    append_html(out, item);
    out += "</li>";
  }
  out += "</ul></div>\n";
}

}  // namespace

bool prefers_problem_json(std::string_view accept_header) {
  const std::vector<MediaRange> ranges = parse_accept(accept_header);
  const std::optional<int> json =
      named_quality(ranges, {"application/problem+json", "application/json"});
  if (!json || *json == 0) return false;
  const std::optional<int> html = named_quality(ranges, {"text/html", "text/*"});
  return !html || *json > *html;
}

std::string render_detail_page(const DenialRecord& record) {
  const ReasonInfo& info = reason_info(record.reason);
  const std::string title =
      "HTTP Error " + status_code_text(record) + " - " + std::string(status_text(record.status));
  std::string out;
  out.reserve(4096);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  append_html(out, title);
  out += "</title>\n<style>";
  out += kPageStyle;
  out += "</style>\n</head>\n<body>\n<div id=\"header\"><h1>Server Error</h1></div>\n";
  out += "<div id=\"content\">\n<div class=\"content-container\"><h2>";
  append_html(out, title);
  out += "</h2><h3>";
  append_html(out, info.title);
  out += "</h3><p>";
  append_html(out, info.explanation);
  out += "</p>";
  if (record.detail) {
    out += "<p>";
    append_html(out, *record.detail);
    out += "</p>";
  }
  out += "</div>\n";

  std::vector<std::string_view> causes;
  for (const std::string_view cause : info.causes) {
    if (!cause.empty()) causes.push_back(cause);
  }
  append_list_section(out, "Most likely causes:", causes);
  append_list_section(out, "Things you can try:", hints_of(record, info));

  const std::string substatus = status_code_text(record);
  std::vector<std::pair<std::string_view, std::string_view>> facts;
  const auto fact = [&facts](std::string_view label, std::string_view value) {
    if (!value.empty()) facts.emplace_back(label, value);
  };
  const auto optional_fact = [&facts](std::string_view label,
                                      const std::optional<std::string>& value) {
    if (value) facts.emplace_back(label, *value);
  };
  if (record.substatus) fact("Substatus", substatus);
  fact("Reason", info.token);
  optional_fact("Realm", record.realm);
  optional_fact("Authentication type", record.auth_type);
  optional_fact("Providers", record.providers);
  optional_fact("User as sent", record.user);
  optional_fact("Scheme sent", record.scheme);
  optional_fact("User file", record.user_file);
  optional_fact("Hash scheme", record.hash_scheme);
  optional_fact("Failed requirement", record.requirement);
  optional_fact("Configuration file", record.config_file);
  fact("Request ID", record.request_id);
  fact("Client address", record.client_ip);
  fact("Requested URL path", record.path);

  out += "<div class=\"content-container\"><h3>Detailed Error Information:</h3><table>\n";
  for (const auto& [label, value] : facts) {
    out += "<tr><th>";
    out += label;
    out += "</th><td>";
    append_html(out, value);
    out += "</td></tr>\n";
  }
  out += "</table></div>\n</div>\n</body>\n</html>\n";
  return out;
}

std::string render_problem_json(const DenialRecord& record) {
  const ReasonInfo& info = reason_info(record.reason);
  JsonObjectWriter writer;
  writer.add_string("type", "urn:authdiag:reason:" + std::string(info.token));
  writer.add_string("title", info.title);
  writer.add_number("status", record.status);
  writer.add_string("detail", record.detail ? std::string_view(*record.detail) : info.explanation);
  if (!record.path.empty()) writer.add_string("instance", record.path);
  if (record.substatus) {
    writer.add_string("substatus", format_substatus(record.status, *record.substatus));
  }
  writer.add_string("reason", info.token);
  if (!record.request_id.empty()) writer.add_string("request_id", record.request_id);
  const std::vector<std::string_view> hints = hints_of(record, info);
  writer.add_string_array("hints", hints);
  return std::move(writer).finish();
}

}  // namespace authdiag::core
