// SPDX-License-Identifier: Apache-2.0
// The JSON document of `SetHandler authdiag-status`: the counter store and its health, the
// denials so far, the addresses currently blocked with their reason and time left, the live
// counters, and every deny list with its size and load time.
#pragma once

#include "core/rate_limit.hpp"
#include "core/reason.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace authdiag::core {

struct StoreStatus {
  std::string type;  // "shm", "redis", "memcache"
  std::string description;
  bool reachable = true;
  std::uint64_t failures = 0;
};

struct CounterSpaceStatus {
  std::uint64_t slots = 0;
  std::uint64_t in_use = 0;
  std::uint64_t full_events = 0;  // adds refused (failed open) because the table was full
};

struct ReasonTally {
  Reason reason = Reason::IpDenied;
  std::uint64_t denied = 0;
  std::uint64_t logged_only = 0;  // AuthDiagLoggingOnly: would have been denied
};

struct BlockedAddress {
  IpAddress address;
  Reason reason = Reason::RateLimit;
  std::uint64_t time_left_ms = 0;
};

struct LiveCounter {
  CounterKey key;
  std::int64_t value = 0;
  std::uint64_t expires_in_ms = 0;
};

struct DenyListStatus {
  std::string file;  // as resolved against ServerRoot
  std::uint64_t entries = 0;
  std::uint64_t ipv4_ranges = 0;
  std::uint64_t ipv6_ranges = 0;
  std::uint64_t bytes = 0;
  std::int64_t loaded_at_us = 0;  // Unix microseconds
  std::uint64_t load_time_us = 0;
  std::uint64_t malformed_lines = 0;
  std::optional<std::string> error;  // the file could not be read
};

struct RestrictionStatus {
  std::int64_t time_us = 0;
  std::int64_t counting_since_us = 0;  // when the shared memory was created
  StoreStatus store;
  CounterSpaceStatus shared_memory;
  std::vector<ReasonTally> denials;
  std::vector<BlockedAddress> blocked;
  std::vector<LiveCounter> counters;
  std::uint64_t counters_omitted = 0;  // live counters beyond the listed ones
  std::vector<DenyListStatus> deny_lists;
};

// One JSON object followed by a newline.
std::string render_status_json(const RestrictionStatus& status);

// "rate", "fail", ... as in store_key().
std::string_view counter_kind_name(CounterKind kind) noexcept;

}  // namespace authdiag::core
