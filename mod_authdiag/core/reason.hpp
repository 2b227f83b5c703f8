// SPDX-License-Identifier: Apache-2.0
// The vocabulary of denials: every reason, its IIS-style substatus, wording and hints, in one
// table read by the classifier, the logs, the client view, the CLI and the tests.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authdiag::core {

enum class Reason : std::uint8_t {
  CredentialsMissing,
  SchemeUnsupported,
  CredentialsMalformed,
  UserUnknown,
  PasswordMismatch,
  HashUnverifiable,
  AuthzDenied,
  GroupFileUnreadable,
  ModuleDenied,
  ApplicationDenied,
  ConcurrentLimit,
  RateLimit,
  FailedLogonLimit,
  IpDenied,
  HostDenied,
  UserFileMissing,
  UserFileUnreadable,
  AuthnameMissing,
  AuthtypeMissing,
  RealmInvalid,
  ProviderError,
};

// IIS sub-status of a 401 (or of a 403/404 for the IP restrictions): 1 for 401.1, 501 for .501.
using SubstatusCode = std::uint16_t;

enum class LogLevel : std::uint8_t { Info, Warn };

struct ReasonInfo {
  Reason reason;
  std::string_view token;       // public name, as in logs and env vars
  std::string_view message_id;  // stable error-log id, "AD0101"
  SubstatusCode substatus;      // for a 401 answer; configuration errors answer 401.2
  bool is_configuration_error;  // stock status is 500
  LogLevel level;
  std::string_view title;                    // IIS wording of the substatus
  std::string_view explanation;              // one sentence for the detail page
  std::array<std::string_view, 3> causes;    // most likely causes (empty entries unused)
  std::array<std::string_view, 3> remedies;  // things to try (empty entries unused)
};

// The whole table, one row per Reason, in enum order.
extern const std::array<ReasonInfo, 21> kReasonTable;

const ReasonInfo& reason_info(Reason reason) noexcept;
std::optional<Reason> reason_from_token(std::string_view token) noexcept;

// "401.1", "403.503"
std::string format_substatus(int status, SubstatusCode substatus);

}  // namespace authdiag::core
