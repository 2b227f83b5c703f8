// SPDX-License-Identifier: Apache-2.0
// AuthDiagSharedStore against a real redis-server and memcached on free loopback ports, started
// here and stopped by pid: first the CounterStore contract on the store classes themselves (no
// httpd), then two httpd servers sharing one store, the store killed, stopped and restarted.
#include "httpd/memcache_store.hpp"
#include "httpd/redis_store.hpp"
#include "httpd/store_link.hpp"
#include "integration_test.hpp"

#include <algorithm>
#include <csignal>
#include <future>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <numeric>
#include <regex>
#include <set>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace authdiag::itest {
namespace {

using namespace std::chrono_literals;
using httpd::CounterStore;
using httpd::OutageTracker;
using httpd::StoreEndpoint;
using httpd::StoreEventKind;

enum class StoreKind { Redis, Memcache };

std::string kind_name(StoreKind kind) { return kind == StoreKind::Redis ? "redis" : "memcache"; }

int pick_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot bind 127.0.0.1:0");
  }
  socklen_t length = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Sends `request` to 127.0.0.1:`port` and reads until the answer ends with `terminator`.
std::optional<std::string> raw_exchange(int port, std::string_view request,
                                        std::string_view terminator) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char chunk[4096];
    while (!answer.ends_with(terminator)) {
      const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got <= 0) break;
      answer.append(chunk, static_cast<std::size_t>(got));
    }
  }
  ::close(fd);
  if (!answer.ends_with(terminator)) return std::nullopt;
  return answer;
}

// A redis-server or memcached of this test, on a free loopback port that it keeps across
// restarts.
class StoreProcess {
 public:
  StoreProcess(StoreKind kind, fs::path dir) : kind_(kind), dir_(std::move(dir)) {
    fs::create_directories(dir_);
  }
  ~StoreProcess() {
    stop();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  StoreProcess(const StoreProcess&) = delete;
  StoreProcess& operator=(const StoreProcess&) = delete;

  void start() {
    const bool fixed_port = port_ != 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (!fixed_port) port_ = pick_free_port();
      pid_ = spawn_command(argv(), dir_ / "store.log");
      if (wait_until([&] { return answers() || !alive(); }, 10000) && answers()) return;
      stop();
      if (fixed_port && !contains(read_file(dir_ / "store.log"), "in use")) break;
    }
    throw std::runtime_error(kind_name(kind_) + " did not start: " + read_file(dir_ / "store.log"));
  }

  // SIGKILL by pid: the store vanishes without closing anything gracefully.
  void kill_hard() { stop(SIGKILL); }
  void stop(int signal_number = SIGTERM) {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, signal_number);
    wait_command(pid_);
    pid_ = 0;
  }
  // SIGSTOP: the store still accepts connections (the kernel does) but never answers. Returns
  // once every thread of it has stopped.
  void pause() const {
    ::kill(pid_, SIGSTOP);
    const fs::path tasks = "/proc/" + std::to_string(pid_) + "/task";
    const bool stopped = wait_until(
        [&] {
          for (const auto& task : fs::directory_iterator(tasks)) {
            const std::string stat = read_file(task.path() / "stat");
            const auto state = stat.find(") ");
            if (state == std::string::npos || stat[state + 2] != 'T') return false;
          }
          return true;
        },
        5000);
    if (!stopped) throw std::runtime_error(kind_name(kind_) + " did not stop");
  }
  void resume() const { ::kill(pid_, SIGCONT); }

  int port() const { return port_; }
  StoreKind kind() const { return kind_; }
  std::string url() const { return kind_name(kind_) + "://127.0.0.1:" + std::to_string(port_); }
  StoreEndpoint endpoint(std::chrono::milliseconds timeout = 250ms) const {
    return StoreEndpoint{kind_name(kind_), "127.0.0.1", static_cast<std::uint16_t>(port_), timeout};
  }

  // Whether the store holds `key` (as stored, with its prefix), asked over its own protocol.
  bool holds(const std::string& key) const {
    if (kind_ == StoreKind::Redis) {
      const auto answer = raw_exchange(port_, "EXISTS " + key + "\r\n", "\r\n");
      return answer && *answer == ":1\r\n";
    }
    const auto answer = raw_exchange(port_, "get " + key + "\r\n", "END\r\n");
    return answer && answer->starts_with("VALUE " + key + " ");
  }

 private:
  std::vector<std::string> argv() const {
    const std::string port = std::to_string(port_);
    if (kind_ == StoreKind::Redis) {
      return {"redis-server", "--port", port,          "--bind", "127.0.0.1", "--save",     "",
              "--appendonly", "no",     "--daemonize", "no",     "--dir",     dir_.string()};
    }
    std::vector<std::string> args = {"memcached", "-l", "127.0.0.1", "-p", port, "-U", "0"};
    if (::geteuid() == 0) {
      args.emplace_back("-u");
      args.emplace_back("nobody");
    }
    return args;
  }

  bool alive() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

  bool answers() const {
    if (kind_ == StoreKind::Redis) {
      const auto answer = raw_exchange(port_, "PING\r\n", "\r\n");
      return answer && *answer == "+PONG\r\n";
    }
    const auto answer = raw_exchange(port_, "version\r\n", "\r\n");
    return answer && answer->starts_with("VERSION ");
  }

  StoreKind kind_;
  fs::path dir_;
  int port_ = 0;
  pid_t pid_ = 0;
};

