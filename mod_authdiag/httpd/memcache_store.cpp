// SPDX-License-Identifier: Apache-2.0
// memcached counter store: a minimal text-protocol client on non-blocking sockets, every wait
// bounded by the call's deadline, connections pooled per process.
#include "httpd/memcache_store.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace authdiag::httpd {
namespace {

constexpr std::size_t kMaxIdleConnections = 64;
constexpr std::string_view kExpirySuffix = "#exp";
// memcached reads larger expiry values as absolute Unix times.
constexpr std::int64_t kMaxRelativeExpiry = 60 * 60 * 24 * 30;
// An answer line longer than this is not one we asked for.
constexpr std::size_t kMaxLine = 1024;

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// memcached's <exptime>: whole seconds, rounded up, at least 1 (0 would mean "never").
std::string exptime(std::chrono::milliseconds ttl) {
  const std::int64_t seconds = std::max<std::int64_t>((ttl.count() + 999) / 1000, 1);
  if (seconds <= kMaxRelativeExpiry) return std::to_string(seconds);
  return std::to_string(unix_ms_now() / 1000 + seconds);
}

template <typename Integer>
bool parse_number(std::string_view text, Integer& value) {
  // `decr` may leave a shorter number padded with spaces.
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc() && ptr == end;
}

std::string storage_command(std::string_view verb, std::string_view key, std::string_view ttl,
                            std::string_view data) {
  std::string command;
  command.append(verb).append(" ").append(key).append(" 0 ").append(ttl).append(" ");
  command.append(std::to_string(data.size())).append("\r\n").append(data).append("\r\n");
  return command;
}

}  // namespace

class MemcacheStore::Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }

  bool send(std::string_view bytes, const Deadline& deadline, std::string& error) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(sent));
      } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!wait_fd(fd_, POLLOUT, deadline, error)) return false;
      } else if (sent < 0 && errno != EINTR) {
        error = std::strerror(errno);
        return false;
      }
    }
    return true;
  }

  // One answer line without its CRLF.
  bool read_line(std::string& line, const Deadline& deadline, std::string& error) {
    for (;;) {
      const auto end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        line.assign(buffer_, 0, end);
        buffer_.erase(0, end + 2);
        return true;
      }
      if (buffer_.size() > kMaxLine) {
        error = "malformed answer";
        return false;
      }
      if (!fill(deadline, error)) return false;
    }
  }

  // A data block of `size` bytes and its CRLF.
  bool read_block(std::size_t size, std::string& data, const Deadline& deadline,
                  std::string& error) {
    while (buffer_.size() < size + 2) {
      if (!fill(deadline, error)) return false;
    }
    if (buffer_.compare(size, 2, "\r\n") != 0) {
      error = "malformed answer";
      return false;
    }
    data.assign(buffer_, 0, size);
    buffer_.erase(0, size + 2);
    return true;
  }

 private:
  bool fill(const Deadline& deadline, std::string& error) {
    char chunk[512];
    for (;;) {
      const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
      if (got > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(got));
        return true;
      }
      if (got == 0) {
        error = "connection closed by the server";
        return false;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wait_fd(fd_, POLLIN, deadline, error)) return false;
      } else if (errno != EINTR) {
        error = std::strerror(errno);
        return false;
      }
    }
  }

  int fd_;
  std::string buffer_;
};

MemcacheStore::MemcacheStore(StoreEndpoint endpoint, StoreEventSink sink, ClockFunction clock)
    : endpoint_(std::move(endpoint)),
      tracker_(endpoint_.url(), std::move(sink), std::move(clock)),
      addresses_(resolve_endpoint(endpoint_, resolve_error_)),
      pool_(kMaxIdleConnections) {}

MemcacheStore::~MemcacheStore() = default;

