// SPDX-License-Identifier: Apache-2.0
// The module's directives as plain data: one SettingSpec row per directive, parsed into
// DirSettings (per directory, may stand in .htaccess) or ServerSettings (per virtual host).
// Unset values stay std::nullopt so merging is "child if set, else parent".
#pragma once

#include "core/client_view.hpp"
#include "core/denial_record.hpp"
#include "core/host_pattern.hpp"
#include "core/ip_address.hpp"
#include "core/rate_limit.hpp"
#include "core/shared_store_spec.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace authdiag::core {

struct DirSettings {
  std::optional<bool> enabled;
  std::optional<ErrorMode> error_mode;
  std::optional<bool> charset;
  std::optional<bool> repair_challenge;
  std::optional<std::string> default_realm;
  std::optional<int> config_error_status;
  std::optional<bool> equalize_timing;
  // IP and rate restrictions. Limits: the child's value wins. Deny lists add up: a scope keeps
  // the entries of the scopes around it (an .htaccess cannot lift a server-wide block).
  std::optional<std::uint32_t> max_concurrent;
  std::optional<RateLimitSpec> max_request_rate;
  std::optional<FailedLogonSpec> max_failed_logons;
  std::optional<std::vector<CidrRange>> deny_ip;
  std::optional<std::vector<std::string>> deny_ip_files;  // as written (relative to ServerRoot)
  std::optional<std::vector<HostPattern>> deny_hosts;
  std::optional<DenyAction> deny_action;
  std::optional<bool> logging_only;

  bool is_enabled() const { return enabled.value_or(true); }
  ErrorMode effective_error_mode() const {
    return error_mode.value_or(ErrorMode::DetailedLocalOnly);
  }
  bool adds_charset() const { return charset.value_or(true); }
  bool repairs_challenge() const { return repair_challenge.value_or(true); }
  std::string_view effective_default_realm() const {
    return default_realm ? std::string_view(*default_realm) : std::string_view("Restricted");
  }
  int effective_config_error_status() const { return config_error_status.value_or(500); }
  bool equalizes_timing() const { return equalize_timing.value_or(true); }
  DenyAction effective_deny_action() const {
    return deny_action.value_or(DenyAction::Unauthorized);
  }
  bool is_logging_only() const { return logging_only.value_or(false); }
  // Any list or limit that applies to every request of the scope (the lockout aside).
  bool restricts_requests() const {
    return max_concurrent || max_request_rate || deny_ip || deny_ip_files || deny_hosts;
  }
};

struct ServerSettings {
  std::optional<std::vector<CidrRange>> trusted_clients;  // empty vector = "none"
  std::optional<std::string> log_target;                  // file path or "|command"
  std::optional<LogUserMode> log_user;
  std::optional<std::vector<CidrRange>> allow_ip;  // never restricted; adds up like deny lists
  std::optional<SharedStoreSpec> shared_store;

  std::span<const CidrRange> effective_trusted_clients() const;
  std::span<const CidrRange> effective_allow_ip() const {
    return allow_ip ? std::span<const CidrRange>(*allow_ip) : std::span<const CidrRange>();
  }
  SharedStoreSpec effective_shared_store() const {
    return shared_store.value_or(SharedStoreSpec{});
  }
  LogUserMode effective_log_user() const { return log_user.value_or(LogUserMode::Plain); }
};

DirSettings merge(const DirSettings& parent, const DirSettings& child);
ServerSettings merge(const ServerSettings& parent, const ServerSettings& child);

// Where a directive may stand. Directory contexts are <Directory>, <Location>, <Files>; htaccess
// means .htaccess under AllowOverride AuthConfig.
enum class SettingScope : std::uint8_t {
  Anywhere,            // server, vhost, directory sections, .htaccess
  ServerAndDirectory,  // server, vhost, directory sections
  ServerOnly,          // server, vhost
};

using Arguments = std::span<const std::string_view>;
// An error message for the admin ("AuthDiagErrorMode: 'Verbose' is not one of ..."), or nothing.
using ParseError = std::optional<std::string>;

struct SettingSpec {
  const char* name;  // NUL-terminated: httpd keeps the pointer
  SettingScope scope;
  const char* syntax;         // "On|Off"
  const char* help;           // one line, also shown by httpd on a syntax error
  const char* default_value;  // as documented
  std::string_view sample;    // a valid non-default argument list, for tests and docs
  ParseError (*apply_dir)(DirSettings&, Arguments);        // set for directory settings
  ParseError (*apply_server)(ServerSettings&, Arguments);  // set for server settings
};

// Every directive of the module, in documentation order.
std::span<const SettingSpec> setting_specs() noexcept;

const SettingSpec* find_setting(std::string_view name) noexcept;

// Splits a sample or a config argument string on blanks (no quoting: samples are simple).
std::vector<std::string_view> split_arguments(std::string_view text);

// True when `address` (as text) falls in one of `ranges`; unparsable addresses are not trusted.
bool is_trusted(std::string_view address, std::span<const CidrRange> ranges);

}  // namespace authdiag::core
