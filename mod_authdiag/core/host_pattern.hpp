// SPDX-License-Identifier: Apache-2.0
// AuthDiagDenyHost patterns: a host name ("crawler.example.net") matches itself; a suffix
// (".example.net") matches every name below it ("a.example.net", "b.a.example.net") but not
// "example.net" itself or "badexample.net". Case-insensitive; a trailing dot is ignored.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace authdiag::core {

struct HostPattern {
  std::string name;  // lowercase, without a trailing dot; with the leading dot for a suffix
  bool is_suffix() const { return !name.empty() && name.front() == '.'; }
  bool operator==(const HostPattern&) const = default;
};

// A DNS name of letters, digits, '-' and '_' in labels of 1..63 bytes, at most 253 bytes, or
// the same with a leading dot. Nothing for anything else (wildcards, addresses, empty labels).
std::optional<HostPattern> parse_host_pattern(std::string_view text);

bool host_matches(const HostPattern& pattern, std::string_view host) noexcept;

// The first pattern that matches `host`, or nullptr.
const HostPattern* find_host_match(std::span<const HostPattern> patterns,
                                   std::string_view host) noexcept;

}  // namespace authdiag::core
