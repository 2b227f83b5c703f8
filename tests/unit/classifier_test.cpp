// SPDX-License-Identifier: Apache-2.0
#include "core/classifier.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace authdiag::core {
namespace {

struct Case {
  const char* name;
  Observation seen;
  std::vector<ProviderOutcome> providers;
  std::optional<Reason> expected;
};

Observation at(Phase phase, int status = 401) {
  Observation seen;
  seen.phase = phase;
  seen.status = status;
  return seen;
}

Observation with_credentials(Observation seen, CredentialsKind kind,
                             MalformedBasic malformed = MalformedBasic::None) {
  seen.credentials.kind = kind;
  seen.credentials.malformed = malformed;
  return seen;
}

Observation with_hash(Observation seen, const char* stored) {
  seen.stored_hash = identify_hash(stored);
  return seen;
}

Observation with_fault(Observation seen, ConfigFault fault) {
  seen.config_fault = fault;
  return seen;
}

Observation with_group_file_unreadable(Observation seen) {
  seen.group_file_unreadable = true;
  return seen;
}

const ProviderOutcome kFileNotFound{"file", ProviderResult::UserNotFound};
const ProviderOutcome kFileDenied{"file", ProviderResult::Denied};
const ProviderOutcome kDbmNotFound{"dbm", ProviderResult::UserNotFound};
const ProviderOutcome kDigestFound{"file", ProviderResult::UserFound};
const ProviderOutcome kFileError{"file", ProviderResult::GeneralError};

class Classify : public testing::TestWithParam<Case> {};

TEST_P(Classify, GivesTheReasonOfTheSpecTable) {
  auto seen = GetParam().seen;
  seen.providers = GetParam().providers;
  const auto result = classify(seen);
  ASSERT_EQ(result.has_value(), GetParam().expected.has_value());
  if (!result) return;
  EXPECT_EQ(reason_info(result->reason).token, reason_info(*GetParam().expected).token);
  EXPECT_FALSE(result->detail.empty());
  EXPECT_EQ(result->detail.back(), '.');
}

const Observation kBasicAuthn = with_credentials(at(Phase::Authn), CredentialsKind::Basic);

INSTANTIATE_TEST_SUITE_P(
    SpecTable, Classify,
    testing::Values(
        Case{"no_credentials", at(Phase::Authn), {}, Reason::CredentialsMissing},
        Case{"bearer",
             with_credentials(at(Phase::Authn), CredentialsKind::OtherScheme),
             {},
             Reason::SchemeUnsupported},
        Case{"bad_base64",
             with_credentials(at(Phase::Authn), CredentialsKind::Malformed,
                              MalformedBasic::InvalidBase64),
             {kFileNotFound},
             Reason::CredentialsMalformed},
        Case{"unknown_user", kBasicAuthn, {kFileNotFound}, Reason::UserUnknown},
        Case{"unknown_in_every_provider",
             kBasicAuthn,
             {kFileNotFound, kDbmNotFound},
             Reason::UserUnknown},
        Case{"found_in_second_provider",
             kBasicAuthn,
             {kDbmNotFound, kFileDenied},
             Reason::PasswordMismatch},
        Case{"wrong_password_bcrypt",
             with_hash(kBasicAuthn, "$2y$10$tjrctN7Wq1b2bF0qj6m2Xe8mJ3kC1yqvYx0Ff3HjN8nQeQp5Yk9aS"),
             {kFileDenied},
             Reason::PasswordMismatch},
        Case{"wrong_password_no_hash_seen", kBasicAuthn, {kFileDenied}, Reason::PasswordMismatch},
        Case{"plaintext_entry",
             with_hash(kBasicAuthn, "secret"),
             {kFileDenied},
             Reason::HashUnverifiable},
        Case{"digest_user_found", kBasicAuthn, {kDigestFound}, Reason::PasswordMismatch},
        Case{"require_user", at(Phase::Authz), {}, Reason::AuthzDenied},
        Case{"group_file_missing",
             with_group_file_unreadable(at(Phase::Authz)),
             {},
             Reason::GroupFileUnreadable},
        Case{"rewrite_in_server_context", at(Phase::BeforeAuth), {}, Reason::ModuleDenied},
        Case{"rewrite_in_htaccess", at(Phase::AfterAuth), {}, Reason::ModuleDenied},
        Case{"cgi", at(Phase::Handler), {}, Reason::ApplicationDenied},
        Case{"anonymous_with_missing_user_file",
             with_fault(at(Phase::Authn), ConfigFault::UserFileMissing),
             {},
             Reason::UserFileMissing},
        Case{"user_file_unreadable_500",
             with_fault(at(Phase::Authn, 500), ConfigFault::UserFileUnreadable),
             {kFileError},
             Reason::UserFileUnreadable},
        Case{"authname_missing_500",
             with_fault(at(Phase::Authn, 500), ConfigFault::AuthnameMissing),
             {},
             Reason::AuthnameMissing},
        Case{"authtype_missing_as_401",
             with_fault(at(Phase::Authn), ConfigFault::AuthtypeMissing),
             {},
             Reason::AuthtypeMissing},
        Case{"realm_guard",
             with_fault(at(Phase::BeforeAuth, 500), ConfigFault::RealmInvalid),
             {},
             Reason::RealmInvalid},
        Case{"provider_failed", at(Phase::Authn, 500), {kFileError}, Reason::ProviderError},
        // Not the module's business: a 500 from a handler, a 403, a 200.
        Case{"handler_500", at(Phase::Handler, 500), {}, std::nullopt},
        Case{"forbidden", at(Phase::Authz, 403), {}, std::nullopt},
        Case{"ok", at(Phase::Handler, 200), {}, std::nullopt},
        Case{"fault_on_403",
             with_fault(at(Phase::Authn, 403), ConfigFault::UserFileMissing),
             {},
             std::nullopt}),
    [](const testing::TestParamInfo<Case>& case_info) {
      return std::string(case_info.param.name);
    });

TEST(ClassifyHandler, SuggestsCgiPassAuthWhenCredentialsWereWithheld) {
  auto seen = with_credentials(at(Phase::Handler), CredentialsKind::Basic);
  seen.handler_is_cgi = true;
  auto result = classify(seen);
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->hint);
  EXPECT_NE(result->hint->find("CGIPassAuth On"), std::string::npos);

