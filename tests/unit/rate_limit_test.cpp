// SPDX-License-Identifier: Apache-2.0
#include "core/rate_limit.hpp"

#include <gtest/gtest.h>
#include <string>

namespace authdiag::core {
namespace {

IpAddress ip(const char* text) {
  auto address = parse_ip_address(text);
  EXPECT_TRUE(address) << text;
  return address.value_or(IpAddress{});
}

TEST(RateWindow, IsAFixedWindowWithItsOwnKey) {
  const RateLimitSpec spec{20, 1000};
  const auto first = rate_window(spec, ip("192.0.2.7"), 5'000'250);
  EXPECT_EQ(first.step.key.kind, CounterKind::Rate);
  EXPECT_EQ(first.step.key.window_ms, 1000u);
  EXPECT_EQ(first.step.key.window_index, 5000u);
  EXPECT_EQ(first.ends_ms, 5'001'000u);
  EXPECT_EQ(first.step.ttl.count(), 750);
  // Same window until its last millisecond, a new key from the next.
  EXPECT_EQ(rate_window(spec, ip("192.0.2.7"), 5'000'999).step.key, first.step.key);
  const auto next = rate_window(spec, ip("192.0.2.7"), 5'001'000);
  EXPECT_NE(next.step.key, first.step.key);
  EXPECT_EQ(next.step.ttl.count(), 1000);
  // Another address, another counter.
  EXPECT_NE(rate_window(spec, ip("192.0.2.8"), 5'000'250).step.key, first.step.key);
}

TEST(Limits, ALimitOfNAdmitsNAndRefusesFromNPlusOne) {
  EXPECT_FALSE(exceeds(1, 3));
  EXPECT_FALSE(exceeds(3, 3));
  EXPECT_TRUE(exceeds(4, 3));
  EXPECT_FALSE(exceeds(0, 0));
  EXPECT_FALSE(exceeds(-1, 0));
}

TEST(FailedLogons, TheNthFailureStartsTheLockoutAndLaterOnesAreOverTheLimit) {
  const FailedLogonSpec spec{3, 60, 300};
  EXPECT_FALSE(after_failure(spec, 2).starts_lockout);
  EXPECT_FALSE(after_failure(spec, 2).over_limit);
  EXPECT_TRUE(after_failure(spec, 3).starts_lockout);
  EXPECT_FALSE(after_failure(spec, 3).over_limit);
  EXPECT_FALSE(after_failure(spec, 4).starts_lockout);
  EXPECT_TRUE(after_failure(spec, 4).over_limit);
  const auto step = failure_step(spec, ip("2001:db8::1"));
  EXPECT_EQ(step.key.kind, CounterKind::Failures);
  EXPECT_EQ(step.ttl.count(), 60000);
  EXPECT_EQ(lockout_duration(spec).count(), 300000);
  EXPECT_EQ(lockout_duration(FailedLogonSpec{3, 60, 0}).count(), 60000);
}

TEST(FailedLogons, OnlyLogonFailuresCount) {
  EXPECT_TRUE(counts_as_failed_logon(Reason::PasswordMismatch));
  EXPECT_TRUE(counts_as_failed_logon(Reason::UserUnknown));
  EXPECT_TRUE(counts_as_failed_logon(Reason::CredentialsMalformed));
  EXPECT_TRUE(counts_as_failed_logon(Reason::HashUnverifiable));
  for (const auto& row : kReasonTable) {
    EXPECT_EQ(counts_as_failed_logon(row.reason), row.substatus == 1 && !row.is_configuration_error)
        << row.token;
  }
}

TEST(RetryAfter, RoundsUpToWholeSecondsAndIsNeverZero) {
  EXPECT_EQ(retry_after_seconds(0), 1u);
  EXPECT_EQ(retry_after_seconds(1), 1u);
  EXPECT_EQ(retry_after_seconds(1000), 1u);
  EXPECT_EQ(retry_after_seconds(1001), 2u);
  EXPECT_EQ(retry_after_seconds(299'500), 300u);
}

TEST(DenyStatus, FollowsTheDenyAction) {
  EXPECT_EQ(deny_status(DenyAction::Unauthorized), 401);
  EXPECT_EQ(deny_status(DenyAction::Forbidden), 403);
  EXPECT_EQ(deny_status(DenyAction::NotFound), 404);
  EXPECT_EQ(deny_status(DenyAction::TooManyRequests), 429);
  EXPECT_EQ(deny_status(DenyAction::Abort), 403);
}

TEST(StoreKey, IsReadableAndRoundTrips) {
  const auto rate = rate_window(RateLimitSpec{5, 200}, ip("192.0.2.7"), 1'000'000'100).step.key;
  EXPECT_EQ(store_key(rate), "rate/200/5000000/192.0.2.7");
  EXPECT_EQ(store_key(failure_step(FailedLogonSpec{5, 60, 60}, ip("2001:db8::1")).key),
            "fail/60000/2001:db8::1");
  EXPECT_EQ(store_key(lockout_key(ip("192.0.2.7"))), "lock/192.0.2.7");
  EXPECT_EQ(store_key(concurrency_step(ip("::1")).key), "conc/::1");
  EXPECT_EQ(store_key(blocked_key(ip("192.0.2.7"))), "block/192.0.2.7");
  for (const auto& key : {rate, failure_step(FailedLogonSpec{5, 60, 60}, ip("2001:db8::1")).key,
                          lockout_key(ip("192.0.2.7")), concurrency_step(ip("::ffff:10.0.0.1")).key,
                          blocked_key(ip("fe80::1"))}) {
    const auto parsed = parse_store_key(store_key(key));
    ASSERT_TRUE(parsed) << store_key(key);
    EXPECT_EQ(*parsed, key) << store_key(key);
  }
}

TEST(StoreKey, RefusesOtherTexts) {
  for (const char* bad : {"", "rate", "rate/1000/5/", "rate/0/5/192.0.2.1", "rate/x/5/192.0.2.1",
                          "rate/1000/05/192.0.2.1", "lock/192.0.2.1/24", "lock/2001:DB8::1",
                          "lock/2001:db8:0::1", "nope/192.0.2.1", "fail/60000/5/192.0.2.1"}) {
    EXPECT_FALSE(parse_store_key(bad)) << bad;
  }
}

}  // namespace
}  // namespace authdiag::core
