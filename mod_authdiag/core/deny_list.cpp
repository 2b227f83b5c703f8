// SPDX-License-Identifier: Apache-2.0
#include "core/deny_list.hpp"

#include <algorithm>
#include <compare>

namespace authdiag::core {

namespace {

constexpr std::size_t kMaxErrorValueBytes = 64;
constexpr std::uint64_t kV4MappedHigh = 0;
constexpr std::uint64_t kV4MappedPrefix = 0xffff;  // bits 32..63 of the low word of ::ffff:a.b.c.d

struct U128 {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  auto operator<=>(const U128&) const = default;
};

U128 to_u128(const IpAddress& address) {
  U128 value;
  for (std::size_t i = 0; i < 8; ++i) value.hi = (value.hi << 8) | address.bytes[i];
  for (std::size_t i = 8; i < 16; ++i) value.lo = (value.lo << 8) | address.bytes[i];
  return value;
}

IpAddress from_u128(U128 value) {
  IpAddress address;
  for (std::size_t i = 0; i < 8; ++i) {
    address.bytes[7 - i] = static_cast<std::uint8_t>(value.hi >> (8 * i));
    address.bytes[15 - i] = static_cast<std::uint8_t>(value.lo >> (8 * i));
  }
  return address;
}

constexpr U128 kMax{~std::uint64_t{0}, ~std::uint64_t{0}};

// The last address of `range`: the network with every host bit set.
U128 last_of(const CidrRange& range) {
  U128 value = to_u128(range.network);
  const unsigned host_bits = 128u - std::min<unsigned>(range.prefix, 128u);
  if (host_bits >= 64) {
    value.lo = ~std::uint64_t{0};
    if (host_bits == 128) {
      value.hi = ~std::uint64_t{0};
    } else if (host_bits > 64) {
      value.hi |= (std::uint64_t{1} << (host_bits - 64)) - 1;
    }
  } else if (host_bits > 0) {
    value.lo |= (std::uint64_t{1} << host_bits) - 1;
  }
  return value;
}

U128 successor(U128 value) {
  return value.lo == ~std::uint64_t{0} ? U128{value.hi + 1, 0} : U128{value.hi, value.lo + 1};
}

bool is_v4(U128 value) { return value.hi == kV4MappedHigh && (value.lo >> 32) == kV4MappedPrefix; }

struct Interval {
  U128 first;
  U128 last;
};

std::string printable(std::string_view word) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : word) {
    const auto byte = static_cast<unsigned char>(c);
    if (out.size() >= kMaxErrorValueBytes) {
      out += "...";
      break;
    }
    if (byte > 0x20 && byte < 0x7f && byte != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

constexpr bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

DenyListParse parse_deny_list(std::string_view text, std::size_t max_errors) {
  DenyListParse result;
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    line = line.substr(0, line.find_first_of("#;"));
    std::size_t pos = 0;
    while (pos < line.size()) {
      while (pos < line.size() && is_blank(line[pos])) ++pos;
      std::size_t end = pos;
      while (end < line.size() && !is_blank(line[end])) ++end;
      if (end == pos) break;
      const std::string_view word = line.substr(pos, end - pos);
      if (auto range = parse_cidr(word)) {
        result.ranges.push_back(*range);
      } else {
        if (result.errors.size() < max_errors) {
          result.errors.push_back({line_number, printable(word)});
        }
        ++result.error_count;
      }
      pos = end;
    }
  }
  return result;
}

DenyList::DenyList(std::span<const CidrRange> ranges) {
  std::vector<Interval> intervals;
  intervals.reserve(ranges.size());
  for (const auto& range : ranges) intervals.push_back({to_u128(range.network), last_of(range)});
  std::sort(intervals.begin(), intervals.end(),
            [](const Interval& a, const Interval& b) { return a.first < b.first; });
  std::vector<Interval> merged;
  merged.reserve(intervals.size());
  for (const auto& interval : intervals) {
    if (!merged.empty()) {
      Interval& back = merged.back();
      // Overlapping or adjacent (starting right after the last address).
      if (back.last == kMax || interval.first <= successor(back.last)) {
        back.last = std::max(back.last, interval.last);
        continue;
      }
    }
    merged.push_back(interval);
  }
  std::size_t v4_count = 0;
  for (const auto& interval : merged) {
    if (is_v4(interval.first) && is_v4(interval.last)) ++v4_count;
  }
  const std::size_t v6_count = merged.size() - v4_count;
  words_.assign(kHeaderWords + v4_count + v6_count * DenyListView::kWordsPerV6, 0);
  words_[0] = kMagic;
  words_[1] = v4_count;
  words_[2] = v6_count;
  std::size_t v4_next = kHeaderWords;
  std::size_t v6_next = kHeaderWords + v4_count;
  for (const auto& interval : merged) {
    if (is_v4(interval.first) && is_v4(interval.last)) {
      words_[v4_next++] = (interval.first.lo << 32) | (interval.last.lo & 0xffffffffu);
    } else {
      words_[v6_next++] = interval.first.hi;
      words_[v6_next++] = interval.first.lo;
      words_[v6_next++] = interval.last.hi;
      words_[v6_next++] = interval.last.lo;
    }
  }
}

DenyListView::DenyListView(std::span<const std::uint64_t> words) noexcept {
  if (words.size() < DenyList::kHeaderWords || words[0] != DenyList::kMagic) return;
  const std::uint64_t v4_count = words[1];
  const std::uint64_t v6_count = words[2];
  const std::size_t available = words.size() - DenyList::kHeaderWords;
  if (v4_count > available || v6_count > (available - v4_count) / kWordsPerV6) return;
  v4_ = words.subspan(DenyList::kHeaderWords, v4_count);
  v6_ = words.subspan(DenyList::kHeaderWords + v4_count, v6_count * kWordsPerV6);
}

bool DenyListView::contains(const IpAddress& address) const noexcept {
  const U128 value = to_u128(address);
  if (is_v4(value) && !v4_.empty()) {
    const std::uint64_t v4 = value.lo & 0xffffffffu;
    // The first range that starts after the address; the one before it may hold it.
    const auto after = std::upper_bound(
        v4_.begin(), v4_.end(), v4,
        [](std::uint64_t key, std::uint64_t packed) { return key < (packed >> 32); });
    if (after != v4_.begin() && v4 <= (*(after - 1) & 0xffffffffu)) return true;
  }
  std::size_t low = 0;
  std::size_t high = v6_.size() / kWordsPerV6;
  while (low < high) {
    const std::size_t mid = low + (high - low) / 2;
    const U128 first{v6_[mid * kWordsPerV6], v6_[mid * kWordsPerV6 + 1]};
    if (value < first) {
      high = mid;
    } else {
      low = mid + 1;
    }
  }
  if (low == 0) return false;
  const std::size_t index = (low - 1) * kWordsPerV6;
  return value <= U128{v6_[index + 2], v6_[index + 3]};
}

std::vector<IpInterval> DenyListView::intervals() const {
  std::vector<IpInterval> out;
  for (const std::uint64_t packed : v4_) {
    out.push_back({from_u128({kV4MappedHigh, (kV4MappedPrefix << 32) | (packed >> 32)}),
                   from_u128({kV4MappedHigh, (kV4MappedPrefix << 32) | (packed & 0xffffffffu)})});
  }
  for (std::size_t i = 0; i < v6_.size(); i += kWordsPerV6) {
    out.push_back({from_u128({v6_[i], v6_[i + 1]}), from_u128({v6_[i + 2], v6_[i + 3]})});
  }
  // The IPv4 ranges sit inside the IPv6 space (::ffff:0:0/96): interleave them.
  std::sort(out.begin(), out.end(),
            [](const IpInterval& a, const IpInterval& b) { return a.first < b.first; });
  return out;
}

bool any_contains(std::span<const CidrRange> ranges, const IpAddress& address) noexcept {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const CidrRange& range) { return core::contains(range, address); });
}

}  // namespace authdiag::core
