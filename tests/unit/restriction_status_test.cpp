// SPDX-License-Identifier: Apache-2.0
#include "core/restriction_status.hpp"

#include "support/json.hpp"

#include <gtest/gtest.h>
#include <string>

namespace authdiag::core {
namespace {

IpAddress ip(const char* text) { return parse_ip_address(text).value_or(IpAddress{}); }

RestrictionStatus sample() {
  RestrictionStatus status;
  status.time_us = 1'764'000'000'123'456;
  status.counting_since_us = 1'764'000'000'000'000;
  status.store = {"redis", "redis://127.0.0.1:6379 (down since \"now\")", false, 3};
  status.shared_memory = {131072, 4, 0};
  status.denials = {{Reason::RateLimit, 12, 1}, {Reason::FailedLogonLimit, 2, 0}};
  status.blocked = {{ip("192.0.2.7"), Reason::FailedLogonLimit, 59000},
                    {ip("2001:db8::1"), Reason::RateLimit, 250}};
  status.counters = {{rate_window({5, 1000}, ip("192.0.2.7"), 1'764'000'000'500).step.key, 6, 500},
                     {concurrency_step(ip("::1")).key, 2, 3'600'000}};
  status.counters_omitted = 7;
  DenyListStatus list;
  list.file = "/etc/apache2/deny \"list\".txt";
  list.entries = 100000;
  list.ipv4_ranges = 99000;
  list.ipv6_ranges = 1000;
  list.bytes = 824024;
  list.loaded_at_us = 1'764'000'000'000'000;
  list.load_time_us = 41000;
  list.malformed_lines = 1;
  status.deny_lists = {list};
  DenyListStatus broken;
  broken.file = "/missing";
  broken.error = "cannot read: No such file or directory";
  status.deny_lists.push_back(broken);
  return status;
}

TEST(RestrictionStatus, IsOneValidJsonObjectWithEverySection) {
  const std::string json = render_status_json(sample());
  ASSERT_TRUE(json.ends_with("}\n"));
  EXPECT_TRUE(test_json::is_valid_json_object(json)) << json;
  for (const char* member :
       {"\"time\":\"2025-11-24T16:00:00.123456Z\"", "\"store\":{\"type\":\"redis\"",
        "\"reachable\":false", "\"failures\":3", "\"slots\":131072", "\"in_use\":4",
        "\"rate_limit\":{\"denied\":12,\"logged_only\":1}",
        "{\"address\":\"192.0.2.7\",\"reason\":\"failed_logon_limit\",\"substatus\":\"401.502\","
        "\"time_left_ms\":59000}",
        "{\"kind\":\"rate\",\"address\":\"192.0.2.7\",\"value\":6,\"window_ms\":1000,"
        "\"expires_in_ms\":500}",
        "{\"kind\":\"conc\",\"address\":\"::1\",\"value\":2,\"expires_in_ms\":3600000}",
        "\"counters_omitted\":7", "\"entries\":100000", "\"malformed_lines\":1",
        "\"file\":\"/etc/apache2/deny \\\"list\\\".txt\"",
        "\"error\":\"cannot read: No such file or directory\""}) {
    EXPECT_NE(json.find(member), std::string::npos) << member << "\n" << json;
  }
}

TEST(RestrictionStatus, EmptyStatusIsStillValid) {
  const std::string json = render_status_json(RestrictionStatus{});
  EXPECT_TRUE(test_json::is_valid_json_object(json)) << json;
  EXPECT_NE(json.find("\"blocked\":[]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"deny_lists\":[]"), std::string::npos) << json;
}

}  // namespace
}  // namespace authdiag::core
