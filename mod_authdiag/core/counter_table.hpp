// SPDX-License-Identifier: Apache-2.0
// The counters of the IP restrictions in one block of memory shared by every httpd process (or,
// in tests, a heap buffer): a header, then fixed 64-byte slots found by open addressing on a
// keyed hash of (kind, address, window). Counting is lock-free and exact: every add is one
// compare-and-swap on a word that carries the count and the slot's generation, so no add is
// lost or doubled, whatever the number of processes and threads. Inserting a new key takes a
// short per-home-slot lock, so one key never lands in two slots.
#pragma once

#include "core/rate_limit.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

namespace authdiag::core {

// Every word is atomic: other processes read and write it concurrently. Offsets only, no
// pointers, so each process may map the block at another address.
struct alignas(64) CounterSlot {
  std::atomic<std::uint64_t> key;      // fingerprint << 24 | generation; 0: never used
  std::atomic<std::uint64_t> value;    // generation << 40 | count
  std::atomic<std::uint64_t> expires;  // generation << 40 | ms since the table's epoch
  std::atomic<std::uint64_t> address_high;
  std::atomic<std::uint64_t> address_low;
  std::atomic<std::uint64_t> kind_window;  // kind << 56 | window_ms
  std::atomic<std::uint64_t> window_index;
  std::atomic<std::uint64_t> lock;  // owner token while a key homed here is inserted; 0: free
};

struct alignas(64) CounterTableHeader {
  std::uint64_t magic;
  std::uint32_t layout_version;
  std::uint32_t slot_size;
  std::uint64_t slot_count;
  std::array<std::uint64_t, 2> hash_key;  // SipHash key, random per table
  std::uint64_t epoch_ms;                 // expiry times count from here
  std::atomic<std::uint64_t> full;        // adds refused: no free slot near the key's home
  std::atomic<std::uint64_t> steals;      // insert locks taken over from dead processes
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "shared counters need lock-free (address-free) 64-bit atomics");
static_assert(sizeof(CounterSlot) == 64);
static_assert(std::is_standard_layout_v<CounterSlot> &&
              std::is_trivially_destructible_v<CounterSlot>);
static_assert(std::is_standard_layout_v<CounterTableHeader> &&
              std::is_trivially_destructible_v<CounterTableHeader>);

// One live counter, as the status page lists them.
struct CounterEntry {
  CounterKey key;
  std::int64_t value = 0;
  std::uint64_t expires_ms = 0;  // Unix milliseconds
};

class CounterTable {
 public:
  static constexpr std::uint64_t kMagic = 0x31305254434441;  // "ADCTR01"
  static constexpr std::uint32_t kLayoutVersion = 1;
  static constexpr std::size_t kProbeLimit = 64;  // slots searched from a key's home slot
  static constexpr std::size_t kMaxSlots = std::size_t{1} << 24;
  static constexpr std::int64_t kMaxCount = (std::int64_t{1} << 40) - 1;

  // Bytes of a table with `slot_count` slots (header included).
  static std::size_t bytes_for(std::size_t slot_count) noexcept;

  // Formats `memory` (64-byte aligned, at least bytes_for(slot_count) bytes) as an empty table.
  // `slot_count` is a power of two up to kMaxSlots. Nothing when the memory does not fit.
  static std::optional<CounterTable> create(std::span<std::byte> memory, std::size_t slot_count,
                                            std::array<std::uint64_t, 2> hash_key,
                                            std::uint64_t epoch_ms) noexcept;
  // A table that another process formatted: magic, version, slot size and count checked.
  static std::optional<CounterTable> attach(std::span<std::byte> memory) noexcept;

  // The insert lock records who holds it (a nonzero token, e.g. the pid). A process that died
  // holding it is detected through `alive` (nullptr: owners never die) and the lock taken over.
  using OwnerAlive = bool (*)(std::uint64_t token);
  void set_owner(std::uint64_t token, OwnerAlive alive) noexcept;

  // Adds `delta` to the counter `key`, creating it at 0 with a lifetime of `ttl_ms` when it is
  // absent or expired, and returns the value after the addition (never below 0, never above
  // kMaxCount). Nothing when no slot near the key's home is free (the caller fails open).
  std::optional<std::int64_t> add(const CounterKey& key, std::int64_t delta, std::uint64_t now_ms,
                                  std::uint64_t ttl_ms) noexcept;
  // The current value; 0 when absent or expired.
  std::int64_t get(const CounterKey& key, std::uint64_t now_ms) const noexcept;
  // Sets the counter to `value` with a fresh lifetime, replacing what was there.
  bool put(const CounterKey& key, std::int64_t value, std::uint64_t now_ms,
           std::uint64_t ttl_ms) noexcept;
  // Milliseconds until `key` expires; nothing when absent or expired.
  std::optional<std::uint64_t> time_left_ms(const CounterKey& key,
                                            std::uint64_t now_ms) const noexcept;

  std::size_t slot_count() const noexcept { return slot_count_; }
  // The live counter in slot `index`, if any (a consistent snapshot, or nothing).
  std::optional<CounterEntry> entry_at(std::size_t index, std::uint64_t now_ms) const noexcept;
  std::uint64_t full_events() const noexcept;
  std::uint64_t lock_steals() const noexcept;

 private:
  CounterTable(CounterTableHeader* header, CounterSlot* slots, std::size_t slot_count)
      : header_(header), slots_(slots), slot_count_(slot_count) {}

  struct Hashed {
    std::uint64_t fingerprint;
    std::size_t home;
  };
  Hashed hash(const CounterKey& key) const noexcept;
  std::uint64_t relative(std::uint64_t now_ms) const noexcept;
  CounterSlot& slot(std::size_t home, std::size_t step) const noexcept;
  void lock(CounterSlot& home) noexcept;
  std::optional<std::int64_t> locked_update(const CounterKey& key, Hashed hashed,
                                            std::int64_t delta, bool replace, std::uint64_t now_ms,
                                            std::uint64_t ttl_ms) noexcept;
  bool claim(CounterSlot& target, std::uint64_t seen_key, Hashed hashed, const CounterKey& key,
             std::int64_t count, std::uint64_t expires) noexcept;

  CounterTableHeader* header_;
  CounterSlot* slots_;
  std::size_t slot_count_;
  std::uint64_t owner_ = 1;
  OwnerAlive alive_ = nullptr;
};

}  // namespace authdiag::core