namespace {

std::unique_ptr<MemcacheStore::Connection> connect_to(const SocketAddress& address,
                                                      const Deadline& deadline,
                                                      std::string& error) {
  const int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::strerror(errno);
    return nullptr;
  }
  auto connection = std::make_unique<MemcacheStore::Connection>(fd);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0) {
    if (errno != EINPROGRESS) {
      error = std::strerror(errno);
      return nullptr;
    }
    if (!wait_fd(fd, POLLOUT, deadline, error)) return nullptr;
    int status = 0;
    socklen_t length = sizeof status;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length) != 0 || status != 0) {
      error = std::strerror(status != 0 ? status : errno);
      return nullptr;
    }
  }
  return connection;
}

}  // namespace

std::unique_ptr<MemcacheStore::Connection> MemcacheStore::connect(const Deadline& deadline,
                                                                  std::string& error) {
  error = resolve_error_;
  for (const SocketAddress& address : addresses_) {
    auto connection = connect_to(address, deadline, error);
    if (connection) return connection;
    if (deadline.passed()) break;
  }
  return nullptr;
}

template <typename Result, typename Command>
std::optional<Result> MemcacheStore::run(Command&& command) noexcept {
  return run_store_call<Result>(
      tracker_, pool_, endpoint_.timeout,
      [this](const Deadline& deadline, std::string& error) { return connect(deadline, error); },
      [&command](Connection& connection, const Deadline& deadline, std::string& error,
                 bool& broken) {
        std::optional<Result> result = command(connection, deadline, error);
        // Any failure may leave answers unread on the connection, so it is dropped.
        broken = !result;
        return result;
      });
}

std::optional<std::int64_t> MemcacheStore::add(std::string_view key, std::int64_t delta,
                                               std::chrono::milliseconds ttl) noexcept {
  return run<std::int64_t>([&](Connection& connection, const Deadline& deadline,
                               std::string& error) -> std::optional<std::int64_t> {
    const auto name = store_key(key);
    const auto expiry_name = store_key(key, kExpirySuffix);
    if (!name || !expiry_name) {
      error = "key too long";
      return std::nullopt;
    }
    const std::string lifetime = exptime(ttl);
    const std::string expiry =
        std::to_string(unix_ms_now() + std::max<std::int64_t>(ttl.count(), 1));
    // |INT64_MIN| does not fit an int64_t; memcached's decr stops at 0 anyway.
    const std::uint64_t magnitude = delta >= 0 ? static_cast<std::uint64_t>(delta)
                                               : static_cast<std::uint64_t>(-(delta + 1)) + 1;
    const std::string request = storage_command("add", *name, lifetime, "0") +
                                storage_command("add", *expiry_name, lifetime, expiry) +
                                (delta >= 0 ? "incr " : "decr ") + *name + " " +
                                std::to_string(magnitude) + "\r\n";
    // The counter can expire between `add` and `incr` (NOT_FOUND); then once more.
    for (int round = 0; round < 2; ++round) {
      if (!connection.send(request, deadline, error)) return std::nullopt;
      std::string line;
      for (int answer = 0; answer < 2; ++answer) {
        if (!connection.read_line(line, deadline, error)) return std::nullopt;
        if (line != "STORED" && line != "NOT_STORED") {
          error = "memcached answered '" + line + "' to add";
          return std::nullopt;
        }
      }
      if (!connection.read_line(line, deadline, error)) return std::nullopt;
      if (line == "NOT_FOUND") continue;
      std::uint64_t value = 0;
      if (!parse_number(line, value)) {
        error = "memcached answered '" + line + "' to incr";
        return std::nullopt;
      }
      return static_cast<std::int64_t>(
          std::min<std::uint64_t>(value, std::numeric_limits<std::int64_t>::max()));
    }
    error = "counter expired during the update";
    return std::nullopt;
  });
}

