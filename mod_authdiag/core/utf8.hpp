// SPDX-License-Identifier: Apache-2.0
// Strict UTF-8 decoding of one code point (no overlong forms, no surrogates, at most
// U+10FFFF), shared by the JSON and HTML escapers and the .htaccess realm checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace authdiag::core {

struct Utf8Char {
  char32_t code_point = 0;
  std::size_t length = 0;  // 0: the byte at the position does not start a valid sequence
};

constexpr Utf8Char decode_utf8(std::string_view text, std::size_t pos) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(pos);
  if (lead < 0x80) return {lead, 1};
  std::size_t length = 0;
  char32_t code_point = 0;
  char32_t minimum = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    code_point = lead & 0x1fU;
    minimum = 0x80;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    code_point = lead & 0x0fU;
    minimum = 0x800;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    code_point = lead & 0x07U;
    minimum = 0x10000;
  } else {
    return {};
  }
  if (text.size() - pos < length) return {};
  for (std::size_t i = 1; i < length; ++i) {
    const std::uint8_t continuation = byte(pos + i);
    if ((continuation & 0xc0U) != 0x80U) return {};
    code_point = (code_point << 6) | (continuation & 0x3fU);
  }
  if (code_point < minimum || code_point > 0x10ffff ||
      (code_point >= 0xd800 && code_point <= 0xdfff)) {
    return {};
  }
  return {code_point, length};
}

constexpr bool is_valid_utf8(std::string_view text) noexcept {
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t length = decode_utf8(text, pos).length;
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

}  // namespace authdiag::core