  seen.cgi_passes_auth = true;
  result = classify(seen);
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->hint);
  EXPECT_EQ(result->hint->find("CGIPassAuth"), std::string::npos) << *result->hint;
}

TEST(Classify, EveryClassificationCarriesAHintFromItsReasonWithoutAFindingOfItsOwn) {
  auto seen = with_hash(kBasicAuthn, "$apr1$F9IvHS41$hW6f0pY4dZ9k3j2B1a0c/.");
  const std::vector<ProviderOutcome> providers{kFileDenied};
  seen.providers = providers;
  const auto result = classify(seen);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->reason, Reason::PasswordMismatch);
  ASSERT_TRUE(result->hint);
  EXPECT_EQ(*result->hint, reason_info(Reason::PasswordMismatch).remedies.front());
}

TEST(Classify, UserFileFaultsCarryTheChildsAccountOfTheFailure) {
  Observation seen = at(Phase::Authn);
  seen.status = 500;
  seen.config_fault = ConfigFault::UserFileUnreadable;
  seen.user_file_problem = "open() as uid 33 failed: Permission denied (errno 13)";
  const auto result = classify(seen);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->reason, Reason::UserFileUnreadable);
  EXPECT_NE(result->detail.find("(open() as uid 33 failed: Permission denied (errno 13))."),
            std::string::npos)
      << result->detail;

  seen.user_file_problem.reset();
  EXPECT_EQ(classify(seen)->detail, reason_info(Reason::UserFileUnreadable).explanation);
}

TEST(ClassifyAuthentication, NamesTheHashSchemeOfAMismatch) {
  auto seen = with_hash(kBasicAuthn, "$apr1$F9IvHS41$hW6f0pY4dZ9k3j2B1a0c/.");
  const std::vector<ProviderOutcome> providers{kFileDenied};
  seen.providers = providers;
  const auto result = classify(seen);
  ASSERT_TRUE(result);
  EXPECT_NE(result->detail.find("apr1"), std::string::npos);
}

}  // namespace
}  // namespace authdiag::core
