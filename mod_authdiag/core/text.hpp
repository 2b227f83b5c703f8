// SPDX-License-Identifier: Apache-2.0
// Small ASCII text helpers shared by the parsers (locale-independent, as HTTP requires).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace authdiag::core {

constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

// apr_isspace in the C locale, with which ap_cfg_getline trims lines.
constexpr bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

constexpr std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

constexpr bool starts_with_utf8_bom(std::string_view bytes) noexcept {
  return bytes.starts_with("\xEF\xBB\xBF");
}

// One line of a text file as stored: its text without the ending, and the ending itself ("\n",
// "\r\n", or "" for a last line without one), so a file can be written back byte for byte.
struct RawLine {
  std::string_view text;
  std::string_view ending;
  std::size_t offset = 0;  // of the line's first byte
};

// Calls `visit(RawLine)` for each line of `bytes`, split at LF like httpd's ap_cfg_getline.
template <typename Visit>
void for_each_raw_line(std::string_view bytes, Visit visit) {
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    const std::size_t newline = bytes.find('\n', offset);
    if (newline == std::string_view::npos) {
      visit(RawLine{bytes.substr(offset), {}, offset});
      return;
    }
    std::size_t text_end = newline;
    if (text_end > offset && bytes[text_end - 1] == '\r') --text_end;
    visit(RawLine{bytes.substr(offset, text_end - offset),
                  bytes.substr(text_end, newline + 1 - text_end), offset});
    offset = newline + 1;
  }
}

// How many lines for_each_raw_line will visit at most (to reserve storage).
inline std::size_t raw_line_capacity(std::string_view bytes) noexcept {
  return static_cast<std::size_t>(std::count(bytes.begin(), bytes.end(), '\n')) + 1;
}

}  // namespace authdiag::core