fs::path scratch_dir(const std::string& name) {
  return fs::temp_directory_path() / ("authdiag-fleet-" + std::to_string(::getpid()) + "-" + name);
}

// What a store told its sink, thread-safe.
class EventLog {
 public:
  httpd::StoreEventSink sink() {
    return [this](StoreEventKind kind, const std::string& message) {
      const std::lock_guard lock(mutex_);
      events_.emplace_back(kind, message);
    };
  }
  std::size_t count(StoreEventKind kind) const {
    const std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(),
                                                  [&](const auto& e) { return e.first == kind; }));
  }
  std::string text() const {
    const std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [kind, message] : events_) out += message + "\n";
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<StoreEventKind, std::string>> events_;
};

std::unique_ptr<CounterStore> make_store(const StoreProcess& process, EventLog& events,
                                         std::chrono::milliseconds timeout = 250ms) {
  if (process.kind() == StoreKind::Redis) {
    return std::make_unique<httpd::RedisStore>(process.endpoint(timeout), events.sink());
  }
  return std::make_unique<httpd::MemcacheStore>(process.endpoint(timeout), events.sink());
}

// Runs `call` and fails the test if it has not returned after `limit`: a store call must never
// block a request thread, whatever the store does.
template <typename Call>
auto bounded(Call call, std::chrono::seconds limit = 5s) -> decltype(call()) {
  auto future = std::async(std::launch::async, call);
  if (future.wait_for(limit) != std::future_status::ready) {
    // The blocked thread cannot be abandoned safely; stop here, loudly.
    std::cerr << "FATAL: a store call was still blocked after " << limit.count() << " s\n";
    std::abort();
  }
  return future.get();
}

// ---------------------------------------------------------------------------------------------
// Pieces without a store.

TEST(StoreKey, PrefixesAndEncodesEverythingButAddressText) {
  EXPECT_EQ(httpd::store_key("rate:192.0.2.1"), "authdiag:rate:192.0.2.1");
  EXPECT_EQ(httpd::store_key("rate:[2001:db8::1]"), "authdiag:rate:[2001:db8::1]");
  // Space, CR/LF, '#' and '%' would let a key end a protocol line or collide with a companion.
  EXPECT_EQ(httpd::store_key("a b\r\n#%"), "authdiag:a%20b%0D%0A%23%25");
  EXPECT_EQ(httpd::store_key("k", "#exp"), "authdiag:k#exp");
  // memcached refuses keys over 250 bytes; "authdiag:" takes 9.
  EXPECT_TRUE(httpd::store_key(std::string(241, 'x')).has_value());
  EXPECT_EQ(httpd::store_key(std::string(242, 'x')), std::nullopt);
  EXPECT_TRUE(httpd::store_key(std::string(237, 'x'), "#exp").has_value());
  EXPECT_EQ(httpd::store_key(std::string(238, 'x'), "#exp"), std::nullopt);
  EXPECT_EQ(httpd::store_key(std::string(81, ' ')), std::nullopt) << "encoding counts";
}

TEST(StoreEndpointUrl, BracketsIpv6) {
  EXPECT_EQ((StoreEndpoint{"redis", "::1", 6379, 50ms}.url()), "redis://[::1]:6379");
  EXPECT_EQ((StoreEndpoint{"memcache", "cache.example", 11211, 50ms}.url()),
            "memcache://cache.example:11211");
}

