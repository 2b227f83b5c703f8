// SPDX-License-Identifier: Apache-2.0
// Decides why a request was denied from what the adapter observed while httpd processed it:
// how far authentication got, what each provider answered, which requirement failed.
#pragma once

#include "core/authorization_header.hpp"
#include "core/hash_scheme.hpp"
#include "core/reason.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace authdiag::core {

// The last request-processing stage httpd entered before the response status was decided.
enum class Phase : std::uint8_t {
  BeforeAuth,  // translate_name, map_to_storage, header_parser (server-context rewrite rules)
  Access,      // access checkers (host/ip rules, IP restrictions)
  Authn,       // authentication: credentials are checked
  Authz,       // authorization: the user is known, Require rules are checked
  AfterAuth,   // fixups: every auth check passed (per-directory rewrite rules run here)
  Handler,     // the content handler (CGI, PHP, proxy, ...)
};

// UserFound is a digest-style lookup (get_realm_hash) that found the user's entry.
enum class ProviderResult : std::uint8_t { Granted, Denied, UserFound, UserNotFound, GeneralError };

struct ProviderOutcome {
  std::string_view provider;  // registered name: "file", "dbm", "socache", an alias name
  ProviderResult result;
};

// Configuration problems found by the adapter (the guard, a stat of AuthUserFile, httpd's own
// AH messages).
enum class ConfigFault : std::uint8_t {
  None,
  UserFileMissing,
  UserFileUnreadable,
  AuthnameMissing,
  AuthtypeMissing,
  RealmInvalid,
  ProviderError,
};

// An IP or rate restriction that denied the request (or would have, under AuthDiagLoggingOnly).
struct RestrictionHit {
  Reason reason = Reason::IpDenied;        // concurrent_limit ... host_denied
  bool enforced = true;                    // false: logging only, the request went on
  bool connection_closed = false;          // AuthDiagDenyAction Abort: no response was sent
  std::optional<std::uint64_t> counter;    // the counter's value that broke the limit
  std::optional<std::uint64_t> limit;      // the configured limit
  std::optional<std::uint64_t> window_ms;  // the limit's window, when it has one
};

struct Observation {
  int status = 0;  // the status being sent (401, or 500 for configuration errors)
  Phase phase = Phase::BeforeAuth;
  ParsedAuthorization credentials;
  std::span<const ProviderOutcome> providers;  // in call order
  std::optional<HashInfo> stored_hash;         // of the user's entry, when a provider found one
  bool group_file_unreadable = false;
  ConfigFault config_fault = ConfigFault::None;
  // Why the child could not use AuthUserFile, for UserFileMissing/UserFileUnreadable:
  // "open() as uid 33 failed: Permission denied (errno 13)".
  std::optional<std::string> user_file_problem;
  bool handler_is_cgi = false;   // cgi-script or a FastCGI/proxy handler that runs scripts
  bool cgi_passes_auth = false;  // CGIPassAuth On in this scope
  std::optional<RestrictionHit> restriction;  // decides the reason whatever the status
};

struct Classification {
  Reason reason;
  std::string detail;  // one sentence; never contains the user name or anything client-sent
  std::optional<std::string> hint;
};

// A classification for a 401, or for a 500 that is an authentication configuration error, or
// for any response an IP or rate restriction refused (or would have); nothing otherwise.
std::optional<Classification> classify(const Observation& observation);

}  // namespace authdiag::core
