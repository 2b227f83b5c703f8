// SPDX-License-Identifier: Apache-2.0
// Small ASCII text helpers shared by the parsers (locale-independent, as HTTP requires).
#pragma once

#include <algorithm>
#include <string_view>

namespace authdiag::core {

constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

}  // namespace authdiag::core
