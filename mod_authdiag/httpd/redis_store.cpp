// SPDX-License-Identifier: Apache-2.0
// Redis counter store: hiredis connections with socket timeouts, pooled per process.
#include "httpd/redis_store.hpp"

#include <apr_sha1.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <hiredis/hiredis.h>

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

timeval to_timeval(std::chrono::milliseconds budget) {
  // A zero timeval would mean "no timeout" to setsockopt.
  const auto ms = std::max<std::int64_t>(budget.count(), 1);
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>(ms % 1000 * 1000)};
}

long long ttl_ms(std::chrono::milliseconds ttl) { return std::max<long long>(ttl.count(), 1); }

std::string context_error(const redisContext& context) {
  // A receive timeout (SO_RCVTIMEO) surfaces as EAGAIN.
  if (context.err == REDIS_ERR_IO &&
      (errno == EAGAIN || errno == EWOULDBLOCK ||
       std::strstr(context.errstr, "temporarily unavailable") != nullptr)) {
    return "timed out";
  }
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

class RedisStore::Connection {
 public:
  explicit Connection(redisContext* context) : context_(context) {}
  ~Connection() { redisFree(context_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return context_->fd; }
  redisContext& context() { return *context_; }

  // Sets the socket's send and receive timeouts (hiredis blocks in read/write otherwise).
  bool arm(std::chrono::milliseconds timeout) {
    if (timeout == armed_) return true;
    if (redisSetTimeout(context_, to_timeval(timeout)) != REDIS_OK) return false;
    armed_ = timeout;
    return true;
  }

  // Sends a command and waits for its reply; nullptr when the connection failed (it is then
  // unusable and `error` says why).
  template <typename... Args>
  Reply command(std::string& error, const char* format, Args... args) {
    Reply reply(static_cast<redisReply*>(redisCommand(context_, format, args...)));
    if (!reply) error = context_error(*context_);
    return reply;
  }

 private:
  redisContext* context_;
  std::chrono::milliseconds armed_{0};
};

RedisStore::RedisStore(StoreEndpoint endpoint, StoreEventSink sink, ClockFunction clock)
    : endpoint_(std::move(endpoint)),
      tracker_(endpoint_.url(), std::move(sink), std::move(clock)),
      script_sha1_(add_script_sha1()),
      address_(resolve_endpoint(endpoint_, resolve_error_)),
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
  if (!address_) {
    error = resolve_error_;
    return nullptr;
  }
  const SocketAddress& address = *address_;
  redisContext* context = redisConnectWithTimeout(address.numeric_host.c_str(), endpoint_.port,
                                                  to_timeval(deadline.remaining()));
  if (context == nullptr) {
    error = "cannot allocate a Redis connection";
    return nullptr;
  }
  auto connection = std::make_unique<Connection>(context);
  if (context->err != 0) {
    error = context_error(*context);
    return nullptr;
  }
  return connection;
}

template <typename Result, typename Command>
std::optional<Result> RedisStore::run(Command&& command) noexcept {
  const OutageTracker::Attempt attempt = tracker_.begin();
  if (attempt == OutageTracker::Attempt::Skip) return std::nullopt;
  std::string error;
  try {
    const Deadline deadline(endpoint_.timeout);
    // A pooled connection gets the whole budget, a new one what connecting left of it.
    std::unique_ptr<Connection> connection = pool_.take();
    auto budget = endpoint_.timeout;
    if (!connection) {
      connection = connect(deadline, error);
      budget = deadline.remaining();
    }
    if (connection && budget.count() <= 0) {
      error = "timed out";
      connection.reset();
    } else if (connection && !connection->arm(budget)) {
      error = "cannot set the socket timeout";
      connection.reset();
    }
    if (connection) {
      bool broken = false;
      std::optional<Result> result = command(*connection, error, broken);
      if (!broken) pool_.give_back(std::move(connection));
      if (result) {
        tracker_.succeeded(attempt);
        return result;
      }
    }
  } catch (const std::exception& exception) {
    error = exception.what();
  } catch (...) {
    error = "unknown exception";
  }
  tracker_.failed(attempt, error);
  return std::nullopt;
}

std::optional<std::int64_t> RedisStore::add(std::string_view key, std::int64_t delta,
                                            std::chrono::milliseconds ttl) noexcept {
  return run<std::int64_t>(
      [&](Connection& connection, std::string& error, bool& broken) -> std::optional<std::int64_t> {
        const auto name = store_key(key);
        if (!name) {
          error = "key too long";
          return std::nullopt;
        }
        const auto amount = static_cast<long long>(delta);
        Reply reply = connection.command(error, "EVALSHA %s 1 %b %lld %lld", script_sha1_.c_str(),
                                         name->data(), name->size(), amount, ttl_ms(ttl));
        if (reply && reply->type == REDIS_REPLY_ERROR &&
            std::string_view(reply->str).starts_with("NOSCRIPT")) {
          reply = connection.command(error, "EVAL %s 1 %b %lld %lld", kAddScript, name->data(),
                                     name->size(), amount, ttl_ms(ttl));
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
  return run<std::int64_t>(
      [&](Connection& connection, std::string& error, bool& broken) -> std::optional<std::int64_t> {
        const auto name = store_key(key);
        if (!name) {
          error = "key too long";
          return std::nullopt;
        }
        Reply reply = connection.command(error, "GET %b", name->data(), name->size());
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
  return run<bool>(
             [&](Connection& connection, std::string& error, bool& broken) -> std::optional<bool> {
               const auto name = store_key(key);
               if (!name) {
                 error = "key too long";
                 return std::nullopt;
               }
               Reply reply =
                   connection.command(error, "SET %b %lld PX %lld", name->data(), name->size(),
                                      static_cast<long long>(value), ttl_ms(ttl));
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
  const auto result = run<Left>(
      [&](Connection& connection, std::string& error, bool& broken) -> std::optional<Left> {
        const auto name = store_key(key);
        if (!name) {
          error = "key too long";
          return std::nullopt;
        }
        Reply reply = connection.command(error, "PTTL %b", name->data(), name->size());
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