namespace {

// Sends `get <name>` and reads the value; nullopt on failure, "" in `value` plus false in
// `found` when absent.
bool get_value(MemcacheStore::Connection& connection, const std::string& name,
               const Deadline& deadline, std::string& value, bool& found, std::string& error) {
  found = false;
  if (!connection.send("get " + name + "\r\n", deadline, error)) return false;
  std::string line;
  if (!connection.read_line(line, deadline, error)) return false;
  if (line == "END") return true;
  // VALUE <key> <flags> <bytes>
  const std::string prefix = "VALUE " + name + " ";
  const auto last_space = line.rfind(' ');
  std::size_t size = 0;
  if (!line.starts_with(prefix) || last_space < prefix.size() ||
      !parse_number(std::string_view(line).substr(last_space + 1), size) || size > kMaxLine) {
    error = "memcached answered '" + line + "' to get";
    return false;
  }
  if (!connection.read_block(size, value, deadline, error)) return false;
  if (!connection.read_line(line, deadline, error)) return false;
  if (line != "END") {
    error = "memcached answered '" + line + "' after a value";
    return false;
  }
  found = true;
  return true;
}

}  // namespace

std::optional<std::int64_t> MemcacheStore::get(std::string_view key) noexcept {
  return run<std::int64_t>([&](Connection& connection, const Deadline& deadline,
                               std::string& error) -> std::optional<std::int64_t> {
    const auto name = store_key(key);
    if (!name) {
      error = "key too long";
      return std::nullopt;
    }
    std::string value;
    bool found = false;
    if (!get_value(connection, *name, deadline, value, found, error)) return std::nullopt;
    if (!found) return 0;
    std::int64_t number = 0;
    if (!parse_number(value, number)) {
      error = "value of " + *name + " is not a number";
      return std::nullopt;
    }
    return number;
  });
}

bool MemcacheStore::put(std::string_view key, std::int64_t value,
                        std::chrono::milliseconds ttl) noexcept {
  return run<bool>([&](Connection& connection, const Deadline& deadline,
                       std::string& error) -> std::optional<bool> {
           const auto name = store_key(key);
           const auto expiry_name = store_key(key, kExpirySuffix);
           if (!name || !expiry_name) {
             error = "key too long";
             return std::nullopt;
           }
           const std::string lifetime = exptime(ttl);
           const std::string expiry =
               std::to_string(unix_ms_now() + std::max<std::int64_t>(ttl.count(), 1));
           const std::string request =
               storage_command("set", *name, lifetime, std::to_string(value)) +
               storage_command("set", *expiry_name, lifetime, expiry);
           if (!connection.send(request, deadline, error)) return std::nullopt;
           std::string line;
           for (int answer = 0; answer < 2; ++answer) {
             if (!connection.read_line(line, deadline, error)) return std::nullopt;
             if (line != "STORED") {
               error = "memcached answered '" + line + "' to set";
               return std::nullopt;
             }
           }
           return true;
         })
      .has_value();
}

std::optional<std::chrono::milliseconds> MemcacheStore::time_left(std::string_view key) noexcept {
  using Left = std::optional<std::chrono::milliseconds>;
  const auto result = run<Left>([&](Connection& connection, const Deadline& deadline,
                                    std::string& error) -> std::optional<Left> {
    const auto expiry_name = store_key(key, kExpirySuffix);
    if (!expiry_name) {
      error = "key too long";
      return std::nullopt;
    }
    std::string value;
    bool found = false;
    if (!get_value(connection, *expiry_name, deadline, value, found, error)) return std::nullopt;
    if (!found) return Left();
    std::int64_t expires = 0;
    if (!parse_number(value, expires)) {
      error = "value of " + *expiry_name + " is not a time";
      return std::nullopt;
    }
    const std::int64_t left = expires - unix_ms_now();
    if (left <= 0) return Left();
    return Left(std::chrono::milliseconds(left));
  });
  return result ? *result : std::nullopt;
}

StoreHealth MemcacheStore::health() const noexcept { return tracker_.health(); }

}  // namespace authdiag::httpd
