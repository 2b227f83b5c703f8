// SPDX-License-Identifier: Apache-2.0
// Strict text forms of IPv4 (RFC 791 dotted quad, no octal-looking zeros) and IPv6 (RFC 4291
// §2.2, canonical output per RFC 5952), and CIDR ranges over the 16-byte form.
#include "core/ip_address.hpp"

#include <algorithm>
#include <cstddef>

namespace authdiag::core {

namespace {

constexpr std::size_t kMaxAddressText = 45;  // "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A decimal number without sign and without a leading zero (except "0" itself), at most `max`.
std::optional<unsigned> parse_decimal(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view text) {
  std::array<std::uint8_t, 4> octets{};
  for (std::size_t i = 0; i < 4; ++i) {
    const std::size_t dot = text.find('.');
    if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;
    const std::optional<unsigned> octet = parse_decimal(text.substr(0, dot), 255);
    if (!octet) return std::nullopt;
    octets[i] = static_cast<std::uint8_t>(*octet);
    text.remove_prefix(i < 3 ? dot + 1 : text.size());
  }
  return octets;
}

std::optional<IpAddress> parse_ipv6(std::string_view text) {
  std::array<std::uint16_t, 8> groups{};
  std::size_t count = 0;
  std::optional<std::size_t> gap;  // index where "::" stands
  if (text.starts_with("::")) {
    gap = 0;
    text.remove_prefix(2);
  } else if (text.starts_with(':')) {
    return std::nullopt;
  }
  while (!text.empty()) {
    if (count == 8) return std::nullopt;
    const std::size_t colon = std::min(text.find(':'), text.size());
    const std::string_view part = text.substr(0, colon);
    if (part.find('.') != std::string_view::npos) {
      // The dotted quad may only end the address and needs room for two groups.
      if (colon != text.size() || count > 6) return std::nullopt;
      const auto octets = parse_ipv4(part);
      if (!octets) return std::nullopt;
      groups[count++] = static_cast<std::uint16_t>((*octets)[0] << 8 | (*octets)[1]);
      groups[count++] = static_cast<std::uint16_t>((*octets)[2] << 8 | (*octets)[3]);
      break;
    }
    if (part.empty() || part.size() > 4) return std::nullopt;
    unsigned value = 0;
    for (const char c : part) {
      const int digit = hex_value(c);
      if (digit < 0) return std::nullopt;
      value = value << 4 | static_cast<unsigned>(digit);
    }
    groups[count++] = static_cast<std::uint16_t>(value);
    text.remove_prefix(colon);
    if (text.empty()) break;
    text.remove_prefix(1);  // ':'
    if (text.starts_with(':')) {
      if (gap) return std::nullopt;
      gap = count;
      text.remove_prefix(1);
    } else if (text.empty()) {
      return std::nullopt;  // a single trailing ':'
    }
  }
  if (gap ? count > 7 : count != 8) return std::nullopt;
  std::array<std::uint16_t, 8> expanded{};
  if (gap) {
    std::copy_n(groups.begin(), *gap, expanded.begin());
    std::copy(groups.begin() + static_cast<std::ptrdiff_t>(*gap),
              groups.begin() + static_cast<std::ptrdiff_t>(count),
              expanded.end() - static_cast<std::ptrdiff_t>(count - *gap));
  } else {
    expanded = groups;
  }
  IpAddress address;
  for (std::size_t i = 0; i < 8; ++i) {
    address.bytes[2 * i] = static_cast<std::uint8_t>(expanded[i] >> 8);
    address.bytes[2 * i + 1] = static_cast<std::uint8_t>(expanded[i] & 0xffU);
  }
  return address;
}

bool is_ipv4_mapped(const IpAddress& address) {
  return std::all_of(address.bytes.begin(), address.bytes.begin() + 10,
                     [](std::uint8_t b) { return b == 0; }) &&
         address.bytes[10] == 0xff && address.bytes[11] == 0xff;
}

// Clears every bit after the first `prefix` bits.
IpAddress masked(IpAddress address, unsigned prefix) {
  for (std::size_t i = 0; i < 16; ++i) {
    const unsigned first_bit = static_cast<unsigned>(i) * 8;
    if (prefix >= first_bit + 8) continue;
    const unsigned keep = prefix > first_bit ? prefix - first_bit : 0;
    address.bytes[i] &= static_cast<std::uint8_t>(0xff00U >> keep);
  }
  return address;
}

}  // namespace

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  if (text.empty() || text.size() > kMaxAddressText) return std::nullopt;
  if (text.find(':') != std::string_view::npos) return parse_ipv6(text);
  const auto octets = parse_ipv4(text);
  if (!octets) return std::nullopt;
  IpAddress address;
  address.bytes[10] = 0xff;
  address.bytes[11] = 0xff;
  std::copy(octets->begin(), octets->end(), address.bytes.begin() + 12);
  return address;
}

std::optional<CidrRange> parse_cidr(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  const std::optional<IpAddress> address = parse_ip_address(address_text);
  if (!address) return std::nullopt;
  const bool ipv4 = address_text.find(':') == std::string_view::npos;
  const unsigned offset = ipv4 ? 96 : 0;
  unsigned prefix = 128;
  if (slash != std::string_view::npos) {
    const std::optional<unsigned> length = parse_decimal(text.substr(slash + 1), 128 - offset);
    if (!length) return std::nullopt;
    prefix = *length + offset;
  }
  if (masked(*address, prefix) != *address) return std::nullopt;
  return CidrRange{*address, static_cast<std::uint8_t>(prefix)};
}

bool contains(const CidrRange& range, const IpAddress& address) noexcept {
  return masked(address, range.prefix) == range.network;
}

std::string to_string(const IpAddress& address) {
  const auto& b = address.bytes;
  std::string out;
  if (is_ipv4_mapped(address)) {
    for (std::size_t i = 12; i < 16; ++i) {
      if (i > 12) out += '.';
      out += std::to_string(b[i]);
    }
    return out;
  }
  std::array<unsigned, 8> groups{};
  for (std::size_t i = 0; i < 8; ++i)
    groups[i] = static_cast<unsigned>(b[2 * i] << 8 | b[2 * i + 1]);
  // RFC 5952 §4.2: the longest run (first on a tie) of at least two zero groups becomes "::".
  std::size_t best_start = 8;
  std::size_t best_length = 1;
  for (std::size_t i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  constexpr std::string_view kHex = "0123456789abcdef";
  for (std::size_t i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned digit = (groups[i] >> shift) & 0xfU;
      if (digit != 0 || started || shift == 0) {
        out += kHex[digit];
        started = true;
      }
    }
  }
  return out;
}

std::string to_string(const CidrRange& range) {
  std::string out = to_string(range.network);
  if (range.prefix == 128) return out;
  const bool ipv4 = is_ipv4_mapped(range.network) && range.prefix >= 96;
  out += '/';
  out += std::to_string(ipv4 ? range.prefix - 96 : range.prefix);
  return out;
}

}  // namespace authdiag::core
