// SPDX-License-Identifier: Apache-2.0
// The arithmetic of the IP and rate restrictions: which counter a request touches (kind, client
// address, window), how long the counter lives, and what a counter value means for the request.
// Time enters as a parameter (milliseconds since the Unix epoch); the counters live elsewhere
// (shared memory, Redis, memcached).
#pragma once

#include "core/ip_address.hpp"
#include "core/reason.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authdiag::core {

// AuthDiagMaxRequestRate N MILLISECONDS: at most N requests per fixed window of MILLISECONDS.
struct RateLimitSpec {
  std::uint32_t max_requests = 0;
  std::uint32_t interval_ms = 0;
  bool operator==(const RateLimitSpec&) const = default;
};

// AuthDiagMaxFailedLogons N SECONDS [LOCKOUT_SECONDS]: N failed logons within SECONDS of the
// first one lock the address out of protected scopes for LOCKOUT_SECONDS (default SECONDS).
struct FailedLogonSpec {
  std::uint32_t max_failures = 0;
  std::uint32_t window_s = 0;
  std::uint32_t lockout_s = 0;
  bool operator==(const FailedLogonSpec&) const = default;
};

enum class DenyAction : std::uint8_t { Unauthorized, Forbidden, NotFound, TooManyRequests, Abort };

// The HTTP status of a denial: 401, 403, 404, 429; Abort sends nothing and is logged as 403.
int deny_status(DenyAction action) noexcept;

enum class CounterKind : std::uint8_t {
  Concurrent = 1,  // requests in flight
  Rate = 2,        // requests in one fixed window
  Failures = 3,    // failed logons since the first one
  Lockout = 4,     // present while the address is locked out
  Blocked = 5,     // present while the address is being refused (for the status page)
};

struct CounterKey {
  CounterKind kind = CounterKind::Concurrent;
  IpAddress address;
  std::uint64_t window_ms = 0;     // Rate, Failures: the configured window
  std::uint64_t window_index = 0;  // Rate: which window since the epoch
  bool operator==(const CounterKey&) const = default;
};

// Text form for the network stores, readable in redis-cli:
// "rate/1000/1732800123/192.0.2.7", "fail/60000/2001:db8::1", "lock/192.0.2.7", "conc/...",
// "block/...".
std::string store_key(const CounterKey& key);
// The inverse of store_key; nothing for any other text.
std::optional<CounterKey> parse_store_key(std::string_view text);

// A counter to add one to, and the lifetime it gets when this add creates it.
struct CounterStep {
  CounterKey key;
  std::chrono::milliseconds ttl{0};
};

// The current fixed window of a rate limit: its counter and when it ends.
struct RateWindow {
  CounterStep step;
  std::uint64_t ends_ms = 0;
};
RateWindow rate_window(const RateLimitSpec& spec, const IpAddress& address, std::uint64_t now_ms);

// In-flight requests: counted up when a request starts, down when it ends. The lifetime only
// bounds the damage of a count that a crashed process never took back.
CounterStep concurrency_step(const IpAddress& address);
inline constexpr std::chrono::milliseconds kConcurrencyTtl{std::chrono::hours(1)};

// Failed logons: the window starts at the first failure (the counter's creation).
CounterStep failure_step(const FailedLogonSpec& spec, const IpAddress& address);
CounterKey lockout_key(const IpAddress& address);
std::chrono::milliseconds lockout_duration(const FailedLogonSpec& spec);
CounterKey blocked_key(const IpAddress& address);

// A counter value after the add: more than `limit` is over the limit (a limit of N admits N).
constexpr bool exceeds(std::int64_t count, std::uint64_t limit) noexcept {
  return count > 0 && static_cast<std::uint64_t>(count) > limit;
}

// What the failure counter's value after a failed logon means.
struct FailureOutcome {
  bool starts_lockout = false;  // this failure reached the limit: lock the address out now
  bool over_limit = false;      // more failures than allowed got this far (arrived concurrently)
};
FailureOutcome after_failure(const FailedLogonSpec& spec, std::int64_t count) noexcept;

// Retry-After in whole seconds for a wait of `ms` milliseconds: rounded up, at least 1.
std::uint64_t retry_after_seconds(std::uint64_t ms) noexcept;

// True for the reasons a failed logon counts: 401.1 (credentials_malformed, user_unknown,
// password_mismatch, hash_unverifiable).
bool counts_as_failed_logon(Reason reason) noexcept;

// The reasons of the restrictions (401.501-401.504) and the value a Blocked counter stores.
bool is_restriction(Reason reason) noexcept;

}  // namespace authdiag::core
