// SPDX-License-Identifier: Apache-2.0
// IPv4/IPv6 addresses and CIDR ranges as plain values, for AuthDiagTrustedClients and the deny
// lists. IPv4 is kept as IPv4-mapped IPv6 (::ffff:a.b.c.d) so one comparison serves both.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authdiag::core {

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 as ::ffff:a.b.c.d
  auto operator<=>(const IpAddress&) const = default;
};

struct CidrRange {
  IpAddress network;        // host bits cleared
  std::uint8_t prefix = 0;  // 0..128, over the 16-byte form (IPv4 /24 is stored as /120)
  bool operator==(const CidrRange&) const = default;
};

// "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1" (also with a %zone suffix rejected).
std::optional<IpAddress> parse_ip_address(std::string_view text);

// "192.0.2.0/24", "2001:db8::/32", or a bare address (a /32 or /128). Host bits set is an
// error ("192.0.2.1/24"), as it usually hides a typo.
std::optional<CidrRange> parse_cidr(std::string_view text);

bool contains(const CidrRange& range, const IpAddress& address) noexcept;

// Canonical text: dotted quad for IPv4-mapped, RFC 5952 for IPv6, "/len" unless a single host.
std::string to_string(const CidrRange& range);
std::string to_string(const IpAddress& address);

}  // namespace authdiag::core
