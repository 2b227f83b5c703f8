// SPDX-License-Identifier: Apache-2.0
// Error-log, logfmt and access-log parsing for the integration tests.
#include "log_parsers.hpp"

#include "support.hpp"

#include <regex>

namespace authdiag::itest {

namespace {

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<ErrorLogLine> parse_error_log_line(std::string_view line) {
  static const std::regex kLine(
      R"(^\[[^\]]+\] \[([^:\] ]+):([a-z0-9]+)\] \[pid [^\]]+\] (?:\[(?:client|remote) ([^\]]+)\] )?(.*)$)");
  static const std::regex kReferer(R"(, referer: \S+$)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(line.begin(), line.end(), m, kLine)) return std::nullopt;
  ErrorLogLine out;
  out.raw = std::string(line);
  out.module = m[1].str();
  out.level = m[2].str();
  out.client = m[3].str();
  out.message = std::regex_replace(m[4].str(), kReferer, "");
  return out;
}

std::vector<ErrorLogLine> parse_error_log(std::string_view text) {
  std::vector<ErrorLogLine> lines;
  for (const auto& line : split_lines(text)) {
    if (auto parsed = parse_error_log_line(line)) lines.push_back(std::move(*parsed));
  }
  return lines;
}

// The module's logfmt: bare values, or values in double quotes; inside either, `"`, `\`, `%`
// and every byte outside printable ASCII are percent-encoded (%HH). A raw quote or backslash
// inside a value is an error: it is what a forged field would look like.
std::optional<std::vector<LogfmtField>> parse_logfmt(std::string_view text, std::string* error) {
  std::vector<LogfmtField> fields;
  std::size_t pos = 0;
  auto fail = [&](const std::string& what) -> std::optional<std::vector<LogfmtField>> {
    if (error != nullptr) *error = what + " at byte " + std::to_string(pos);
    return std::nullopt;
  };
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    LogfmtField field;
    const std::size_t key_start = pos;
    while (pos < text.size() && is_key_char(text[pos])) ++pos;
    if (pos == key_start) return fail("expected a key");
    field.key = std::string(text.substr(key_start, pos - key_start));
    if (pos == text.size() || text[pos] == ' ') {
      fields.push_back(std::move(field));
      continue;
    }
    if (text[pos] != '=') return fail("expected '=' after key " + field.key);
    ++pos;
    field.quoted = pos < text.size() && text[pos] == '"';
    if (field.quoted) ++pos;
    bool closed = !field.quoted;
    while (pos < text.size()) {
      const char c = text[pos];
      if (field.quoted && c == '"') {
        ++pos;
        closed = true;
        break;
      }
      if (!field.quoted && c == ' ') break;
      if (c == '"' || c == '\\') return fail(std::string("raw ") + c + " inside a value");
      ++pos;
      if (c != '%') {
        field.value += c;
        continue;
      }
      if (pos + 2 > text.size()) return fail("short % escape");
      const int hi = hex_value(text[pos]);
      const int lo = hex_value(text[pos + 1]);
      if (hi < 0 || lo < 0) return fail("bad % escape");
      field.value += static_cast<char>(hi * 16 + lo);
      pos += 2;
    }
    if (!closed) return fail("unterminated quoted value");
    if (pos < text.size() && text[pos] != ' ') return fail("text after quoted value");
    fields.push_back(std::move(field));
  }
  return fields;
}

const LogfmtField* find_field(const std::vector<LogfmtField>& fields, std::string_view key) {
  for (const auto& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

std::optional<AccessRecord> parse_access_line(std::string_view line) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto tab = line.find('\t', start);
    parts.emplace_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (parts.size() != 9) return std::nullopt;
  return AccessRecord{parts[0], parts[1], parts[2], parts[3], parts[4],
                      parts[5], parts[6], parts[7], parts[8]};
}

}  // namespace authdiag::itest
