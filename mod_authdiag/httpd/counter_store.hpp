// SPDX-License-Identifier: Apache-2.0
// Where the IP-restriction counters live: shared memory on one server (the default), or Redis or
// memcached shared by a fleet (AuthDiagSharedStore). Every operation is atomic in the store and
// bounded in time; an unreachable store answers std::nullopt and the caller fails open.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authdiag::httpd {

struct StoreHealth {
  bool reachable = true;
  std::string description;  // "shm", "redis://127.0.0.1:6379 (up)", "... (down since ...)"
  std::uint64_t failures = 0;
};

class CounterStore {
 public:
  CounterStore() = default;
  CounterStore(const CounterStore&) = delete;
  CounterStore& operator=(const CounterStore&) = delete;
  virtual ~CounterStore() = default;

  // Adds `delta` to counter `key`, creating it at 0 with a lifetime of `ttl` when absent, and
  // returns the value after the addition. Atomic across processes (and servers).
  virtual std::optional<std::int64_t> add(std::string_view key, std::int64_t delta,
                                          std::chrono::milliseconds ttl) noexcept = 0;

  // The current value, or 0 when absent.
  virtual std::optional<std::int64_t> get(std::string_view key) noexcept = 0;

  // Sets `key` to `value` for `ttl` (a lockout marker), replacing any value.
  virtual bool put(std::string_view key, std::int64_t value,
                   std::chrono::milliseconds ttl) noexcept = 0;

  // Milliseconds until `key` expires, or nullopt when absent/unknown.
  virtual std::optional<std::chrono::milliseconds> time_left(std::string_view key) noexcept = 0;

  virtual StoreHealth health() const noexcept = 0;
};

}  // namespace authdiag::httpd
