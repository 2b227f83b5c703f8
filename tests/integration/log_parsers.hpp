// SPDX-License-Identifier: Apache-2.0
// Parsers for what httpd writes: error-log lines in the default ErrorLogFormat, the logfmt
// fields of mod_authdiag's message, and the harness's tab-separated access-log format.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authdiag::itest {

struct ErrorLogLine {
  std::string raw;
  std::string module;   // "authdiag", "auth_basic", "core", ...
  std::string level;    // "warn", "info", ...
  std::string client;   // [client ...] or, on HTTP/2 streams, [remote ...]; may be empty
  std::string message;  // after the [client ...] part, without the ", referer: ..." suffix
};

// nullopt for lines that are not in the default format (e.g. text a child wrote to stderr).
std::optional<ErrorLogLine> parse_error_log_line(std::string_view line);
std::vector<ErrorLogLine> parse_error_log(std::string_view text);

struct LogfmtField {
  std::string key;
  std::string value;  // unescaped
  bool quoted = false;
};

// Parses `key=value key="quoted \" value" ...`; escapes \" \\ \n \r \t \xHH inside quotes.
// nullopt (and `error`) when the text is not well-formed logfmt.
std::optional<std::vector<LogfmtField>> parse_logfmt(std::string_view text,
                                                     std::string* error = nullptr);
const LogfmtField* find_field(const std::vector<LogfmtField>& fields, std::string_view key);

// The harness LogFormat: Referer, final status, AUTHDIAG_STATUS, AUTHDIAG_SUBSTATUS,
// AUTHDIAG_REASON, UNIQUE_ID (original request), method, path, REDIRECT_STATUS.
struct AccessRecord {
  std::string marker;
  std::string status;
  std::string authdiag_status;
  std::string authdiag_substatus;
  std::string authdiag_reason;
  std::string unique_id;
  std::string method;
  std::string path;
  std::string redirect_status;
};

std::optional<AccessRecord> parse_access_line(std::string_view line);

}  // namespace authdiag::itest
