// SPDX-License-Identifier: Apache-2.0
#include "core/reason.hpp"

#include <gtest/gtest.h>
#include <set>
#include <string>

namespace authdiag::core {
namespace {

TEST(ReasonTable, RowsAreInEnumOrderAndTokensRoundTrip) {
  for (std::size_t i = 0; i < kReasonTable.size(); ++i) {
    const auto& row = kReasonTable[i];
    EXPECT_EQ(static_cast<std::size_t>(row.reason), i) << row.token;
    EXPECT_EQ(&reason_info(row.reason), &row);
    EXPECT_EQ(reason_from_token(row.token), row.reason);
  }
  EXPECT_FALSE(reason_from_token("no_such_reason"));
}

TEST(ReasonTable, TokensAndMessageIdsAreUnique) {
  std::set<std::string_view> tokens;
  std::set<std::string_view> ids;
  for (const auto& row : kReasonTable) {
    EXPECT_TRUE(tokens.insert(row.token).second) << row.token;
    EXPECT_TRUE(ids.insert(row.message_id).second) << row.message_id;
    EXPECT_EQ(row.message_id.size(), 6u);
    EXPECT_TRUE(row.message_id.starts_with("AD01")) << row.message_id;
    EXPECT_FALSE(row.title.empty());
    EXPECT_FALSE(row.explanation.empty());
    EXPECT_FALSE(row.causes[0].empty()) << row.token;
    EXPECT_FALSE(row.remedies[0].empty()) << row.token;
  }
}

// The public names and substatus codes of module.md's table.
TEST(ReasonTable, MatchesTheSpecTable) {
  const std::pair<std::string_view, SubstatusCode> expected[] = {
      {"credentials_missing", 2},  {"scheme_unsupported", 2},    {"credentials_malformed", 1},
      {"user_unknown", 1},         {"password_mismatch", 1},     {"hash_unverifiable", 1},
      {"authz_denied", 3},         {"group_file_unreadable", 3}, {"module_denied", 4},
      {"application_denied", 5},   {"concurrent_limit", 501},    {"rate_limit", 502},
      {"failed_logon_limit", 502}, {"ip_denied", 503},           {"host_denied", 504},
  };
  for (const auto& [token, substatus] : expected) {
    auto reason = reason_from_token(token);
    ASSERT_TRUE(reason) << token;
    EXPECT_EQ(reason_info(*reason).substatus, substatus) << token;
    EXPECT_FALSE(reason_info(*reason).is_configuration_error) << token;
  }
  for (std::string_view token : {"user_file_missing", "user_file_unreadable", "authname_missing",
                                 "authtype_missing", "realm_invalid", "provider_error"}) {
    auto reason = reason_from_token(token);
    ASSERT_TRUE(reason) << token;
    EXPECT_TRUE(reason_info(*reason).is_configuration_error) << token;
    EXPECT_EQ(reason_info(*reason).substatus, 2) << token;  // answered as 401.2
  }
}

TEST(ReasonTable, OnlyTheChallengeStepLogsAtInfo) {
  for (const auto& row : kReasonTable) {
    EXPECT_EQ(row.level == LogLevel::Info, row.reason == Reason::CredentialsMissing) << row.token;
  }
}

TEST(FormatSubstatus, JoinsStatusAndSubstatus) {
  EXPECT_EQ(format_substatus(401, 1), "401.1");
  EXPECT_EQ(format_substatus(403, 503), "403.503");
}

}  // namespace
}  // namespace authdiag::core
