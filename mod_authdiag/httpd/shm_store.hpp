// SPDX-License-Identifier: Apache-2.0
// The default CounterStore (AuthDiagSharedStore shm): the counter table in this server's shared
// memory. Keys are the texts of core::store_key; the restrictions also call it with the
// structured key directly, which skips formatting and parsing the text.
#pragma once

#include "core/counter_table.hpp"
#include "httpd/counter_store.hpp"

namespace authdiag::httpd {

class ShmStore final : public CounterStore {
 public:
  explicit ShmStore(core::CounterTable& table) : table_(table) {}

  std::optional<std::int64_t> add(std::string_view key, std::int64_t delta,
                                  std::chrono::milliseconds ttl) noexcept override;
  std::optional<std::int64_t> get(std::string_view key) noexcept override;
  bool put(std::string_view key, std::int64_t value,
           std::chrono::milliseconds ttl) noexcept override;
  std::optional<std::chrono::milliseconds> time_left(std::string_view key) noexcept override;
  StoreHealth health() const noexcept override;

  std::optional<std::int64_t> add(const core::CounterKey& key, std::int64_t delta,
                                  std::chrono::milliseconds ttl) noexcept;
  std::int64_t get(const core::CounterKey& key) noexcept;
  bool put(const core::CounterKey& key, std::int64_t value, std::chrono::milliseconds ttl) noexcept;
  std::optional<std::chrono::milliseconds> time_left(const core::CounterKey& key) noexcept;

  core::CounterTable& table() noexcept { return table_; }

 private:
  core::CounterTable& table_;
};

}  // namespace authdiag::httpd
