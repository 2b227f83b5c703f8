// SPDX-License-Identifier: Apache-2.0
#include "core/settings.hpp"

#include <gtest/gtest.h>
#include <set>
#include <string>

namespace authdiag::core {
namespace {

// Applies `args` through the row to a fresh settings pair; returns the error, if any.
ParseError apply(const SettingSpec& spec, DirSettings& dir, ServerSettings& server,
                 std::string_view args) {
  const auto words = split_arguments(args);
  return spec.apply_dir ? spec.apply_dir(dir, words) : spec.apply_server(server, words);
}

TEST(SettingSpecs, EveryRowIsComplete) {
  std::set<std::string_view> names;
  for (const auto& spec : setting_specs()) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    EXPECT_TRUE(std::string_view(spec.name).starts_with("AuthDiag")) << spec.name;
    EXPECT_NE(spec.apply_dir == nullptr, spec.apply_server == nullptr) << spec.name;
    EXPECT_EQ(spec.apply_server != nullptr, spec.scope == SettingScope::ServerOnly) << spec.name;
    EXPECT_FALSE(std::string_view(spec.help).empty()) << spec.name;
    EXPECT_FALSE(std::string_view(spec.default_value).empty()) << spec.name;
    EXPECT_EQ(find_setting(spec.name), &spec);
  }
  EXPECT_EQ(find_setting("authdiagerrormode"), find_setting("AuthDiagErrorMode"));
  EXPECT_EQ(find_setting("AuthName"), nullptr);
}

// The contexts of module.md's directive table.
TEST(SettingSpecs, ScopesMatchTheSpec) {
  const std::pair<const char*, SettingScope> expected[] = {
      {"AuthDiag", SettingScope::Anywhere},
      {"AuthDiagErrorMode", SettingScope::ServerAndDirectory},
      {"AuthDiagTrustedClients", SettingScope::ServerOnly},
      {"AuthDiagCharset", SettingScope::Anywhere},
      {"AuthDiagRepairChallenge", SettingScope::Anywhere},
      {"AuthDiagDefaultRealm", SettingScope::Anywhere},
      {"AuthDiagConfigErrorStatus", SettingScope::Anywhere},
      {"AuthDiagEqualizeTiming", SettingScope::ServerAndDirectory},
      {"AuthDiagLog", SettingScope::ServerOnly},
      {"AuthDiagLogUser", SettingScope::ServerOnly},
      {"AuthDiagMaxConcurrentRequests", SettingScope::ServerAndDirectory},
      {"AuthDiagMaxRequestRate", SettingScope::ServerAndDirectory},
      {"AuthDiagMaxFailedLogons", SettingScope::ServerAndDirectory},
      {"AuthDiagDenyIP", SettingScope::Anywhere},
      {"AuthDiagDenyIPFile", SettingScope::ServerAndDirectory},
      {"AuthDiagDenyHost", SettingScope::ServerAndDirectory},
      {"AuthDiagAllowIP", SettingScope::ServerOnly},
      {"AuthDiagDenyAction", SettingScope::ServerAndDirectory},
      {"AuthDiagLoggingOnly", SettingScope::ServerAndDirectory},
      {"AuthDiagSharedStore", SettingScope::ServerOnly},
  };
  for (const auto& [name, scope] : expected) {
    const auto* spec = find_setting(name);
    ASSERT_NE(spec, nullptr) << name;
    EXPECT_EQ(spec->scope, scope) << name;
  }
  EXPECT_EQ(setting_specs().size(), std::size(expected));
}

// For every directive: the sample is valid and differs from the default; set only on the child it
// survives the merge, set only on the parent it is inherited, set on both the child wins.
TEST(SettingSpecs, SampleMergesChildOverParentForEveryRow) {
  for (const auto& spec : setting_specs()) {
    SCOPED_TRACE(spec.name);
    ASSERT_NE(spec.sample, spec.default_value);
    DirSettings dir_sample;
    ServerSettings server_sample;
    ASSERT_FALSE(apply(spec, dir_sample, server_sample, spec.sample));
    // The parent holds the documented default where it is an argument ("(none)" is not).
    DirSettings dir_parent;
    ServerSettings server_parent;
    const bool default_is_argument = std::string_view(spec.default_value) != "(none)";
    if (default_is_argument) {
      ASSERT_FALSE(apply(spec, dir_parent, server_parent, spec.default_value));
    }
    if (spec.apply_dir) {
      const DirSettings unset;
      ASSERT_NE(dir_sample.enabled.has_value() + dir_sample.error_mode.has_value() +
                    dir_sample.charset.has_value() + dir_sample.repair_challenge.has_value() +
                    dir_sample.default_realm.has_value() +
                    dir_sample.config_error_status.has_value() +
                    dir_sample.equalize_timing.has_value() + dir_sample.max_concurrent.has_value() +
                    dir_sample.max_request_rate.has_value() +
                    dir_sample.max_failed_logons.has_value() + dir_sample.deny_ip.has_value() +
                    dir_sample.deny_ip_files.has_value() + dir_sample.deny_hosts.has_value() +
                    dir_sample.deny_action.has_value() + dir_sample.logging_only.has_value(),
                0);
      for (const auto& merged :
           {merge(unset, dir_sample), merge(dir_sample, unset), merge(dir_parent, dir_sample)}) {
        EXPECT_EQ(merged.enabled, dir_sample.enabled);
        EXPECT_EQ(merged.error_mode, dir_sample.error_mode);
        EXPECT_EQ(merged.charset, dir_sample.charset);
        EXPECT_EQ(merged.repair_challenge, dir_sample.repair_challenge);
        EXPECT_EQ(merged.default_realm, dir_sample.default_realm);
        EXPECT_EQ(merged.config_error_status, dir_sample.config_error_status);
        EXPECT_EQ(merged.equalize_timing, dir_sample.equalize_timing);
        EXPECT_EQ(merged.max_concurrent, dir_sample.max_concurrent);
        EXPECT_EQ(merged.max_request_rate, dir_sample.max_request_rate);
        EXPECT_EQ(merged.max_failed_logons, dir_sample.max_failed_logons);
        EXPECT_EQ(merged.deny_ip, dir_sample.deny_ip);
        EXPECT_EQ(merged.deny_ip_files, dir_sample.deny_ip_files);
        EXPECT_EQ(merged.deny_hosts, dir_sample.deny_hosts);
        EXPECT_EQ(merged.deny_action, dir_sample.deny_action);
        EXPECT_EQ(merged.logging_only, dir_sample.logging_only);
      }
    } else {
      const ServerSettings unset;
      for (const auto& merged : {merge(unset, server_sample), merge(server_sample, unset),
                                 merge(server_parent, server_sample)}) {
        EXPECT_EQ(merged.trusted_clients, server_sample.trusted_clients);
        EXPECT_EQ(merged.log_target, server_sample.log_target);
        EXPECT_EQ(merged.log_user, server_sample.log_user);
        EXPECT_EQ(merged.allow_ip, server_sample.allow_ip);
        EXPECT_EQ(merged.shared_store.has_value(), server_sample.shared_store.has_value());
        if (merged.shared_store && server_sample.shared_store) {
          EXPECT_EQ(merged.shared_store->text, server_sample.shared_store->text);
        }
      }
    }
  }
}

TEST(DirSettings, DefaultsAreTheDocumentedOnes) {
  const DirSettings unset;
  EXPECT_TRUE(unset.is_enabled());
  EXPECT_EQ(unset.effective_error_mode(), ErrorMode::DetailedLocalOnly);
  EXPECT_TRUE(unset.adds_charset());
  EXPECT_TRUE(unset.repairs_challenge());
  EXPECT_EQ(unset.effective_default_realm(), "Restricted");
  EXPECT_EQ(unset.effective_config_error_status(), 500);
  EXPECT_TRUE(unset.equalizes_timing());
  EXPECT_EQ(unset.effective_deny_action(), DenyAction::Unauthorized);
  EXPECT_FALSE(unset.is_logging_only());
  EXPECT_FALSE(unset.restricts_requests());
  const ServerSettings server;
  EXPECT_TRUE(server.effective_allow_ip().empty());
  EXPECT_EQ(server.effective_shared_store().kind, StoreKind::Shm);
  EXPECT_EQ(server.effective_log_user(), LogUserMode::Plain);
  EXPECT_TRUE(is_trusted("127.0.0.1", server.effective_trusted_clients()));
  EXPECT_TRUE(is_trusted("127.255.1.2", server.effective_trusted_clients()));
  EXPECT_TRUE(is_trusted("::1", server.effective_trusted_clients()));
  EXPECT_FALSE(is_trusted("192.0.2.1", server.effective_trusted_clients()));
  EXPECT_FALSE(is_trusted("not an address", server.effective_trusted_clients()));
}

TEST(DirSettings, ValuesAreCaseInsensitiveLikeHttpdKeywords) {
  DirSettings dir;
  ServerSettings server;
  ASSERT_FALSE(apply(*find_setting("AuthDiag"), dir, server, "off"));
  EXPECT_FALSE(dir.is_enabled());
  ASSERT_FALSE(apply(*find_setting("AuthDiagErrorMode"), dir, server, "detailed"));
  EXPECT_EQ(dir.effective_error_mode(), ErrorMode::Detailed);
  ASSERT_FALSE(apply(*find_setting("AuthDiagCharset"), dir, server, "utf-8"));
  EXPECT_TRUE(dir.adds_charset());
  ASSERT_FALSE(apply(*find_setting("AuthDiagConfigErrorStatus"), dir, server, "401"));
  EXPECT_EQ(dir.effective_config_error_status(), 401);
}

TEST(ServerSettings, TrustedClientsNoneTrustsNobody) {
  DirSettings dir;
  ServerSettings server;
  ASSERT_FALSE(apply(*find_setting("AuthDiagTrustedClients"), dir, server, "none"));
  EXPECT_FALSE(is_trusted("127.0.0.1", server.effective_trusted_clients()));
  ASSERT_FALSE(apply(*find_setting("AuthDiagTrustedClients"), dir, server, "10.0.0.0/8 ::1"));
  EXPECT_TRUE(is_trusted("10.1.2.3", server.effective_trusted_clients()));
  EXPECT_FALSE(is_trusted("127.0.0.1", server.effective_trusted_clients()));
}

struct BadValue {
  const char* directive;
  const char* args;
};

class BadArguments : public testing::TestWithParam<BadValue> {};

// Every bad argument is refused with a message naming the directive and the value.
TEST_P(BadArguments, AreRefusedNamingDirectiveAndValue) {
  const auto& [directive, args] = GetParam();
  DirSettings dir;
  ServerSettings server;
  const auto error = apply(*find_setting(directive), dir, server, args);
  ASSERT_TRUE(error) << directive << " " << args;
  EXPECT_NE(error->find(directive), std::string::npos) << *error;
  const auto words = split_arguments(args);
  if (words.size() == 1) {
    EXPECT_NE(error->find(words[0]), std::string::npos) << *error;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllDirectives, BadArguments,
    testing::Values(
        BadValue{"AuthDiag", "Maybe"}, BadValue{"AuthDiag", "On Off"},
        BadValue{"AuthDiagErrorMode", "Verbose"}, BadValue{"AuthDiagTrustedClients", "10.0.0.1/33"},
        BadValue{"AuthDiagTrustedClients", "192.0.2.1/24"},
        BadValue{"AuthDiagTrustedClients", "localhost"}, BadValue{"AuthDiagTrustedClients", ""},
        BadValue{"AuthDiagCharset", "latin1"}, BadValue{"AuthDiagRepairChallenge", "yes"},
        BadValue{"AuthDiagDefaultRealm", ""}, BadValue{"AuthDiagConfigErrorStatus", "403"},
        BadValue{"AuthDiagEqualizeTiming", "1"}, BadValue{"AuthDiagLog", "|"},
        BadValue{"AuthDiagLog", ""}, BadValue{"AuthDiagLogUser", "Sha256"},
        BadValue{"AuthDiagMaxConcurrentRequests", "0"},
        BadValue{"AuthDiagMaxConcurrentRequests", "-3"},
        BadValue{"AuthDiagMaxConcurrentRequests", "ten"},
        BadValue{"AuthDiagMaxConcurrentRequests", "5 6"}, BadValue{"AuthDiagMaxRequestRate", "20"},
        BadValue{"AuthDiagMaxRequestRate", "20 0"}, BadValue{"AuthDiagMaxRequestRate", "x 1000"},
        BadValue{"AuthDiagMaxRequestRate", "20 86400001"}, BadValue{"AuthDiagMaxFailedLogons", "5"},
        BadValue{"AuthDiagMaxFailedLogons", "5 60 0"}, BadValue{"AuthDiagMaxFailedLogons", "0 60"},
        BadValue{"AuthDiagMaxFailedLogons", "5 60 300 9"},
        BadValue{"AuthDiagDenyIP", "192.0.2.1/24"}, BadValue{"AuthDiagDenyIP", "example.com"},
        BadValue{"AuthDiagDenyIP", ""}, BadValue{"AuthDiagDenyIPFile", ""},
        BadValue{"AuthDiagDenyIPFile", "a b"}, BadValue{"AuthDiagDenyHost", "*.example.com"},
        BadValue{"AuthDiagDenyHost", ""}, BadValue{"AuthDiagAllowIP", "10.0.0.1/33"},
        BadValue{"AuthDiagAllowIP", ""}, BadValue{"AuthDiagDenyAction", "Drop"},
        BadValue{"AuthDiagLoggingOnly", "yes"}, BadValue{"AuthDiagSharedStore", "file"},
        BadValue{"AuthDiagSharedStore", "redis://127.0.0.1:6379 0"},
        BadValue{"AuthDiagSharedStore", ""}));

// Lines of one scope add up; a child scope keeps its parents' deny entries and adds its own.
TEST(DirSettings, DenyListsAddUpWhileLimitsAreOverridden) {
  DirSettings parent;
  ServerSettings server;
  ASSERT_FALSE(apply(*find_setting("AuthDiagDenyIP"), parent, server, "192.0.2.0/24"));
  ASSERT_FALSE(apply(*find_setting("AuthDiagDenyIP"), parent, server, "198.51.100.7"));
  ASSERT_FALSE(apply(*find_setting("AuthDiagDenyIPFile"), parent, server, "conf/a.txt"));
  ASSERT_FALSE(apply(*find_setting("AuthDiagMaxRequestRate"), parent, server, "10 1000"));
  ASSERT_FALSE(apply(*find_setting("AuthDiagDenyHost"), parent, server, "bad.example"));
  ASSERT_EQ(parent.deny_ip->size(), 2u);
  DirSettings child;
  ASSERT_FALSE(apply(*find_setting("AuthDiagDenyIP"), child, server, "2001:db8::/32 192.0.2.0/24"));
  ASSERT_FALSE(apply(*find_setting("AuthDiagDenyIPFile"), child, server, "conf/b.txt"));
  ASSERT_FALSE(apply(*find_setting("AuthDiagDenyIPFile"), child, server, "conf/a.txt"));
  ASSERT_FALSE(apply(*find_setting("AuthDiagMaxRequestRate"), child, server, "50 200"));
  const auto merged = merge(parent, child);
  ASSERT_TRUE(merged.deny_ip);
  EXPECT_EQ(merged.deny_ip->size(), 3u);  // 192.0.2.0/24 only once
  EXPECT_EQ(*merged.deny_ip_files, (std::vector<std::string>{"conf/a.txt", "conf/b.txt"}));
  EXPECT_EQ(merged.deny_hosts->size(), 1u);
  EXPECT_EQ(merged.max_request_rate, (RateLimitSpec{50, 200}));
  EXPECT_TRUE(merged.restricts_requests());
}

TEST(DirSettings, FailedLogonLockoutDefaultsToTheWindow) {
  DirSettings dir;
  ServerSettings server;
  ASSERT_FALSE(apply(*find_setting("AuthDiagMaxFailedLogons"), dir, server, "5 60"));
  EXPECT_EQ(dir.max_failed_logons, (FailedLogonSpec{5, 60, 60}));
  ASSERT_FALSE(apply(*find_setting("AuthDiagMaxFailedLogons"), dir, server, "3 10 900"));
  EXPECT_EQ(dir.max_failed_logons, (FailedLogonSpec{3, 10, 900}));
  ASSERT_FALSE(apply(*find_setting("AuthDiagDenyAction"), dir, server, "toomanyrequests"));
  EXPECT_EQ(dir.effective_deny_action(), DenyAction::TooManyRequests);
}

TEST(ServerSettings, AllowIPAddsUpAndTheStoreIsParsed) {
  DirSettings dir;
  ServerSettings parent;
  ServerSettings child;
  ASSERT_FALSE(apply(*find_setting("AuthDiagAllowIP"), dir, parent, "10.0.0.0/8"));
  ASSERT_FALSE(apply(*find_setting("AuthDiagAllowIP"), dir, child, "::1"));
  ASSERT_FALSE(
      apply(*find_setting("AuthDiagSharedStore"), dir, child, "memcache://[::1]:11311 20"));
  const auto merged = merge(parent, child);
  EXPECT_EQ(merged.effective_allow_ip().size(), 2u);
  EXPECT_EQ(merged.effective_shared_store().kind, StoreKind::Memcache);
  EXPECT_EQ(merged.effective_shared_store().port, 11311);
  EXPECT_EQ(merged.effective_shared_store().timeout.count(), 20);
}

TEST(DefaultRealm, RefusesControlCharacters) {
  DirSettings dir;
  const std::string_view realm = "a\nb";
  EXPECT_TRUE(find_setting("AuthDiagDefaultRealm")->apply_dir(dir, std::span(&realm, 1)));
}

}  // namespace
}  // namespace authdiag::core