class FakeClock {
 public:
  httpd::ClockFunction function() {
    return [this] { return now_; };
  }
  void advance(std::chrono::milliseconds by) { now_ += by; }

 private:
  httpd::SteadyClock::time_point now_{std::chrono::hours(1)};
};

TEST(OutageTracker, SkipsCallsWhileDownAndProbesWithGrowingBackoff) {
  FakeClock clock;
  EventLog events;
  OutageTracker tracker("redis://127.0.0.1:1", events.sink(), clock.function());
  ASSERT_EQ(tracker.begin(), OutageTracker::Attempt::Normal);
  tracker.failed(OutageTracker::Attempt::Normal, "Connection refused");
  EXPECT_FALSE(tracker.health().reachable);

  EXPECT_EQ(tracker.begin(), OutageTracker::Attempt::Skip);
  clock.advance(OutageTracker::kFirstBackoff);
  ASSERT_EQ(tracker.begin(), OutageTracker::Attempt::Probe);
  EXPECT_EQ(tracker.begin(), OutageTracker::Attempt::Skip) << "one probe at a time";
  tracker.failed(OutageTracker::Attempt::Probe, "Connection refused");

  // The failed probe doubled the backoff.
  clock.advance(OutageTracker::kFirstBackoff);
  EXPECT_EQ(tracker.begin(), OutageTracker::Attempt::Skip);
  clock.advance(OutageTracker::kFirstBackoff);
  ASSERT_EQ(tracker.begin(), OutageTracker::Attempt::Probe);
  tracker.succeeded(OutageTracker::Attempt::Probe);
  EXPECT_TRUE(tracker.health().reachable);
  EXPECT_EQ(tracker.begin(), OutageTracker::Attempt::Normal);
  EXPECT_EQ(tracker.health().failures, 5u) << "two failed calls and three skipped ones";
}

TEST(OutageTracker, BackoffStopsGrowingAtItsMaximum) {
  FakeClock clock;
  OutageTracker tracker("memcache://127.0.0.1:1", {}, clock.function());
  tracker.failed(tracker.begin(), "timed out");
  for (int i = 0; i < 12; ++i) {
    clock.advance(OutageTracker::kMaxBackoff);
    ASSERT_EQ(tracker.begin(), OutageTracker::Attempt::Probe) << "probe " << i;
    tracker.failed(OutageTracker::Attempt::Probe, "timed out");
  }
}

TEST(OutageTracker, LogsAnOutageAtMostOnceAMinuteAndItsEndOnce) {
  FakeClock clock;
  EventLog events;
  OutageTracker tracker("redis://127.0.0.1:1", events.sink(), clock.function());
  auto fail_for = [&](std::chrono::milliseconds span) {
    for (auto spent = 0ms; spent < span; spent += 100ms) {
      const auto attempt = tracker.begin();
      if (attempt != OutageTracker::Attempt::Skip) tracker.failed(attempt, "Connection refused");
      clock.advance(100ms);
    }
  };
  fail_for(59s);
  EXPECT_EQ(events.count(StoreEventKind::Unreachable), 1u) << events.text();
  EXPECT_EQ(events.count(StoreEventKind::StillUnreachable), 0u) << events.text();
  fail_for(5s);
  EXPECT_EQ(events.count(StoreEventKind::StillUnreachable), 1u) << events.text();
  EXPECT_TRUE(contains(events.text(), "Connection refused")) << events.text();

  clock.advance(OutageTracker::kMaxBackoff);
  const auto probe = tracker.begin();
  ASSERT_EQ(probe, OutageTracker::Attempt::Probe);
  tracker.succeeded(probe);
  EXPECT_EQ(events.count(StoreEventKind::Recovered), 1u) << events.text();

  // A second outage within the minute stays silent, and so does its end.
  tracker.failed(tracker.begin(), "Connection refused");
  clock.advance(OutageTracker::kMaxBackoff);
  tracker.succeeded(tracker.begin());
  EXPECT_EQ(events.count(StoreEventKind::Unreachable), 1u) << events.text();
  EXPECT_EQ(events.count(StoreEventKind::Recovered), 1u) << events.text();

  // A minute after the last line, a new outage is reported again.
  clock.advance(60s);
  tracker.failed(tracker.begin(), "Connection refused");
  EXPECT_EQ(events.count(StoreEventKind::Unreachable), 2u) << events.text();
}

