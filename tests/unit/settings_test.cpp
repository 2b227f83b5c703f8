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
                    dir_sample.equalize_timing.has_value(),
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
      }
    } else {
      const ServerSettings unset;
      for (const auto& merged : {merge(unset, server_sample), merge(server_sample, unset),
                                 merge(server_parent, server_sample)}) {
        EXPECT_EQ(merged.trusted_clients, server_sample.trusted_clients);
        EXPECT_EQ(merged.log_target, server_sample.log_target);
        EXPECT_EQ(merged.log_user, server_sample.log_user);
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
  const ServerSettings server;
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
        BadValue{"AuthDiagLog", ""}, BadValue{"AuthDiagLogUser", "Sha256"}));

TEST(DefaultRealm, RefusesControlCharacters) {
  DirSettings dir;
  const std::string_view realm = "a\nb";
  EXPECT_TRUE(find_setting("AuthDiagDefaultRealm")->apply_dir(dir, std::span(&realm, 1)));
}

}  // namespace
}  // namespace authdiag::core
