// SPDX-License-Identifier: Apache-2.0
// Endpoint resolution, keys, deadlines and the outage tracker shared by the network stores.
#include "httpd/store_link.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <netdb.h>
#include <poll.h>

namespace authdiag::httpd {

std::string StoreEndpoint::url() const {
  const bool bracket = host.find(':') != std::string::npos;
  return scheme + "://" + (bracket ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::vector<SocketAddress> resolve_endpoint(const StoreEndpoint& endpoint, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint.port);
  const int status = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found);
  if (status != 0) {
    error = "cannot resolve " + endpoint.host + ": " + ::gai_strerror(status);
    return {};
  }
  std::vector<SocketAddress> addresses;
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    SocketAddress address;
    if (entry->ai_addrlen > sizeof address.storage) continue;
    std::memcpy(&address.storage, entry->ai_addr, entry->ai_addrlen);
    address.length = entry->ai_addrlen;
    char text[NI_MAXHOST];
    if (::getnameinfo(entry->ai_addr, entry->ai_addrlen, text, sizeof text, nullptr, 0,
                      NI_NUMERICHOST) != 0) {
      continue;
    }
    address.numeric_host = text;
    addresses.push_back(std::move(address));
  }
  ::freeaddrinfo(found);
  if (addresses.empty()) error = "cannot resolve " + endpoint.host;
  return addresses;
}

std::optional<std::string> store_key(std::string_view key, std::string_view suffix) {
  static constexpr std::size_t kMemcachedKeyLimit = 250;
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "authdiag:";
  for (const char c : key) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || std::strchr("._:/[]-", byte) != nullptr;
    if (plain && byte != 0) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  out += suffix;
  if (out.size() > kMemcachedKeyLimit) return std::nullopt;
  return out;
}

std::chrono::milliseconds Deadline::remaining() const {
  const auto left = end_ - SteadyClock::now();
  if (left <= SteadyClock::duration::zero()) return std::chrono::milliseconds(0);
  // Round up: a budget of 0.3 ms left is still a budget.
  return std::chrono::ceil<std::chrono::milliseconds>(left);
}

bool wait_fd(int fd, short events, const Deadline& deadline, std::string& error) {
  for (;;) {
    const auto left = deadline.remaining();
    if (left.count() <= 0) {
      error = "timed out";
      return false;
    }
    pollfd entry{fd, events, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready > 0) return true;
    if (ready == 0) {
      error = "timed out";
      return false;
    }
    if (errno != EINTR) {
      error = std::strerror(errno);
      return false;
    }
  }
}

bool idle_connection_broken(int fd) noexcept {
  pollfd entry{fd, POLLIN | POLLRDHUP, 0};
  return ::poll(&entry, 1, 0) != 0;
}

OutageTracker::OutageTracker(std::string url, StoreEventSink sink, ClockFunction clock)
    : url_(std::move(url)), sink_(std::move(sink)), clock_(std::move(clock)) {}

OutageTracker::Attempt OutageTracker::begin() noexcept {
  if (!down_.load(std::memory_order_acquire)) return Attempt::Normal;
  const std::lock_guard lock(mutex_);
  if (!down_.load(std::memory_order_relaxed)) return Attempt::Normal;
  if (!probe_in_flight_ && now() >= next_probe_) {
    probe_in_flight_ = true;
    return Attempt::Probe;
  }
  ++failed_open_;
  failures_.fetch_add(1, std::memory_order_relaxed);
  return Attempt::Skip;
}

void OutageTracker::succeeded(Attempt) noexcept {
  if (!down_.load(std::memory_order_acquire)) return;
  std::string message;
  try {
    const std::lock_guard lock(mutex_);
    if (!down_.load(std::memory_order_relaxed)) return;
    down_.store(false, std::memory_order_release);
    probe_in_flight_ = false;
    backoff_ = kFirstBackoff;
    if (announced_) {
      const auto seconds =
          std::chrono::duration_cast<std::chrono::seconds>(now() - down_since_).count();
      message = "shared store " + url_ + " reachable again after " + std::to_string(seconds) +
                " s; " + std::to_string(failed_open_) + " operations failed open meanwhile";
    }
    announced_ = false;
    failed_open_ = 0;
  } catch (...) {
    return;
  }
  if (!message.empty()) emit(StoreEventKind::Recovered, message);
}

void OutageTracker::failed(Attempt attempt, std::string_view why) noexcept {
  failures_.fetch_add(1, std::memory_order_relaxed);
  std::string message;
  StoreEventKind kind = StoreEventKind::Unreachable;
  try {
    const std::lock_guard lock(mutex_);
    const auto at = now();
    last_error_.assign(why);
    if (!down_.load(std::memory_order_relaxed)) {
      down_.store(true, std::memory_order_release);
      down_since_ = at;
      down_since_wall_ = std::chrono::system_clock::now();
      backoff_ = kFirstBackoff;
      next_probe_ = at + backoff_;
      probe_in_flight_ = false;
      announced_ = false;
      failed_open_ = 1;
    } else {
      ++failed_open_;
      if (attempt == Attempt::Probe) {
        probe_in_flight_ = false;
        backoff_ = std::min(backoff_ * 2, kMaxBackoff);
        next_probe_ = at + backoff_;
      }
    }
    if (last_line_ && at - *last_line_ < kLogInterval) return;
    last_line_ = at;
    if (!announced_) {
      kind = StoreEventKind::Unreachable;
      message = "shared store " + url_ + " unreachable: " + last_error_ +
                "; IP-restriction counters fail open (nothing is counted or blocked by them) "
                "until it answers";
    } else {
      kind = StoreEventKind::StillUnreachable;
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(at - down_since_);
      message = "shared store " + url_ + " still unreachable after " +
                std::to_string(seconds.count()) + " s: " + last_error_ + "; " +
                std::to_string(failed_open_) + " operations failed open so far";
    }
    announced_ = true;
  } catch (...) {
    return;
  }
  emit(kind, message);
}

void OutageTracker::emit(StoreEventKind kind, const std::string& message) noexcept {
  if (!sink_) return;
  try {
    sink_(kind, message);
  } catch (...) {
  }
}

StoreHealth OutageTracker::health() const noexcept {
  StoreHealth health;
  try {
    health.failures = failures_.load(std::memory_order_relaxed);
    const std::lock_guard lock(mutex_);
    health.reachable = !down_.load(std::memory_order_relaxed);
    health.description = describe_locked();
  } catch (...) {
  }
  return health;
}

std::string OutageTracker::describe_locked() const {
  if (!down_.load(std::memory_order_relaxed)) return url_ + " (up)";
  const std::time_t since = std::chrono::system_clock::to_time_t(down_since_wall_);
  std::tm utc{};
  ::gmtime_r(&since, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return url_ + " (down since " + stamp + ": " + last_error_ + ")";
}

}  // namespace authdiag::httpd
