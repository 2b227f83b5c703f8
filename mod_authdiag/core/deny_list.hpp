// SPDX-License-Identifier: Apache-2.0
// IP deny lists (AuthDiagDenyIP, AuthDiagDenyIPFile): the deny-file parser and a compact set of
// IPv4 and IPv6 ranges. The set is one contiguous buffer of sorted, non-overlapping ranges, so it
// can be built once in the parent before fork and shared copy-on-write; a lookup is a binary
// search that allocates nothing.
#pragma once

#include "core/ip_address.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace authdiag::core {

// A line of a deny file that is not an address or CIDR range.
struct DenyListError {
  std::size_t line = 0;  // 1-based
  std::string value;     // the offending word, printable (bytes outside 0x21..0x7e as \xHH)
};

struct DenyListParse {
  std::vector<CidrRange> ranges;  // in file order, duplicates kept
  std::vector<DenyListError> errors;
  std::size_t error_count = 0;  // may exceed errors.size() (only the first few are kept)
};

// Parses a deny file: one or more addresses or CIDR ranges per line, separated by blanks;
// `#` or `;` starts a comment; blank lines and CR LF line ends are fine. Malformed words are
// reported (the first `max_errors` of them) and skipped; everything else is kept. The arguments
// of an AuthDiagDenyIP line parse the same way.
DenyListParse parse_deny_list(std::string_view text, std::size_t max_errors = 16);

// An inclusive range of addresses in the 16-byte form.
struct IpInterval {
  IpAddress first;
  IpAddress last;
  bool operator==(const IpInterval&) const = default;
};

// A read-only view of a built list over its buffer (which must outlive it).
class DenyListView {
 public:
  DenyListView() = default;
  // Checks the buffer's header and sizes; an invalid buffer gives an empty view.
  explicit DenyListView(std::span<const std::uint64_t> words) noexcept;

  bool contains(const IpAddress& address) const noexcept;
  std::size_t ipv4_ranges() const noexcept { return v4_.size(); }
  std::size_t ipv6_ranges() const noexcept { return v6_.size() / kWordsPerV6; }
  bool empty() const noexcept { return v4_.empty() && v6_.empty(); }

  // Every range, ascending (for tests).
  std::vector<IpInterval> intervals() const;

  static constexpr std::size_t kWordsPerV6 = 4;  // first (high, low), last (high, low)

 private:
  std::span<const std::uint64_t> v4_;  // (first << 32) | last, ascending by first
  std::span<const std::uint64_t> v6_;  // kWordsPerV6 words per range, ascending by first
};

// An owned list: the buffer plus a view over it.
class DenyList {
 public:
  DenyList() : words_(kHeaderWords, 0) { words_[0] = kMagic; }
  // Sorts and merges `ranges` (overlapping and adjacent ranges become one).
  explicit DenyList(std::span<const CidrRange> ranges);

  DenyListView view() const noexcept { return DenyListView(words_); }
  bool contains(const IpAddress& address) const noexcept { return view().contains(address); }
  std::span<const std::uint64_t> words() const noexcept { return words_; }
  std::size_t bytes() const noexcept { return words_.size() * sizeof(std::uint64_t); }

  static constexpr std::uint64_t kMagic = 0x31304c4e59454441;  // "ADENYL01"
  static constexpr std::size_t kHeaderWords = 3;               // magic, IPv4 count, IPv6 count

 private:
  std::vector<std::uint64_t> words_;
};

// True when one of `ranges` holds `address` (a linear scan, for short inline lists).
bool any_contains(std::span<const CidrRange> ranges, const IpAddress& address) noexcept;

}  // namespace authdiag::core
