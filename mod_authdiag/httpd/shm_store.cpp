// SPDX-License-Identifier: Apache-2.0
#include "httpd/shm_store.hpp"

#include "core/rate_limit.hpp"
#include "httpd/shared_memory.hpp"

namespace authdiag::httpd {

namespace {

std::uint64_t milliseconds(std::chrono::milliseconds ttl) {
  return ttl.count() < 0 ? 0 : static_cast<std::uint64_t>(ttl.count());
}

}  // namespace

std::optional<std::int64_t> ShmStore::add(const core::CounterKey& key, std::int64_t delta,
                                          std::chrono::milliseconds ttl) noexcept {
  return table_.add(key, delta, now_ms(), milliseconds(ttl));
}

std::int64_t ShmStore::get(const core::CounterKey& key) noexcept {
  return table_.get(key, now_ms());
}

bool ShmStore::put(const core::CounterKey& key, std::int64_t value,
                   std::chrono::milliseconds ttl) noexcept {
  return table_.put(key, value, now_ms(), milliseconds(ttl));
}

std::optional<std::chrono::milliseconds> ShmStore::time_left(const core::CounterKey& key) noexcept {
  const auto left = table_.time_left_ms(key, now_ms());
  if (!left) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(*left));
}

std::optional<std::int64_t> ShmStore::add(std::string_view key, std::int64_t delta,
                                          std::chrono::milliseconds ttl) noexcept {
  const auto parsed = core::parse_store_key(key);
  if (!parsed) return std::nullopt;
  return add(*parsed, delta, ttl);
}

std::optional<std::int64_t> ShmStore::get(std::string_view key) noexcept {
  const auto parsed = core::parse_store_key(key);
  if (!parsed) return std::nullopt;
  return get(*parsed);
}

bool ShmStore::put(std::string_view key, std::int64_t value,
                   std::chrono::milliseconds ttl) noexcept {
  const auto parsed = core::parse_store_key(key);
  return parsed && put(*parsed, value, ttl);
}

std::optional<std::chrono::milliseconds> ShmStore::time_left(std::string_view key) noexcept {
  const auto parsed = core::parse_store_key(key);
  if (!parsed) return std::nullopt;
  return time_left(*parsed);
}

StoreHealth ShmStore::health() const noexcept {
  StoreHealth health;
  health.reachable = true;
  health.description = "shm";
  health.failures = table_.full_events();
  return health;
}

}  // namespace authdiag::httpd
