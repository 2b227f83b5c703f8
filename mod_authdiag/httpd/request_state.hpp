// SPDX-License-Identifier: Apache-2.0
// What the module observes about one request while httpd processes it: the phase reached, the
// credentials' shape, each provider's answer. Plain data in the request pool (no destructor), so
// keeping it costs one allocation per request.
#pragma once

#include "core/authorization_header.hpp"
#include "core/classifier.hpp"
#include "core/hash_scheme.hpp"

#include <array>
#include <cstdint>
#include <optional>

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

struct Denial;

enum class ClientView : std::uint8_t { Stock, DetailPage, ProblemJson };

struct RequestState {
  core::Phase phase = core::Phase::BeforeAuth;

  // Set by the authentication hook (never the password).
  bool credentials_parsed = false;
  core::CredentialsKind credentials_kind = core::CredentialsKind::Missing;
  core::MalformedBasic malformed = core::MalformedBasic::None;
  const char* scheme = nullptr;  // pool copy, as sent
  const char* user = nullptr;    // pool copy, as sent (may contain any byte but NUL)

  static constexpr std::size_t kMaxProviders = 8;
  std::array<core::ProviderOutcome, kMaxProviders> providers{};
  std::uint8_t provider_count = 0;
  std::optional<core::HashInfo> stored_hash;

  static constexpr std::size_t kMaxRequirements = 8;
  std::array<const char*, kMaxRequirements> failed_requirements{};
  std::array<const char*, kMaxRequirements> failed_requirement_providers{};
  std::uint8_t failed_requirement_count = 0;

  core::ConfigFault config_fault = core::ConfigFault::None;
  int user_file_errno = 0;  // why AuthUserFile could not be opened, when config_fault says so

  // IP and rate restrictions (restrictions.cpp): the restriction that refused the request (or,
  // under AuthDiagLoggingOnly, would have), and whether its failed logon was counted.
  std::optional<core::RestrictionHit> restriction;
  bool failure_counted = false;

  ClientView client_view = ClientView::Stock;
  Denial* denial = nullptr;  // classified once, on first need
};

// The state of `r`, created on first use.
RequestState& request_state(request_rec* r);
// The state of `r` if anything was recorded, else nullptr (never allocates).
RequestState* find_request_state(const request_rec* r) noexcept;

void record_provider(request_rec* r, const char* provider, core::ProviderResult result);
void record_failed_requirement(request_rec* r, const char* provider, const char* require_line);

}  // namespace authdiag::httpd
