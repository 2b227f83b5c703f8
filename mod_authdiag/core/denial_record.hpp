// SPDX-License-Identifier: Apache-2.0
// The structured record of one denial and its two renderings: a JSON line for AuthDiagLog and
// logfmt fields for the error log. Absent facts stay absent; client-controlled text is escaped so
// it can never break a line or forge a field.
#pragma once

#include "core/reason.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authdiag::core {

struct DenialRecord {
  std::int64_t time_us = 0;  // microseconds since the Unix epoch, UTC
  std::string request_id;
  std::string client_ip;
  std::string vhost;
  std::string method;
  std::string path;                        // without the query string
  int status = 0;                          // as sent
  std::optional<SubstatusCode> substatus;  // absent for a 500 configuration error
  Reason reason = Reason::CredentialsMissing;
  std::optional<std::string> user;  // already rendered per AuthDiagLogUser
  std::optional<std::string> realm;
  std::optional<std::string> auth_type;
  std::optional<std::string> providers;  // "file,dbm"
  std::optional<std::string> user_file;
  std::optional<std::string> hash_scheme;  // "bcrypt(cost=10)", "apr1", ...
  std::optional<std::string> requirement;  // "user alice; group staff"
  std::optional<std::string> scheme;       // the scheme sent, for scheme_unsupported
  std::optional<std::string> challenge;    // as sent
  bool repaired = false;
  std::optional<std::string> config_file;
  std::optional<std::string> detail;  // one sentence
  std::optional<std::string> hint;
  // IP and rate restrictions.
  std::optional<std::uint64_t> counter;
  std::optional<std::uint64_t> limit;
  std::optional<std::uint64_t> window_ms;
};

inline constexpr std::size_t kMaxJsonLineBytes = 4096;

// One JSON object, fields in the documented order, ending in '\n', at most kMaxJsonLineBytes
// bytes including the newline. Over-long string fields are cut (on a UTF-8 boundary) and the
// object then carries "truncated":true. Invalid UTF-8 and control bytes are escaped as \u00XX.
std::string to_json_line(const DenialRecord& record);

// "status=401 substatus=401.1 reason=password_mismatch user=alice ..." for the error log: keys are
// fixed words; values are quoted when needed, and ", \, % and every byte < 0x20, 0x7f and >= 0x80
// are percent-encoded (%22, %5C, %25, %0A, ...), so nothing sent by a client can end the line or
// imitate another field, even after httpd's own escaping of the message.
std::string to_logfmt(const DenialRecord& record);

// RFC 3339 UTC with microseconds: 2026-11-28T23:31:28.123456Z
std::string format_rfc3339_us(std::int64_t time_us);

enum class LogUserMode : std::uint8_t { Plain, Hash, Off };

// How a user name appears in logs: as sent, as the first 12 hex digits of its SHA-256, or not at
// all.
std::optional<std::string> render_user(std::string_view user, LogUserMode mode);

// Lowercase hex SHA-256 of `data` (FIPS 180-4).
std::string sha256_hex(std::string_view data);

}  // namespace authdiag::core