TEST(RedisStore, ScriptShaMatchesRedisScriptLoad) {
  StoreProcess redis(StoreKind::Redis, scratch_dir("sha"));
  redis.start();
  const std::string script = httpd::RedisStore::add_script();
  redisContext* context = redisConnect("127.0.0.1", redis.port());
  ASSERT_TRUE(context != nullptr && context->err == 0);
  auto* reply = static_cast<redisReply*>(
      redisCommand(context, "SCRIPT LOAD %b", script.data(), script.size()));
  ASSERT_NE(reply, nullptr);
  ASSERT_EQ(reply->type, REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(reply->str, reply->len), httpd::RedisStore::add_script_sha1());
  freeReplyObject(reply);
  redisFree(context);
}

// ---------------------------------------------------------------------------------------------
// The CounterStore contract, on a real store.

class StoreContract : public ::testing::TestWithParam<StoreKind> {
 protected:
  static void SetUpTestSuite() {
    // httpd's children ignore SIGPIPE; a test process that writes to a killed store must too.
    std::signal(SIGPIPE, SIG_IGN);
  }

  void SetUp() override {
    if (mpm_from_environment() != Mpm::Event) {
      GTEST_SKIP() << "the store contract does not depend on the MPM; it runs in the event pass";
    }
    // The test name ends in "/redis" or "/memcache".
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '-');
    process_ = std::make_unique<StoreProcess>(GetParam(), scratch_dir(name));
    process_->start();
    store_ = make_store(*process_, events_);
  }

  std::unique_ptr<StoreProcess> process_;
  EventLog events_;
  std::unique_ptr<CounterStore> store_;
};

TEST_P(StoreContract, AddCreatesAtZeroAndAccumulates) {
  const std::string key = unique_token("add");
  EXPECT_EQ(store_->get(key), 0) << "absent counters read as 0";
  EXPECT_EQ(store_->add(key, 1, 60s), 1);
  EXPECT_EQ(store_->add(key, 4, 60s), 5);
  EXPECT_EQ(store_->add(key, -2, 60s), 3);
  EXPECT_EQ(store_->get(key), 3);
  EXPECT_TRUE(process_->holds("authdiag:" + key)) << "keys carry the authdiag: prefix";
  EXPECT_FALSE(process_->holds(key));
  EXPECT_TRUE(store_->health().reachable);
  EXPECT_TRUE(contains(store_->health().description, process_->url()))
      << store_->health().description;
}

TEST_P(StoreContract, KeysCannotInjectProtocolCommands) {
  const std::string canary = unique_token("canary");
  ASSERT_TRUE(store_->put(canary, 42, 60s));
  const std::string evil = "x 0 0 1\r\nflush_all\r\nFLUSHALL\r\n";
  EXPECT_EQ(store_->add(evil, 1, 60s), 1);
  EXPECT_EQ(store_->add(evil, 1, 60s), 2);
  EXPECT_EQ(store_->get(canary), 42) << "a key with CR/LF must not reach the store as commands";
}

TEST_P(StoreContract, ConcurrentAddsFromManyThreadsAreExact) {
  const std::string key = unique_token("threads");
  constexpr int kThreads = 16;
  constexpr int kAddsPerThread = 250;
  std::vector<std::vector<std::int64_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAddsPerThread; ++i) {
        const auto value = store_->add(key, 1, 60s);
        seen[static_cast<std::size_t>(t)].push_back(value.value_or(-1));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<std::int64_t> all;
  for (const auto& values : seen) all.insert(all.end(), values.begin(), values.end());
  std::sort(all.begin(), all.end());
  std::vector<std::int64_t> expected(kThreads * kAddsPerThread);
  std::iota(expected.begin(), expected.end(), 1);
  // Every value handed out exactly once: no lost update, no double count, no failure.
  EXPECT_EQ(all, expected);
  EXPECT_EQ(store_->get(key), kThreads * kAddsPerThread);
}

