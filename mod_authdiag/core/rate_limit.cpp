// SPDX-License-Identifier: Apache-2.0
#include "core/rate_limit.hpp"

#include <array>
#include <charconv>

namespace authdiag::core {

namespace {

constexpr std::uint64_t kMsPerSecond = 1000;

struct KindName {
  CounterKind kind;
  std::string_view name;
};
constexpr std::array<KindName, 5> kKindNames{{{CounterKind::Concurrent, "conc"},
                                              {CounterKind::Rate, "rate"},
                                              {CounterKind::Failures, "fail"},
                                              {CounterKind::Lockout, "lock"},
                                              {CounterKind::Blocked, "block"}}};

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Splits off the text before the next '/'.
std::string_view take_field(std::string_view& text) {
  const std::size_t slash = text.find('/');
  const std::string_view field = text.substr(0, slash);
  text.remove_prefix(slash == std::string_view::npos ? text.size() : slash + 1);
  return field;
}

}  // namespace

int deny_status(DenyAction action) noexcept {
  switch (action) {
    case DenyAction::Unauthorized:
      return 401;
    case DenyAction::Forbidden:
    case DenyAction::Abort:
      return 403;
    case DenyAction::NotFound:
      return 404;
    case DenyAction::TooManyRequests:
      return 429;
  }
  return 401;
}

std::string store_key(const CounterKey& key) {
  std::string text;
  for (const auto& [kind, name] : kKindNames) {
    if (kind == key.kind) text = name;
  }
  text += '/';
  if (key.kind == CounterKind::Rate || key.kind == CounterKind::Failures) {
    text += std::to_string(key.window_ms);
    text += '/';
  }
  if (key.kind == CounterKind::Rate) {
    text += std::to_string(key.window_index);
    text += '/';
  }
  text += to_string(key.address);
  return text;
}

std::optional<CounterKey> parse_store_key(std::string_view text) {
  const std::string_view original = text;
  CounterKey key;
  const std::string_view name = take_field(text);
  bool known = false;
  for (const auto& [kind, kind_name] : kKindNames) {
    if (kind_name == name) {
      key.kind = kind;
      known = true;
    }
  }
  if (!known) return std::nullopt;
  if (key.kind == CounterKind::Rate || key.kind == CounterKind::Failures) {
    const auto window = parse_number(take_field(text));
    if (!window || *window == 0) return std::nullopt;
    key.window_ms = *window;
  }
  if (key.kind == CounterKind::Rate) {
    const auto index = parse_number(take_field(text));
    if (!index) return std::nullopt;
    key.window_index = *index;
  }
  const auto address = parse_ip_address(text);
  if (!address) return std::nullopt;
  key.address = *address;
  // Only the canonical text maps back to this key (no second spelling of one counter).
  if (store_key(key) != original) return std::nullopt;
  return key;
}

RateWindow rate_window(const RateLimitSpec& spec, const IpAddress& address, std::uint64_t now_ms) {
  const std::uint64_t interval = spec.interval_ms == 0 ? 1 : spec.interval_ms;
  const std::uint64_t index = now_ms / interval;
  RateWindow window;
  window.step.key = {CounterKind::Rate, address, interval, index};
  window.ends_ms = (index + 1) * interval;
  window.step.ttl = std::chrono::milliseconds(window.ends_ms - now_ms);
  return window;
}

CounterStep concurrency_step(const IpAddress& address) {
  return {{CounterKind::Concurrent, address, 0, 0}, kConcurrencyTtl};
}

CounterStep failure_step(const FailedLogonSpec& spec, const IpAddress& address) {
  const std::uint64_t window_ms = std::uint64_t{spec.window_s} * kMsPerSecond;
  return {{CounterKind::Failures, address, window_ms, 0},
          std::chrono::milliseconds(window_ms == 0 ? 1 : window_ms)};
}

CounterKey lockout_key(const IpAddress& address) { return {CounterKind::Lockout, address, 0, 0}; }

std::chrono::milliseconds lockout_duration(const FailedLogonSpec& spec) {
  const std::uint32_t seconds = spec.lockout_s == 0 ? spec.window_s : spec.lockout_s;
  return std::chrono::milliseconds(std::uint64_t{seconds} * kMsPerSecond);
}

CounterKey blocked_key(const IpAddress& address) { return {CounterKind::Blocked, address, 0, 0}; }

FailureOutcome after_failure(const FailedLogonSpec& spec, std::int64_t count) noexcept {
  FailureOutcome outcome;
  outcome.starts_lockout = count == static_cast<std::int64_t>(spec.max_failures);
  outcome.over_limit = exceeds(count, spec.max_failures);
  return outcome;
}

std::uint64_t retry_after_seconds(std::uint64_t ms) noexcept {
  const std::uint64_t seconds = ms / kMsPerSecond + (ms % kMsPerSecond != 0 ? 1 : 0);
  return seconds == 0 ? 1 : seconds;
}

bool counts_as_failed_logon(Reason reason) noexcept {
  return reason == Reason::CredentialsMalformed || reason == Reason::UserUnknown ||
         reason == Reason::PasswordMismatch || reason == Reason::HashUnverifiable;
}

bool is_restriction(Reason reason) noexcept {
  return reason == Reason::ConcurrentLimit || reason == Reason::RateLimit ||
         reason == Reason::FailedLogonLimit || reason == Reason::IpDenied ||
         reason == Reason::HostDenied;
}

}  // namespace authdiag::core
