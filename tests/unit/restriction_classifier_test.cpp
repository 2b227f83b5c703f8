// SPDX-License-Identifier: Apache-2.0
// Restriction denials go through the classifier like every other denial: the hit decides the
// reason whatever the status (401, 403, 404, 429, or the status of a logging-only request).
#include "core/classifier.hpp"

#include <gtest/gtest.h>
#include <string>

namespace authdiag::core {
namespace {

Observation restricted(int status, RestrictionHit hit) {
  Observation seen;
  seen.status = status;
  seen.phase = Phase::Access;
  seen.restriction = hit;
  return seen;
}

TEST(ClassifyRestriction, TheHitDecidesTheReasonForAnyStatus) {
  for (const Reason reason : {Reason::ConcurrentLimit, Reason::RateLimit, Reason::FailedLogonLimit,
                              Reason::IpDenied, Reason::HostDenied}) {
    for (const int status : {401, 403, 404, 429, 200}) {
      RestrictionHit hit;
      hit.reason = reason;
      const auto result = classify(restricted(status, hit));
      ASSERT_TRUE(result) << status;
      EXPECT_EQ(result->reason, reason) << status;
      EXPECT_FALSE(result->detail.empty());
    }
  }
}

TEST(ClassifyRestriction, TheDetailNamesCounterLimitAndWindow) {
  RestrictionHit hit;
  hit.reason = Reason::RateLimit;
  hit.counter = 21;
  hit.limit = 20;
  hit.window_ms = 1000;
  const auto rate = classify(restricted(429, hit));
  ASSERT_TRUE(rate);
  EXPECT_NE(rate->detail.find("21 requests within 1000 ms"), std::string::npos) << rate->detail;
  EXPECT_NE(rate->detail.find("allows 20"), std::string::npos) << rate->detail;
  hit.reason = Reason::ConcurrentLimit;
  hit.counter = 6;
  hit.limit = 5;
  const auto concurrent = classify(restricted(401, hit));
  EXPECT_NE(concurrent->detail.find("6 requests in flight"), std::string::npos)
      << concurrent->detail;
}

TEST(ClassifyRestriction, LoggingOnlySaysTheRequestWentOn) {
  RestrictionHit hit;
  hit.reason = Reason::IpDenied;
  hit.enforced = false;
  const auto result = classify(restricted(200, hit));
  ASSERT_TRUE(result);
  EXPECT_NE(result->detail.find("AuthDiagLoggingOnly"), std::string::npos);
  hit.enforced = true;
  EXPECT_EQ(classify(restricted(200, hit))->detail.find("AuthDiagLoggingOnly"), std::string::npos);
}

TEST(ClassifyRestriction, WithoutAHitA403IsNotADenial) {
  Observation seen;
  seen.status = 403;
  seen.phase = Phase::Access;
  EXPECT_FALSE(classify(seen));
}

}  // namespace
}  // namespace authdiag::core
