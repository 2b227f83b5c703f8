// SPDX-License-Identifier: Apache-2.0
#include "core/settings.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace authdiag::core {

namespace {

// 127.0.0.0/8 (as ::ffff:127.0.0.0/104) and ::1/128.
constexpr std::array<CidrRange, 2> kDefaultTrustedClients{{
    {IpAddress{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 0}}, 104},
    {IpAddress{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}, 128},
}};

std::string quoted(std::string_view value) { return "'" + std::string(value) + "'"; }

ParseError expect_one(const char* name, Arguments args) {
  if (args.size() == 1) return std::nullopt;
  return std::string(name) + " takes one argument, " + std::to_string(args.size()) + " given";
}

// Matches `value` case-insensitively against `choices`; returns its index.
template <std::size_t N>
std::optional<std::size_t> pick(std::string_view value,
                                const std::array<std::string_view, N>& choices) {
  for (std::size_t i = 0; i < N; ++i) {
    if (iequals(value, choices[i])) return i;
  }
  return std::nullopt;
}

template <std::size_t N>
std::string not_one_of(const char* name, std::string_view value,
                       const std::array<std::string_view, N>& choices) {
  std::string allowed;
  for (auto choice : choices) {
    if (!allowed.empty()) allowed += ", ";
    allowed += choice;
  }
  return std::string(name) + ": " + quoted(value) + " is not one of " + allowed;
}

constexpr std::array<std::string_view, 2> kOnOff{"On", "Off"};

ParseError parse_on_off(const char* name, Arguments args, std::optional<bool>& out) {
  if (auto error = expect_one(name, args)) return error;
  auto index = pick(args[0], kOnOff);
  if (!index) return not_one_of(name, args[0], kOnOff);
  out = *index == 0;
  return std::nullopt;
}

ParseError apply_enabled(DirSettings& s, Arguments args) {
  return parse_on_off("AuthDiag", args, s.enabled);
}

ParseError apply_error_mode(DirSettings& s, Arguments args) {
  static constexpr std::array<std::string_view, 3> kModes{"DetailedLocalOnly", "Custom",
                                                          "Detailed"};
  if (auto error = expect_one("AuthDiagErrorMode", args)) return error;
  auto index = pick(args[0], kModes);
  if (!index) return not_one_of("AuthDiagErrorMode", args[0], kModes);
  s.error_mode = static_cast<ErrorMode>(*index);
  return std::nullopt;
}

ParseError apply_charset(DirSettings& s, Arguments args) {
  static constexpr std::array<std::string_view, 2> kCharsets{"UTF-8", "Off"};
  if (auto error = expect_one("AuthDiagCharset", args)) return error;
  auto index = pick(args[0], kCharsets);
  if (!index) return not_one_of("AuthDiagCharset", args[0], kCharsets);
  s.charset = *index == 0;
  return std::nullopt;
}

ParseError apply_repair(DirSettings& s, Arguments args) {
  return parse_on_off("AuthDiagRepairChallenge", args, s.repair_challenge);
}

