// SPDX-License-Identifier: Apache-2.0
#include "core/host_pattern.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace authdiag::core {
namespace {

HostPattern pattern(const char* text) {
  auto parsed = parse_host_pattern(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(HostPattern{});
}

TEST(HostPattern, ANameMatchesOnlyItselfInAnyCase) {
  const auto p = pattern("Crawler.Example.NET");
  EXPECT_EQ(p.name, "crawler.example.net");
  EXPECT_FALSE(p.is_suffix());
  EXPECT_TRUE(host_matches(p, "crawler.example.net"));
  EXPECT_TRUE(host_matches(p, "CRAWLER.example.net."));
  EXPECT_FALSE(host_matches(p, "a.crawler.example.net"));
  EXPECT_FALSE(host_matches(p, "crawler.example.ne"));
  EXPECT_FALSE(host_matches(p, ""));
}

TEST(HostPattern, ASuffixMatchesNamesBelowItOnly) {
  const auto p = pattern(".example.net.");
  EXPECT_EQ(p.name, ".example.net");
  EXPECT_TRUE(p.is_suffix());
  EXPECT_TRUE(host_matches(p, "a.example.net"));
  EXPECT_TRUE(host_matches(p, "b.A.Example.Net"));
  EXPECT_FALSE(host_matches(p, "example.net"));
  EXPECT_FALSE(host_matches(p, "badexample.net"));
  EXPECT_FALSE(host_matches(p, ".example.net"));
  EXPECT_FALSE(host_matches(p, "example.net.evil"));
}

TEST(HostPattern, RefusesWhatIsNotAName) {
  for (const char* bad : {"", ".", "..", "*.example.net", "a..b", "host name", "a/b", "-",
                          "192.0.2.1/24", "exa$mple.com", "\xc3\xa9t\xc3\xa9.fr"}) {
    EXPECT_FALSE(parse_host_pattern(bad)) << bad;
  }
  EXPECT_FALSE(parse_host_pattern(std::string(64, 'a') + ".net"));  // label too long
  EXPECT_TRUE(parse_host_pattern(std::string(63, 'a') + ".net"));
  std::string long_name;
  for (int i = 0; i < 51; ++i) long_name += "abcd.";
  long_name += "net";  // 258 bytes
  EXPECT_FALSE(parse_host_pattern(long_name));
  EXPECT_TRUE(parse_host_pattern("_dmarc.example.net"));
  EXPECT_TRUE(parse_host_pattern("localhost"));
}

TEST(HostPattern, FindsTheFirstMatchingPattern) {
  const std::vector<HostPattern> patterns{pattern("one.example"), pattern(".two.example")};
  EXPECT_EQ(find_host_match(patterns, "one.example"), &patterns[0]);
  EXPECT_EQ(find_host_match(patterns, "x.two.example"), &patterns[1]);
  EXPECT_EQ(find_host_match(patterns, "two.example"), nullptr);
  EXPECT_EQ(find_host_match({}, "one.example"), nullptr);
}

}  // namespace
}  // namespace authdiag::core
