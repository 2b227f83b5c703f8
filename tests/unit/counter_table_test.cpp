// SPDX-License-Identifier: Apache-2.0
// The shared counter table, run three ways: over a heap buffer, from many threads at once, and
// from forked processes over an anonymous MAP_SHARED mapping (as httpd's children share it).
#include "core/counter_table.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <gtest/gtest.h>
#include <memory>
#include <new>
#include <set>
#include <sys/mman.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace authdiag::core {
namespace {

constexpr std::uint64_t kNow = 1'764'000'000'000;  // some Unix milliseconds
constexpr std::array<std::uint64_t, 2> kHashKey{0x0123456789abcdefULL, 0xfedcba9876543210ULL};

IpAddress address_of(std::uint32_t n) {
  IpAddress address;
  address.bytes[10] = address.bytes[11] = 0xff;
  for (std::size_t i = 0; i < 4; ++i)
    address.bytes[12 + i] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
  return address;
}

CounterKey rate_key(std::uint32_t n, std::uint64_t window = 7) {
  return {CounterKind::Rate, address_of(n), 1000, window};
}

// A 64-byte aligned heap buffer holding a table.
class HeapTable {
 public:
  explicit HeapTable(std::size_t slots)
      : bytes_(CounterTable::bytes_for(slots)),
        memory_(static_cast<std::byte*>(::operator new(bytes_, std::align_val_t(64)))) {
    std::fill(memory_, memory_ + bytes_, std::byte{0xa5});  // formatting must not rely on zeros
    table_ = CounterTable::create({memory_, bytes_}, slots, kHashKey, kNow - 1000);
  }
  ~HeapTable() { ::operator delete(memory_, std::align_val_t(64)); }
  HeapTable(const HeapTable&) = delete;
  HeapTable& operator=(const HeapTable&) = delete;

  CounterTable& table() { return *table_; }
  std::span<std::byte> memory() { return {memory_, bytes_}; }

 private:
  std::size_t bytes_;
  std::byte* memory_;
  std::optional<CounterTable> table_;
};

TEST(CounterTable, CountsPerKeyAndRestartsAfterTheLifetime) {
  HeapTable heap(1024);
  auto& table = heap.table();
  const auto a = rate_key(1);
  const auto b = rate_key(2);
  EXPECT_EQ(table.get(a, kNow), 0);
  EXPECT_EQ(table.add(a, 1, kNow, 500), 1);
  EXPECT_EQ(table.add(a, 1, kNow + 10, 500), 2);
  EXPECT_EQ(table.add(b, 5, kNow + 10, 500), 5);
  EXPECT_EQ(table.add(a, 3, kNow + 20, 500), 5);
  EXPECT_EQ(table.get(a, kNow + 20), 5);
  EXPECT_EQ(table.get(b, kNow + 20), 5);
  // The lifetime is set when the counter is created and not extended by adds.
  EXPECT_EQ(table.time_left_ms(a, kNow + 100), 400u);
  EXPECT_EQ(table.get(a, kNow + 499), 5);
  EXPECT_EQ(table.get(a, kNow + 500), 0);
  EXPECT_FALSE(table.time_left_ms(a, kNow + 500));
  EXPECT_EQ(table.add(a, 1, kNow + 600, 500), 1);
  EXPECT_EQ(table.time_left_ms(a, kNow + 600), 500u);
}

TEST(CounterTable, KeysDifferingInAnyPartAreDifferentCounters) {
  HeapTable heap(1024);
  auto& table = heap.table();
  const CounterKey base{CounterKind::Rate, address_of(9), 1000, 5};
  std::vector<CounterKey> keys{base};
  keys.push_back({CounterKind::Failures, base.address, 1000, 5});
  keys.push_back({CounterKind::Rate, address_of(10), 1000, 5});
  keys.push_back({CounterKind::Rate, base.address, 2000, 5});
  keys.push_back({CounterKind::Rate, base.address, 1000, 6});
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ(table.add(keys[i], static_cast<std::int64_t>(i + 1), kNow, 10000),
              static_cast<std::int64_t>(i + 1));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(table.get(keys[i], kNow), static_cast<std::int64_t>(i + 1)) << i;
  }
}

TEST(CounterTable, NeverGoesBelowZeroAndPutReplaces) {
  HeapTable heap(64);
  auto& table = heap.table();
  const CounterKey key{CounterKind::Concurrent, address_of(3), 0, 0};
  EXPECT_EQ(table.add(key, 1, kNow, 1000), 1);
  EXPECT_EQ(table.add(key, -1, kNow, 1000), 0);
  EXPECT_EQ(table.add(key, -1, kNow, 1000), 0);
  EXPECT_EQ(table.add(key, 1, kNow, 1000), 1);
  ASSERT_TRUE(table.put(key, 42, kNow + 10, 5000));
  EXPECT_EQ(table.get(key, kNow + 10), 42);
  EXPECT_EQ(table.time_left_ms(key, kNow + 10), 5000u);
  EXPECT_EQ(table.add(key, 1, kNow + 20, 1), 43);
}