ParseError apply_default_realm(DirSettings& s, Arguments args) {
  if (auto error = expect_one("AuthDiagDefaultRealm", args)) return error;
  auto realm = args[0];
  if (realm.empty()) return std::string("AuthDiagDefaultRealm: the realm must not be empty");
  if (std::any_of(realm.begin(), realm.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return "AuthDiagDefaultRealm: " + quoted(realm) + " contains control characters";
  }
  s.default_realm = std::string(realm);
  return std::nullopt;
}

ParseError apply_config_error_status(DirSettings& s, Arguments args) {
  if (auto error = expect_one("AuthDiagConfigErrorStatus", args)) return error;
  if (args[0] == "500" || args[0] == "401") {
    s.config_error_status = args[0] == "500" ? 500 : 401;
    return std::nullopt;
  }
  return "AuthDiagConfigErrorStatus: " + quoted(args[0]) + " is not one of 500, 401";
}

ParseError apply_equalize_timing(DirSettings& s, Arguments args) {
  return parse_on_off("AuthDiagEqualizeTiming", args, s.equalize_timing);
}

ParseError apply_trusted_clients(ServerSettings& s, Arguments args) {
  if (args.empty()) return std::string("AuthDiagTrustedClients needs CIDR ranges or 'none'");
  std::vector<CidrRange> ranges;
  if (args.size() == 1 && iequals(args[0], "none")) {
    s.trusted_clients = std::move(ranges);
    return std::nullopt;
  }
  for (auto arg : args) {
    auto range = parse_cidr(arg);
    if (!range) {
      return "AuthDiagTrustedClients: " + quoted(arg) +
             " is not an IPv4/IPv6 address or CIDR range (or 'none' alone)";
    }
    ranges.push_back(*range);
  }
  s.trusted_clients = std::move(ranges);
  return std::nullopt;
}

ParseError apply_log_target(ServerSettings& s, Arguments args) {
  if (auto error = expect_one("AuthDiagLog", args)) return error;
  auto target = args[0];
  if (target.empty() || target == "|") {
    return "AuthDiagLog: " + quoted(target) + " is neither a file path nor a |piped command";
  }
  s.log_target = std::string(target);
  return std::nullopt;
}

ParseError apply_log_user(ServerSettings& s, Arguments args) {
  static constexpr std::array<std::string_view, 3> kModes{"Plain", "Hash", "Off"};
  if (auto error = expect_one("AuthDiagLogUser", args)) return error;
  auto index = pick(args[0], kModes);
  if (!index) return not_one_of("AuthDiagLogUser", args[0], kModes);
  s.log_user = static_cast<LogUserMode>(*index);
  return std::nullopt;
}

constexpr std::array kSpecs{
    SettingSpec{"AuthDiag", SettingScope::Anywhere, "On|Off",
                "Diagnose 401 responses in this scope; Off behaves as if the module were absent",
                "On", "Off", apply_enabled, nullptr},
    SettingSpec{"AuthDiagErrorMode", SettingScope::ServerAndDirectory,
                "DetailedLocalOnly|Custom|Detailed",
                "Who sees the detailed error page and AuthDiag-* headers (IIS errorMode)",
                "DetailedLocalOnly", "Detailed", apply_error_mode, nullptr},
    SettingSpec{"AuthDiagTrustedClients", SettingScope::ServerOnly, "CIDR... | none",
                "Client addresses that count as local for DetailedLocalOnly", "127.0.0.0/8 ::1",
                "192.0.2.0/24 2001:db8::/32", nullptr, apply_trusted_clients},
    SettingSpec{"AuthDiagCharset", SettingScope::Anywhere, "UTF-8|Off",
                "Append charset=\"UTF-8\" to Basic challenges (RFC 7617)", "UTF-8", "Off",
                apply_charset, nullptr},
    SettingSpec{"AuthDiagRepairChallenge", SettingScope::Anywhere, "On|Off",
                "Add a missing challenge to a 401 and fix a badly quoted realm", "On", "Off",
                apply_repair, nullptr},
    SettingSpec{"AuthDiagDefaultRealm", SettingScope::Anywhere, "text",
                "Realm for a challenge added to a 401 in a scope without AuthName", "Restricted",
                "Members", apply_default_realm, nullptr},
    SettingSpec{"AuthDiagConfigErrorStatus", SettingScope::Anywhere, "500|401",
                "Status for authentication configuration errors (401 answers them as 401.2)", "500",
                "401", apply_config_error_status, nullptr},
    SettingSpec{"AuthDiagEqualizeTiming", SettingScope::ServerAndDirectory, "On|Off",
                "Make an unknown user cost as much as a wrong password", "On", "Off",
                apply_equalize_timing, nullptr},
    SettingSpec{"AuthDiagLog", SettingScope::ServerOnly, "file|\"|command\"",
                "JSON-lines denial log: a file (relative to ServerRoot) or a piped logger",
                "(none)", "logs/authdiag.json", nullptr, apply_log_target},
    SettingSpec{"AuthDiagLogUser", SettingScope::ServerOnly, "Plain|Hash|Off",
                "How user names appear in the logs", "Plain", "Hash", nullptr, apply_log_user},
};

}  // namespace

std::span<const CidrRange> ServerSettings::effective_trusted_clients() const {
  if (trusted_clients) return *trusted_clients;
  return kDefaultTrustedClients;
}

DirSettings merge(const DirSettings& parent, const DirSettings& child) {
  DirSettings out;
  out.enabled = child.enabled ? child.enabled : parent.enabled;
  out.error_mode = child.error_mode ? child.error_mode : parent.error_mode;
  out.charset = child.charset ? child.charset : parent.charset;
  out.repair_challenge = child.repair_challenge ? child.repair_challenge : parent.repair_challenge;
  out.default_realm = child.default_realm ? child.default_realm : parent.default_realm;
  out.config_error_status =
      child.config_error_status ? child.config_error_status : parent.config_error_status;
  out.equalize_timing = child.equalize_timing ? child.equalize_timing : parent.equalize_timing;
  return out;
}

ServerSettings merge(const ServerSettings& parent, const ServerSettings& child) {
  ServerSettings out;
  out.trusted_clients = child.trusted_clients ? child.trusted_clients : parent.trusted_clients;
  out.log_target = child.log_target ? child.log_target : parent.log_target;
  out.log_user = child.log_user ? child.log_user : parent.log_user;
  return out;
}

std::span<const SettingSpec> setting_specs() noexcept { return kSpecs; }

const SettingSpec* find_setting(std::string_view name) noexcept {
  const auto* row = std::find_if(kSpecs.begin(), kSpecs.end(), [name](const SettingSpec& spec) {
    return iequals(spec.name, name);
  });
  return row == kSpecs.end() ? nullptr : row;
}

std::vector<std::string_view> split_arguments(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t pos = 0;
  while (pos < text.size()) {
    pos = text.find_first_not_of(" \t", pos);
    if (pos == std::string_view::npos) break;
    auto end = text.find_first_of(" \t", pos);
    if (end == std::string_view::npos) end = text.size();
    words.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return words;
}

bool is_trusted(std::string_view address, std::span<const CidrRange> ranges) {
  auto ip = parse_ip_address(address);
  if (!ip) return false;
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const CidrRange& range) { return contains(range, *ip); });
}

}  // namespace authdiag::core