TEST_P(StoreContract, ConcurrentAddsFromForkedProcessesAreExact) {
  const std::string key = unique_token("procs");
  // The parent's pooled connection must not be shared with (or by) the children.
  ASSERT_EQ(store_->add(key, 1, 60s), 1);
  constexpr int kChildren = 4;
  constexpr int kAddsPerChild = 200;
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  std::vector<pid_t> children;
  for (int c = 0; c < kChildren; ++c) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(pipe_fds[0]);
      std::vector<std::int64_t> values;
      for (int i = 0; i < kAddsPerChild; ++i)
        values.push_back(store_->add(key, 1, 60s).value_or(-1));
      const auto bytes = values.size() * sizeof(std::int64_t);
      const bool written =
          ::write(pipe_fds[1], values.data(), bytes) == static_cast<ssize_t>(bytes);
      ::_exit(written ? 0 : 1);
    }
    children.push_back(pid);
  }
  ::close(pipe_fds[1]);
  std::vector<std::int64_t> all;
  std::int64_t value = 0;
  while (::read(pipe_fds[0], &value, sizeof value) == sizeof value) all.push_back(value);
  ::close(pipe_fds[0]);
  for (const pid_t pid : children) EXPECT_EQ(wait_command(pid), 0);
  std::sort(all.begin(), all.end());
  std::vector<std::int64_t> expected(kChildren * kAddsPerChild);
  std::iota(expected.begin(), expected.end(), 2);
  EXPECT_EQ(all, expected);
  EXPECT_EQ(store_->add(key, 1, 60s), kChildren * kAddsPerChild + 2)
      << "the parent's connection still works after the children used theirs";
}

TEST_P(StoreContract, LifetimeIsSetWhenTheCounterIsCreatedAndNotExtended) {
  const std::string key = unique_token("window");
  ASSERT_EQ(store_->add(key, 1, 1000ms), 1);
  const auto left = store_->time_left(key);
  ASSERT_TRUE(left.has_value());
  EXPECT_GT(left->count(), 0);
  EXPECT_LE(left->count(), 1000);
  // Adding more within the window must not push its end out: the counter starts over.
  std::int64_t previous = 1;
  bool restarted = false;
  for (int i = 0; i < 100 && !restarted; ++i) {
    sleep_ms(100);
    const auto value = store_->add(key, 1, 1000ms);
    ASSERT_TRUE(value.has_value());
    restarted = *value < previous;
    previous = *value;
  }
  EXPECT_TRUE(restarted) << "the counter never expired while it was being added to";
}

TEST_P(StoreContract, PutReplacesAndExpires) {
  const std::string key = unique_token("lock");
  EXPECT_EQ(store_->time_left(key), std::nullopt) << "absent";
  ASSERT_TRUE(store_->put(key, 1, 60s));
  ASSERT_TRUE(store_->put(key, 7, 2000ms));
  EXPECT_EQ(store_->get(key), 7);
  const auto left = store_->time_left(key);
  ASSERT_TRUE(left.has_value());
  EXPECT_GT(left->count(), 0);
  EXPECT_LE(left->count(), 2000) << "the second put replaced the lifetime too";
  EXPECT_TRUE(wait_until([&] { return store_->get(key) == 0; }, 10000)) << "never expired";
  EXPECT_EQ(store_->time_left(key), std::nullopt);
}

TEST_P(StoreContract, KilledStoreFailsOpenLogsOnceAndRecovers) {
  const std::string key = unique_token("outage");
  ASSERT_EQ(store_->add(key, 1, 60s), 1);
  process_->kill_hard();
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(bounded([&] { return store_->add(key, 1, 60s); }), std::nullopt);
    EXPECT_EQ(bounded([&] { return store_->time_left(key); }), std::nullopt);
    EXPECT_FALSE(bounded([&] { return store_->put(key, 1, 60s); }));
    sleep_ms(20);
  }
  EXPECT_FALSE(store_->health().reachable);
  EXPECT_TRUE(contains(store_->health().description, "down")) << store_->health().description;
  EXPECT_EQ(events_.count(StoreEventKind::Unreachable), 1u) << events_.text();
  EXPECT_EQ(events_.count(StoreEventKind::Recovered), 0u) << events_.text();

  process_->start();  // same port, empty
  EXPECT_TRUE(wait_until([&] { return store_->add(key, 1, 60s).has_value(); }, 15000));
  EXPECT_EQ(store_->add(key, 1, 60s), 2) << "counting resumes on the restarted store";
  EXPECT_TRUE(store_->health().reachable);
  EXPECT_EQ(events_.count(StoreEventKind::Unreachable), 1u) << events_.text();
  EXPECT_EQ(events_.count(StoreEventKind::Recovered), 1u) << events_.text();
}

