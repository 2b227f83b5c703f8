// SPDX-License-Identifier: Apache-2.0
#include "core/deny_list.hpp"

#include <gtest/gtest.h>
#include <random>
#include <string>
#include <vector>

namespace authdiag::core {
namespace {

IpAddress ip(const char* text) {
  auto address = parse_ip_address(text);
  EXPECT_TRUE(address) << text;
  return address.value_or(IpAddress{});
}

IpAddress successor(IpAddress address) {
  for (std::size_t i = address.bytes.size(); i-- > 0;) {
    if (++address.bytes[i] != 0) break;
  }
  return address;
}

IpAddress predecessor(IpAddress address) {
  for (std::size_t i = address.bytes.size(); i-- > 0;) {
    if (address.bytes[i]-- != 0) break;
  }
  return address;
}

CidrRange cidr(const char* text) {
  auto range = parse_cidr(text);
  EXPECT_TRUE(range) << text;
  return range.value_or(CidrRange{});
}

TEST(ParseDenyList, KeepsEntriesSkipsCommentsAndReportsBadLinesWithTheirNumber) {
  const std::string text =
      "\xef\xbb\xbf# deny list\r\n"
      "192.0.2.1\r\n"
      "\n"
      "   198.51.100.0/24   # a network\n"
      "2001:db8::/32 203.0.113.7\n"
      "10.0.0.0/8 ; SBL123 (DROP list style)\n"
      "not-an-address\n"
      "192.0.2.1/24\n"
      "\t\n"
      "300.1.2.3";
  const auto parsed = parse_deny_list(text);
  EXPECT_EQ(parsed.ranges, (std::vector<CidrRange>{cidr("192.0.2.1"), cidr("198.51.100.0/24"),
                                                   cidr("2001:db8::/32"), cidr("203.0.113.7"),
                                                   cidr("10.0.0.0/8")}));
  ASSERT_EQ(parsed.errors.size(), 3u);
  EXPECT_EQ(parsed.error_count, 3u);
  EXPECT_EQ(parsed.errors[0].line, 7u);
  EXPECT_EQ(parsed.errors[0].value, "not-an-address");
  EXPECT_EQ(parsed.errors[1].line, 8u);  // host bits set: usually a typo
  EXPECT_EQ(parsed.errors[1].value, "192.0.2.1/24");
  EXPECT_EQ(parsed.errors[2].line, 10u);
  EXPECT_EQ(parsed.errors[2].value, "300.1.2.3");
}

TEST(ParseDenyList, ErrorValuesArePrintableAndShortAndTheCountGoesOn) {
  std::string text = "bad\x01\x7f\xff\n";
  text += std::string(200, 'x') + "\n";
  for (int i = 0; i < 40; ++i) text += "junk\n";
  const auto parsed = parse_deny_list(text, 5);
  ASSERT_EQ(parsed.errors.size(), 5u);
  EXPECT_EQ(parsed.error_count, 42u);
  EXPECT_EQ(parsed.errors[0].value, "bad\\x01\\x7f\\xff");
  EXPECT_LT(parsed.errors[1].value.size(), 80u);
  EXPECT_TRUE(parsed.errors[1].value.ends_with("...")) << parsed.errors[1].value;
}

TEST(ParseDenyList, EmptyTextAndOnlyCommentsGiveNothing) {
  EXPECT_TRUE(parse_deny_list("").ranges.empty());
  const auto parsed = parse_deny_list("# nothing\n\n; nothing either\n");
  EXPECT_TRUE(parsed.ranges.empty());
  EXPECT_TRUE(parsed.errors.empty());
}

TEST(DenyList, MatchesIpv4AndIpv6AtTheEdgesOfEachRange) {
  const std::vector<CidrRange> ranges{cidr("192.0.2.0/24"), cidr("2001:db8::/32"),
                                      cidr("203.0.113.9"), cidr("::1")};
  const DenyList list(ranges);
  EXPECT_TRUE(list.contains(ip("192.0.2.0")));
  EXPECT_TRUE(list.contains(ip("192.0.2.255")));
  EXPECT_FALSE(list.contains(ip("192.0.1.255")));
  EXPECT_FALSE(list.contains(ip("192.0.3.0")));
  EXPECT_TRUE(list.contains(ip("203.0.113.9")));
  EXPECT_FALSE(list.contains(ip("203.0.113.8")));
  EXPECT_FALSE(list.contains(ip("203.0.113.10")));
  EXPECT_TRUE(list.contains(ip("2001:db8::")));
  EXPECT_TRUE(list.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(list.contains(ip("2001:db9::")));
  EXPECT_FALSE(list.contains(ip("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_TRUE(list.contains(ip("::1")));
  EXPECT_FALSE(list.contains(ip("::2")));
  // The IPv4-mapped spelling is the same address.
  EXPECT_TRUE(list.contains(ip("::ffff:192.0.2.7")));
  EXPECT_EQ(list.view().ipv4_ranges(), 2u);
  EXPECT_EQ(list.view().ipv6_ranges(), 2u);
}

TEST(DenyList, MergesOverlappingAndAdjacentRanges) {
  const std::vector<CidrRange> ranges{cidr("192.0.2.0/25"), cidr("192.0.2.128/25"),
                                      cidr("192.0.2.77"),   cidr("192.0.2.0/24"),
                                      cidr("10.0.0.0/8"),   cidr("10.1.0.0/16")};
  const DenyList list(ranges);
  EXPECT_EQ(list.view().intervals(),
            (std::vector<IpInterval>{{ip("10.0.0.0"), ip("10.255.255.255")},
                                     {ip("192.0.2.0"), ip("192.0.2.255")}}));
}

TEST(DenyList, WholeSpacesCoverWhatTheySay) {
  const DenyList all(std::vector<CidrRange>{cidr("::/0")});
  EXPECT_TRUE(all.contains(ip("0.0.0.0")));
  EXPECT_TRUE(all.contains(ip("255.255.255.255")));
  EXPECT_TRUE(all.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_TRUE(all.contains(ip("::")));
  const DenyList v4(std::vector<CidrRange>{cidr("0.0.0.0/0")});
  EXPECT_TRUE(v4.contains(ip("255.255.255.255")));
  EXPECT_TRUE(v4.contains(ip("0.0.0.0")));
  EXPECT_FALSE(v4.contains(ip("2001:db8::1")));
  EXPECT_FALSE(v4.contains(ip("::1")));
  const DenyList empty;
  EXPECT_FALSE(empty.contains(ip("192.0.2.1")));
  EXPECT_TRUE(empty.view().empty());
}

// Random ranges of every prefix length, IPv4 and IPv6, checked against a linear scan at the
// edges of every range and at random addresses.
TEST(DenyList, AgreesWithALinearScan) {
  std::mt19937_64 random(20261129);
  for (int round = 0; round < 20; ++round) {
    std::vector<CidrRange> ranges;
    const int count = 1 + static_cast<int>(random() % 300);
    for (int i = 0; i < count; ++i) {
      IpAddress address;
      const bool v4 = random() % 2 == 0;
      for (auto& byte : address.bytes) byte = static_cast<std::uint8_t>(random());
      std::uint8_t prefix = 0;
      if (v4) {
        for (std::size_t b = 0; b < 10; ++b) address.bytes[b] = 0;
        address.bytes[10] = address.bytes[11] = 0xff;
        // Few distinct high bytes, so ranges overlap and touch.
        address.bytes[12] = static_cast<std::uint8_t>(random() % 4);
        prefix = static_cast<std::uint8_t>(96 + random() % 33);
      } else {
        address.bytes[0] = 0x20;
        address.bytes[1] = static_cast<std::uint8_t>(random() % 3);
        prefix = static_cast<std::uint8_t>(random() % 129);
      }
      // Clear host bits so it is a valid range.
      for (unsigned bit = prefix; bit < 128; ++bit) {
        address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
      }
      ranges.push_back({address, prefix});
    }
    const DenyList list(ranges);
    std::vector<IpAddress> probes;
    for (const auto& interval : list.view().intervals()) {
      probes.push_back(interval.first);
      probes.push_back(interval.last);
      for (const IpAddress edge : {interval.first, interval.last}) {
        probes.push_back(predecessor(edge));
        probes.push_back(successor(edge));
      }
    }
    for (int i = 0; i < 2000; ++i) {
      IpAddress address;
      for (auto& byte : address.bytes) byte = static_cast<std::uint8_t>(random());
      if (i % 2 == 0) {
        for (std::size_t b = 0; b < 10; ++b) address.bytes[b] = 0;
        address.bytes[10] = address.bytes[11] = 0xff;
        address.bytes[12] = static_cast<std::uint8_t>(random() % 4);
      } else {
        address.bytes[0] = 0x20;
        address.bytes[1] = static_cast<std::uint8_t>(random() % 3);
      }
      probes.push_back(address);
    }
    for (const auto& probe : probes) {
      ASSERT_EQ(list.contains(probe), any_contains(ranges, probe))
          << "round " << round << " address " << to_string(probe);
    }
    // Sorted, disjoint, not touching.
    const auto intervals = list.view().intervals();
    for (std::size_t i = 1; i < intervals.size(); ++i) {
      ASSERT_LT(successor(intervals[i - 1].last), intervals[i].first) << i;
    }
  }
}

TEST(DenyList, AHundredThousandEntriesFitInAboutEightBytesEach) {
  std::string text;
  std::vector<std::uint32_t> listed;
  for (std::uint32_t i = 0; i < 100000; ++i) {
    // Every third address of 10.0.0.0/8, so no two entries merge.
    const std::uint32_t value = (10u << 24) + i * 3;
    listed.push_back(value);
    text += std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 255) + "." +
            std::to_string((value >> 8) & 255) + "." + std::to_string(value & 255) + "\n";
  }
  const auto parsed = parse_deny_list(text);
  ASSERT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.ranges.size(), 100000u);
  const DenyList list(parsed.ranges);
  EXPECT_EQ(list.view().ipv4_ranges(), 100000u);
  EXPECT_LE(list.bytes(), 100000u * 8 + 64);
  const auto address_of = [](std::uint32_t value) {
    IpAddress address;
    address.bytes[10] = address.bytes[11] = 0xff;
    for (std::size_t i = 0; i < 4; ++i) {
      address.bytes[12 + i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
    }
    return address;
  };
  for (std::size_t i = 0; i < listed.size(); i += 997) {
    EXPECT_TRUE(list.contains(address_of(listed[i])));
    EXPECT_FALSE(list.contains(address_of(listed[i] + 1)));
    EXPECT_FALSE(list.contains(address_of(listed[i] + 2)));
  }
}

// The buffer is all a process needs: a copy of the words (as another process maps them)
// answers the same; a damaged header answers nothing.
TEST(DenyListView, WorksOnACopyOfTheBufferAndRejectsADamagedOne) {
  const DenyList list(std::vector<CidrRange>{cidr("192.0.2.0/24"), cidr("2001:db8::/48")});
  std::vector<std::uint64_t> copy(list.words().begin(), list.words().end());
  const DenyListView view(copy);
  EXPECT_TRUE(view.contains(ip("192.0.2.9")));
  EXPECT_TRUE(view.contains(ip("2001:db8::9")));
  copy[0] ^= 1;
  EXPECT_TRUE(DenyListView(copy).empty());
  copy[0] ^= 1;
  copy[1] = 1000;  // more ranges than the buffer holds
  EXPECT_TRUE(DenyListView(copy).empty());
  EXPECT_FALSE(DenyListView(copy).contains(ip("192.0.2.9")));
}

}  // namespace
}  // namespace authdiag::core
