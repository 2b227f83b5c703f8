// SPDX-License-Identifier: Apache-2.0
// AuthDiagSharedStore as plain data: where the IP-restriction counters live (shared memory on
// this server, or a Redis or memcached server shared by a fleet) and how long a request may wait
// for the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authdiag::core {

enum class StoreKind : std::uint8_t { Shm, Redis, Memcache };

struct SharedStoreSpec {
  StoreKind kind = StoreKind::Shm;
  std::string host;        // Redis/memcached only: a name or an IPv4/IPv6 literal (no brackets)
  std::uint16_t port = 0;  // Redis/memcached only
  // No request waits longer than this for the store; past it the request fails open.
  std::chrono::milliseconds timeout{kDefaultTimeoutMs};
  std::string text = "shm";  // canonical, "redis://127.0.0.1:6379", for logs and the status page

  static constexpr std::int64_t kDefaultTimeoutMs = 50;
};

// Parses the arguments of AuthDiagSharedStore: `shm`, `redis://host:port` or
// `memcache://host:port`, then an optional timeout in milliseconds (1..60000). IPv6 hosts are
// written in brackets: redis://[::1]:6379. On error, nothing, and `error` says why.
std::optional<SharedStoreSpec> parse_shared_store(std::string_view target,
                                                  std::optional<std::string_view> timeout_ms,
                                                  std::string& error);

}  // namespace authdiag::core