TEST_P(StoreContract, StoppedStoreFailsOpenWithinTheTimeout) {
  // A store that accepts connections (the kernel does) but never answers: only the timeout
  // ends a call.
  const std::string key = unique_token("hung");
  store_ = make_store(*process_, events_, 50ms);
  process_->pause();
  std::chrono::nanoseconds slowest{0};
  for (int i = 0; i < 20; ++i) {
    const auto start = httpd::SteadyClock::now();
    EXPECT_EQ(bounded([&] { return store_->add(key, 1, 60s); }), std::nullopt);
    slowest = std::max(slowest, httpd::SteadyClock::now() - start);
    sleep_ms(50);
  }
  std::cout << "[          ] slowest call against the stopped " << kind_name(GetParam())
            << " (timeout 50 ms): "
            << std::chrono::duration_cast<std::chrono::microseconds>(slowest).count() << " us\n";
  EXPECT_EQ(events_.count(StoreEventKind::Unreachable), 1u) << events_.text();
  EXPECT_TRUE(contains(events_.text(), "timed out")) << events_.text();
  process_->resume();
  EXPECT_TRUE(wait_until([&] { return store_->add(key, 1, 60s).has_value(); }, 15000));
  EXPECT_EQ(events_.count(StoreEventKind::Recovered), 1u) << events_.text();
}

TEST_P(StoreContract, ConnectsToAHostName) {
  // Where "localhost" also resolves to ::1 (first), the store on 127.0.0.1 is still found.
  StoreEndpoint endpoint = process_->endpoint();
  endpoint.host = "localhost";
  std::unique_ptr<CounterStore> store;
  if (GetParam() == StoreKind::Redis) {
    store = std::make_unique<httpd::RedisStore>(endpoint, events_.sink());
  } else {
    store = std::make_unique<httpd::MemcacheStore>(endpoint, events_.sink());
  }
  EXPECT_EQ(store->add("by-name", 1, 60s), 1) << events_.text();
}

TEST_P(StoreContract, UnresolvableHostFailsOpen) {
  const StoreEndpoint endpoint{kind_name(GetParam()), "no-such-host.invalid", 1, 50ms};
  std::unique_ptr<CounterStore> store;
  if (GetParam() == StoreKind::Redis) {
    store = std::make_unique<httpd::RedisStore>(endpoint, events_.sink());
  } else {
    store = std::make_unique<httpd::MemcacheStore>(endpoint, events_.sink());
  }
  EXPECT_EQ(store->add("k", 1, 1s), std::nullopt);
  EXPECT_EQ(store->get("k"), std::nullopt);
  EXPECT_FALSE(store->health().reachable);
  EXPECT_TRUE(contains(events_.text(), "cannot resolve")) << events_.text();
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreContract,
                         ::testing::Values(StoreKind::Redis, StoreKind::Memcache),
                         [](const ::testing::TestParamInfo<StoreKind>& param_info) {
                           return kind_name(param_info.param);
                         });

// ---------------------------------------------------------------------------------------------
// Two httpd servers with the same configuration and document tree, sharing one store.

struct Fleet {
  std::unique_ptr<StoreProcess> store;
  fs::path tree;  // htdocs and auth, shared by both servers
  StandardUsers users;
  std::string site;
};

class FleetStore : public IntegrationTest, public ::testing::WithParamInterface<StoreKind> {
 public:
  static void TearDownTestSuite() {
    IntegrationTest::TearDownTestSuite();
    for (auto& [kind, fleet] : fleets()) {
      fleet.store.reset();
      std::error_code ignored;
      fs::remove_all(fleet.tree, ignored);
    }
    fleets().clear();
  }

 protected:
  static std::map<StoreKind, Fleet>& fleets() {
    static std::map<StoreKind, Fleet> all;
    return all;
  }

