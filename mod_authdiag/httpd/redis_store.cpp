// SPDX-License-Identifier: Apache-2.0
// Redis counter store: non-blocking hiredis connections, pooled per process, every wait bounded
// by the call's deadline. hiredis writes with write(); httpd's children ignore SIGPIPE.
#include "httpd/redis_store.hpp"

#include <apr_sha1.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/socket.h>

namespace authdiag::httpd {
namespace {

// The counter gets its lifetime only when it has none, i.e. when INCRBY has just created it.
constexpr const char* kAddScript =
    "local value = redis.call('INCRBY', KEYS[1], ARGV[1])\n"
    "if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end\n"
    "return value\n";

// Idle connections kept per process; threads beyond that connect for themselves.
constexpr std::size_t kMaxIdleConnections = 64;

struct ReplyDeleter {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

long long ttl_ms(std::chrono::milliseconds ttl) { return std::max<long long>(ttl.count(), 1); }

std::string context_error(const redisContext& context) {
  if (context.err == REDIS_ERR_EOF) return "connection closed by the server";
  return context.errstr[0] != '\0' ? context.errstr : "connection error";
}

std::string reply_error(const redisReply& reply) {
  if (reply.type == REDIS_REPLY_ERROR) return std::string("Redis error: ") + reply.str;
  return "unexpected Redis reply type " + std::to_string(reply.type);
}

bool parse_integer(std::string_view text, std::int64_t& value) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end;
}

}  // namespace

// A non-blocking hiredis context driven with poll(), so that connecting, sending and waiting for
// the reply all end at the call's deadline.
class RedisStore::Connection {
 public:
  explicit Connection(redisContext* context) : context_(context) {}
  ~Connection() { redisFree(context_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return context_->fd; }

  // Waits for a connection started by redisConnectNonBlock to complete.
  bool established(const Deadline& deadline, std::string& error) {
    if (context_->err != 0) {
      error = context_error(*context_);
      return false;
    }
    if (!wait_fd(fd(), POLLOUT, deadline, error)) return false;
    int status = 0;
    socklen_t length = sizeof status;
    if (::getsockopt(fd(), SOL_SOCKET, SO_ERROR, &status, &length) != 0 || status != 0) {
      error = std::strerror(status != 0 ? status : errno);
      return false;
    }
    return true;
  }

  // Sends a command and waits for its reply; nullptr when the connection failed or the deadline
  // passed (the connection is then unusable and `error` says why).
  template <typename... Args>
  Reply command(const Deadline& deadline, std::string& error, const char* format, Args... args) {
    if (redisAppendCommand(context_, format, args...) != REDIS_OK) {
      error = context_error(*context_);
      return nullptr;
    }
    for (int done = 0; done == 0;) {
      if (redisBufferWrite(context_, &done) != REDIS_OK) {
        error = context_error(*context_);
        return nullptr;
      }
      if (done == 0 && !wait_fd(fd(), POLLOUT, deadline, error)) return nullptr;
    }
    for (;;) {
      void* reply = nullptr;
      if (redisGetReplyFromReader(context_, &reply) != REDIS_OK) {
        error = context_error(*context_);
        return nullptr;
      }
      if (reply != nullptr) return Reply(static_cast<redisReply*>(reply));
      if (!wait_fd(fd(), POLLIN, deadline, error)) return nullptr;
      if (redisBufferRead(context_) != REDIS_OK) {
        error = context_error(*context_);
        return nullptr;
      }
    }
  }

 private:
  redisContext* context_;
};

RedisStore::RedisStore(StoreEndpoint endpoint, StoreEventSink sink, ClockFunction clock)
    : endpoint_(std::move(endpoint)),
      tracker_(endpoint_.url(), std::move(sink), std::move(clock)),
      script_sha1_(add_script_sha1()),
      addresses_(resolve_endpoint(endpoint_, resolve_error_)),
      pool_(kMaxIdleConnections) {}

RedisStore::~RedisStore() = default;

const char* RedisStore::add_script() noexcept { return kAddScript; }

std::string RedisStore::add_script_sha1() {
  apr_sha1_ctx_t context;
  apr_sha1_init(&context);
  apr_sha1_update_binary(&context, reinterpret_cast<const unsigned char*>(kAddScript),
                         static_cast<unsigned int>(std::strlen(kAddScript)));
  unsigned char digest[APR_SHA1_DIGESTSIZE];
  apr_sha1_final(digest, &context);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (const unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0x0f];
  }
  return hex;
}

std::unique_ptr<RedisStore::Connection> RedisStore::connect(const Deadline& deadline,
                                                            std::string& error) {
  error = resolve_error_;
  for (const SocketAddress& address : addresses_) {
    redisContext* context = redisConnectNonBlock(address.numeric_host.c_str(), endpoint_.port);
    if (context == nullptr) {
      error = "cannot allocate a Redis connection";
      return nullptr;
    }
    auto connection = std::make_unique<Connection>(context);
    if (connection->established(deadline, error)) return connection;
    if (deadline.passed()) break;
  }
  return nullptr;
}

template <typename Result, typename Command>
std::optional<Result> RedisStore::run(Command&& command) noexcept {
  return run_store_call<Result>(
      tracker_, pool_, endpoint_.timeout,
      [this](const Deadline& deadline, std::string& error) { return connect(deadline, error); },
      std::forward<Command>(command));
}

std::optional<std::int64_t> RedisStore::add(std::string_view key, std::int64_t delta,
                                            std::chrono::milliseconds ttl) noexcept {
  return run<std::int64_t>([&](Connection& connection, const Deadline& deadline, std::string& error,
                               bool& broken) -> std::optional<std::int64_t> {
    const auto name = store_key(key);
    if (!name) {
      error = "key too long";
      return std::nullopt;
    }
    const auto amount = static_cast<long long>(delta);
    Reply reply =
        connection.command(deadline, error, "EVALSHA %s 1 %b %lld %lld", script_sha1_.c_str(),
                           name->data(), name->size(), amount, ttl_ms(ttl));
    if (reply && reply->type == REDIS_REPLY_ERROR &&
        std::string_view(reply->str).starts_with("NOSCRIPT")) {
      reply = connection.command(deadline, error, "EVAL %s 1 %b %lld %lld", kAddScript,
                                 name->data(), name->size(), amount, ttl_ms(ttl));
    }
    if (!reply) {
      broken = true;
      return std::nullopt;
    }
    if (reply->type != REDIS_REPLY_INTEGER) {
      error = reply_error(*reply);
      return std::nullopt;
    }
    return static_cast<std::int64_t>(reply->integer);
  });
}

std::optional<std::int64_t> RedisStore::get(std::string_view key) noexcept {
  return run<std::int64_t>([&](Connection& connection, const Deadline& deadline, std::string& error,
                               bool& broken) -> std::optional<std::int64_t> {
    const auto name = store_key(key);
    if (!name) {
      error = "key too long";
      return std::nullopt;
    }
    Reply reply = connection.command(deadline, error, "GET %b", name->data(), name->size());
    if (!reply) {
      broken = true;
      return std::nullopt;
    }
    if (reply->type == REDIS_REPLY_NIL) return 0;
    std::int64_t value = 0;
    if (reply->type == REDIS_REPLY_STRING &&
        parse_integer(std::string_view(reply->str, reply->len), value)) {
      return value;
    }
    error = reply->type == REDIS_REPLY_STRING ? "value of " + *name + " is not a number"
                                              : reply_error(*reply);
    return std::nullopt;
  });
}

bool RedisStore::put(std::string_view key, std::int64_t value,
                     std::chrono::milliseconds ttl) noexcept {
  return run<bool>([&](Connection& connection, const Deadline& deadline, std::string& error,
                       bool& broken) -> std::optional<bool> {
           const auto name = store_key(key);
           if (!name) {
             error = "key too long";
             return std::nullopt;
           }
           Reply reply =
               connection.command(deadline, error, "SET %b %lld PX %lld", name->data(),
                                  name->size(), static_cast<long long>(value), ttl_ms(ttl));
           if (!reply) {
             broken = true;
             return std::nullopt;
           }
           if (reply->type == REDIS_REPLY_STATUS) return true;
           error = reply_error(*reply);
           return std::nullopt;
         })
      .has_value();
}

std::optional<std::chrono::milliseconds> RedisStore::time_left(std::string_view key) noexcept {
  using Left = std::optional<std::chrono::milliseconds>;
  const auto result = run<Left>([&](Connection& connection, const Deadline& deadline,
                                    std::string& error, bool& broken) -> std::optional<Left> {
    const auto name = store_key(key);
    if (!name) {
      error = "key too long";
      return std::nullopt;
    }
    Reply reply = connection.command(deadline, error, "PTTL %b", name->data(), name->size());
    if (!reply) {
      broken = true;
      return std::nullopt;
    }
    if (reply->type != REDIS_REPLY_INTEGER) {
      error = reply_error(*reply);
      return std::nullopt;
    }
    // -2: no such key; -1: a key without a lifetime (not one of ours).
    if (reply->integer < 0) return Left();
    return Left(std::chrono::milliseconds(reply->integer));
  });
  return result ? *result : std::nullopt;
}

StoreHealth RedisStore::health() const noexcept { return tracker_.health(); }

}  // namespace authdiag::httpd