TEST(CounterTable, ListsLiveEntriesWithTheirKeys) {
  HeapTable heap(256);
  auto& table = heap.table();
  ASSERT_TRUE(table.put(lockout_key(address_of(77)), 1, kNow, 60000));
  ASSERT_TRUE(table.add(rate_key(78, 12345), 3, kNow, 100));
  std::vector<CounterEntry> entries;
  for (std::size_t i = 0; i < table.slot_count(); ++i) {
    if (auto entry = table.entry_at(i, kNow + 50)) entries.push_back(*entry);
  }
  ASSERT_EQ(entries.size(), 2u);
  std::set<CounterKind> kinds;
  for (const auto& entry : entries) {
    kinds.insert(entry.key.kind);
    if (entry.key.kind == CounterKind::Lockout) {
      EXPECT_EQ(entry.key.address, address_of(77));
      EXPECT_EQ(entry.expires_ms, kNow + 60000);
      EXPECT_EQ(entry.value, 1);
    } else {
      EXPECT_EQ(entry.key, rate_key(78, 12345));
      EXPECT_EQ(entry.value, 3);
    }
  }
  EXPECT_EQ(kinds.size(), 2u);
  // After the rate window's lifetime only the lockout is left.
  std::size_t live = 0;
  for (std::size_t i = 0; i < table.slot_count(); ++i)
    live += table.entry_at(i, kNow + 100) ? 1u : 0u;
  EXPECT_EQ(live, 1u);
}

TEST(CounterTable, ManyKeysKeepTheirOwnCounts) {
  HeapTable heap(16384);
  auto& table = heap.table();
  constexpr std::uint32_t kKeys = 10000;
  for (std::uint32_t round = 1; round <= 3; ++round) {
    for (std::uint32_t n = 0; n < kKeys; ++n) {
      ASSERT_EQ(table.add(rate_key(n), n % 7 + 1, kNow, 60000),
                static_cast<std::int64_t>(round * (n % 7 + 1)))
          << n;
    }
  }
  EXPECT_EQ(table.full_events(), 0u);
}

TEST(CounterTable, AFullNeighbourhoodFailsOpenUntilSlotsExpire) {
  HeapTable heap(64);  // the probe window covers the whole table
  auto& table = heap.table();
  for (std::uint32_t n = 0; n < 64; ++n) ASSERT_TRUE(table.add(rate_key(n), 1, kNow, 100)) << n;
  EXPECT_FALSE(table.add(rate_key(1000), 1, kNow, 100));
  EXPECT_EQ(table.full_events(), 1u);
  // Existing keys still count.
  EXPECT_EQ(table.add(rate_key(5), 1, kNow, 100), 2);
  // Expired slots are reused.
  EXPECT_EQ(table.add(rate_key(1000), 1, kNow + 100, 100), 1);
  EXPECT_EQ(table.get(rate_key(5), kNow + 100), 0);
}

TEST(CounterTable, AttachChecksTheHeader) {
  HeapTable heap(128);
  ASSERT_TRUE(heap.table().add(rate_key(1), 4, kNow, 1000));
  auto attached = CounterTable::attach(heap.memory());
  ASSERT_TRUE(attached);
  EXPECT_EQ(attached->get(rate_key(1), kNow), 4);
  EXPECT_FALSE(CounterTable::attach(heap.memory().first(100)));
  EXPECT_FALSE(CounterTable::attach(heap.memory().first(CounterTable::bytes_for(64))));
  heap.memory()[0] ^= std::byte{1};
  EXPECT_FALSE(CounterTable::attach(heap.memory()));
  heap.memory()[0] ^= std::byte{1};
  EXPECT_TRUE(CounterTable::attach(heap.memory()));
}

TEST(CounterTable, CreateRefusesBadSizes) {
  alignas(64) static std::byte small[4096];
  EXPECT_FALSE(CounterTable::create(small, 100, kHashKey, kNow));  // not a power of two
  EXPECT_FALSE(CounterTable::create(small, 128, kHashKey, kNow));  // does not fit
  EXPECT_TRUE(CounterTable::create(small, 32, kHashKey, kNow));
  EXPECT_FALSE(
      CounterTable::create(std::span(small).subspan(8), 32, kHashKey, kNow));  // misaligned
}

bool never_alive(std::uint64_t) { return false; }

// A process that died while inserting leaves its lock behind; the next insert takes it over.
TEST(CounterTable, TakesOverTheLockOfADeadProcess) {
  HeapTable heap(64);
  auto* slots = reinterpret_cast<CounterSlot*>(heap.memory().data() + sizeof(CounterTableHeader));
  for (std::size_t i = 0; i < 64; ++i) slots[i].lock.store(999);
  auto& table = heap.table();
  table.set_owner(4242, never_alive);
  EXPECT_EQ(table.add(rate_key(1), 1, kNow, 1000), 1);
  EXPECT_EQ(table.lock_steals(), 1u);
}