  void SetUp() override {
    std::signal(SIGPIPE, SIG_IGN);
    Fleet& f = fleet();
    if (f.store) return;
    const std::string name =
        kind_name(GetParam()) + "-" + std::string(mpm_name(mpm_from_environment()));
    f.store = std::make_unique<StoreProcess>(GetParam(), scratch_dir("store-" + name));
    f.store->start();
    f.tree = scratch_dir("tree-" + name);
    fs::create_directories(f.tree / "auth");
    fs::create_directories(f.tree / "htdocs");
    f.users = StandardUsers::create(f.tree / "auth");
    Site site(f.tree / "htdocs", f.tree / "unused.conf");
    site.area("rate", Scope::Directory, "", "  AuthDiagMaxRequestRate 5 600000");
    site.area("lockout", Scope::Directory, basic_auth_block(f.users.user_file),
              "  AuthDiagMaxFailedLogons 3 600 600");
    f.site = site.text();
  }

  Fleet& fleet() { return fleets()[GetParam()]; }

  // Server "a" or "b" of this store's fleet.
  HttpdServer& server(const std::string& which) {
    Fleet& f = fleet();
    ServerOptions options;
    options.document_root = f.tree / "htdocs";
    options.server_directives = "AuthDiagSharedStore " + f.store->url() + " 250\n";
    return shared_server("fleet-" + kind_name(GetParam()) + "-" + which, options,
                         [&](HttpdServer&) { return f.site; });
  }

  // A client address of its own for each test and store, so no two tests share a counter.
  ClientOptions client(int test) const {
    ClientOptions options;
    options.source_address =
        "127.0.0." + std::to_string(10 * (GetParam() == StoreKind::Redis ? 1 : 2) + test);
    options.timeout_ms = 5000;  // a request stuck behind the store would show as an error
    return options;
  }

  Exchange get(HttpdServer& server, const std::string& target, const ClientOptions& from,
               const std::string& authorization = {}) {
    HttpRequest request;
    request.target = target;
    if (!authorization.empty()) request.with("Authorization", authorization);
    return fetch(server, request, from);
  }

  // When each child of `server` announced a store outage (AD0504 ... unreachable), in seconds
  // of the day from the error-log time stamps, for lines from byte `offset` on.
  static std::map<std::string, std::vector<int>> outage_lines_per_child(const HttpdServer& server,
                                                                        std::size_t offset = 0) {
    static const std::regex kStamp(R"(^\[\w+ \w+ +\d+ (\d+):(\d+):(\d+))");
    static const std::regex kPid(R"(\[pid (\d+))");
    std::map<std::string, std::vector<int>> per_child;
    for (const auto& line : parse_error_log(read_file_from(server.error_log(), offset))) {
      if (!contains(line.message, "AD0504") || !contains(line.message, "unreachable")) continue;
      std::smatch stamp;
      std::smatch pid;
      if (!std::regex_search(line.raw, stamp, kStamp) || !std::regex_search(line.raw, pid, kPid)) {
        ADD_FAILURE() << "unexpected error-log line format: " << line.raw;
        continue;
      }
      per_child[pid[1].str()].push_back(std::stoi(stamp[1]) * 3600 + std::stoi(stamp[2]) * 60 +
                                        std::stoi(stamp[3]));
    }
    return per_child;
  }

  static std::size_t recovery_lines(const HttpdServer& server) {
    std::size_t count = 0;
    for (const auto& line : parse_error_log(read_file(server.error_log()))) {
      if (contains(line.message, "AD0504") && contains(line.message, "reachable again")) ++count;
    }
    return count;
  }
};

void expect_served(const Exchange& ex) {
  EXPECT_TRUE(ex.transport_error.empty()) << ex.describe();
  EXPECT_EQ(ex.response.status, 200) << ex.describe();
}

void expect_restricted(const Exchange& ex, const std::string& reason) {
  EXPECT_EQ(ex.response.status, 401) << ex.describe();
  ASSERT_TRUE(ex.access.has_value()) << ex.describe();
  EXPECT_EQ(ex.access->authdiag_status, "401.502") << ex.describe();
  EXPECT_EQ(ex.access->authdiag_reason, reason) << ex.describe();
}

TEST_P(FleetStore, RateLimitReachedOnOneServerAppliesOnTheOther) {
  HttpdServer& a = server("a");
  HttpdServer& b = server("b");
  const ClientOptions from = client(1);
  for (int i = 0; i < 5; ++i) expect_served(get(i % 2 == 0 ? a : b, "/rate/", from));
  // The sixth request within the interval is one too many, on either server.
  expect_restricted(get(b, "/rate/", from), "rate_limit");
  expect_restricted(get(a, "/rate/", from), "rate_limit");
  // Another address is not affected.
  expect_served(get(a, "/rate/", client(2)));
}

