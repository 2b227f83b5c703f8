// SPDX-License-Identifier: Apache-2.0
// Slot protocol. A slot's key, value and expires words each carry the slot's generation; they
// agree once a claim is complete. Claiming a slot (for a new key, or to restart an expired
// counter) moves the key word to the next generation with one CAS, then stores expires and
// value with that generation. Counting CASes the value word from (generation, n) to
// (generation, n + delta) after checking that key, value and expires agree and have not
// expired; a claim in between changes the value's generation and the CAS fails and retries. So
// an add lands either in the live counter or in the expired one it was racing (in which case it
// belonged to that expired window).
#include "core/counter_table.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <thread>

namespace authdiag::core {

namespace {

constexpr unsigned kGenerationBits = 24;
constexpr unsigned kPayloadBits = 40;
constexpr std::uint64_t kGenerationMask = (std::uint64_t{1} << kGenerationBits) - 1;
constexpr std::uint64_t kPayloadMask = (std::uint64_t{1} << kPayloadBits) - 1;
constexpr unsigned kKindShift = 56;
constexpr std::uint64_t kWindowMask = (std::uint64_t{1} << kKindShift) - 1;
constexpr int kSpinsBeforeYield = 64;
constexpr int kSpinsBeforeOwnerCheck = 4096;
constexpr int kMaxRestarts = 64;

constexpr std::uint64_t key_word(std::uint64_t fingerprint, std::uint64_t generation) {
  return (fingerprint << kGenerationBits) | (generation & kGenerationMask);
}
constexpr std::uint64_t fingerprint_of(std::uint64_t key) { return key >> kGenerationBits; }
constexpr std::uint64_t generation_of_key(std::uint64_t key) { return key & kGenerationMask; }
constexpr std::uint64_t tagged(std::uint64_t generation, std::uint64_t payload) {
  return ((generation & kGenerationMask) << kPayloadBits) | (payload & kPayloadMask);
}
constexpr std::uint64_t generation_of(std::uint64_t word) { return word >> kPayloadBits; }
constexpr std::uint64_t payload_of(std::uint64_t word) { return word & kPayloadMask; }

std::int64_t clamp_count(std::int64_t count) {
  if (count < 0) return 0;
  return count > CounterTable::kMaxCount ? CounterTable::kMaxCount : count;
}

// SipHash-2-4 (Aumasson, Bernstein) of a short message: a keyed hash, so nobody who does not
// know the table's key can choose addresses that crowd one part of the table.
std::uint64_t siphash24(const std::array<std::uint64_t, 2>& key, const std::uint8_t* data,
                        std::size_t size) {
  std::uint64_t v0 = 0x736f6d6570736575ULL ^ key[0];
  std::uint64_t v1 = 0x646f72616e646f6dULL ^ key[1];
  std::uint64_t v2 = 0x6c7967656e657261ULL ^ key[0];
  std::uint64_t v3 = 0x7465646279746573ULL ^ key[1];
  const auto round = [&] {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  };
  const auto load = [&](std::size_t offset, std::size_t count) {
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < count; ++i) word |= std::uint64_t{data[offset + i]} << (8 * i);
    return word;
  };
  std::size_t offset = 0;
  for (; offset + 8 <= size; offset += 8) {
    const std::uint64_t m = load(offset, 8);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  const std::uint64_t last = (std::uint64_t{size & 0xff} << 56) | load(offset, size - offset);
  v3 ^= last;
  round();
  round();
  v0 ^= last;
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

std::uint64_t address_half(const IpAddress& address, std::size_t first) {
  std::uint64_t word = 0;
  for (std::size_t i = first; i < first + 8; ++i) word = (word << 8) | address.bytes[i];
  return word;
}

IpAddress address_from(std::uint64_t high, std::uint64_t low) {
  IpAddress address;
  for (std::size_t i = 0; i < 8; ++i) {
    address.bytes[7 - i] = static_cast<std::uint8_t>(high >> (8 * i));
    address.bytes[15 - i] = static_cast<std::uint8_t>(low >> (8 * i));
  }
  return address;
}

struct Snapshot {
  std::uint64_t key;
  std::uint64_t value;
  std::uint64_t expires;

  bool consistent() const {
    const std::uint64_t generation = generation_of_key(key);
    return generation_of(value) == generation && generation_of(expires) == generation;
  }
  bool live(std::uint64_t now_relative) const { return now_relative < payload_of(expires); }
};

Snapshot read(const CounterSlot& slot) {
  Snapshot snapshot{};
  snapshot.key = slot.key.load(std::memory_order_acquire);
  snapshot.value = slot.value.load(std::memory_order_acquire);
  snapshot.expires = slot.expires.load(std::memory_order_acquire);
  return snapshot;
}

// Adds `delta` to the live counter `seen`, just read from `slot`, with one CAS loop. nullopt when
// the slot stopped holding that live counter meanwhile (it expired, or put/claim replaced it).
std::optional<std::int64_t> increment_live(CounterSlot& slot, Snapshot& seen, std::int64_t delta,
                                           std::uint64_t now_relative) {
  const std::uint64_t generation = generation_of_key(seen.key);
  while (seen.consistent() && seen.live(now_relative)) {
    const std::int64_t next =
        clamp_count(static_cast<std::int64_t>(payload_of(seen.value)) + delta);
    if (slot.value.compare_exchange_weak(seen.value,
                                         tagged(generation, static_cast<std::uint64_t>(next)),
                                         std::memory_order_acq_rel)) {
      return next;
    }
    if (generation_of(seen.value) != generation) break;
  }
  return std::nullopt;
}

class SlotLock {
 public:
  explicit SlotLock(std::atomic<std::uint64_t>& word) : word_(word) {}
  ~SlotLock() { word_.store(0, std::memory_order_release); }
  SlotLock(const SlotLock&) = delete;
  SlotLock& operator=(const SlotLock&) = delete;

 private:
  std::atomic<std::uint64_t>& word_;
};

}  // namespace

std::size_t CounterTable::bytes_for(std::size_t slot_count) noexcept {
  return sizeof(CounterTableHeader) + slot_count * sizeof(CounterSlot);
}

std::optional<CounterTable> CounterTable::create(std::span<std::byte> memory,
                                                 std::size_t slot_count,
                                                 std::array<std::uint64_t, 2> hash_key,
                                                 std::uint64_t epoch_ms) noexcept {
  if (slot_count == 0 || slot_count > kMaxSlots || !std::has_single_bit(slot_count) ||
      memory.size() < bytes_for(slot_count) ||
      reinterpret_cast<std::uintptr_t>(memory.data()) % alignof(CounterSlot) != 0) {
    return std::nullopt;
  }
  auto* header = new (memory.data()) CounterTableHeader{};
  auto* slots = reinterpret_cast<CounterSlot*>(memory.data() + sizeof(CounterTableHeader));
  for (std::size_t i = 0; i < slot_count; ++i) new (&slots[i]) CounterSlot{};
  header->layout_version = kLayoutVersion;
  header->slot_size = sizeof(CounterSlot);
  header->slot_count = slot_count;
  header->hash_key = hash_key;
  header->epoch_ms = epoch_ms;
  // The magic goes last: a table with the magic is fully formatted.
  std::atomic_thread_fence(std::memory_order_release);
  header->magic = kMagic;
  return CounterTable(header, slots, slot_count);
}

std::optional<CounterTable> CounterTable::attach(std::span<std::byte> memory) noexcept {
  if (memory.size() < sizeof(CounterTableHeader) ||
      reinterpret_cast<std::uintptr_t>(memory.data()) % alignof(CounterSlot) != 0) {
    return std::nullopt;
  }
  auto* header = std::launder(reinterpret_cast<CounterTableHeader*>(memory.data()));
  const std::uint64_t count = header->slot_count;
  if (header->magic != kMagic || header->layout_version != kLayoutVersion ||
      header->slot_size != sizeof(CounterSlot) || count == 0 || count > kMaxSlots ||
      !std::has_single_bit(count) || memory.size() < bytes_for(count)) {
    return std::nullopt;
  }
  auto* slots =
      std::launder(reinterpret_cast<CounterSlot*>(memory.data() + sizeof(CounterTableHeader)));
  return CounterTable(header, slots, count);
}

void CounterTable::set_owner(std::uint64_t token, OwnerAlive alive) noexcept {
  owner_ = token == 0 ? 1 : token;
  alive_ = alive;
}

CounterTable::Hashed CounterTable::hash(const CounterKey& key) const noexcept {
  std::array<std::uint8_t, 1 + 16 + 8 + 8> message{};
  message[0] = static_cast<std::uint8_t>(key.kind);
  std::memcpy(&message[1], key.address.bytes.data(), key.address.bytes.size());
  for (std::size_t i = 0; i < 8; ++i) {
    message[17 + i] = static_cast<std::uint8_t>(key.window_ms >> (8 * i));
    message[25 + i] = static_cast<std::uint8_t>(key.window_index >> (8 * i));
  }
  const std::uint64_t h = siphash24(header_->hash_key, message.data(), message.size());
  // The home comes from the low bits, the fingerprint from the 40 high bits (never 0, which
  // marks a slot that was never used).
  std::uint64_t fingerprint = h >> kGenerationBits;
  if (fingerprint == 0) fingerprint = 1;
  return {fingerprint, static_cast<std::size_t>(h) & (slot_count_ - 1)};
}

std::uint64_t CounterTable::relative(std::uint64_t now_ms) const noexcept {
  const std::uint64_t epoch = header_->epoch_ms;
  if (now_ms <= epoch) return 0;
  return std::min(now_ms - epoch, kPayloadMask);
}

CounterSlot& CounterTable::slot(std::size_t home, std::size_t step) const noexcept {
  return slots_[(home + step) & (slot_count_ - 1)];
}

void CounterTable::lock(CounterSlot& home) noexcept {
  for (int spins = 1;; ++spins) {
    std::uint64_t holder = 0;
    if (home.lock.compare_exchange_weak(holder, owner_, std::memory_order_acquire)) return;
    if (spins % kSpinsBeforeYield == 0) std::this_thread::yield();
    if (spins % kSpinsBeforeOwnerCheck == 0 && holder != 0 && alive_ && !alive_(holder) &&
        home.lock.compare_exchange_strong(holder, owner_, std::memory_order_acquire)) {
      header_->steals.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
}

bool CounterTable::claim(CounterSlot& target, std::uint64_t seen_key, Hashed hashed,
                         const CounterKey& key, std::int64_t count,
                         std::uint64_t expires) noexcept {
  const std::uint64_t generation = (generation_of_key(seen_key) + 1) & kGenerationMask;
  if (!target.key.compare_exchange_strong(seen_key, key_word(hashed.fingerprint, generation),
                                          std::memory_order_acq_rel)) {
    return false;
  }
  target.address_high.store(address_half(key.address, 0), std::memory_order_relaxed);
  target.address_low.store(address_half(key.address, 8), std::memory_order_relaxed);
  target.kind_window.store((std::uint64_t{static_cast<std::uint8_t>(key.kind)} << kKindShift) |
                               (key.window_ms & kWindowMask),
                           std::memory_order_relaxed);
  target.window_index.store(key.window_index, std::memory_order_relaxed);
  target.expires.store(tagged(generation, expires), std::memory_order_release);
  target.value.store(tagged(generation, static_cast<std::uint64_t>(clamp_count(count))),
                     std::memory_order_release);
  return true;
}

std::optional<std::int64_t> CounterTable::locked_update(const CounterKey& key, Hashed hashed,
                                                        std::int64_t delta, bool replace,
                                                        std::uint64_t now_ms,
                                                        std::uint64_t ttl_ms) noexcept {
  const std::uint64_t now = relative(now_ms);
  const std::uint64_t expires = std::min(now + std::max<std::uint64_t>(ttl_ms, 1), kPayloadMask);
  const std::int64_t fresh = clamp_count(delta);
  for (int restart = 0; restart < kMaxRestarts; ++restart) {
    CounterSlot* free_slot = nullptr;
    std::uint64_t free_key = 0;
    bool changed = false;
    for (std::size_t step = 0; step < kProbeLimit && !changed; ++step) {
      CounterSlot& candidate = slot(hashed.home, step);
      Snapshot seen = read(candidate);
      if (seen.key == 0) {
        if (!free_slot) {
          free_slot = &candidate;
          free_key = 0;
        }
        break;
      }
      if (fingerprint_of(seen.key) == hashed.fingerprint) {
        if (!replace) {
          if (const auto next = increment_live(candidate, seen, delta, now)) return next;
        }
        // Expired, replaced by put, or left half-claimed by a process that died holding this
        // key's lock (only this key's inserts take it): start the counter over in this slot.
        if (claim(candidate, seen.key, hashed, key, fresh, expires)) return fresh;
        changed = true;
        break;
      }
      if (!free_slot && seen.consistent() && !seen.live(now)) {
        free_slot = &candidate;
        free_key = seen.key;
      }
    }
    if (changed) continue;
    if (!free_slot) {
      header_->full.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    if (claim(*free_slot, free_key, hashed, key, fresh, expires)) return fresh;
  }
  header_->full.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

std::optional<std::int64_t> CounterTable::add(const CounterKey& key, std::int64_t delta,
                                              std::uint64_t now_ms, std::uint64_t ttl_ms) noexcept {
  const Hashed hashed = hash(key);
  const std::uint64_t now = relative(now_ms);
  // Lock-free path: the key is live in its probe window.
  for (std::size_t step = 0; step < kProbeLimit; ++step) {
    CounterSlot& candidate = slot(hashed.home, step);
    Snapshot seen = read(candidate);
    if (seen.key == 0) break;
    if (fingerprint_of(seen.key) != hashed.fingerprint) continue;
    if (const auto next = increment_live(candidate, seen, delta, now)) return next;
    break;
  }
  CounterSlot& home = slot(hashed.home, 0);
  lock(home);
  const SlotLock unlock(home.lock);
  return locked_update(key, hashed, delta, false, now_ms, ttl_ms);
}

bool CounterTable::put(const CounterKey& key, std::int64_t value, std::uint64_t now_ms,
                       std::uint64_t ttl_ms) noexcept {
  const Hashed hashed = hash(key);
  CounterSlot& home = slot(hashed.home, 0);
  lock(home);
  const SlotLock unlock(home.lock);
  return locked_update(key, hashed, value, true, now_ms, ttl_ms).has_value();
}

std::int64_t CounterTable::get(const CounterKey& key, std::uint64_t now_ms) const noexcept {
  const Hashed hashed = hash(key);
  const std::uint64_t now = relative(now_ms);
  for (std::size_t step = 0; step < kProbeLimit; ++step) {
    const Snapshot seen = read(slot(hashed.home, step));
    if (seen.key == 0) break;
    if (fingerprint_of(seen.key) != hashed.fingerprint) continue;
    if (!seen.consistent() || !seen.live(now)) return 0;
    return static_cast<std::int64_t>(payload_of(seen.value));
  }
  return 0;
}

std::optional<std::uint64_t> CounterTable::time_left_ms(const CounterKey& key,
                                                        std::uint64_t now_ms) const noexcept {
  const Hashed hashed = hash(key);
  const std::uint64_t now = relative(now_ms);
  for (std::size_t step = 0; step < kProbeLimit; ++step) {
    const Snapshot seen = read(slot(hashed.home, step));
    if (seen.key == 0) break;
    if (fingerprint_of(seen.key) != hashed.fingerprint) continue;
    if (!seen.consistent() || !seen.live(now)) return std::nullopt;
    return payload_of(seen.expires) - now;
  }
  return std::nullopt;
}

std::optional<CounterEntry> CounterTable::entry_at(std::size_t index,
                                                   std::uint64_t now_ms) const noexcept {
  if (index >= slot_count_) return std::nullopt;
  const CounterSlot& target = slots_[index];
  const Snapshot seen = read(target);
  if (seen.key == 0 || !seen.consistent() || !seen.live(relative(now_ms))) return std::nullopt;
  CounterEntry entry;
  const std::uint64_t kind_window = target.kind_window.load(std::memory_order_relaxed);
  entry.key.kind = static_cast<CounterKind>(kind_window >> kKindShift);
  entry.key.window_ms = kind_window & kWindowMask;
  entry.key.window_index = target.window_index.load(std::memory_order_relaxed);
  entry.key.address = address_from(target.address_high.load(std::memory_order_relaxed),
                                   target.address_low.load(std::memory_order_relaxed));
  entry.value = static_cast<std::int64_t>(payload_of(seen.value));
  entry.expires_ms = header_->epoch_ms + payload_of(seen.expires);
  // A claim that started after the snapshot may have rewritten the metadata.
  if (target.key.load(std::memory_order_acquire) != seen.key) return std::nullopt;
  return entry;
}

std::uint64_t CounterTable::full_events() const noexcept {
  return header_->full.load(std::memory_order_relaxed);
}

std::uint64_t CounterTable::lock_steals() const noexcept {
  return header_->steals.load(std::memory_order_relaxed);
}

}  // namespace authdiag::core
