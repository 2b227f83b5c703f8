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

std::string quoted_words(Arguments args) {
  std::string text;
  for (auto arg : args) text += (text.empty() ? "" : " ") + std::string(arg);
  return quoted(text);
}

// A whole number from `min` to `max`, written plainly (no sign, no leading zeros).
std::optional<std::uint32_t> parse_count(std::string_view text, std::uint32_t min,
                                         std::uint32_t max) {
  std::uint32_t value = 0;
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

std::string not_a_count(const char* name, std::string_view what, std::string_view value,
                        std::uint32_t max) {
  return std::string(name) + ": " + std::string(what) + " " + quoted(value) +
         " is not a whole number from 1 to " + std::to_string(max);
}

constexpr std::uint32_t kMaxLimit = 100000000;
constexpr std::uint32_t kMaxIntervalMs = 86400000;  // one day
constexpr std::uint32_t kMaxSeconds = 2592000;      // thirty days

ParseError apply_max_concurrent(DirSettings& s, Arguments args) {
  constexpr const char* kName = "AuthDiagMaxConcurrentRequests";
  if (auto error = expect_one(kName, args)) return error;
  const auto limit = parse_count(args[0], 1, kMaxLimit);
  if (!limit) return not_a_count(kName, "limit", args[0], kMaxLimit);
  s.max_concurrent = *limit;
  return std::nullopt;
}

ParseError apply_max_request_rate(DirSettings& s, Arguments args) {
  constexpr const char* kName = "AuthDiagMaxRequestRate";
  if (args.size() != 2) {
    return std::string(kName) + " takes N MILLISECONDS (requests per interval), not " +
           quoted_words(args);
  }
  const auto requests = parse_count(args[0], 1, kMaxLimit);
  if (!requests) return not_a_count(kName, "number of requests", args[0], kMaxLimit);
  const auto interval = parse_count(args[1], 1, kMaxIntervalMs);
  if (!interval) return not_a_count(kName, "interval (milliseconds)", args[1], kMaxIntervalMs);
  s.max_request_rate = RateLimitSpec{*requests, *interval};
  return std::nullopt;
}

ParseError apply_max_failed_logons(DirSettings& s, Arguments args) {
  constexpr const char* kName = "AuthDiagMaxFailedLogons";
  if (args.size() != 2 && args.size() != 3) {
    return std::string(kName) + " takes N SECONDS [LOCKOUT_SECONDS], not " + quoted_words(args);
  }
  const auto failures = parse_count(args[0], 1, kMaxLimit);
  if (!failures) return not_a_count(kName, "number of failed logons", args[0], kMaxLimit);
  const auto window = parse_count(args[1], 1, kMaxSeconds);
  if (!window) return not_a_count(kName, "window (seconds)", args[1], kMaxSeconds);
  std::uint32_t lockout = *window;
  if (args.size() == 3) {
    const auto parsed = parse_count(args[2], 1, kMaxSeconds);
    if (!parsed) return not_a_count(kName, "lockout (seconds)", args[2], kMaxSeconds);
    lockout = *parsed;
  }
  s.max_failed_logons = FailedLogonSpec{*failures, *window, lockout};
  return std::nullopt;
}

// Parses CIDR arguments and appends them to `list` (lines of one scope add up).
ParseError append_cidrs(const char* name, Arguments args,
                        std::optional<std::vector<CidrRange>>& list) {
  if (args.empty()) return std::string(name) + " needs at least one address or CIDR range";
  std::vector<CidrRange> ranges = list.value_or(std::vector<CidrRange>{});
  for (auto arg : args) {
    auto range = parse_cidr(arg);
    if (!range) {
      return std::string(name) + ": " + quoted(arg) +
             " is not an IPv4/IPv6 address or CIDR range (host bits must be zero)";
    }
    ranges.push_back(*range);
  }
  list = std::move(ranges);
  return std::nullopt;
}

ParseError apply_deny_ip(DirSettings& s, Arguments args) {
  return append_cidrs("AuthDiagDenyIP", args, s.deny_ip);
}

ParseError apply_deny_ip_file(DirSettings& s, Arguments args) {
  if (auto error = expect_one("AuthDiagDenyIPFile", args)) return error;
  if (args[0].empty()) return std::string("AuthDiagDenyIPFile: the path must not be empty");
  auto files = s.deny_ip_files.value_or(std::vector<std::string>{});
  if (std::find(files.begin(), files.end(), args[0]) == files.end()) {
    files.emplace_back(args[0]);
  }
  s.deny_ip_files = std::move(files);
  return std::nullopt;
}

ParseError apply_deny_host(DirSettings& s, Arguments args) {
  if (args.empty()) return std::string("AuthDiagDenyHost needs at least one name or .suffix");
  auto patterns = s.deny_hosts.value_or(std::vector<HostPattern>{});
  for (auto arg : args) {
    auto pattern = parse_host_pattern(arg);
    if (!pattern) {
      return "AuthDiagDenyHost: " + quoted(arg) +
             " is not a host name or a .suffix (letters, digits, '-', '_' and dots)";
    }
    patterns.push_back(std::move(*pattern));
  }
  s.deny_hosts = std::move(patterns);
  return std::nullopt;
}

ParseError apply_deny_action(DirSettings& s, Arguments args) {
  static constexpr std::array<std::string_view, 5> kActions{"Unauthorized", "Forbidden", "NotFound",
                                                            "TooManyRequests", "Abort"};
  if (auto error = expect_one("AuthDiagDenyAction", args)) return error;
  auto index = pick(args[0], kActions);
  if (!index) return not_one_of("AuthDiagDenyAction", args[0], kActions);
  s.deny_action = static_cast<DenyAction>(*index);
  return std::nullopt;
}

ParseError apply_logging_only(DirSettings& s, Arguments args) {
  return parse_on_off("AuthDiagLoggingOnly", args, s.logging_only);
}

ParseError apply_allow_ip(ServerSettings& s, Arguments args) {
  return append_cidrs("AuthDiagAllowIP", args, s.allow_ip);
}

ParseError apply_shared_store(ServerSettings& s, Arguments args) {
  if (args.empty() || args.size() > 2) {
    return "AuthDiagSharedStore takes shm, redis://host:port or memcache://host:port and an "
           "optional timeout in milliseconds, not " +
           quoted_words(args);
  }
  std::string error;
  auto spec = parse_shared_store(
      args[0], args.size() == 2 ? std::optional<std::string_view>(args[1]) : std::nullopt, error);
  if (!spec) return error;
  s.shared_store = std::move(*spec);
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
    SettingSpec{"AuthDiagMaxConcurrentRequests", SettingScope::ServerAndDirectory, "N",
                "401.501 when one client address has more than N requests in flight", "(none)",
                "20", apply_max_concurrent, nullptr},
    SettingSpec{"AuthDiagMaxRequestRate", SettingScope::ServerAndDirectory, "N MILLISECONDS",
                "401.502 when one client address sends more than N requests in the interval",
                "(none)", "100 1000", apply_max_request_rate, nullptr},
    SettingSpec{"AuthDiagMaxFailedLogons", SettingScope::ServerAndDirectory,
                "N SECONDS [LOCKOUT_SECONDS]",
                "After N failed logons within SECONDS, lock the address out of protected scopes",
                "(none)", "5 60 300", apply_max_failed_logons, nullptr},
    SettingSpec{"AuthDiagDenyIP", SettingScope::Anywhere, "CIDR...",
                "401.503 for client addresses in these ranges", "(none)",
                "192.0.2.0/24 2001:db8::/32", apply_deny_ip, nullptr},
    SettingSpec{"AuthDiagDenyIPFile", SettingScope::ServerAndDirectory, "path",
                "401.503 for client addresses listed in this file (reloaded on graceful restart)",
                "(none)", "conf/deny.txt", apply_deny_ip_file, nullptr},
    SettingSpec{"AuthDiagDenyHost", SettingScope::ServerAndDirectory, "name|.suffix ...",
                "401.504 for clients whose double-reverse-checked host name matches", "(none)",
                "crawler.example.net .bad.example", apply_deny_host, nullptr},
    SettingSpec{"AuthDiagAllowIP", SettingScope::ServerOnly, "CIDR...",
                "Client addresses that are never restricted", "(none)", "192.0.2.10 10.0.0.0/8",
                nullptr, apply_allow_ip},
    SettingSpec{"AuthDiagDenyAction", SettingScope::ServerAndDirectory,
                "Unauthorized|Forbidden|NotFound|TooManyRequests|Abort",
                "How a restricted request is answered", "Unauthorized", "TooManyRequests",
                apply_deny_action, nullptr},
    SettingSpec{"AuthDiagLoggingOnly", SettingScope::ServerAndDirectory, "On|Off",
                "Log what the restrictions would deny, deny nothing", "Off", "On",
                apply_logging_only, nullptr},
    SettingSpec{"AuthDiagSharedStore", SettingScope::ServerOnly,
                "shm | redis://host:port | memcache://host:port [timeout_ms]",
                "Where the restriction counters live (a fleet shares Redis or memcached)", "shm",
                "redis://127.0.0.1:6379 100", nullptr, apply_shared_store},
};

// Lists that add up from parent to child; entries already present are not repeated.
template <typename T>
std::optional<std::vector<T>> concatenated(const std::optional<std::vector<T>>& parent,
                                           const std::optional<std::vector<T>>& child) {
  if (!parent) return child;
  if (!child) return parent;
  std::vector<T> out = *parent;
  for (const auto& item : *child) {
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
  }
  return out;
}

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
  out.max_concurrent = child.max_concurrent ? child.max_concurrent : parent.max_concurrent;
  out.max_request_rate = child.max_request_rate ? child.max_request_rate : parent.max_request_rate;
  out.max_failed_logons =
      child.max_failed_logons ? child.max_failed_logons : parent.max_failed_logons;
  out.deny_ip = concatenated(parent.deny_ip, child.deny_ip);
  out.deny_ip_files = concatenated(parent.deny_ip_files, child.deny_ip_files);
  out.deny_hosts = concatenated(parent.deny_hosts, child.deny_hosts);
  out.deny_action = child.deny_action ? child.deny_action : parent.deny_action;
  out.logging_only = child.logging_only ? child.logging_only : parent.logging_only;
  return out;
}

ServerSettings merge(const ServerSettings& parent, const ServerSettings& child) {
  ServerSettings out;
  out.trusted_clients = child.trusted_clients ? child.trusted_clients : parent.trusted_clients;
  out.log_target = child.log_target ? child.log_target : parent.log_target;
  out.log_user = child.log_user ? child.log_user : parent.log_user;
  out.allow_ip = concatenated(parent.allow_ip, child.allow_ip);
  out.shared_store = child.shared_store ? child.shared_store : parent.shared_store;
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
