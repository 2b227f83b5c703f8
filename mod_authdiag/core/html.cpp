// SPDX-License-Identifier: Apache-2.0
#include "core/html.hpp"

#include "core/utf8.hpp"

#include <cstdint>

namespace authdiag::core {

namespace {

constexpr std::string_view kHexDigits = "0123456789ABCDEF";

void append_hex(std::string& out, std::uint32_t value, int width) {
  for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) {
    out += kHexDigits[(value >> static_cast<unsigned>(shift)) & 0xfU];
  }
}

void append_char_reference(std::string& out, char32_t code_point) {
  out += "&#x";
  bool started = false;
  for (int shift = 20; shift >= 0; shift -= 4) {
    const auto digit = static_cast<std::size_t>((code_point >> shift) & 0xfU);
    if (digit != 0 || started || shift == 0) {
      out += kHexDigits[digit];
      started = true;
    }
  }
  out += ';';
}

constexpr bool is_bidi_control(char32_t cp) {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
         cp == 0x200f || cp == 0x061c;
}

// Printable ASCII that needs no reference.
constexpr bool is_html_plain(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x20 && byte < 0x7f && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
}

void append_code_point(std::string& out, char32_t cp) {
  switch (cp) {
    case '&':
      out += "&amp;";
      return;
    case '<':
      out += "&lt;";
      return;
    case '>':
      out += "&gt;";
      return;
    case '"':
      out += "&quot;";
      return;
    case '\'':
      out += "&#39;";
      return;
    default:
      break;
  }
  if (cp < 0x20 || cp == 0x7f) {
    out += "\\x";
    append_hex(out, static_cast<std::uint32_t>(cp), 2);
  } else if ((cp >= 0x80 && cp <= 0x9f) || is_bidi_control(cp)) {
    out += "\\u";
    append_hex(out, static_cast<std::uint32_t>(cp), 4);
  } else if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else {
    append_char_reference(out, cp);
  }
}

}  // namespace

void append_html(std::string& out, std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t pos = 0; pos < text.size(); ++chars) {
    if (chars == max_chars) {
      append_char_reference(out, U'\u2026');
      return;
    }
    std::size_t run_end = pos;
    while (run_end < text.size() && run_end - pos < max_chars - chars &&
           is_html_plain(text[run_end])) {
      ++run_end;
    }
    if (run_end > pos) {
      out.append(text.substr(pos, run_end - pos));
      chars += run_end - pos - 1;
      pos = run_end;
      continue;
    }
    const Utf8Char decoded = decode_utf8(text, pos);
    if (decoded.length == 0) {
      append_char_reference(out, U'\ufffd');
      ++pos;
      continue;
    }
    append_code_point(out, decoded.code_point);
    pos += decoded.length;
  }
}

}  // namespace authdiag::core
