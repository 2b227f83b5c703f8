// SPDX-License-Identifier: Apache-2.0
// Fuzzes the deny-file parser and the range set built from it: malformed words are reported
// with a plausible line number and a printable value; the built set is sorted, disjoint and
// never touching; it contains every parsed range's first and last address; it answers exactly
// as a linear scan of the parsed ranges, also from a copy of its buffer; and a truncated or
// damaged buffer is refused without reading past its end.
#include "core/deny_list.hpp"
#include "fuzz_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace authdiag::core;
using authdiag::fuzz::check;

IpAddress step(IpAddress address, bool up) {
  for (std::size_t i = address.bytes.size(); i-- > 0;) {
    if (up ? ++address.bytes[i] != 0 : address.bytes[i]-- != 0) break;
  }
  return address;
}

IpAddress last_of(const CidrRange& range) {
  IpAddress last = range.network;
  for (unsigned bit = range.prefix; bit < 128; ++bit) {
    last.bytes[bit / 8] = static_cast<std::uint8_t>(last.bytes[bit / 8] | (0x80u >> (bit % 8)));
  }
  return last;
}

bool printable(const std::string& value) {
  return std::all_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f;
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const DenyListParse parsed = parse_deny_list(text, 8);
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  check(parsed.errors.size() <= 8, "at most max_errors errors kept");
  check(parsed.error_count >= parsed.errors.size(), "error count covers the kept errors");
  std::size_t previous_line = 0;
  for (const auto& error : parsed.errors) {
    check(error.line >= 1 && error.line <= lines, "error line within the text");
    check(error.line >= previous_line, "errors in line order");
    check(!error.value.empty() && printable(error.value), "error value printable");
    previous_line = error.line;
  }

  const DenyList list(parsed.ranges);
  const DenyListView view = list.view();
  const auto intervals = view.intervals();
  check(intervals.size() == view.ipv4_ranges() + view.ipv6_ranges(), "range counts add up");
  check(intervals.size() <= parsed.ranges.size(), "merging never adds ranges");
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    check(!(intervals[i].last < intervals[i].first), "interval ordered");
    if (i > 0) check(step(intervals[i - 1].last, true) < intervals[i].first, "disjoint, apart");
  }

  std::vector<IpAddress> probes;
  for (const auto& range : parsed.ranges) {
    const IpAddress last = last_of(range);
    check(list.contains(range.network), "contains each range's first address");
    check(list.contains(last), "contains each range's last address");
    probes.push_back(step(range.network, false));
    probes.push_back(step(last, true));
  }
  for (const auto& interval : intervals) {
    probes.push_back(step(interval.first, false));
    probes.push_back(step(interval.last, true));
  }
  // Addresses made from the input bytes themselves.
  for (std::size_t offset = 0; offset + 16 <= size && probes.size() < 256; offset += 7) {
    IpAddress address;
    std::copy(data + offset, data + offset + 16, address.bytes.begin());
    probes.push_back(address);
    address.bytes.fill(0);
    address.bytes[10] = address.bytes[11] = 0xff;
    std::copy(data + offset, data + offset + 4, address.bytes.begin() + 12);
    probes.push_back(address);
  }
  // The linear scan is quadratic: keep at most about 512 probes, spread over all of them.
  if (probes.size() > 512) {
    const std::size_t stride = probes.size() / 512 + 1;
    std::vector<IpAddress> sample;
    for (std::size_t i = 0; i < probes.size(); i += stride) sample.push_back(probes[i]);
    probes.swap(sample);
  }
  const std::vector<std::uint64_t> copy(list.words().begin(), list.words().end());
  const DenyListView copied(copy);
  for (const auto& probe : probes) {
    const bool expected = any_contains(parsed.ranges, probe);
    check(list.contains(probe) == expected, "agrees with a linear scan");
    check(copied.contains(probe) == expected, "a copy of the buffer agrees");
  }

  // Every truncation is either refused or still a well-formed view of the remaining words.
  for (std::size_t keep = 0; keep < copy.size(); keep += 1 + copy.size() / 16) {
    const DenyListView truncated(std::span(copy.data(), keep));
    check(truncated.ipv4_ranges() + truncated.ipv6_ranges() * DenyListView::kWordsPerV6 + 3 <=
              std::max<std::size_t>(keep, 3),
          "a truncated buffer is never read past its end");
    for (const auto& probe : probes) (void)truncated.contains(probe);
  }
  return 0;
}
