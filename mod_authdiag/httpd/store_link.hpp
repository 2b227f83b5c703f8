// SPDX-License-Identifier: Apache-2.0
// What the Redis and memcached counter stores share: the address and time budget of a call, the
// key scheme, a per-process pool of idle connections, and the outage tracker that makes an
// unreachable store fail fast and keeps its error-log lines down to one a minute.
#pragma once

#include "core/shared_store_spec.hpp"
#include "httpd/counter_store.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace authdiag::httpd {

using SteadyClock = std::chrono::steady_clock;

struct StoreEndpoint {
  std::string scheme;  // "redis" or "memcache"
  std::string host;    // a name, an IPv4 or an IPv6 address (without brackets)
  std::uint16_t port = 0;
  // Budget of one call, connecting included.
  std::chrono::milliseconds timeout{core::SharedStoreSpec::kDefaultTimeoutMs};

  std::string url() const;  // "redis://127.0.0.1:6379", "memcache://[::1]:11211"
};

// A resolved endpoint address. Resolution happens once, when the store is created (in
// child_init), so no request waits for DNS.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string numeric_host;  // "127.0.0.1", "::1"
};
// Every address of the endpoint, in getaddrinfo's order ("localhost" may give ::1 and
// 127.0.0.1; connecting tries them in turn). Empty, and `error` set, when it does not resolve.
std::vector<SocketAddress> resolve_endpoint(const StoreEndpoint& endpoint, std::string& error);

// The store key of a caller's key: "authdiag:" + key, with every byte outside
// [A-Za-z0-9._:/[]-] percent-encoded, so neither protocol can be confused by it and `suffix`
// (which starts with '#') can never collide with a caller's key. nullopt when the result would
// exceed memcached's 250-byte key limit.
std::optional<std::string> store_key(std::string_view key, std::string_view suffix = {});

// The end of one call's time budget.
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds budget) : end_(SteadyClock::now() + budget) {}
  std::chrono::milliseconds remaining() const;  // 0 once passed
  bool passed() const { return SteadyClock::now() >= end_; }

 private:
  SteadyClock::time_point end_;
};

// Waits until `fd` is ready for `events` (POLLIN/POLLOUT) or the deadline passes.
bool wait_fd(int fd, short events, const Deadline& deadline, std::string& error);

// True when an idle connection's peer has closed it (or sent something unasked), so it must not
// be reused: after a store restart every pooled connection is in that state.
bool idle_connection_broken(int fd) noexcept;

enum class StoreEventKind {
  Unreachable,       // the first line of an outage
  StillUnreachable,  // a minute (or more) later, while it lasts
  Recovered,         // the store answers again (only after an announced outage)
};
// Receives the tracker's log lines. The module writes them to the error log as AD0504.
using StoreEventSink = std::function<void(StoreEventKind, const std::string& message)>;
using ClockFunction = std::function<SteadyClock::time_point()>;

// Up/down state of one store in one process. While the store is down, calls are skipped (they
// fail open at once) except one probe after a backoff of 250 ms doubling up to 4 s; the probe's
// success ends the outage. Log lines about an outage are at least a minute apart.
class OutageTracker {
 public:
  enum class Attempt { Normal, Probe, Skip };

  static constexpr std::chrono::milliseconds kFirstBackoff{250};
  static constexpr std::chrono::milliseconds kMaxBackoff{4000};
  static constexpr std::chrono::seconds kLogInterval{60};

  OutageTracker(std::string url, StoreEventSink sink, ClockFunction clock = {});

  // Whether a call may go to the network now.
  Attempt begin() noexcept;
  void succeeded(Attempt attempt) noexcept;
  void failed(Attempt attempt, std::string_view why) noexcept;

  StoreHealth health() const noexcept;

 private:
  SteadyClock::time_point now() const { return clock_ ? clock_() : SteadyClock::now(); }
  void emit(StoreEventKind kind, const std::string& message) noexcept;
  std::string describe_locked() const;

  std::string url_;
  StoreEventSink sink_;
  ClockFunction clock_;

  std::atomic<bool> down_{false};
  std::atomic<std::uint64_t> failures_{0};
  mutable std::mutex mutex_;
  // Guarded by mutex_:
  SteadyClock::time_point down_since_{};
  std::chrono::system_clock::time_point down_since_wall_{};
  SteadyClock::time_point next_probe_{};
  std::chrono::milliseconds backoff_{kFirstBackoff};
  bool probe_in_flight_ = false;
  bool announced_ = false;  // this outage has had its Unreachable line
  std::optional<SteadyClock::time_point> last_line_;
  std::uint64_t failed_open_ = 0;  // calls that failed open during this outage
  std::string last_error_;
};

// Idle connections of the current process, shared by its threads. A connection is owned by one
// thread between take() and give_back(). Connections inherited across fork() are never used: a
// child closes them and opens its own.
template <typename Connection>
class ConnectionPool {
 public:
  explicit ConnectionPool(std::size_t max_idle) : max_idle_(max_idle) {}

  std::unique_ptr<Connection> take() {
    std::unique_ptr<Connection> connection;
    {
      const std::lock_guard lock(mutex_);
      adopt_process_locked();
      if (idle_.empty()) return nullptr;
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
    if (idle_connection_broken(connection->fd())) return nullptr;
    return connection;
  }

  void give_back(std::unique_ptr<Connection> connection) {
    const std::lock_guard lock(mutex_);
    adopt_process_locked();
    if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
  }

 private:
  void adopt_process_locked() {
    const pid_t pid = ::getpid();
    if (pid == owner_) return;
    idle_.clear();
    owner_ = pid;
  }

  std::mutex mutex_;
  std::size_t max_idle_;
  pid_t owner_ = ::getpid();
  std::vector<std::unique_ptr<Connection>> idle_;
};

// One call to a store: runs `command(connection, deadline, error, broken)` on a pooled or new
// connection (from `connect(deadline, error)`) within `budget`, and reports the outcome to
// `tracker`. A connection the command marks broken (answers may be left unread on it) is
// dropped, not pooled. nullopt: the store failed, or the tracker is backing off.
template <typename Result, typename Connection, typename Connect, typename Command>
std::optional<Result> run_store_call(OutageTracker& tracker, ConnectionPool<Connection>& pool,
                                     std::chrono::milliseconds budget, Connect&& connect,
                                     Command&& command) noexcept {
  const OutageTracker::Attempt attempt = tracker.begin();
  if (attempt == OutageTracker::Attempt::Skip) return std::nullopt;
  std::string error;
  try {
    const Deadline deadline(budget);
    std::unique_ptr<Connection> connection = pool.take();
    if (!connection) connection = connect(deadline, error);
    if (connection) {
      bool broken = false;
      std::optional<Result> result = command(*connection, deadline, error, broken);
      if (!broken) pool.give_back(std::move(connection));
      if (result) {
        tracker.succeeded(attempt);
        return result;
      }
    }
  } catch (const std::exception& exception) {
    error = exception.what();
  } catch (...) {
    error = "unknown exception";
  }
  tracker.failed(attempt, error);
  return std::nullopt;
}

}  // namespace authdiag::httpd
