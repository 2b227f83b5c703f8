// SPDX-License-Identifier: Apache-2.0
#include "core/host_pattern.hpp"

#include "core/text.hpp"

#include <algorithm>

namespace authdiag::core {

namespace {

constexpr std::size_t kMaxName = 253;
constexpr std::size_t kMaxLabel = 63;

constexpr bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Labels of 1..63 letters, digits, '-' and '_', neither starting nor ending with '-'.
bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxName) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('.', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view label = name.substr(start, end - start);
    if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), is_label_char)) {
      return false;
    }
    start = end + 1;
  }
  return true;
}

std::string_view without_trailing_dot(std::string_view name) {
  if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
  return name;
}

bool ends_with_icase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && iequals(text.substr(text.size() - suffix.size()), suffix);
}

}  // namespace

std::optional<HostPattern> parse_host_pattern(std::string_view text) {
  text = without_trailing_dot(text);
  const bool suffix = text.starts_with('.');
  if (!is_dns_name(suffix ? text.substr(1) : text)) return std::nullopt;
  HostPattern pattern;
  pattern.name.reserve(text.size());
  for (const char c : text) pattern.name += ascii_lower(c);
  return pattern;
}

bool host_matches(const HostPattern& pattern, std::string_view host) noexcept {
  host = without_trailing_dot(host);
  if (!pattern.is_suffix()) return iequals(host, pattern.name);
  // ".example.net" needs at least one label in front: "a.example.net".
  return host.size() > pattern.name.size() && ends_with_icase(host, pattern.name);
}

const HostPattern* find_host_match(std::span<const HostPattern> patterns,
                                   std::string_view host) noexcept {
  const auto found = std::find_if(patterns.begin(), patterns.end(),
                                  [&](const HostPattern& p) { return host_matches(p, host); });
  return found == patterns.end() ? nullptr : &*found;
}

}  // namespace authdiag::core
