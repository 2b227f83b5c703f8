// SPDX-License-Identifier: Apache-2.0
// CounterStore in Redis through hiredis, for servers sharing counters (AuthDiagSharedStore
// redis://host:port). apr-util's apr_redis offers INCR and SETEX but no EXPIRE, PEXPIRE, SET NX or
// PTTL, so it cannot give a counter a lifetime only when the counter is created.
#pragma once

#include "httpd/counter_store.hpp"
#include "httpd/store_link.hpp"

#include <memory>
#include <string>

namespace authdiag::httpd {

class RedisStore final : public CounterStore {
 public:
  // Opens no connection: each process connects on its first call (so a parent that creates the
  // store before forking hands no socket to its children).
  RedisStore(StoreEndpoint endpoint, StoreEventSink sink, ClockFunction clock = {});
  ~RedisStore() override;

  // One round trip: EVALSHA of a script that runs INCRBY and, when the counter has no lifetime
  // yet (it was just created), PEXPIRE; EVAL when Redis does not know the script yet.
  std::optional<std::int64_t> add(std::string_view key, std::int64_t delta,
                                  std::chrono::milliseconds ttl) noexcept override;
  std::optional<std::int64_t> get(std::string_view key) noexcept override;  // GET
  bool put(std::string_view key, std::int64_t value,
           std::chrono::milliseconds ttl) noexcept override;  // SET key value PX ttl
  std::optional<std::chrono::milliseconds> time_left(
      std::string_view key) noexcept override;  // PTTL
  StoreHealth health() const noexcept override;

  // The Lua source of add() and its SHA-1, as EVALSHA wants it.
  static const char* add_script() noexcept;
  static std::string add_script_sha1();

  class Connection;

 private:
  // Runs `command` on a pooled or new connection within the endpoint's time budget and reports
  // the outcome to the outage tracker. nullopt: the store failed (or is backing off).
  template <typename Result, typename Command>
  std::optional<Result> run(Command&& command) noexcept;
  std::unique_ptr<Connection> connect(const Deadline& deadline, std::string& error);

  StoreEndpoint endpoint_;
  OutageTracker tracker_;
  std::string script_sha1_;
  std::string resolve_error_;
  // Resolved once, here: a request never waits for DNS. A name that does not resolve leaves the
  // store unreachable until the child is replaced (a restart or graceful restart).
  std::vector<SocketAddress> addresses_;
  ConnectionPool<Connection> pool_;
};

}  // namespace authdiag::httpd
