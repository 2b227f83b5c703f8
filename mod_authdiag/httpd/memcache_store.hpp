// SPDX-License-Identifier: Apache-2.0
// CounterStore in memcached, for servers sharing counters (AuthDiagSharedStore
// memcache://host:port). Counters use the classic text protocol's atomic commands: `add` with an
// expiry (creates the counter at 0 only when absent, so the first writer sets its lifetime), then
// `incr`/`decr`. The commands go over this file's own small client rather than apr-util's
// apr_memcache: apr_memcache 1.6 connects with a fixed 1 s timeout and then reads with no timeout
// at all (against a memcached stopped with SIGSTOP, apr_memcache_add was still waiting after
// 10 s), and it has no call to change either, so it cannot keep a request within timeout_ms.
#pragma once

#include "httpd/counter_store.hpp"
#include "httpd/store_link.hpp"

#include <memory>
#include <string>

namespace authdiag::httpd {

class MemcacheStore final : public CounterStore {
 public:
  // Opens no connection: each process connects on its first call.
  MemcacheStore(StoreEndpoint endpoint, StoreEventSink sink, ClockFunction clock = {});
  ~MemcacheStore() override;

  // One round trip, three pipelined commands: `add key` (value 0, lifetime ttl), `add key#exp`
  // (the expiry time, for time_left), `incr key delta` (or `decr`, which stops at 0). memcached
  // counts lifetimes in whole seconds, so ttl is rounded up; as its clock ticks once a second, a
  // counter may still end up to a second early.
  std::optional<std::int64_t> add(std::string_view key, std::int64_t delta,
                                  std::chrono::milliseconds ttl) noexcept override;
  std::optional<std::int64_t> get(std::string_view key) noexcept override;
  bool put(std::string_view key, std::int64_t value,
           std::chrono::milliseconds ttl) noexcept override;
  // From the companion key `key#exp`, which holds the expiry as Unix milliseconds (memcached
  // does not report lifetimes in its classic protocol); assumes the fleet's clocks agree.
  std::optional<std::chrono::milliseconds> time_left(std::string_view key) noexcept override;
  StoreHealth health() const noexcept override;

  class Connection;

 private:
  template <typename Result, typename Command>
  std::optional<Result> run(Command&& command) noexcept;
  std::unique_ptr<Connection> connect(const Deadline& deadline, std::string& error);

  StoreEndpoint endpoint_;
  OutageTracker tracker_;
  std::string resolve_error_;
  // Resolved once, here: a request never waits for DNS. A name that does not resolve leaves the
  // store unreachable until the child is replaced (a restart or graceful restart).
  std::vector<SocketAddress> addresses_;
  ConnectionPool<Connection> pool_;
};

}  // namespace authdiag::httpd
