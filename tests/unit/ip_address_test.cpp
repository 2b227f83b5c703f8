// SPDX-License-Identifier: Apache-2.0
// Strict IPv4/IPv6 address and CIDR parsing, RFC 5952 output and range membership.
#include "core/ip_address.hpp"

#include <gtest/gtest.h>
#include <string>

namespace authdiag::core {
namespace {

// ---------------------------------------------------------------------------------------------
// Addresses

struct AddressCase {
  std::string text;
  std::string canonical;
};

void PrintTo(const AddressCase& c, std::ostream* os) { *os << c.text; }

class ValidAddressTest : public ::testing::TestWithParam<AddressCase> {};

TEST_P(ValidAddressTest, ParsesToCanonical) {
  const std::optional<IpAddress> address = parse_ip_address(GetParam().text);
  ASSERT_TRUE(address) << GetParam().text;
  EXPECT_EQ(to_string(*address), GetParam().canonical);
}

const AddressCase kValidAddresses[] = {
    {"192.0.2.1", "192.0.2.1"},
    {"0.0.0.0", "0.0.0.0"},
    {"255.255.255.255", "255.255.255.255"},
    {"10.0.0.10", "10.0.0.10"},
    {"::", "::"},
    {"::1", "::1"},
    {"0:0:0:0:0:0:0:1", "::1"},
    {"1::", "1::"},
    {"1:0:0:0:0:0:0:0", "1::"},
    {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
    {"2001:DB8::AbC", "2001:db8::abc"},
    // RFC 5952 §4.2.2: a single zero group is not compressed.
    {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
    // §4.2.3: the first of two equally long runs.
    {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
    // Longest run wins even when later.
    {"2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"},
    {"1::2:3:4:5:6:7", "1:0:2:3:4:5:6:7"},
    {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
    {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
    {"fe80::0001", "fe80::1"},
    // IPv4-mapped addresses print as dotted quads, other embedded IPv4 in hex.
    {"::ffff:192.0.2.1", "192.0.2.1"},
    {"::FFFF:c000:0201", "192.0.2.1"},
    {"::192.0.2.1", "::c000:201"},
    {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
    {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
    {"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
};

INSTANTIATE_TEST_SUITE_P(Cases, ValidAddressTest, ::testing::ValuesIn(kValidAddresses));

class InvalidAddressTest : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidAddressTest, Rejected) { EXPECT_FALSE(parse_ip_address(GetParam())) << GetParam(); }

const std::string kInvalidAddresses[] = {
    "",
    "010.1.1.1",
    "1.02.3.4",
    "00.1.1.1",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "1.2.3.1000",
    "1..2.3",
    "1.2.3.4.",
    ".1.2.3.4",
    "+1.2.3.4",
    "0x1.2.3.4",
    " 1.2.3.4",
    "1.2.3.4 ",
    "1.2.3.4\n",
    std::string("1.2.3.4\0", 8),
    "fe80::1%eth0",
    "[::1]",
    ":",
    ":::",
    "1:::2",
    ":1::",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "1::2:3:4:5:6:7:8",
    "12345::",
    "g::1",
    "1:",
    ":1",
    "::1.2.3",
    "1.2.3.4::",
    "::1.2.3.4:1",
    "1:2:3:4:5:6:7:1.2.3.4",
    "::ffff:01.2.3.4",
    "::ffff:256.1.1.1",
    "\xff::1",
    "localhost",
    "192.0.2.1/24",
};

INSTANTIATE_TEST_SUITE_P(Cases, InvalidAddressTest, ::testing::ValuesIn(kInvalidAddresses));

TEST(IpAddress, Ipv4IsStoredMapped) {
  const auto v4 = parse_ip_address("192.0.2.1");
  ASSERT_TRUE(v4);
  const std::array<std::uint8_t, 16> expected{0, 0, 0,    0,    0,   0, 0, 0,
                                              0, 0, 0xff, 0xff, 192, 0, 2, 1};
  EXPECT_EQ(v4->bytes, expected);
  EXPECT_EQ(parse_ip_address("::ffff:192.0.2.1"), v4);
  EXPECT_EQ(parse_ip_address("::ffff:c000:201"), v4);
  EXPECT_NE(parse_ip_address("::192.0.2.1"), v4);
}

TEST(IpAddress, Ipv6Bytes) {
  const auto v6 = parse_ip_address("2001:db8::102:304");
  ASSERT_TRUE(v6);
  const std::array<std::uint8_t, 16> expected{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                              0,    0,    0,    0,    1, 2, 3, 4};
  EXPECT_EQ(v6->bytes, expected);
}

// ---------------------------------------------------------------------------------------------
// CIDR

struct CidrCase {
  std::string text;
  int prefix;
  std::string canonical;
};

void PrintTo(const CidrCase& c, std::ostream* os) { *os << c.text; }

class ValidCidrTest : public ::testing::TestWithParam<CidrCase> {};

TEST_P(ValidCidrTest, Parses) {
  const std::optional<CidrRange> range = parse_cidr(GetParam().text);
  ASSERT_TRUE(range) << GetParam().text;
  EXPECT_EQ(range->prefix, GetParam().prefix);
  EXPECT_EQ(to_string(*range), GetParam().canonical);
}

const CidrCase kValidCidrs[] = {
    {"192.0.2.0/24", 120, "192.0.2.0/24"},
    {"10.0.0.0/8", 104, "10.0.0.0/8"},
    {"127.0.0.0/8", 104, "127.0.0.0/8"},
    {"0.0.0.0/0", 96, "0.0.0.0/0"},
    {"192.0.2.1/32", 128, "192.0.2.1"},
    {"192.0.2.1", 128, "192.0.2.1"},
    {"192.0.2.128/25", 121, "192.0.2.128/25"},
    {"::1", 128, "::1"},
    {"::1/128", 128, "::1"},
    {"::/0", 0, "::/0"},
    {"2001:db8::/32", 32, "2001:db8::/32"},
    {"2001:DB8:8000::/33", 33, "2001:db8:8000::/33"},
    {"::ffff:192.0.2.0/120", 120, "192.0.2.0/24"},
    {"::ffff:0.0.0.0/96", 96, "0.0.0.0/0"},
};

INSTANTIATE_TEST_SUITE_P(Cases, ValidCidrTest, ::testing::ValuesIn(kValidCidrs));

class InvalidCidrTest : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidCidrTest, Rejected) { EXPECT_FALSE(parse_cidr(GetParam())) << GetParam(); }

const std::string kInvalidCidrs[] = {"192.0.2.1/24",
                                     "2001:db8::1/32",
                                     "192.0.2.0/33",
                                     "2001:db8::/129",
                                     "192.0.2.0/",
                                     "/24",
                                     "192.0.2.0/024",
                                     "192.0.2.0/-1",
                                     "192.0.2.0/+24",
                                     "192.0.2.0/24/1",
                                     "192.0.2.0/ 24",
                                     "192.0.2.0 /24",
                                     "010.0.0.0/8",
                                     "::ffff:0:0/80",
                                     "192.0.2.0/2a",
                                     "",
                                     "/",
                                     "2001:db8::/0x20"};

INSTANTIATE_TEST_SUITE_P(Cases, InvalidCidrTest, ::testing::ValuesIn(kInvalidCidrs));

// ---------------------------------------------------------------------------------------------
// contains

struct ContainsCase {
  std::string range;
  std::string address;
  bool inside;
};

void PrintTo(const ContainsCase& c, std::ostream* os) { *os << c.range << " " << c.address; }

class ContainsTest : public ::testing::TestWithParam<ContainsCase> {};

TEST_P(ContainsTest, Membership) {
  const auto range = parse_cidr(GetParam().range);
  const auto address = parse_ip_address(GetParam().address);
  ASSERT_TRUE(range && address);
  EXPECT_EQ(contains(*range, *address), GetParam().inside)
      << GetParam().range << " " << GetParam().address;
}

const ContainsCase kContainsCases[] = {
    {"127.0.0.0/8", "127.0.0.1", true},
    {"127.0.0.0/8", "127.255.255.255", true},
    {"127.0.0.0/8", "128.0.0.1", false},
    {"127.0.0.0/8", "::ffff:127.0.0.1", true},
    {"::1", "::1", true},
    {"::1", "127.0.0.1", false},
    {"192.0.2.0/25", "192.0.2.127", true},
    {"192.0.2.0/25", "192.0.2.128", false},
    {"192.0.2.7", "192.0.2.7", true},
    {"192.0.2.7", "192.0.2.8", false},
    {"0.0.0.0/0", "203.0.113.9", true},
    {"0.0.0.0/0", "2001:db8::1", false},
    {"::/0", "2001:db8::1", true},
    {"::/0", "192.0.2.1", true},
    {"2001:db8::/32", "2001:db8:ffff::1", true},
    {"2001:db8::/32", "2001:db9::", false},
    {"2001:db8::/33", "2001:db8:7fff::", true},
    {"2001:db8::/33", "2001:db8:8000::", false},
};

INSTANTIATE_TEST_SUITE_P(Cases, ContainsTest, ::testing::ValuesIn(kContainsCases));

}  // namespace
}  // namespace authdiag::core