TEST_P(FleetStore, FailedLogonLockoutOnOneServerAppliesOnTheOther) {
  HttpdServer& a = server("a");
  HttpdServer& b = server("b");
  const ClientOptions from = client(3);
  const User& alice = fleet().users.alice;
  const std::string wrong = basic_credentials(alice.name, alice.password + "-wrong");
  const std::string right = basic_credentials(alice.name, alice.password);
  for (int i = 0; i < 3; ++i) {
    const Exchange ex = get(i % 2 == 0 ? a : b, "/lockout/", from, wrong);
    EXPECT_EQ(ex.response.status, 401) << ex.describe();
    ASSERT_TRUE(ex.access.has_value()) << ex.describe();
    EXPECT_EQ(ex.access->authdiag_reason, "password_mismatch") << ex.describe();
  }
  // Locked out on both servers, also with the right password.
  expect_restricted(get(b, "/lockout/", from, right), "failed_logon_limit");
  expect_restricted(get(a, "/lockout/", from, right), "failed_logon_limit");
  const Exchange other = get(a, "/lockout/", client(4), right);
  EXPECT_EQ(other.response.status, 200) << other.describe();
}

TEST_P(FleetStore, StoppedStoreFailsOpen) {
  allow_in_error_log("AD0504");
  HttpdServer& a = server("a");
  HttpdServer& b = server("b");
  expect_served(get(a, "/rate/", client(5)));  // children have connected
  const std::size_t a_offset = file_size_or_zero(a.error_log());
  const std::size_t b_offset = file_size_or_zero(b.error_log());
  fleet().store->pause();
  // Far more than the limit, all served: the restriction fails open.
  for (int i = 0; i < 10; ++i) expect_served(get(i % 2 == 0 ? a : b, "/rate/", client(5)));
  fleet().store->resume();
  EXPECT_FALSE(outage_lines_per_child(a, a_offset).empty()) << read_file(a.error_log());
  EXPECT_FALSE(outage_lines_per_child(b, b_offset).empty()) << read_file(b.error_log());
}

TEST_P(FleetStore, KilledStoreFailsOpenLogsOncePerChildAndCountingResumes) {
  allow_in_error_log("AD0504");
  HttpdServer& a = server("a");
  HttpdServer& b = server("b");
  expect_served(get(a, "/rate/", client(6)));
  fleet().store->kill_hard();
  std::chrono::nanoseconds slowest{0};
  for (int i = 0; i < 12; ++i) {
    const auto start = httpd::SteadyClock::now();
    expect_served(get(i % 2 == 0 ? a : b, "/rate/", client(6)));
    slowest = std::max(slowest, httpd::SteadyClock::now() - start);
  }
  std::cout << "[          ] slowest request (with its log collection) while the "
            << kind_name(GetParam()) << " store was down: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count() << " ms\n";
  // At most one line a minute per child, over this and the earlier outage.
  for (HttpdServer* s : {&a, &b}) {
    const auto per_child = outage_lines_per_child(*s);
    EXPECT_FALSE(per_child.empty()) << "server " << s->name() << " never logged an outage";
    for (const auto& [pid, seconds] : per_child) {
      for (std::size_t i = 1; i < seconds.size(); ++i) {
        EXPECT_GE((seconds[i] - seconds[i - 1] + 86400) % 86400, 60)
            << "child " << pid << " of " << s->name() << "\n"
            << read_file(s->error_log());
      }
    }
  }

  fleet().store->start();  // same port, empty
  const ClientOptions from = client(7);
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    const Exchange ex = get(i % 2 == 0 ? a : b, "/rate/", from);
    refused = ex.response.status == 401;
    if (refused) expect_restricted(ex, "rate_limit");
    sleep_ms(100);
  }
  EXPECT_TRUE(refused) << "the limit never applied again after the store came back";
  EXPECT_GE(recovery_lines(a) + recovery_lines(b), 1u) << read_file(a.error_log());
}

INSTANTIATE_TEST_SUITE_P(Stores, FleetStore,
                         ::testing::Values(StoreKind::Redis, StoreKind::Memcache),
                         [](const ::testing::TestParamInfo<StoreKind>& param_info) {
                           return kind_name(param_info.param);
                         });

}  // namespace
}  // namespace authdiag::itest
