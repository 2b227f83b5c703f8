// SPDX-License-Identifier: Apache-2.0
// The shared memory of the IP restrictions: one anonymous apr_shm segment that the parent
// creates in post_config before the first fork. It hangs off the process pool, which outlives
// every configuration generation, so graceful (and full) restarts keep the counters; a restarted
// configuration finds it again through the pool's userdata.
#pragma once

#include "core/counter_table.hpp"
#include "core/reason.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

// Denials of each restriction reason since the segment was made (concurrent_limit ...
// host_denied, in Reason order).
struct RestrictionTallies {
  static constexpr std::size_t kReasons = 5;
  std::int64_t created_us;
  std::array<std::atomic<std::uint64_t>, kReasons> denied;
  std::array<std::atomic<std::uint64_t>, kReasons> logged_only;
};

class SharedMemory {
 public:
  static constexpr std::size_t kSlots = std::size_t{1} << 17;  // 8 MiB of 64-byte slots

  // post_config of the real pass, in the parent: creates the segment on the first start and
  // attaches to it on later ones. False (logged as AD0511) when it cannot.
  static bool setup(server_rec* s) noexcept;
  // child_init: lock ownership is per process.
  static void child_init() noexcept;
  // This process's view; nullptr when setup failed or did not run.
  static SharedMemory* get() noexcept;

  core::CounterTable& table() noexcept { return *table_; }
  RestrictionTallies& tallies() noexcept { return *tallies_; }
  // Index of a restriction reason in the tallies, nothing for other reasons.
  static std::optional<std::size_t> tally_index(core::Reason reason) noexcept;

 private:
  std::optional<core::CounterTable> table_;
  RestrictionTallies* tallies_ = nullptr;
};

// Milliseconds since the Unix epoch, the time the restrictions count in.
std::uint64_t now_ms() noexcept;

}  // namespace authdiag::httpd