// Exactness: threads hammering one counter lose and double nothing; a limit of N lets exactly N
// through when every thread tries at the same instant.
TEST(CounterTableThreads, NoAddIsLostOrDoubled) {
  HeapTable heap(4096);
  auto& table = heap.table();
  constexpr int kThreads = 8;
  constexpr int kAdds = 20000;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kAdds; ++i) {
        // One hot key, plus keys created concurrently by several threads.
        (void)table.add(rate_key(1), 1, kNow, 60000);
        (void)table.add(rate_key(100 + static_cast<std::uint32_t>(i % 64)), 1, kNow, 60000);
        if (t % 2 == 0) (void)table.add(rate_key(2), -1, kNow, 60000);
        if (t % 2 == 1) (void)table.add(rate_key(2), 1, kNow, 60000);
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(table.get(rate_key(1), kNow), kThreads * kAdds);
  std::int64_t spread = 0;
  for (std::uint32_t k = 0; k < 64; ++k) spread += table.get(rate_key(100 + k), kNow);
  EXPECT_EQ(spread, kThreads * kAdds);
  EXPECT_EQ(table.full_events(), 0u);
}

TEST(CounterTableThreads, ALimitOfNAdmitsExactlyN) {
  HeapTable heap(4096);
  auto& table = heap.table();
  constexpr int kThreads = 8;
  constexpr std::uint64_t kLimit = 37;
  constexpr std::uint32_t kKeys = 200;
  std::vector<std::atomic<int>> admitted(kKeys);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (std::uint32_t k = 0; k < kKeys; ++k) {
        for (int attempt = 0; attempt < 10; ++attempt) {
          const auto count = table.add(rate_key(k, 99), 1, kNow, 60000);
          if (count && !exceeds(*count, kLimit)) admitted[k].fetch_add(1);
        }
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  for (std::uint32_t k = 0; k < kKeys; ++k) {
    EXPECT_EQ(admitted[k].load(), static_cast<int>(kLimit)) << k;
  }
}

// An anonymous shared mapping, as httpd's apr_shm gives the parent before it forks children.
class SharedMapping {
 public:
  explicit SharedMapping(std::size_t bytes) : bytes_(bytes) {
    memory_ = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory_ == MAP_FAILED) memory_ = nullptr;
  }
  ~SharedMapping() {
    if (memory_) ::munmap(memory_, bytes_);
  }
  SharedMapping(const SharedMapping&) = delete;
  SharedMapping& operator=(const SharedMapping&) = delete;
  std::span<std::byte> bytes() { return {static_cast<std::byte*>(memory_), bytes_}; }

 private:
  std::size_t bytes_;
  void* memory_;
};

// Runs `body(child_index)` in `children` forked processes at once; true if all exited 0.
template <typename Body>
bool run_children(int children, Body body) {
  std::vector<pid_t> pids;
  for (int c = 0; c < children; ++c) {
    const pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
      body(c);
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  bool ok = true;
  for (const pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return ok;
}

bool pid_alive(std::uint64_t pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0; }

TEST(CounterTableProcesses, ChildrenShareExactCountsAndLimits) {
  constexpr std::size_t kSlots = 4096;
  constexpr int kChildren = 6;
  constexpr int kAdds = 10000;
  constexpr std::uint64_t kLimit = 25;
  constexpr std::uint32_t kKeys = 100;
  // The table, then one admitted-counter per key (plain atomics, also shared).
  SharedMapping mapping(CounterTable::bytes_for(kSlots) + kKeys * sizeof(std::atomic<int>));
  ASSERT_FALSE(mapping.bytes().empty());
  const auto table_bytes = mapping.bytes().first(CounterTable::bytes_for(kSlots));
  ASSERT_TRUE(CounterTable::create(table_bytes, kSlots, kHashKey, kNow));
  auto* admitted =
      new (mapping.bytes().data() + CounterTable::bytes_for(kSlots)) std::atomic<int>[kKeys] {};

  ASSERT_TRUE(run_children(kChildren, [&](int) {
    auto table = CounterTable::attach(table_bytes);
    if (!table) ::_exit(1);
    table->set_owner(static_cast<std::uint64_t>(::getpid()), pid_alive);
    for (int i = 0; i < kAdds; ++i) {
      if (!table->add(rate_key(1), 1, kNow, 60000)) ::_exit(2);
    }
    for (std::uint32_t k = 0; k < kKeys; ++k) {
      for (int attempt = 0; attempt < 8; ++attempt) {
        const auto count = table->add(rate_key(k, 3), 1, kNow, 60000);
        if (count && !exceeds(*count, kLimit)) admitted[k].fetch_add(1);
      }
    }
  }));
  auto table = CounterTable::attach(table_bytes);
  ASSERT_TRUE(table);
  EXPECT_EQ(table->get(rate_key(1), kNow), kChildren * kAdds);
  for (std::uint32_t k = 0; k < kKeys; ++k) {
    EXPECT_EQ(admitted[k].load(), static_cast<int>(kLimit)) << k;
    EXPECT_EQ(table->get(rate_key(k, 3), kNow), kChildren * 8) << k;
  }
}

}  // namespace
}  // namespace authdiag::core
